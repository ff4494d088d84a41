"""grok-lsp benchmarks: `make bench` (or `python -m bench [--quick]`); see docs/benchmarks.md."""

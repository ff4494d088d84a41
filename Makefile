# Two entry points for a new user: `make demo` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean vscode-test vscode-clean install-emacs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/grok-lsp demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint install-emacs
	$(BIN)/pytest

# Emacs >= 30 (eglot 1.17 built in) for tests/emacs: installed once (Debian: emacs-nox), then a no-op.
install-emacs:
	bash tests/emacs/install-emacs.sh

# The benchmarks of docs/benchmarks.md: prints a table, writes bench/results/latest.json.
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# The VS Code extension alone: type check, unit tests, end to end in code-server (also part of `test`).
vscode-test: $(STAMP)
	$(BIN)/pytest tests/vscode

vscode-clean:
	rm -rf editors/vscode/.e2e editors/vscode/node_modules editors/vscode/dist editors/vscode/grok-lsp.vsix editors/vscode/bundled/libs

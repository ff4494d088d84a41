"""The Grok API simulator: a loopback server that speaks the xAI API (docs/simulator.md)."""

from grok_lsp.simulator.controls import Control
from grok_lsp.simulator.recorder import RequestRecord
from grok_lsp.simulator.runner import Simulator, run_foreground

__all__ = ["Control", "RequestRecord", "Simulator", "run_foreground"]

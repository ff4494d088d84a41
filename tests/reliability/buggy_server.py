"""grok-lsp with one bug injected: hovering an explained range raises ZeroDivisionError.

Started by tests/reliability/test_logs.py to prove that the traceback check can fail.
"""

from __future__ import annotations

from grok_lsp.cli import main
from grok_lsp.server import hover


def _broken(answer: str) -> str:
    raise ZeroDivisionError("injected bug")


hover.hover_text = _broken

if __name__ == "__main__":
    raise SystemExit(main())

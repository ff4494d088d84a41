"""Where the assistant keeps its state: conversations, transcripts, previews."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def state_dir() -> Path:
    configured = os.environ.get("GROK_LSP_STATE_DIR")
    return Path(configured) if configured else Path(platformdirs.user_state_dir("grok-lsp"))

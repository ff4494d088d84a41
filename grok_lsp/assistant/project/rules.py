"""The project's own instructions for AI tools: AGENTS.md and the names in context.rulesFiles."""

from __future__ import annotations

import os
from collections.abc import Sequence

from grok_lsp.assistant.project.index import ProjectIndex
from grok_lsp.assistant.project.pieces import ContextPiece, estimate_tokens
from grok_lsp.assistant.project.related import relative
from grok_lsp.assistant.project.resolve import inside

DEFAULT_RULES_FILES = ("AGENTS.md",)


def rules_files(
    index: ProjectIndex,
    document_path: str,
    root: str,
    names: Sequence[str],
    budget_tokens: int,
) -> list[ContextPiece]:
    """The rules files from the document's folder up to the root, nearest first.

    Never beyond the root and never from sibling folders; a file that cannot be read
    is left out. Text past the budget is cut, with a note saying so.
    """
    wanted = list(dict.fromkeys([*DEFAULT_RULES_FILES, *names]))
    pieces: list[ContextPiece] = []
    left = budget_tokens
    folder = os.path.dirname(document_path)
    if not inside(folder, root):
        return []
    while True:
        for name in wanted:
            path = os.path.normpath(os.path.join(folder, name))
            if not inside(path, root):
                continue
            text = index.read_text(path)
            if text is None or not text.strip():
                continue
            piece = _cut(text, relative(path, root), left)
            if piece is None:
                return pieces
            pieces.append(piece)
            left -= estimate_tokens(piece.text)
        if folder == root or not inside(os.path.dirname(folder), root):
            return pieces
        folder = os.path.dirname(folder)


def _cut(text: str, path: str, budget_tokens: int) -> ContextPiece | None:
    lines = text.splitlines()
    if estimate_tokens(text) <= budget_tokens:
        return ContextPiece("rules", path, text, 1, max(len(lines), 1))
    kept: list[str] = []
    size = 0
    for line in lines:
        size += len(line) + 1
        if estimate_tokens("x" * size) > budget_tokens:
            break
        kept.append(line)
    if not kept:
        return None
    note = f"cut to the context budget: lines 1-{len(kept)} of {len(lines)} sent"
    return ContextPiece("rules", path, "\n".join(kept), 1, len(kept), note=note)

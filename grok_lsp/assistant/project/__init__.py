"""Project context (SPEC section 10): rules files, `#` references, related definitions.

Pure of LSP: the server (or the CLI, or a test) hands in the document, the selection
and the texts of the open documents, and gets back what to send and what to tell.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import attrs

from grok_lsp.assistant.project.index import ProjectIndex
from grok_lsp.assistant.project.pieces import (
    ContextPiece,
    ProjectContext,
    estimate_tokens,
    rules_text,
    user_turn_text,
)
from grok_lsp.assistant.project.references import find_references, resolve_references
from grok_lsp.assistant.project.related import related_definitions
from grok_lsp.assistant.project.resolve import inside
from grok_lsp.assistant.project.rules import rules_files
from grok_lsp.settings import ContextSettings

__all__ = [
    "ContextPiece",
    "ProjectContext",
    "ProjectContextBuilder",
    "SelectionLines",
    "apply_to_request",
    "estimate_tokens",
    "rules_text",
    "user_turn_text",
]


@attrs.frozen
class SelectionLines:
    """The selected lines and the lines the prompt shows around them (0-based, inclusive)."""

    first: int
    last: int
    shown_first: int
    shown_last: int


class ProjectContextBuilder:
    """Builds each request's project context from one index kept for the whole session."""

    def __init__(self, index: ProjectIndex | None = None) -> None:
        self.index = index or ProjectIndex()
        # One worker: files are read and parsed off the event loop, one request at a time
        # (a tree-sitter parser is not shared between threads).
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grok-context")

    async def gather(self, settings: ContextSettings, **request: Any) -> ProjectContext:
        """`build` in the context thread; see there for the arguments."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, partial(self.build, settings, **request))

    def close(self) -> None:
        self._thread.shutdown(wait=True)

    def build(
        self,
        settings: ContextSettings,
        *,
        document_path: str,
        document_text: str,
        language_id: str,
        root: str | None,
        request_text: str = "",
        selection: SelectionLines | None = None,
        open_texts: Mapping[str, str] | None = None,
    ) -> ProjectContext:
        document_path = os.path.abspath(document_path)
        root = _workspace_root(root, document_path)
        left = settings.budget_tokens
        rules = tuple(rules_files(self.index, document_path, root, settings.rules_files, left))
        left -= sum(estimate_tokens(piece.text) for piece in rules)
        resolved = resolve_references(
            find_references(request_text),
            self.index,
            root,
            left,
            document_path=document_path,
            open_texts=open_texts,
        )
        left -= sum(estimate_tokens(piece.text) for piece in resolved.pieces)
        related: tuple[ContextPiece, ...] = ()
        if settings.related and selection is not None and left > 0:
            document = self.index.document(document_path, document_text, language_id)
            related = tuple(
                related_definitions(
                    self.index,
                    document,
                    root,
                    (selection.first, selection.last),
                    (selection.shown_first, selection.shown_last),
                    left,
                    open_texts,
                    already_sent=resolved.pieces,
                )
            )
        return ProjectContext(rules, tuple(resolved.pieces), related, tuple(resolved.problems))


def apply_to_request(instruction: str, context: ProjectContext) -> tuple[str, list[str]]:
    """The request's text with references and related definitions after it, and the rules
    as the messages that go before the first turn (so the prompt up to them never moves)."""
    extra = user_turn_text(context)
    rules = rules_text(context.rules)
    return (f"{instruction}\n\n{extra}" if extra else instruction), ([rules] if rules else [])


def _workspace_root(root: str | None, document_path: str) -> str:
    """The workspace root that holds the document, else the document's own folder."""
    if root:
        absolute = os.path.abspath(root)
        if inside(document_path, absolute):
            return absolute
    return os.path.dirname(document_path)

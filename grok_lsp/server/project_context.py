"""Project context for one request (SPEC section 10), from the editor's documents.

The assistant's builder does the work off the event loop; this module hands it the
open documents as the editor holds them and tells the user about references that
could not be sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pygls.workspace import TextDocument

from grok_lsp.assistant.context import CodeSelection
from grok_lsp.assistant.project import ProjectContext, SelectionLines
from grok_lsp.settings import Settings

if TYPE_CHECKING:
    from grok_lsp.server.app import GrokLanguageServer


def _is_file(document: TextDocument) -> bool:
    return document.uri.startswith("file:") and bool(document.path)


async def project_context(
    ls: GrokLanguageServer,
    document: TextDocument,
    selection: CodeSelection | None,
    request_text: str,
    settings: Settings,
) -> ProjectContext:
    """What the request carries besides the selection; a bad reference is shown, not raised."""
    if not _is_file(document):
        return ProjectContext()
    lines = None
    if selection is not None:
        around = settings.context_lines
        lines = SelectionLines(
            selection.start_line,
            selection.end_line,
            max(selection.start_line - around, 0),
            selection.end_line + around,
        )
    open_texts = {
        other.path: other.source
        for other in list(ls.workspace.text_documents.values())
        if _is_file(other)
    }
    context = await ls.assistant.project.gather(
        settings.context,
        document_path=document.path,
        document_text=document.source,
        language_id=document.language_id or "",
        root=ls.workspace.root_path,
        request_text=request_text,
        selection=lines,
        open_texts=open_texts,
    )
    if context.problems:
        ls.warn_now("; ".join(context.problems) + ". The rest of the request was sent.")
    return context

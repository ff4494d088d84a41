"""What a request carries of the editor's documents (SPEC section 10 reads them).

The assistant builds the project context itself (off the event loop); the server hands
it the request's document and the other open files as the editor holds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pygls.workspace import TextDocument

from grok_lsp.assistant.requests import DocumentText
from grok_lsp.server.documents import relative_path

if TYPE_CHECKING:
    from grok_lsp.server.app import GrokLanguageServer


def _is_file(document: TextDocument) -> bool:
    return document.uri.startswith("file:") and bool(document.path)


def document_text(ls: GrokLanguageServer, uri: str, document: TextDocument) -> DocumentText:
    """The document as the editor holds it; its path only when it is a file on disk."""
    return DocumentText(
        uri=uri,
        name=relative_path(document, ls.workspace.root_path),
        language_id=document.language_id or "",
        text=document.source,
        path=document.path if _is_file(document) else None,
    )


def open_texts(ls: GrokLanguageServer) -> dict[str, str]:
    """The open files' unsaved text by path: it wins over what is on disk."""
    return {
        other.path: other.source
        for other in list(ls.workspace.text_documents.values())
        if _is_file(other)
    }

"""`textDocument/inlineCompletion` (LSP 3.18): ghost text, advertised only when enabled."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from grok_lsp.assistant.edits import split_lines
from grok_lsp.assistant.requests import CompletionRequest, Silent
from grok_lsp.server.app import GrokLanguageServer
from grok_lsp.server.documents import find_document, offset_of, to_server
from grok_lsp.server.project_context import document_text

_EMPTY = types.InlineCompletionList(items=[])


def supports_dynamic_registration(ls: GrokLanguageServer) -> bool:
    document = ls.client_capabilities.text_document
    inline = document.inline_completion if document else None
    return bool(inline and inline.dynamic_registration)


async def enable_later(ls: GrokLanguageServer) -> None:
    """Turned on after start-up: register the handler and tell the client it exists now."""
    if ls.inline_registered or not supports_dynamic_registration(ls):
        return
    register(ls)
    await ls.client_register_capability_async(
        types.RegistrationParams(
            registrations=[
                types.Registration(
                    id="grok-inline-completion",
                    method=types.TEXT_DOCUMENT_INLINE_COMPLETION,
                    register_options=types.InlineCompletionRegistrationOptions(
                        document_selector=None
                    ),
                )
            ]
        )
    )


def register(ls: GrokLanguageServer) -> None:
    """The handler; when called from `initialize`, the capability is advertised statically."""
    ls.inline_registered = True
    latest: dict[str, asyncio.Task[object]] = {}

    @ls.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(
        ls: GrokLanguageServer, params: types.InlineCompletionParams
    ) -> types.InlineCompletionList:
        settings = ls.settings
        if not settings.inline_completion.enabled:
            return _EMPTY
        uri = params.text_document.uri
        document = find_document(ls.workspace.text_documents, uri)
        if document is None:
            return _EMPTY
        # A newer request on the document makes this one pointless: stop it.
        task = asyncio.current_task()
        older = latest.get(uri)
        if older is not None and older is not task:
            older.cancel()
        if task is not None:
            latest[uri] = task
        try:
            await asyncio.sleep(settings.inline_completion.debounce_ms / 1000)
            source = document.source
            lines = split_lines(source)
            offset = offset_of(lines, to_server(document.position_codec, lines, params.position))
            request = CompletionRequest(document_text(ls, uri, document), offset, settings)
            outcome = await ls.assistant.run(request, Silent())
        except asyncio.CancelledError:
            return _EMPTY  # superseded or cancelled: answer at once, with nothing
        finally:
            if latest.get(uri) is task:
                del latest[uri]
        if outcome.failure is not None or not outcome.completion:
            return _EMPTY  # ghost text is best-effort; explicit requests report errors
        # No range: it defaults to the cursor, and Neovim draws ranged items over the line's rest.
        return types.InlineCompletionList(
            items=[types.InlineCompletionItem(insert_text=outcome.completion)]
        )

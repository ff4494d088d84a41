"""`textDocument/inlineCompletion` (LSP 3.18): ghost text, advertised only when enabled."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from grok_lsp.assistant.completion import (
    MAX_COMPLETION_TOKENS,
    CompletionCache,
    clean_completion,
    completion_context,
    completion_messages,
)
from grok_lsp.assistant.edits import split_lines
from grok_lsp.server.app import GrokLanguageServer
from grok_lsp.server.documents import find_document, offset_of, relative_path, to_server
from grok_lsp.xai.errors import GrokError
from grok_lsp.xai.events import ChatRequest, ContentDelta

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
    cache = CompletionCache()
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
            context = completion_context(
                relative_path(document, ls.workspace.root_path),
                document.language_id or "text",
                source,
                offset,
            )
            model = settings.resolve_model(settings.inline_completion.model)
            key = (model, *context.key)
            text = cache.get(key)
            if text is None:
                request = ChatRequest(
                    messages=completion_messages(context),
                    model=model,
                    temperature=settings.temperature,
                    max_tokens=MAX_COMPLETION_TOKENS,
                )
                pieces = [
                    event.text
                    async for event in ls.assistant.provider(settings).stream_chat(request)
                    if isinstance(event, ContentDelta)
                ]
                text = clean_completion("".join(pieces), context)
                cache.put(key, text)
        except asyncio.CancelledError:
            return _EMPTY  # superseded or cancelled: answer at once, with nothing
        except GrokError:
            return _EMPTY  # ghost text is best-effort; explicit requests report errors
        finally:
            if latest.get(uri) is task:
                del latest[uri]
        if not text:
            return _EMPTY
        # No range: it defaults to the cursor, and Neovim draws ranged items over the line's rest.
        return types.InlineCompletionList(items=[types.InlineCompletionItem(insert_text=text)])

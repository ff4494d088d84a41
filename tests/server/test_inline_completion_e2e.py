"""Inline completion: offered only when enabled, registered later, the newest request wins."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types

from tests.server.conftest import StartEditor
from tests.waiting import until


async def test_inline_completion_only_when_enabled(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    off = await launch("neovim")
    assert off.capabilities.inline_completion_provider is None
    editor = await launch("neovim", {"inlineCompletion": {"enabled": True, "debounceMs": 0}})
    assert editor.capabilities.inline_completion_provider is not None
    uri = (workspace / "inl.py").as_uri()
    editor.open(uri, "def add(a, b):\n    return \n")
    params = types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=1, character=11),
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Invoked
        ),
    )
    result = await editor.client.text_document_inline_completion_async(params)
    assert isinstance(result, types.InlineCompletionList)
    assert [item.insert_text for item in result.items] == ["sim_completion()"]
    completion = simulator.chats[-1]
    assert completion.path == "/v1/responses"  # inline completion speaks the Responses API too
    assert completion.max_output_tokens is not None and completion.max_output_tokens <= 128
    assert "    return <CURSOR>\n" in completion.messages[-1]["content"]
    again = await editor.client.text_document_inline_completion_async(params)
    assert isinstance(again, types.InlineCompletionList) and again.items == result.items
    assert len(simulator.chats) == 1  # the second answer came from the cache


async def test_a_newer_inline_request_supersedes_the_older(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode", {"inlineCompletion": {"enabled": True, "debounceMs": 300}})
    uri = (workspace / "inl.py").as_uri()
    editor.open(uri, "def add(a, b):\n    return \n")

    def at(character: int) -> types.InlineCompletionParams:
        return types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=character),
            context=types.InlineCompletionContext(
                trigger_kind=types.InlineCompletionTriggerKind.Automatic
            ),
        )

    older = asyncio.ensure_future(editor.client.text_document_inline_completion_async(at(10)))
    # The server reads in order: once it answers this, the older request is waiting out its
    # debounce, and the newer one arrives within it.
    await editor.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 0)
        )
    )
    assert not older.done()
    newer = await editor.client.text_document_inline_completion_async(at(11))
    first = await older
    assert isinstance(first, types.InlineCompletionList) and not first.items
    assert isinstance(newer, types.InlineCompletionList) and len(newer.items) == 1
    assert len(simulator.chats) == 1  # the superseded request never reached the API


async def test_inline_completion_turned_on_later_is_registered_dynamically(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("dynamic-inline")
    assert editor.capabilities.inline_completion_provider is None
    editor.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"grok": {"inlineCompletion": {"enabled": True, "debounceMs": 0}}}
        )
    )
    await until(lambda: editor.registrations, "the dynamic registration")
    assert editor.registrations == [types.TEXT_DOCUMENT_INLINE_COMPLETION]
    uri = (workspace / "late.py").as_uri()
    editor.open(uri, "def add(a, b):\n    return \n")
    result = await editor.client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=11),
            context=types.InlineCompletionContext(
                trigger_kind=types.InlineCompletionTriggerKind.Invoked
            ),
        )
    )
    assert isinstance(result, types.InlineCompletionList)
    assert [item.insert_text for item in result.items] == ["sim_completion()"]

"""Per-document conversations: follow-ups, restarts, reset, rename."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from grok_lsp.assistant.actions import ASK, SYSTEM_PROMPT
from grok_lsp.assistant.context import NO_ANSWER
from tests.positions import WHOLE
from tests.server.conftest import StartEditor
from tests.server.harness import field as _field
from tests.server.harness import stop_editor
from tests.waiting import until

SOURCE = "def add(a, b):\n    return a + b\n"


async def test_follow_up_question_carries_the_history(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, SOURCE)
    first = await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    await editor.command("grok.ask", {"uri": uri, "question": "Why does it return a + b?"})
    messages = simulator.chats[-1].messages
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == _field(first, "text")
    assert messages[-1]["content"] == f"{ASK.task}\n\nRequest: Why does it return a + b?"
    assert messages[0]["content"] == SYSTEM_PROMPT  # the same for every action
    # the same conversation id travels with both requests (prompt-cache routing)
    ids = {r.cache_key for r in simulator.chats}
    assert len(ids) == 1
    shown = await editor.command("grok.conversation.show", {"uri": uri})
    turns = _field(shown, "turns")
    assert [_field(t, "role") for t in turns] == ["user", "assistant", "user", "assistant"]
    assert _field(shown, "transcript")


async def test_history_survives_a_restart(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    uri = (workspace / "calc.py").as_uri()
    editor = await launch("vscode")
    editor.open(uri, SOURCE)
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    await stop_editor(editor)

    again = await launch("vscode")
    again.open(uri, SOURCE)
    await again.command("grok.ask", {"uri": uri, "question": "And for strings?"})
    messages = simulator.chats[-1].messages
    assert len(messages) == 4 and "def add" in messages[1]["content"]


async def test_reset_forgets_the_conversation(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, SOURCE)
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    before = simulator.chats[-1].cache_key
    await editor.command("grok.conversation.reset", {"uri": uri})
    await editor.command("grok.ask", {"uri": uri, "question": "Hello?"})
    messages = simulator.chats[-1].messages
    assert [m["role"] for m in messages] == ["system", "user"]
    assert simulator.chats[-1].cache_key != before


async def test_conversation_follows_a_renamed_file(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode")
    old = (workspace / "old.py").as_uri()
    new = (workspace / "new.py").as_uri()
    editor.open(old, SOURCE)
    await editor.command("grok.explain", {"uri": old, "range": WHOLE})
    editor.client.workspace_did_rename_files(
        types.RenameFilesParams(files=[types.FileRename(old_uri=old, new_uri=new)])
    )
    editor.open(new, SOURCE)
    await editor.command("grok.ask", {"uri": new, "question": "Still there?"})
    assert len(simulator.chats[-1].messages) == 4


@pytest.mark.parametrize("api", ["responses", "chat-completions"])
async def test_a_question_that_got_no_answer_does_not_break_the_next_request(
    launch: StartEditor, simulator: Any, workspace: Path, api: str
) -> None:
    editor = await launch("vscode", {"api": api})
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, SOURCE)
    with pytest.raises(JsonRpcException):
        await editor.command("grok.ask", {"uri": uri, "question": "[[sim status=401]] Hi?"})
    assert simulator.chats[-1].status == 401
    # The real API refuses an empty message: the turn that never got its answer says so.
    answer = await editor.command("grok.ask", {"uri": uri, "question": "Still there?"})
    assert simulator.chats[-1].status == 200 and _field(answer, "text")
    messages = simulator.chats[-1].messages
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert "1 | def add(a, b):" in messages[1]["content"]  # the file, in the kept question
    assert messages[2]["content"] == NO_ANSWER
    shown = await editor.command("grok.conversation.show", {"uri": uri})
    assert [_field(t, "content") for t in _field(shown, "turns")][1] == ""  # stored as it was


async def test_a_request_on_a_file_renamed_under_it_is_kept_with_the_renamed_file(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode")
    old = (workspace / "old.py").as_uri()
    new = (workspace / "new.py").as_uri()
    editor.open(old, SOURCE)
    await editor.command("grok.explain", {"uri": old, "range": WHOLE})
    sent = len(simulator.chats)
    slow = {"uri": old, "question": "[[sim tps=20 tokens=400]] Why?"}
    asked = asyncio.ensure_future(editor.command("grok.ask", slow))
    await until(
        lambda: len(simulator.chats) > sent and simulator.chats[-1].first_chunk_at is not None,
        "the question's first streamed chunk",
    )
    editor.client.workspace_did_rename_files(
        types.RenameFilesParams(files=[types.FileRename(old_uri=old, new_uri=new)])
    )
    # The store serves one call at a time, in order: once this answers, the rename is done.
    await editor.command("grok.conversation.show", {"uri": new})
    await editor.command("grok.cancel", {})
    with pytest.raises(JsonRpcException):
        await asked

    shown = await editor.command("grok.conversation.show", {"uri": new})
    roles = [_field(t, "role") for t in _field(shown, "turns")]
    assert roles == ["user", "assistant"] * 2  # the cancelled question too, with its file
    gone = await editor.command("grok.conversation.show", {"uri": old})
    assert _field(gone, "turns") == []

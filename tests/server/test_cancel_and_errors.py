"""Cancellation three ways, API errors, bad arguments, bad settings: the server keeps serving."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.positions import WHOLE
from tests.server.conftest import StartEditor
from tests.server.harness import TEST_KEY
from tests.waiting import until

SLOW = "# [[sim tps=20 tokens=400]]\ndef f(count):\n    return count\n"


async def _assert_cancelled(
    editor: Any, simulator: Any, task: asyncio.Future[Any], token: str
) -> None:
    with pytest.raises(JsonRpcException) as raised:
        await task
    assert raised.value.code == -32800  # RequestCancelled
    await until(lambda: simulator.chats and simulator.chats[-1].disconnected, "the disconnect")
    record = simulator.chats[-1]
    assert record.completed is False
    assert record.chunks_sent < 400
    await until(
        lambda: isinstance(
            editor.client.progress_reports.get(token, [None])[-1], types.WorkDoneProgressEnd
        ),
        "progress end",
    )
    end = editor.client.progress_reports[token][-1]
    assert (end.message or "").startswith("Cancelled")
    assert editor.applied_edits == []


@pytest.mark.parametrize("path", ["cancelRequest", "progressCancel", "grokCancel"])
async def test_three_ways_to_cancel(
    launch: StartEditor, simulator: Any, workspace: Path, path: str
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "slow.py").as_uri()
    editor.open(uri, SLOW)
    token = f"cancel-{path}"
    editor.client.progress_reports.setdefault(token, [])
    request = editor.client.protocol.send_request_async(
        types.WORKSPACE_EXECUTE_COMMAND,
        types.ExecuteCommandParams(
            command="grok.refactor", arguments=[{"uri": uri, "range": WHOLE}], work_done_token=token
        ),
        msg_id=f"cancel-{path}",
    )
    task = asyncio.ensure_future(request)
    await until(lambda: editor.stream, "the first streamed text")
    if path == "cancelRequest":
        editor.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=f"cancel-{path}"))
    elif path == "progressCancel":
        editor.client.window_work_done_progress_cancel(
            types.WorkDoneProgressCancelParams(token=token)
        )
    else:
        cancelled = await editor.command("grok.cancel", {"uri": uri})
        assert (cancelled["cancelled"] if isinstance(cancelled, dict) else cancelled.cancelled) == 1
    await _assert_cancelled(editor, simulator, task, token)
    # and the server still answers
    editor.open((workspace / "ok.py").as_uri(), "x = 1\n")
    result = await editor.command(
        "grok.explain", {"uri": (workspace / "ok.py").as_uri(), "range": WHOLE}
    )
    assert result is not None


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "API key"),
        (403, "permission"),
        (404, "models"),
        (422, "invalid"),
        (429, "Rate limit"),
        (503, "trouble"),
    ],
)
async def test_api_errors_reach_the_user_and_the_server_keeps_serving(
    launch: StartEditor, simulator: Any, workspace: Path, status: int, words: str
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "err.py").as_uri()
    editor.open(uri, f"# [[sim status={status}]]\nx = 1\n")
    with pytest.raises(JsonRpcException) as raised:
        await editor.command("grok.explain", {"uri": uri, "range": WHOLE}, token="err-1")
    assert str(status) in str(raised.value)
    errors = editor.messages(types.MessageType.Error)
    assert errors and words.lower() in errors[-1].lower()
    end = editor.client.progress_reports["err-1"][-1]
    assert isinstance(end, types.WorkDoneProgressEnd) and (end.message or "").startswith("Failed")
    assert all(TEST_KEY not in m for m in editor.messages())
    editor.open((workspace / "ok.py").as_uri(), "x = 1\n")
    assert await editor.command(
        "grok.explain", {"uri": (workspace / "ok.py").as_uri(), "range": WHOLE}
    )


@pytest.mark.parametrize(
    ("command", "arguments", "field"),
    [
        ("grok.explain", [], "argument"),
        ("grok.explain", [{"range": WHOLE}], "uri"),
        ("grok.explain", [{"uri": 3, "range": WHOLE}], "uri"),
        (
            "grok.explain",
            [{"uri": "file:///x.py", "range": {"start": {"line": 0}}}],
            "range.start.character",
        ),
        (
            "grok.refactor",
            [{"uri": "file:///x.py", "range": WHOLE, "instruction": 5}],
            "instruction",
        ),
        ("grok.ask", [{"uri": "file:///x.py"}], "question"),
        ("grok.explain", [{"uri": "file:///x.py", "range": WHOLE, "extra": 1}], "extra"),
        ("grok.explain", ["file:///x.py"], "argument"),
        ("grok.action", [{"id": "nope", "uri": "file:///x.py", "range": WHOLE}], "id"),
        ("grok.explain", [{"uri": "untitled:Untitled-1", "range": WHOLE}], "uri"),
    ],
)
async def test_bad_arguments_are_invalid_params_naming_the_field(
    launch: StartEditor, command: str, arguments: list[Any], field: str
) -> None:
    editor = await launch("minimal")
    with pytest.raises(JsonRpcException) as raised:
        await editor.command(command, *arguments)
    assert raised.value.code == -32602
    assert field in str(raised.value)


async def test_inverted_and_negative_ranges_are_refused(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("minimal")
    uri = (workspace / "r.py").as_uri()
    editor.open(uri, "x = 1\n")
    for value in (
        {"start": {"line": 1, "character": 0}, "end": {"line": 0, "character": 0}},
        {"start": {"line": -1, "character": 0}, "end": {"line": 0, "character": 0}},
    ):
        with pytest.raises(JsonRpcException) as raised:
            await editor.command("grok.explain", {"uri": uri, "range": value})
        assert raised.value.code == -32602 and "range" in str(raised.value)


async def test_bad_settings_are_named_once_and_defaults_used(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode", {"temperature": "warm", "noSuchSetting": 1})
    uri = (workspace / "s.py").as_uri()
    editor.open(uri, "x = 1\n")
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    warnings = editor.messages(types.MessageType.Warning)
    assert sum("'temperature'" in w for w in warnings) == 1
    assert sum("'noSuchSetting'" in w for w in warnings) == 1
    assert "temperature" not in simulator.chats[-1].body  # the default: the API's own


async def test_did_change_configuration_takes_effect_for_the_next_request(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("minimal")
    uri = (workspace / "s.py").as_uri()
    editor.open(uri, "x = 1\n")
    editor.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"grok": {"model": "grok-3", "temperature": 0.5}}
        )
    )
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    body = simulator.chats[-1].body
    assert body["model"] == "grok-3" and body["temperature"] == 0.5


async def test_cancel_before_the_first_token_ends_progress_and_the_stream(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "wait.py").as_uri()
    editor.open(uri, "# [[sim delay=30]]\nx = 1\n")
    editor.client.progress_reports.setdefault("early", [])
    task = asyncio.ensure_future(
        editor.command("grok.explain", {"uri": uri, "range": WHOLE}, token="early")
    )
    await until(lambda: simulator.chats, "the request to reach the API")
    await editor.command("grok.cancel", {})
    with pytest.raises(JsonRpcException):
        await task
    await until(lambda: simulator.chats[-1].disconnected, "the disconnect")
    end = editor.client.progress_reports["early"][-1]
    assert isinstance(end, types.WorkDoneProgressEnd) and (end.message or "").startswith(
        "Cancelled"
    )
    assert editor.stream == []

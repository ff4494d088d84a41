"""Commands: fix with the diagnostics, user actions, the newest request wins, the pulled
configuration and an empty range apply, usage and cost are reported."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException

from tests.positions import WHOLE
from tests.server.conftest import StartEditor
from tests.server.harness import field as _field
from tests.waiting import until


async def test_fix_uses_the_overlapping_diagnostics(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "typo.py").as_uri()
    editor.open(uri, "def f():\n    retrun 1\n")
    diagnostic = {
        "range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 10}},
        "message": "unknown statement; rename retrun to return",
        "severity": 1,
        "source": "pyflakes",
    }
    result = await editor.command(
        "grok.fix", {"uri": uri, "range": WHOLE, "diagnostics": [diagnostic]}
    )
    assert _field(result, "applied") is True
    assert editor.texts[uri] == "def f():\n    return 1\n"
    user = simulator.chats[-1].messages[-1]["content"]
    assert "line 2: error: unknown statement" in user and "(pyflakes)" in user
    assert editor.applied_edits[-1].label == "Grok: Fix"


async def test_user_defined_actions_explain_and_edit(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    actions = [
        {
            "id": "why",
            "title": "Why?",
            "prompt": "{input}: why would {path} in {language} need: {selection}",
        },
        {"id": "ren", "title": "Rename x", "prompt": "rename x to width", "result": "edit"},
        {"id": "broken"},
    ]
    editor = await launch("vscode", {"actions": actions})
    assert any(
        "actions[2]" in w for w in editor.messages()
    )  # the bad entry is named, the rest work
    uri = (workspace / "box.py").as_uri()
    editor.open(uri, "x = 3\nprint(x)\n")
    explained = await editor.command(
        "grok.action", {"id": "why", "uri": uri, "range": WHOLE, "input": "Tell me"}
    )
    assert "x = 3" in _field(explained, "text")
    user = simulator.chats[-1].messages[-1]["content"]
    assert "Tell me: why would box.py in python need: x = 3\nprint(x)" in user
    edited = await editor.command("grok.action", {"id": "ren", "uri": uri, "range": WHOLE})
    assert _field(edited, "applied") is True
    assert editor.texts[uri] == "width = 3\nprint(width)\n"
    assert editor.applied_edits[-1].label == "Grok: Rename x"


async def test_a_new_request_of_the_same_action_supersedes_the_older(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode", {"contextLines": 0})  # keep the marker out of request 2
    uri = (workspace / "slow.py").as_uri()
    editor.open(uri, "# [[sim tps=20 tokens=300]]\nx = 1\n")
    first = asyncio.ensure_future(editor.command("grok.explain", {"uri": uri, "range": WHOLE}))
    await until(lambda: editor.stream, "the first answer streaming")
    second = asyncio.ensure_future(
        editor.command(
            "grok.explain",
            {
                "uri": uri,
                "range": {"start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 0}},
            },
        )
    )
    with pytest.raises(JsonRpcException) as raised:
        await first
    assert raised.value.code == -32800
    assert await second
    assert simulator.chats[0].disconnected is True


async def test_pulled_configuration_applies_to_the_first_request(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch(
        "vscode", None, configuration={"grok": {"model": "grok-3", "contextLines": 0}}
    )
    uri = (workspace / "c.py").as_uri()
    editor.open(uri, "a = 1\nb = 2\nc = 3\n")
    await editor.command(
        "grok.explain",
        {
            "uri": uri,
            "range": {"start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 0}},
        },
    )
    assert simulator.chats[-1].body["model"] == "grok-3"
    assert "Context before" not in simulator.chats[-1].messages[-1]["content"]


async def test_an_empty_range_means_the_enclosing_block(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("neovim")
    uri = (workspace / "blk.py").as_uri()
    editor.open(
        uri, "import os\n\ndef f(count):\n    total = count\n    return total\n\nprint(f(1))\n"
    )
    cursor = {"line": 3, "character": 6}
    result = await editor.command(
        "grok.refactor",
        {"uri": uri, "range": {"start": cursor, "end": cursor}, "instruction": "rename count to n"},
    )
    user = simulator.chats[-1].messages[-1]["content"]
    block = "3 | def f(count):\n4 |     total = count\n5 |     return total\n```"
    assert "Selected code:\n```python\n" + block in user
    assert _field(result, "applied") is True
    assert (
        editor.texts[uri]
        == "import os\n\ndef f(n):\n    total = n\n    return total\n\nprint(f(1))\n"
    )


async def test_usage_and_cost_are_reported(launch: StartEditor, workspace: Path) -> None:
    editor = await launch("vscode")
    uri = (workspace / "u.py").as_uri()
    editor.open(uri, "x = 1\n")
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    result = await editor.command("grok.explain", {"uri": uri, "range": WHOLE}, token="cost-1")
    usage = _field(result, "usage")
    # grok-4.3 in the simulator, US cents per 100M tokens: prompt 30,000, cached 7,500,
    # completion 150,000
    fresh = _field(usage, "promptTokens") - _field(usage, "cachedTokens")
    expected = (
        (
            fresh * 30_000
            + _field(usage, "cachedTokens") * 7_500
            + _field(usage, "completionTokens") * 150_000
        )
        / 100_000_000
        / 100
    )
    assert _field(result, "costUsd") == pytest.approx(expected)
    end = editor.client.progress_reports["cost-1"][-1]
    assert "$" in (end.message or "") and "cached" in (end.message or "")
    session = _field(await editor.command("grok.usage", {}), "session")
    assert _field(session, "requests") == 2
    assert _field(session, "completionTokens") >= _field(usage, "completionTokens")
    shown = await editor.command("grok.conversation.show", {"uri": uri})
    assert _field(_field(shown, "usage"), "requests") == 2
    assert _field(_field(shown, "usage"), "costUsd") > 0

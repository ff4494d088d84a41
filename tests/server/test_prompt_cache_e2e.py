"""A conversation mixing actions only ever grows at its end, so the prompt cache serves it."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from tests.server.conftest import StartEditor
from tests.server.harness import field as _field
from tests.server.harness import stop_editor

SOURCE = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
FIRST = {"start": {"line": 0, "character": 0}, "end": {"line": 2, "character": 0}}
SECOND = {"start": {"line": 4, "character": 0}, "end": {"line": 6, "character": 0}}


async def test_each_request_repeats_the_previous_one_and_is_served_from_the_cache(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, SOURCE)
    results = [
        await editor.command("grok.explain", {"uri": uri, "range": FIRST}),
        await editor.command("grok.refactor", {"uri": uri, "range": SECOND}),
        await editor.command("grok.ask", {"uri": uri, "question": "Why subtract?"}),
        await editor.command("grok.fix", {"uri": uri, "range": FIRST}),
        await editor.command("grok.document", {"uri": uri, "range": FIRST}),
    ]
    requests = simulator.chats[-len(results) :]
    for before, after, answer in zip(requests, requests[1:], results, strict=False):
        sent = before.messages
        reply = {"role": "assistant", "content": _field(answer, "text")}
        # Nothing earlier is rewritten: the next request begins with this one and its answer.
        assert after.messages[: len(sent) + 1] == [*sent, reply]
    assert len({r.cache_key for r in requests}) == 1
    usages = [_field(result, "usage") for result in results]
    assert _field(usages[0], "cachedTokens") == 0
    for previous, usage in itertools.pairwise(usages):
        # The whole previous request came again, so the cache served all of it.
        assert _field(usage, "cachedTokens") == _field(previous, "promptTokens") > 0


async def test_reasoning_goes_back_in_place_with_the_next_turn_even_after_a_restart(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    uri = (workspace / "calc.py").as_uri()
    editor = await launch("vscode")
    editor.open(uri, "x = 1  # [[sim reasoning=3]]\n" + SOURCE)
    await editor.command("grok.explain", {"uri": uri, "range": FIRST})
    first = simulator.chats[-1]
    await stop_editor(editor)

    again = await launch("vscode")
    again.open(uri, "x = 1  # [[sim reasoning=3]]\n" + SOURCE)
    await again.command("grok.ask", {"uri": uri, "question": "Why?"})
    follow_up = simulator.chats[-1]
    body = follow_up.body
    assert body["store"] is False and body["include"] == ["reasoning.encrypted_content"]
    assert body["prompt_cache_key"] == first.body["prompt_cache_key"]
    sent_back = body["input"][len(first.body["input"]) : -1]
    reasoning, message = sent_back
    assert reasoning["type"] == "reasoning" and reasoning["id"].startswith("rs_")
    assert reasoning["encrypted_content"]  # exactly as received: the simulator accepted it
    assert message["type"] == "message" and message["role"] == "assistant"
    assert follow_up.status == 200 and follow_up.reasoning_returned == 1


async def test_chat_completions_remain_for_gateways(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode", {"api": "chat-completions"})
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, "x = 1  # [[sim reasoning=3]]\n" + SOURCE)
    result = await editor.command("grok.explain", {"uri": uri, "range": FIRST})
    await editor.command("grok.ask", {"uri": uri, "question": "Why?"})
    requests = simulator.chats
    assert [r.path for r in requests] == ["/v1/chat/completions"] * 2
    assert requests[0].headers["x-grok-conv-id"] == requests[1].headers["x-grok-conv-id"]
    assert all("items" not in m for m in requests[1].body["messages"])
    usage = _field(result, "usage")
    # The output counts its reasoning on this API too (xAI reports it apart here).
    assert _field(usage, "completionTokens") > _field(usage, "reasoningTokens") == 3

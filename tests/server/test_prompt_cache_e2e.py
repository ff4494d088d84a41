"""A conversation mixing actions only ever grows at its end, so the prompt cache serves it."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from tests.server.conftest import StartEditor
from tests.server.harness import field as _field

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

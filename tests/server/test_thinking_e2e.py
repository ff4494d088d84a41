"""Thinking you can see: the reasoning summary as it streams, and the seconds while silent."""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types

from tests.positions import WHOLE
from tests.server.conftest import StartEditor


def progress_messages(editor: object, token: str) -> list[str]:
    reports = editor.client.progress_reports[token]  # type: ignore[attr-defined]
    return [r.message or "" for r in reports if isinstance(r, types.WorkDoneProgressReport)]


async def test_the_reasoning_summary_streams_as_thinking(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode", {"progressIntervalMs": 0, "streamNotifications": True})
    uri = (workspace / "t.py").as_uri()
    editor.open(uri, "x = 1  # [[sim reasoning=4 tps=50]]\n")
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE}, token="s-1")
    assert editor.streamed("reasoning") == "thinking0 thinking1 thinking2 thinking3"
    messages = progress_messages(editor, "s-1")
    thinking = [m for m in messages if m.startswith("Thinking…")]
    assert thinking and thinking[-1].endswith("thinking3")  # the summary's last words
    assert any(m.startswith("Thought for ") for m in messages)  # then the answer


async def test_silent_thinking_shows_the_seconds_elapsed(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode", {"progressIntervalMs": 0})
    uri = (workspace / "t.py").as_uri()
    # The model reasons without a summary and says nothing for 2.5 s.
    editor.open(uri, "x = 1  # [[sim reasoning=4 silent=1 delay=2.5]]\n")
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE}, token="q-1")
    messages = progress_messages(editor, "q-1")
    first_text = next(i for i, m in enumerate(messages) if m.startswith("Thought for "))
    seconds = [
        int(found.group(1))
        for m in messages[:first_text]
        if (found := re.fullmatch(r"Thinking… (\d+)s", m))
    ]
    assert seconds and seconds[0] >= 1, messages[:first_text]
    assert seconds == sorted(seconds)

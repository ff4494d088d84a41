"""Every LSP editor, not only ours (issue 16): commandResult by clientInfo, the transcript
scrolled to the newest answer without taking focus, the hover's gist, short progress tokens,
and "Grok" said once per message. All over stdio against the real server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.positions import WHOLE
from tests.server.conftest import StartEditor
from tests.server.harness import Editor, field
from tests.waiting import until

CODE = "def total(items):\n    return sum(items)\n"
# The simulator streams this document's answers at 20 tokens/s: a few seconds each.
SLOW = "# [[sim tps=20]]\n"
ENDLESS = "# [[sim tps=20 tokens=400]]\n"
SHORT_TOKEN = re.compile(r"^grok-\d{1,6}$")


def _ended(editor: Editor, token: str) -> types.WorkDoneProgressEnd | None:
    reports = editor.client.progress_reports.get(token, [])
    last = reports[-1] if reports else None
    return last if isinstance(last, types.WorkDoneProgressEnd) else None


async def _end_of(editor: Editor, token: str) -> types.WorkDoneProgressEnd:
    await until(lambda: _ended(editor, token) is not None, f"the end of progress {token}")
    end = _ended(editor, token)
    assert end is not None
    return end


@pytest.mark.parametrize(
    ("preset", "client", "expected"),
    [
        ("eglot", "eglot", "immediate"),
        ("vscode", "vscode", "answer"),
        ("vscode", "code-server", "answer"),
        ("neovim", "neovim", "answer"),
        ("minimal", None, "answer"),  # no clientInfo at all
        ("minimal", "helix", "immediate"),  # times out after 20 s, never cancels
    ],
)
async def test_command_result_defaults_by_client_info(
    launch: StartEditor, workspace: Path, preset: str, client: str | None, expected: str
) -> None:
    editor = await launch(preset, client=client)
    uri = (workspace / "d.py").as_uri()
    editor.open(uri, CODE)
    result = await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    if expected == "answer":
        assert "grok-sim answer" in field(result, "text")
    else:
        assert field(result, "started") is True and "text" not in result


@pytest.mark.parametrize(
    ("preset", "setting", "started"),
    [("eglot", "answer", False), ("vscode", "immediate", True), ("neovim", "immediate", True)],
)
async def test_command_result_setting_wins_over_the_client_default(
    launch: StartEditor, workspace: Path, preset: str, setting: str, started: bool
) -> None:
    editor = await launch(preset, {"commandResult": setting})
    uri = (workspace / "s.py").as_uri()
    editor.open(uri, CODE)
    result = await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    assert ("started" in result) is started
    assert ("text" in result) is not started


async def test_eglot_gets_an_immediate_answer_then_the_transcript_without_focus(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("eglot")
    uri = (workspace / "slow.py").as_uri()
    editor.open(uri, SLOW + CODE)
    result = await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    token = field(result, "token")
    assert field(result, "started") is True and SHORT_TOKEN.match(token), result
    assert _ended(editor, token) is None, "the command waited for the answer"
    end = await _end_of(editor, token)
    assert (end.message or "").startswith("Done")
    await until(lambda: editor.client.shown_documents, "the transcript")
    shown = editor.client.shown_documents[-1]
    assert shown.take_focus is None  # absent: eglot reads `false` as "take the focus"
    assert shown.selection is not None
    lines = Path(shown.uri.removeprefix("file://")).read_text(encoding="utf-8").splitlines()
    assert lines[shown.selection.start.line] == "## Grok"
    assert shown.selection.end.line == len(lines)  # the newest answer runs to the end
    answer = "\n".join(lines[shown.selection.start.line + 1 :])
    assert "This is the grok-sim answer for the `explain` task." in answer


async def test_eglot_refactor_lands_once_after_the_command_returned(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("eglot")
    uri = (workspace / "r.py").as_uri()
    editor.open(uri, SLOW + CODE)
    result = await editor.command(
        "grok.refactor", {"uri": uri, "range": WHOLE, "instruction": "rename items to values"}
    )
    assert field(result, "started") is True
    assert not editor.applied_edits
    end = await _end_of(editor, field(result, "token"))
    assert (end.message or "").startswith("Done")
    await until(lambda: editor.applied_edits, "the edit")
    assert len(editor.applied_edits) == 1
    assert "def total(values):" in editor.texts[uri] and "items" not in editor.texts[uri]


async def test_eglot_cancel_stops_an_immediate_request_and_nothing_lands(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("eglot")
    uri = (workspace / "c.py").as_uri()
    editor.open(uri, ENDLESS + CODE)
    result = await editor.command(
        "grok.refactor", {"uri": uri, "range": WHOLE, "instruction": "rename items to values"}
    )
    token = field(result, "token")
    await until(lambda: len(editor.client.progress_reports.get(token, [])) > 1, "streaming")
    cancelled = await editor.command("grok.cancel", {"uri": uri})
    assert field(cancelled, "cancelled") == 1
    end = await _end_of(editor, token)
    assert (end.message or "").startswith("Cancelled")
    asked = [r for r in simulator.requests if "tokens=400" in str(r.body)]  # not /models
    assert len(asked) == 1
    await until(lambda: asked[0].disconnected, "the API stream to close")
    assert not editor.applied_edits


async def test_immediate_commands_still_refuse_bad_arguments(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("eglot")
    with pytest.raises(JsonRpcException) as raised:
        await editor.command(
            "grok.explain", {"uri": (workspace / "closed.py").as_uri(), "range": WHOLE}
        )
    assert raised.value.code == -32602 and "uri" in str(raised.value)


async def test_the_transcript_opens_on_the_newest_answer(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "t.py").as_uri()
    editor.open(uri, CODE)
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    await editor.command("grok.tests", {"uri": uri, "range": WHOLE})
    await until(lambda: len(editor.client.shown_documents) == 2, "two transcripts")
    first, second = editor.client.shown_documents
    assert first.take_focus is False and second.take_focus is False
    assert first.selection is not None and second.selection is not None
    assert second.selection.start.line > first.selection.start.line
    lines = Path(second.uri.removeprefix("file://")).read_text(encoding="utf-8").splitlines()
    assert lines[second.selection.start.line] == "## Grok"
    newest = "\n".join(lines[second.selection.start.line : second.selection.end.line])
    assert "## Tests of" in newest and "## Explanation of" not in newest


async def test_hover_opens_with_the_gist_not_the_heading(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("eglot", {"commandResult": "answer"})
    uri = (workspace / "h.py").as_uri()
    editor.open(uri, CODE)
    result = await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    assert field(result, "text").startswith("## Explanation of")
    hover = await editor.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=4),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    first = hover.contents.value.split("\n", 1)[0]
    assert first == "The selected code has 2 lines and begins with:"


async def test_progress_tokens_made_by_the_server_are_short(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "p.py").as_uri()
    editor.open(uri, CODE)
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    tokens = list(editor.client.progress_reports)
    assert len(tokens) == 2 and len(set(tokens)) == 2
    assert all(SHORT_TOKEN.match(str(token)) for token in tokens), tokens


async def test_progress_reports_are_plain_text(launch: StartEditor, workspace: Path) -> None:
    editor = await launch("vscode", {"progressIntervalMs": 0})
    uri = (workspace / "m.py").as_uri()
    editor.open(uri, CODE)
    await editor.command(
        "grok.refactor", {"uri": uri, "range": WHOLE, "instruction": "rename items to values"}
    )
    reports = [
        r.message or ""
        for r in editor.client.progress_reports[next(iter(editor.client.progress_reports))]
        if isinstance(r, types.WorkDoneProgressReport)
    ]
    # The answer is "Here is the ... code for `m.py`:" and a ```python fence around the code.
    assert any("def total(values)" in r for r in reports), reports
    assert not [r for r in reports if "`" in r or "**" in r], reports


async def test_grok_is_named_once_in_every_message(launch: StartEditor, workspace: Path) -> None:
    editor = await launch("vscode", {"noSuchSetting": 1})
    uri = (workspace / "n.py").as_uri()
    editor.open(uri, CODE)
    # The simulator returns the code unchanged when no rename is asked: nothing to apply.
    result = await editor.command("grok.refactor", {"uri": uri, "range": WHOLE})
    assert field(result, "applied") is False
    await until(lambda: len(editor.messages()) >= 2, "the messages")
    messages = editor.messages()
    assert "Grok: the answer suggested no changes." in messages
    assert any("'noSuchSetting'" in m for m in messages)
    assert all(m.count("Grok") == 1 for m in messages), messages


async def test_immediate_reports_on_a_token_of_the_server_not_the_requests(
    launch: StartEditor, workspace: Path
) -> None:
    # A request's workDoneToken ends with its reply; the answer comes later.
    editor = await launch("vscode", {"commandResult": "immediate"})
    uri = (workspace / "w.py").as_uri()
    editor.open(uri, SLOW + CODE)
    result = await editor.command("grok.explain", {"uri": uri, "range": WHOLE}, token="mine")
    token = field(result, "token")
    assert token != "mine" and SHORT_TOKEN.match(token)
    end = await _end_of(editor, token)
    assert (end.message or "").startswith("Done")
    assert editor.client.progress_reports["mine"] == []

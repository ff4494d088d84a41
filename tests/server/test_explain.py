"""Code actions, explanations, streaming and progress, end to end over stdio."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.positions import whole_lines
from tests.server.conftest import StartEditor
from tests.server.harness import field as _field

SOURCE = (
    "import math\n\n\ndef area(radius):\n    return math.pi * radius ** 2\n\n\nprint(area(2))\n"
)
FUNCTION = whole_lines(3, 5)


def _range(value: dict[str, Any]) -> types.Range:
    return types.Range(start=types.Position(**value["start"]), end=types.Position(**value["end"]))


@pytest.mark.parametrize("preset", ["vscode", "neovim", "minimal"])
async def test_code_actions_are_listed_without_calling_the_api(
    launch: StartEditor, simulator: Any, workspace: Path, preset: str
) -> None:
    editor = await launch(
        preset,
        {
            "actions": [
                {"id": "perf", "title": "Find slow spots", "prompt": "Where is {selection} slow?"},
                {"id": "why", "title": "Why", "prompt": "{input}: {selection}"},
            ]
        },
    )
    uri = (workspace / "geometry.py").as_uri()
    editor.open(uri, SOURCE)
    diagnostic = types.Diagnostic(
        range=_range(FUNCTION), message="undefined name", severity=types.DiagnosticSeverity.Error
    )
    actions = await editor.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=_range(FUNCTION),
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions is not None
    titles = [a.title for a in actions]
    for title in [
        "Grok: Explain",
        "Grok: Refactor",
        "Grok: Fix",
        "Grok: Document",
        "Grok: Tests",
        "Grok: Find slow spots",
    ]:
        assert title in titles
    fix = next(a for a in actions if a.title == "Grok: Fix")
    assert isinstance(fix, types.CodeAction)
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.command is not None and fix.command.command == "grok.fix"
    assert fix.command.arguments is not None
    assert fix.command.arguments[0]["uri"] == uri
    needs_input = {a.title: a.data for a in actions if isinstance(a, types.CodeAction)}
    assert needs_input["Grok: Why"] == {"needsInput": True}
    assert needs_input["Grok: Find slow spots"] is None
    assert simulator.requests == []


@pytest.mark.parametrize("preset", ["vscode", "neovim", "minimal"])
async def test_explain_streams_progress_and_returns_the_text(
    launch: StartEditor, simulator: Any, workspace: Path, preset: str
) -> None:
    editor = await launch(preset)
    uri = (workspace / "geometry.py").as_uri()
    editor.open(uri, SOURCE)
    result = await editor.command(
        "grok.explain", {"uri": uri, "range": FUNCTION}, token="explain-1"
    )
    text = _field(result, "text")
    assert "def area(radius):" in text  # the simulator quotes the code it was sent
    assert _field(result, "model") == "grok-4.3"
    assert _field(_field(result, "usage"), "completionTokens") > 0
    # grok/stream deltas concatenate to exactly the result
    assert editor.streamed("content") == text
    # work-done progress on the client's token: begin, report(s), end
    reports = editor.client.progress_reports["explain-1"]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert reports[0].title.startswith("Grok: ")
    assert reports[0].cancellable is True
    assert "grok-4.3" in (reports[0].message or "")
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    assert (reports[-1].message or "").startswith("Done")
    assert any(isinstance(r, types.WorkDoneProgressReport) for r in reports)
    # the request the API saw carries the file, the numbered selection and the task
    user = simulator.chats[-1].messages[-1]["content"]
    assert "geometry.py" in user and "4 | def area(radius):" in user
    assert simulator.chats[-1].cache_key


async def test_server_creates_progress_when_the_client_gives_no_token(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "geometry.py").as_uri()
    editor.open(uri, SOURCE)
    await editor.command("grok.explain", {"uri": uri, "range": FUNCTION})
    tokens = [t for t in editor.client.progress_reports if str(t).startswith("grok-")]
    assert len(tokens) == 1
    reports = editor.client.progress_reports[tokens[0]]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)


async def test_reasoning_shows_as_thinking(launch: StartEditor, workspace: Path) -> None:
    editor = await launch("vscode", {"progressIntervalMs": 0})
    uri = (workspace / "geometry.py").as_uri()
    editor.open(uri, SOURCE.replace("print(area(2))", "print(area(2))  # [[sim reasoning=5]]"))
    whole = whole_lines(0, 8)
    result = await editor.command("grok.explain", {"uri": uri, "range": whole}, token="r-1")
    assert editor.streamed("reasoning")
    assert editor.streamed("content") == _field(result, "text")
    messages = [
        r.message
        for r in editor.client.progress_reports["r-1"]
        if isinstance(r, types.WorkDoneProgressReport)
    ]
    assert any(m and m.startswith("Thinking…") for m in messages)


async def test_explanation_is_shown_as_a_transcript_and_on_hover(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "geometry.py").as_uri()
    editor.open(uri, SOURCE)
    result = await editor.command("grok.explain", {"uri": uri, "range": FUNCTION})
    shown = editor.client.shown_documents
    assert shown and shown[-1].take_focus is False
    transcript = Path(shown[-1].uri.removeprefix("file://"))
    assert _field(result, "text") in transcript.read_text(encoding="utf-8")
    hover = await editor.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=4, character=8),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    # The simulator's answer opens with "## Explanation of ...": the gist is its first sentence.
    first, _, rest = hover.contents.value.partition("\n")
    assert first.startswith("The selected code has ") and first.endswith(" begins with:")
    assert "This is the grok-sim answer for the `explain` task." in rest
    outside = await editor.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=7, character=1),
        )
    )
    assert outside is None


async def test_message_display_when_configured(launch: StartEditor, workspace: Path) -> None:
    editor = await launch("vscode", {"resultDisplay": "message"})
    uri = (workspace / "geometry.py").as_uri()
    editor.open(uri, SOURCE)
    result = await editor.command("grok.tests", {"uri": uri, "range": FUNCTION})
    assert _field(result, "text") in editor.messages(types.MessageType.Info)
    assert editor.client.shown_documents == []


async def test_thinking_duration_is_reported_when_it_ends(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode", {"progressIntervalMs": 0})
    uri = (workspace / "t.py").as_uri()
    editor.open(uri, "x = 1  # [[sim reasoning=3 tps=50]]\n")
    whole = whole_lines(0, 1)
    await editor.command("grok.explain", {"uri": uri, "range": whole}, token="t-1")
    messages = [
        r.message or ""
        for r in editor.client.progress_reports["t-1"]
        if isinstance(r, types.WorkDoneProgressReport)
    ]
    assert any(m.startswith("Thought for ") and "s · " in m for m in messages)


async def test_progress_reports_are_coalesced_and_the_last_text_is_kept(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode", {"progressIntervalMs": 60000})
    uri = (workspace / "c.py").as_uri()
    editor.open(uri, "x = 1  # [[sim tokens=300]]\n")
    whole = whole_lines(0, 1)
    result = await editor.command("grok.explain", {"uri": uri, "range": whole}, token="c-1")
    reports = [
        r
        for r in editor.client.progress_reports["c-1"]
        if isinstance(r, types.WorkDoneProgressReport)
    ]
    assert len(reports) == 2  # the first piece at once, then only the final flush
    assert (reports[-1].message or "").endswith(_field(result, "text").split()[-1])

"""`Assistant.run(request, sink) -> Outcome`: the one road, driven without any LSP session.

The assistant talks to the simulator over real HTTP on loopback and keeps its
conversations in a real store under a temporary state dir.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from grok_lsp.assistant.actions import ASK, EXPLAIN, REFACTOR
from grok_lsp.assistant.answering import Assistant
from grok_lsp.assistant.context import CodeSelection
from grok_lsp.assistant.conversations import ConversationStore
from grok_lsp.assistant.edits import Position, split_lines
from grok_lsp.assistant.proposal import EditRefused, ProposedEdit, edit_lines
from grok_lsp.assistant.requests import CompletionRequest, DocumentText, Request, Silent
from grok_lsp.settings import Settings
from grok_lsp.xai.errors import GrokError
from grok_lsp.xai.events import ContentDelta, StreamEvent

SOURCE = "import math\n\n\ndef area(r):\n    return math.pi * r * r\n"


class Recorder:
    """A sink that keeps what it was handed."""

    def __init__(self) -> None:
        self.events: list[StreamEvent] = []
        self.problems: list[str] = []

    def on_event(self, event: StreamEvent) -> None:
        self.events.append(event)

    def on_problems(self, problems: Sequence[str]) -> None:
        self.problems.extend(problems)

    @property
    def text(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, ContentDelta))


@pytest.fixture
async def assistant(tmp_path: Path) -> AsyncIterator[Assistant]:
    state = tmp_path / "state"
    assistant = Assistant(ConversationStore.open(state), state)
    yield assistant
    await assistant.aclose()


def settings_for(simulator: Any, **changes: Any) -> Settings:
    return Settings(api_key="xai-run-test", base_url=simulator.base_url, **changes)


def document(tmp_path: Path, text: str = SOURCE) -> DocumentText:
    path = tmp_path / "shapes.py"
    path.write_text(text, encoding="utf-8")
    return DocumentText(path.as_uri(), "shapes.py", "python", text, str(path))


def selection_of(text: str, first: int, last: int) -> CodeSelection:
    lines = split_lines(text)
    return CodeSelection(
        "shapes.py", "python", lines, first, last, "".join(lines[first : last + 1])
    )


async def test_an_explanation_is_streamed_saved_priced_and_written_as_transcript(
    assistant: Assistant, simulator: Any, tmp_path: Path
) -> None:
    doc = document(tmp_path)
    sink = Recorder()
    request = Request(
        EXPLAIN,
        doc,
        EXPLAIN.instruction,
        settings_for(simulator),
        selection_of(SOURCE, 3, 4),
        transcript=True,
    )
    outcome = await assistant.run(request, sink)
    assert outcome.failure is None and outcome.edit is None and outcome.refusal is None
    assert outcome.answer.complete and "def area(r):" in outcome.answer.text
    assert sink.text == outcome.answer.text  # every event went to the sink
    assert outcome.cost is not None and outcome.cost > 0
    turns = await assistant.history(doc.uri)
    assert [(t.role, t.complete) for t in turns] == [("user", True), ("assistant", True)]
    assert turns[1].content == outcome.answer.text
    assert outcome.transcript is not None and outcome.transcript.answer_lines is not None
    transcript = Path(outcome.transcript.uri.removeprefix("file://")).read_text(encoding="utf-8")
    assert outcome.answer.text.strip() in transcript


async def test_without_a_client_to_show_it_no_transcript_is_written(
    assistant: Assistant, simulator: Any, tmp_path: Path
) -> None:
    doc = document(tmp_path)
    request = Request(ASK, doc, "What is r?", settings_for(simulator), selection_of(SOURCE, 3, 4))
    outcome = await assistant.run(request, Silent())
    assert outcome.failure is None and outcome.transcript is None
    assert not (tmp_path / "state" / "transcripts").exists()


async def test_a_refactor_proposes_code_for_the_selection_and_no_transcript(
    assistant: Assistant, simulator: Any, tmp_path: Path
) -> None:
    doc = document(tmp_path)
    request = Request(
        REFACTOR,
        doc,
        "rename r to radius",
        settings_for(simulator),
        selection_of(SOURCE, 3, 4),
        transcript=True,
    )
    outcome = await assistant.run(request, Silent())
    assert outcome.refusal is None and outcome.transcript is None
    assert outcome.edit is not None and not outcome.edit.is_diff
    assert "def area(radius):" in outcome.edit.code


async def test_an_edit_cut_at_max_tokens_proposes_nothing_and_keeps_the_partial_turn(
    assistant: Assistant, simulator: Any, tmp_path: Path
) -> None:
    doc = document(tmp_path)
    request = Request(
        REFACTOR, doc, "rename r to radius", settings_for(simulator, max_tokens=3),
        selection_of(SOURCE, 3, 4),
    )  # fmt: skip
    outcome = await assistant.run(request, Silent())
    assert outcome.edit is None
    assert outcome.refusal is not None and "maxTokens (3)" in outcome.refusal
    turns = await assistant.history(doc.uri)
    assert [(t.role, t.complete) for t in turns] == [("user", True), ("assistant", False)]


async def test_a_provider_failure_comes_back_in_the_outcome_and_the_question_is_kept(
    assistant: Assistant, simulator: Any, tmp_path: Path
) -> None:
    text = "x = 1  # [[sim status=400]]\n"
    doc = document(tmp_path, text)
    request = Request(ASK, doc, "Why?", settings_for(simulator), selection_of(text, 0, 0))
    outcome = await assistant.run(request, Silent())
    assert isinstance(outcome.failure, GrokError)
    assert outcome.answer.text == "" and outcome.cost is None
    turns = await assistant.history(doc.uri)
    assert [(t.role, t.complete) for t in turns] == [("user", True), ("assistant", False)]
    assert "Why?" in turns[0].content


async def test_references_that_cannot_be_sent_go_to_the_sink_and_the_request_goes_on(
    assistant: Assistant, simulator: Any, tmp_path: Path
) -> None:
    doc = document(tmp_path)
    sink = Recorder()
    request = Request(
        ASK,
        doc,
        "Compare with #file:missing.py",
        settings_for(simulator),
        selection_of(SOURCE, 3, 4),
        workspace_root=str(tmp_path),
    )
    outcome = await assistant.run(request, sink)
    assert outcome.failure is None and outcome.answer.complete
    assert any("missing.py" in problem for problem in sink.problems)


async def test_ghost_text_never_joins_the_conversation_and_is_asked_once_per_spot(
    assistant: Assistant, simulator: Any, tmp_path: Path
) -> None:
    text = "def area(r):\n    return \n"
    doc = document(tmp_path, text)
    request = CompletionRequest(
        doc, text.index("return ") + len("return "), settings_for(simulator)
    )
    first = await assistant.run(request, Silent())
    assert first.failure is None and first.completion == "sim_completion()"
    asked = len(simulator.chats)
    again = await assistant.run(request, Silent())
    assert again.completion == first.completion and len(simulator.chats) == asked
    assert await assistant.history(doc.uri) == []


def test_an_edit_is_refused_when_the_selected_text_moved() -> None:
    source = "a = 1\nb = 2\n"
    with pytest.raises(EditRefused, match="no longer where it was"):
        edit_lines(source, 0, 5, Position(0, 0), "b = 2", ProposedEdit("b = 3", False), "python")
    edits = edit_lines(source, 6, 11, Position(1, 0), "b = 2", ProposedEdit("b = 3", False), None)
    # The selection ends before the line break: only its five characters are replaced.
    assert [(e.start, e.end, e.new_text) for e in edits] == [
        (Position(1, 0), Position(1, 5), "b = 3")
    ]

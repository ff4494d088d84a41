"""What the assistant is asked and what comes of it: plain data, no LSP types.

`Assistant.run(request, sink)` (assistant/answering.py) takes a `Request` (a question
about a document, part of its conversation) or a `CompletionRequest` (ghost text, outside
any conversation), hands every stream event to the `Sink` and returns an `Outcome`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs

from grok_lsp.assistant.actions import Action
from grok_lsp.assistant.context import CodeSelection, DiagnosticNote
from grok_lsp.settings import Settings
from grok_lsp.xai.errors import GrokError
from grok_lsp.xai.events import (
    ContentDelta,
    Finished,
    OutputItems,
    ReasoningDelta,
    StreamEvent,
    Usage,
    UsageReport,
)


@attrs.define
class Answer:
    """What came back, complete or not; `text` is exactly the concatenated content deltas."""

    model: str
    content: list[str] = attrs.Factory(list)
    reasoning: list[str] = attrs.Factory(list)
    usage: Usage = attrs.Factory(Usage)
    finish_reason: str | None = None
    cut: bool = False  # the API said the answer stopped early
    # The response's output items (Responses API), to go back with the next turns.
    items: list[dict[str, Any]] = attrs.Factory(list)
    complete: bool = False
    reasoning_seconds: float | None = None
    thinking_since: float | None = None
    size: int = 0  # characters of content and reasoning so far

    @property
    def text(self) -> str:
        return "".join(self.content)

    def take(self, event: StreamEvent) -> None:
        if isinstance(event, ContentDelta):
            self.content.append(event.text)
            self.size += len(event.text)
        elif isinstance(event, ReasoningDelta):
            self.reasoning.append(event.text)
            self.size += len(event.text)
        elif isinstance(event, UsageReport):
            self.usage = event.usage
        elif isinstance(event, Finished):
            self.finish_reason = event.reason
            self.cut = not event.complete
        elif isinstance(event, OutputItems):
            self.items = event.items


@attrs.frozen
class DocumentText:
    """The document a request is about, as the editor holds it when the request starts."""

    uri: str  # the conversation's key
    name: str  # what the user calls the file: workspace-relative when possible
    language_id: str
    text: str
    path: str | None = None  # on disk (file: URIs), for the project context


@attrs.frozen
class Request:
    """One question about a document: the turn joins the document's conversation."""

    action: Action
    document: DocumentText
    instruction: str  # the user's words, or a user action's template
    settings: Settings
    selection: CodeSelection | None = None  # its `lines` are the whole document's
    diagnostics: tuple[DiagnosticNote, ...] = ()
    user_input: str = ""  # a user action's `{input}`
    workspace_root: str | None = None
    # The editor's other open files by path: their unsaved text wins over the disk's.
    open_texts: Mapping[str, str] = attrs.field(factory=dict)
    # Write the transcript when the answer is to be read there (the client can show it).
    transcript: bool = False


@attrs.frozen
class CompletionRequest:
    """Ghost text at `offset` of the document; never part of the conversation."""

    document: DocumentText
    offset: int  # in code points of `document.text`
    settings: Settings


@attrs.frozen
class ProposedEdit:
    """The code an edit action proposes for the selection; placed on the text when applied."""

    code: str
    is_diff: bool


@attrs.frozen
class Transcript:
    """The conversation's transcript as written, and the lines of its newest answer."""

    uri: str
    answer_lines: tuple[int, int] | None


@attrs.define
class Outcome:
    """What came of a request: the answer (complete or not) and what to do with it."""

    answer: Answer
    failure: GrokError | None = None  # the provider failed; the partial answer was saved
    cost: float | None = None  # USD, when the model's prices are known
    edit: ProposedEdit | None = None
    refusal: str | None = None  # why an edit action proposes no edit
    transcript: Transcript | None = None
    transcript_error: str | None = None  # the transcript could not be written
    completion: str = ""  # a CompletionRequest's text to insert


class Sink(Protocol):
    """Where a request's progress goes while it runs: the LSP client, or a terminal."""

    def on_event(self, event: StreamEvent) -> None: ...

    def on_problems(self, problems: Sequence[str]) -> None:
        """Project-context references that could not be sent; the request goes on."""
        ...


class Silent:
    """A sink for a request nobody watches (ghost text is shown only when complete)."""

    def on_event(self, event: StreamEvent) -> None:
        pass

    def on_problems(self, problems: Sequence[str]) -> None:
        pass

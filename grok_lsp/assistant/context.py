"""Packaging a selection, its surroundings and the conversation into the request's messages.

The layout keeps the API's prompt cache serving every earlier token (SPEC section 6): what
is sent for a conversation only ever grows at its end, so the request of turn N+1 begins
with exactly the bytes of turn N's request. In order:

1. the system prompt: one text for every action (`actions.SYSTEM_PROMPT`);
2. project context (SPEC section 10: rules files, and anything else that holds for the
   whole conversation) goes HERE, as `project_context` messages right after the system
   prompt and before the first turn. They must be identical from turn to turn; when they
   change (a rules file was edited), the next request carries the new text, which starts
   a fresh prefix from that point on;
3. the summary of compacted turns, when the history was once over budget;
4. the stored turns, each exactly as it was sent or received (an answer's reasoning items
   go back with it, in place; an answer that never came goes as `NO_ANSWER`, since the
   API refuses an empty message);
5. the new user turn: the action's task and rules first, then the file's name, what the
   model needs to know of the document (below), the selection with its line numbers,
   diagnostics and the request. Per-request material that changes from turn to turn (the
   selection, `#` references, related definitions) belongs in this turn, never earlier.

A conversation belongs to one document, so the document goes in once, early, where the
cache keeps serving it (xAI's advice: front-load static reference content):

- the first request of a conversation (and the first after a compaction, after a reset, or
  when the store does not know what the model saw) carries the WHOLE document, numbered, in
  its user turn; that turn then stays in the prefix of every later request;
- later requests carry no context lines: when the document changed since the model last saw
  it (the user typed, an edit was applied), a unified diff from the text it last saw to the
  current text (line numbers of the current text); when that diff would cost more than the
  file, the file again;
- a document over `DOCUMENT_SHARE` of `max_context_tokens` keeps the older layout: the lines
  around the selection, in every request.

The text the model last saw is stored with the conversation (`History.seen`), and each
`Prompt` says what it is after the request (`Prompt.seen`).

When the history outgrows `max_context_tokens` it is compacted in one step: the older turns
are replaced by a summary (kept in the store), so the prefix is stable again afterwards.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Sequence
from typing import Any

import attrs

from grok_lsp.assistant.actions import SYSTEM_PROMPT, Action
from grok_lsp.assistant.conversations import Compaction, History, Turn
from grok_lsp.assistant.edits import split_lines

# After a compaction the kept turns and the summary fill at most these shares of the budget,
# so the conversation grows for a good while before the next one.
KEPT_TURNS_SHARE = 0.25
SUMMARY_SHARE = 0.125
SUMMARY_INTRO = "Summary of our earlier conversation (older turns were compacted):"
# A whole document is sent when it costs at most this share of the budget: with the kept
# turns (KEPT_TURNS_SHARE) and the summary (SUMMARY_SHARE) right after a compaction, that
# leaves over a third of the budget before the next one.
DOCUMENT_SHARE = 0.25
WHOLE_FILE_INTRO = (
    "The whole file, numbered (this conversation is about it; later messages give its "
    "changes as diffs):"
)
# Sent in place of an answer that never came (failed or cancelled before any text): the API
# refuses an empty message, and the question it follows stays, with what it showed the model.
NO_ANSWER = "(No answer: the request failed or was cancelled before any text arrived.)"
CHANGES_INTRO = (
    "Changes to the file since you last saw it (unified diff; line numbers of the current text):"
)


@attrs.frozen
class DiagnosticNote:
    line: int  # 0-based
    severity: str
    message: str
    source: str = ""


@attrs.frozen
class CodeSelection:
    """The selected text of a document and where it sits (lines and columns in code points)."""

    path: str  # workspace-relative when possible: what the user would call the file
    language_id: str
    lines: Sequence[str]  # the whole document, each line with its line ending
    start_line: int
    end_line: int  # last line that holds selected text
    text: str


@attrs.frozen
class OpenFile:
    """The document a conversation is about, as the editor holds it now."""

    path: str  # workspace-relative when possible
    language_id: str
    lines: Sequence[str]  # each line with its line ending

    @property
    def text(self) -> str:
        return "".join(self.lines)


@attrs.frozen
class Prompt:
    """The messages of one request; an assistant message may carry its `items` to send back."""

    messages: list[dict[str, Any]]
    context_lines: int  # surrounding lines actually sent, after trimming
    history_turns: int  # stored turns sent as they are (the rest are in the summary)
    # Made by this request when the history was over budget; saved with the exchange.
    compaction: Compaction | None = None
    # The document's text as the model knows it once this request is sent (None: it does
    # not know the whole file); saved with the exchange.
    seen: str | None = None
    document: str = ""  # "file", "diff", "same" or "" (context lines, or no document)

    @property
    def user_turn(self) -> str:
        return str(self.messages[-1]["content"])


def estimate_tokens(text: str) -> int:
    """About four characters a token: close enough to budget with, and free to compute."""
    return math.ceil(len(text) / 4)


def _fence(code: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
    return "`" * (longest + 1)


def _numbered(lines: Sequence[str], first_line: int, language_id: str) -> str:
    body = "".join(
        f"{first_line + index + 1} | {line.rstrip(chr(13) + chr(10))}\n"
        for index, line in enumerate(lines)
    )
    fence = _fence(body)
    return f"{fence}{language_id}\n{body}{fence}"


def _context_blocks(selection: CodeSelection, count: int) -> str:
    if count <= 0:
        return ""
    before_start = max(0, selection.start_line - count)
    before = selection.lines[before_start : selection.start_line]
    after = selection.lines[selection.end_line + 1 : selection.end_line + 1 + count]
    parts = []
    if before:
        parts.append(
            "Context before the selection (for reference, not to be changed):\n"
            + _numbered(before, before_start, selection.language_id)
        )
    if after:
        parts.append(
            "Context after the selection (for reference, not to be changed):\n"
            + _numbered(after, selection.end_line + 1, selection.language_id)
        )
    return "\n\n".join(parts)


def whole_file(document: OpenFile) -> str:
    """The whole document, numbered, as the first request of a conversation carries it."""
    return f"{WHOLE_FILE_INTRO}\n" + _numbered(document.lines, 0, document.language_id)


def changes(seen: str, document: OpenFile) -> str:
    """A unified diff from the text the model last saw to the document now ("" if the same).

    Hunk headers give the current text's line numbers after `+`, as the selection uses them.
    """
    before = [line.rstrip("\r\n") for line in split_lines(seen)]  # as the editor counts
    after = [line.rstrip("\r\n") for line in document.lines]
    if before == after:
        return ""
    diff = "\n".join(
        difflib.unified_diff(
            before,
            after,
            f"{document.path} (as you last saw it)",
            f"{document.path} (now)",
            lineterm="",
        )
    )
    fence = _fence(diff)
    return f"{CHANGES_INTRO}\n{fence}diff\n{diff}\n{fence}"


def document_room(max_context_tokens: int) -> int:
    """The most a whole document may cost to be sent whole (see DOCUMENT_SHARE)."""
    return int(max_context_tokens * DOCUMENT_SHARE)


def model_has_whole_file(document: OpenFile, max_context_tokens: int) -> bool:
    """Whether a request on this document gives the model all of it (whole, or as diffs to
    what it saw): then nothing of the same document needs sending again as context."""
    return _fits(document, document_room(max_context_tokens))


def _fits(document: OpenFile, room: int) -> bool:
    # The plain text is a lower bound of the numbered file: a big document is not numbered.
    if estimate_tokens(document.text) > room:
        return False
    return estimate_tokens(whole_file(document)) <= room


def _document_material(
    document: OpenFile, seen: str | None, room: int
) -> tuple[str, str, str | None]:
    """(what to send of the document, which kind, the text the model will then know).

    `room` is the most the whole file may cost; a bigger document gets ("", "", None).
    """
    if not _fits(document, room):
        return "", "", None
    file = whole_file(document)
    current = document.text
    if seen is None:
        return file, "file", current
    diff = changes(seen, document)
    if not diff:
        return "", "same", current
    if estimate_tokens(diff) >= estimate_tokens(file):
        return file, "file", current
    return diff, "diff", current


def _user_message(
    action: Action,
    selection: CodeSelection | None,
    context: str,
    diagnostics: Sequence[DiagnosticNote],
    instruction: str,
    document: OpenFile | None = None,
) -> str:
    if selection is None:
        if document is None or not context:
            return f"{action.task}\n\nRequest: {instruction}"
        return "\n\n".join(
            [
                action.task,
                f"File: `{document.path}` ({document.language_id}), {len(document.lines)} lines.",
                context,
                f"Request: {instruction}",
            ]
        )
    first, last = selection.start_line + 1, selection.end_line + 1
    parts = [
        action.task,
        f"File: `{selection.path}` ({selection.language_id}), lines {first}-{last} "
        f"of {len(selection.lines)}.",
    ]
    if context:
        parts.append(context)
    selected_lines = selection.text.splitlines() or [""]
    parts.append(
        "Selected code:\n" + _numbered(selected_lines, selection.start_line, selection.language_id)
    )
    if diagnostics:
        parts.append(
            "Diagnostics in the selection:\n"
            + "\n".join(
                f"- line {d.line + 1}: {d.severity}: {d.message}"
                + (f" ({d.source})" if d.source else "")
                for d in diagnostics
            )
        )
    parts.append(f"Request: {instruction}")
    return "\n\n".join(parts)


def turn_message(turn: Turn) -> dict[str, Any]:
    """A stored turn as sent: an answer keeps the API's output items (reasoning) to go back."""
    content = turn.content if turn.content or turn.items else NO_ANSWER
    message: dict[str, Any] = {"role": turn.role, "content": content}
    if turn.items:
        message["items"] = turn.items
    return message


def turn_cost(turn: Turn) -> int:
    """What a stored turn costs when sent again: its text, and the reasoning that goes with it."""
    reasoning = [item for item in turn.items if item.get("type") != "message"]
    extra = estimate_tokens(json.dumps(reasoning)) if reasoning else 0
    return estimate_tokens(turn.content) + extra


def _cost(turns: Sequence[Turn]) -> int:
    return sum(turn_cost(t) for t in turns)


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_ANSWERED = "  Grok answered: "
_FILE_LINE = re.compile(r"^File: .*$", re.MULTILINE)
_REQUEST_LINE = re.compile(r"^Request: (.*)$", re.MULTILINE)


def _gist(turn: Turn) -> str:
    """One line that says what a turn was about, for the summary of compacted turns."""
    if turn.role != "user":
        return f"{_ANSWERED}{_one_line(turn.content, 160)}"
    file = _FILE_LINE.search(turn.content)
    request = _REQUEST_LINE.search(turn.content)
    what = request.group(1) if request else turn.content
    where = f" ({_one_line(file.group(0).removeprefix('File: '), 120)})" if file else ""
    return f"- {turn.action or 'request'}{where}: {_one_line(what, 160)}"


def summarize(previous: str, turns: Sequence[Turn], max_tokens: int) -> str:
    """The summary that replaces `turns` (and the earlier summary): the newest exchanges that
    fit in `max_tokens`, and always at least the newest one."""
    lines = [line for line in previous.splitlines()[1:] if line.strip()]
    lines.extend(_gist(turn) for turn in turns)
    exchanges: list[list[str]] = []
    for line in lines:
        if line.startswith(_ANSWERED) and exchanges:
            exchanges[-1].append(line)
        else:
            exchanges.append([line])
    kept: list[list[str]] = []
    used = estimate_tokens(SUMMARY_INTRO)
    for exchange in reversed(exchanges):
        used += sum(estimate_tokens(line) + 1 for line in exchange)
        if used > max_tokens and kept:
            break
        kept.append(exchange)
    return "\n".join([SUMMARY_INTRO, *(line for exchange in reversed(kept) for line in exchange)])


def _compact(history: History, max_context_tokens: int) -> Compaction:
    """One step: the newest whole exchanges that fit stay, everything older is summarised."""
    turns = history.turns
    start = history.compaction.covers if history.compaction else 0
    keep_from = len(turns)
    kept_cost = 0
    for index in range(len(turns) - 1, start - 1, -1):
        kept_cost += turn_cost(turns[index])
        if kept_cost > max_context_tokens * KEPT_TURNS_SHARE:
            break
        if turns[index].role == "user":  # the kept history never starts with a lone answer
            keep_from = index
    previous = history.compaction.summary if history.compaction else ""
    summary = summarize(previous, turns[start:keep_from], int(max_context_tokens * SUMMARY_SHARE))
    return Compaction(covers=keep_from, summary=summary)


def build_prompt(
    action: Action,
    selection: CodeSelection | None,
    instruction: str,
    history: History | Sequence[Turn],
    *,
    context_lines: int,
    max_context_tokens: int,
    diagnostics: Sequence[DiagnosticNote] = (),
    project_context: Sequence[str] = (),
    document: OpenFile | None = None,
) -> Prompt:
    """System prompt, project context, history, then the new turn; see the module's docstring.

    `document` is the file the conversation is about, as it is now (None: not offered, so
    the lines around the selection go with every request). The budget covers the history
    and what is sent of the document. Over budget, the history is compacted once (not
    trimmed a turn per request) and the whole file goes again; context lines are halved
    until they fit. The selection and the request itself are always sent.
    """
    if not isinstance(history, History):
        history = History(list(history))
    compaction = history.compaction
    made: Compaction | None = None
    seen = history.seen
    kind = ""
    context = ""
    if document is not None:
        room = document_room(max_context_tokens)
        context, kind, seen = _document_material(document, history.seen, room)
    count = context_lines if selection is not None and not kind else 0

    def context_for(count: int) -> str:
        return _context_blocks(selection, count) if selection is not None else ""

    if not kind:
        context = context_for(count)

    def history_cost(compaction: Compaction | None) -> int:
        covered = compaction.covers if compaction else 0
        summary = estimate_tokens(compaction.summary) if compaction else 0
        return summary + _cost(history.turns[covered:])

    if history_cost(compaction) + estimate_tokens(context) > max_context_tokens:
        fresh = _compact(history, max_context_tokens)
        if fresh.covers > (compaction.covers if compaction else 0):
            made = compaction = fresh  # otherwise nothing is old enough to summarise
            if kind and document is not None:  # the turn that held the file may be gone
                context, kind = whole_file(document), "file"
    cost = history_cost(compaction)
    if kind and estimate_tokens(context) + cost > max_context_tokens:
        # Nothing left to compact and still too big: the lines around the selection only.
        kind, seen, count = "", None, context_lines if selection is not None else 0
        context = context_for(count)
    while count > 0 and estimate_tokens(context) + cost > max_context_tokens:
        count //= 2
        context = context_for(count)
    messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT}]
    messages.extend({"role": "user", "content": text} for text in project_context)
    covered = 0
    if compaction is not None:
        covered = compaction.covers
        messages.append({"role": "user", "content": compaction.summary})
    messages.extend(turn_message(turn) for turn in history.turns[covered:])
    user = _user_message(action, selection, context, diagnostics, instruction, document)
    messages.append({"role": "user", "content": user})
    return Prompt(messages, count, len(history.turns) - covered, made, seen, kind)

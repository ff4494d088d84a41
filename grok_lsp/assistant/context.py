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
   go back with it, in place);
5. the new user turn: the action's task and rules first, then the file, the context around
   the selection, the selection, diagnostics and the request. Per-request material that
   changes from turn to turn (the selection, `#` references, related definitions) belongs
   in this turn, never earlier.

When the history outgrows `max_context_tokens` it is compacted in one step: the older turns
are replaced by a summary (kept in the store), so the prefix is stable again afterwards.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

import attrs

from grok_lsp.assistant.actions import SYSTEM_PROMPT, Action
from grok_lsp.assistant.conversations import Compaction, History, Turn

# After a compaction the kept turns and the summary fill at most these shares of the budget,
# so the conversation grows for a good while before the next one.
KEPT_TURNS_SHARE = 0.25
SUMMARY_SHARE = 0.125
SUMMARY_INTRO = "Summary of our earlier conversation (older turns were compacted):"


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
class Prompt:
    """The messages of one request; an assistant message may carry its `items` to send back."""

    messages: list[dict[str, Any]]
    context_lines: int  # surrounding lines actually sent, after trimming
    history_turns: int  # stored turns sent as they are (the rest are in the summary)
    # Made by this request when the history was over budget; saved with the exchange.
    compaction: Compaction | None = None

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


def _user_message(
    action: Action,
    selection: CodeSelection | None,
    context: str,
    diagnostics: Sequence[DiagnosticNote],
    instruction: str,
) -> str:
    if selection is None:
        return f"{action.task}\n\nRequest: {instruction}"
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
    message: dict[str, Any] = {"role": turn.role, "content": turn.content}
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
    where = f" ({file.group(0).removeprefix('File: ')})" if file else ""
    return f"- {turn.action or 'request'}{_one_line(where, 120)}: {_one_line(what, 160)}"


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
) -> Prompt:
    """System prompt, project context, history, then the new turn; see the module's docstring.

    The budget covers the history and the context around the selection. Over budget, the
    history is compacted once (not trimmed a turn per request); then the context is halved
    until it fits. The selection and the request itself are always sent.
    """
    if not isinstance(history, History):
        history = History(list(history))
    compaction = history.compaction
    made: Compaction | None = None
    count = context_lines if selection is not None else 0
    context = _context_blocks(selection, count) if selection else ""

    def history_cost(compaction: Compaction | None) -> int:
        covered = compaction.covers if compaction else 0
        summary = estimate_tokens(compaction.summary) if compaction else 0
        return summary + _cost(history.turns[covered:])

    if history_cost(compaction) + estimate_tokens(context) > max_context_tokens:
        fresh = _compact(history, max_context_tokens)
        if fresh.covers > (compaction.covers if compaction else 0):
            made = compaction = fresh  # otherwise nothing is old enough to summarise
    cost = history_cost(compaction)
    while count > 0 and estimate_tokens(context) + cost > max_context_tokens:
        count //= 2
        context = _context_blocks(selection, count) if selection else ""
    messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT}]
    messages.extend({"role": "user", "content": text} for text in project_context)
    covered = 0
    if compaction is not None:
        covered = compaction.covers
        messages.append({"role": "user", "content": compaction.summary})
    messages.extend(turn_message(turn) for turn in history.turns[covered:])
    user = _user_message(action, selection, context, diagnostics, instruction)
    messages.append({"role": "user", "content": user})
    return Prompt(messages, count, len(history.turns) - covered, made)

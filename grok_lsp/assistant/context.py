"""Packaging a selection, its surroundings and the conversation into chat messages."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import attrs

from grok_lsp.assistant.actions import Action
from grok_lsp.assistant.conversations import Turn


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
    messages: list[dict[str, str]]
    context_lines: int  # surrounding lines actually sent, after trimming
    history_turns: int  # earlier turns actually sent, after trimming


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
    selection: CodeSelection | None,
    context: str,
    diagnostics: Sequence[DiagnosticNote],
    instruction: str,
) -> str:
    if selection is None:
        return instruction
    first, last = selection.start_line + 1, selection.end_line + 1
    parts = [
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


def build_prompt(
    action: Action,
    selection: CodeSelection | None,
    instruction: str,
    history: Sequence[Turn],
    *,
    context_lines: int,
    max_context_tokens: int,
    diagnostics: Sequence[DiagnosticNote] = (),
    project_context: Sequence[str] = (),
) -> Prompt:
    """System prompt, earlier turns, then the new request; within `max_context_tokens`.

    The budget covers history and surrounding context: context is trimmed first (halving),
    then the oldest turns are dropped. The selection and the request itself are always sent.
    """
    count = context_lines if selection is not None else 0
    context = _context_blocks(selection, count) if selection else ""
    turns = list(history)
    history_cost = sum(estimate_tokens(t.content) for t in turns)
    while count > 0 and estimate_tokens(context) + history_cost > max_context_tokens:
        count //= 2
        context = _context_blocks(selection, count) if selection else ""
    budget = max_context_tokens - estimate_tokens(context)
    while turns and history_cost > budget:
        # Drop a whole exchange so the history never starts with a lone answer.
        dropped = 2 if len(turns) > 1 and turns[0].role == "user" else 1
        history_cost -= sum(estimate_tokens(t.content) for t in turns[:dropped])
        del turns[:dropped]
    messages = [{"role": "system", "content": action.system_prompt}]
    # Rules files (SPEC section 10) before the first turn, where the prompt does not move.
    messages.extend({"role": "user", "content": text} for text in project_context)
    messages.extend({"role": t.role, "content": t.content} for t in turns)
    messages.append(
        {"role": "user", "content": _user_message(selection, context, diagnostics, instruction)}
    )
    return Prompt(messages, count, len(turns))

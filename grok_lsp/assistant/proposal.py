"""An edit action's answer as an edit of the document: which code, where, or why not.

Pure: the server hands in the document's text as it is when the edit is applied (the
selection followed the user's typing) and turns the line edits into LSP positions.
"""

from __future__ import annotations

import difflib
import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from grok_lsp.assistant.anchor import Anchor
from grok_lsp.assistant.edits import (
    Position,
    Replacement,
    choose_block,
    code_blocks,
    line_edits,
    split_lines,
)
from grok_lsp.assistant.placement import NoSensibleEdit, place_code
from grok_lsp.assistant.requests import ProposedEdit

NOTHING_CHANGED = "Nothing was changed"
NO_CODE_BLOCK = "the answer had no code block, so nothing was changed."


class EditRefused(Exception):
    """The document no longer holds the text the answer was computed for."""


class AnswerDoesNotFit(EditRefused):
    """The answer's code cannot be placed on the selection without guessing."""


def propose_edit(answer_text: str, language_id: str, selected: str) -> ProposedEdit | None:
    """The answer's code for the selection; None when it has no code block."""
    # The block that matches the selection, not the longest: models add usage examples.
    block = choose_block(code_blocks(answer_text), language_id, selected)
    return None if block is None else ProposedEdit(block.code, block.is_diff)


def cut_short(max_tokens: int | None) -> str:
    return (
        f"the answer was cut short at maxTokens ({max_tokens}), so nothing was changed. "
        "Raise maxTokens and run it again."
    )


def edit_lines(
    source: str,
    start_offset: int,
    end_offset: int,
    start: Position,
    selected: str,
    edit: ProposedEdit,
    language_id: str | None,
) -> list[Replacement]:
    """The line edits that put `edit` in place of `source[start_offset:end_offset]`.

    That text must still be `selected` (what the answer was computed for); `start` is
    where it begins, in lines and code points.
    """
    if source[start_offset:end_offset] != selected:
        raise EditRefused("the selected code is no longer where it was")
    try:
        placement = place_code(
            source,
            start_offset,
            end_offset,
            edit.code,
            is_diff=edit.is_diff,
            language_id=language_id,
        )
    except NoSensibleEdit as reason:
        raise AnswerDoesNotFit(str(reason)) from None
    # The placement may start earlier on the selection's line, over its indentation.
    region = Position(start.line, start.character - (start_offset - placement.start))
    return line_edits(source[placement.start : placement.end], placement.text, region)


def why_not_applied(refusal: EditRefused) -> str:
    """What the user is told when an edit cannot be applied, and what to do about it."""
    if isinstance(refusal, AnswerDoesNotFit):
        return f"{NOTHING_CHANGED}: {refusal}. The answer is in the conversation."
    return f"not applied: {refusal}. Run the request again."


def preview_diff(
    uri: str,
    anchor: Anchor,
    code: str,
    is_diff: bool = False,
    document: tuple[str, int, str | None] | None = None,
) -> str:
    """The suggestion as a unified diff of the file, with the file's own line numbers.

    `document` is the document's text, the selection's offset in it and its language,
    when open: the code is then placed as Apply would place it.
    """
    name = PurePosixPath(urlsplit(uri).path).name or uri
    source, offset, language = document if document is not None else (anchor.text, 0, None)
    try:
        placement = place_code(
            source, offset, offset + len(anchor.text), code, is_diff=is_diff, language_id=language
        )
    except NoSensibleEdit as reason:
        return f"# Grok's answer cannot be applied here: {reason}.\n"
    before, after = source[placement.start : placement.end], placement.text
    first = anchor.span.start_line if anchor.span is not None else 0
    diff = difflib.unified_diff(
        split_lines(before), split_lines(after), f"a/{name}", f"b/{name}", n=3
    )
    lines = []
    for line in diff:
        if line.startswith("@@"):
            # Shift hunk headers from selection-relative to file line numbers.
            line = re.sub(
                r"-(\d+)|\+(\d+)",
                lambda m: f"{m[0][0]}{int(m[1] or m[2]) + first}",
                line,
            )
        lines.append(line if line.endswith(("\n", "\r")) else line + "\n")
    return "".join(lines)

"""Keeping a selected range attached to its text while the user goes on typing.

An answer streams for seconds; meanwhile the editor sends incremental changes.
The edit computed for the selection must land on the same text, wherever it has
moved, or not at all: a change that touches the selected text invalidates it.

Positions are in the client's units (its negotiated position encoding), the
units of the changes themselves, so that no document text is needed here.
"""

from __future__ import annotations

import re
from typing import Protocol

import attrs

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineCharacter(Protocol):
    """Anything with a zero-based `line` and `character`, e.g. an LSP `Position`."""

    @property
    def line(self) -> int: ...

    @property
    def character(self) -> int: ...


@attrs.frozen(order=True)
class Span:
    """A range of the document, end exclusive, in the client's position units."""

    start_line: int
    start_char: int
    end_line: int
    end_char: int


def text_length(text: str, encoding: str) -> int:
    """How many units of the position encoding ("utf-8", "utf-16", "utf-32") the text takes."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-16":
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    raise ValueError(f"unknown position encoding {encoding!r}")


def shift_span(
    span: Span,
    change_start: LineCharacter,
    change_end: LineCharacter,
    change_text: str,
    encoding: str,
) -> Span | None:
    """Where the span is after the change replaced the range `change_start`..`change_end`.

    A change that ends at or before the span's start moves it (so text inserted
    exactly at the start goes before the span); one that starts at or after its
    end leaves it (text inserted exactly at the end stays outside). Any other
    change reaches inside the span and gives None: the selected text is no
    longer known to be there. An empty span is moved by an insertion at it.
    """
    start = (change_start.line, change_start.character)
    end = (change_end.line, change_end.character)
    if end <= (span.start_line, span.start_char):
        line, character = _shift(
            span.start_line, span.start_char, start, end, change_text, encoding
        )
        end_line, end_char = _shift(span.end_line, span.end_char, start, end, change_text, encoding)
        return Span(line, character, end_line, end_char)
    if start >= (span.end_line, span.end_char):
        return span
    return None


def _shift(
    line: int,
    character: int,
    start: tuple[int, int],
    end: tuple[int, int],
    text: str,
    encoding: str,
) -> tuple[int, int]:
    """Move a point at or after `end` by the replacement of start..end with `text`."""
    pieces = _LINE_BREAK.split(text)
    new_end_line = start[0] + len(pieces) - 1
    new_end_char = text_length(pieces[-1], encoding) + (start[1] if len(pieces) == 1 else 0)
    if line != end[0]:
        return line + new_end_line - end[0], character
    return new_end_line, new_end_char + character - end[1]


class Anchor:
    """The selected text and where it is now; the span is None once the text was touched."""

    def __init__(self, text: str, span: Span) -> None:
        self.text = text
        self.span: Span | None = span

    @property
    def valid(self) -> bool:
        return self.span is not None

    def apply_change(
        self, start: LineCharacter, end: LineCharacter, text: str, encoding: str
    ) -> None:
        """Follow one incremental change (`didChange` content change with a range)."""
        if self.span is not None:
            self.span = shift_span(self.span, start, end, text, encoding)

    def invalidate(self) -> None:
        """A change without a range replaced the whole document: the span means nothing now."""
        self.span = None

"""A selection follows its text through the user's edits, or is given up when they touch it."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grok_lsp.assistant.anchor import Anchor, Span, shift_span, text_length
from tests.positions import lines_of, offset_at


@attrs.frozen
class At:
    line: int
    character: int


ENCODINGS = ["utf-8", "utf-16", "utf-32"]


def offset_of(document: str, line: int, character: int, encoding: str) -> int:
    return offset_at(document, At(line, character), encoding, strict=True)


def text_at(document: str, span: Span, encoding: str) -> str:
    start = offset_of(document, span.start_line, span.start_char, encoding)
    end = offset_of(document, span.end_line, span.end_char, encoding)
    return document[start:end]


SPAN = Span(2, 4, 4, 6)


@pytest.mark.parametrize(
    ("start", "end", "text", "expected"),
    [
        # Before, on earlier lines: lines move, characters do not.
        (At(0, 0), At(0, 0), "new line\n", Span(3, 4, 5, 6)),
        (At(0, 3), At(1, 2), "", Span(1, 4, 3, 6)),
        (At(0, 0), At(2, 0), "", Span(0, 4, 2, 6)),
        # Before, on the span's first line: that line's characters move.
        (At(2, 0), At(2, 0), "ab", Span(2, 6, 4, 6)),
        (At(2, 1), At(2, 3), "", Span(2, 2, 4, 6)),
        (At(2, 1), At(2, 3), "x\nyz", Span(3, 3, 5, 6)),
        (At(1, 5), At(2, 2), "", Span(1, 7, 3, 6)),
        # An insertion exactly at the start goes before the span.
        (At(2, 4), At(2, 4), "😀", Span(2, 6, 4, 6)),
        # After the span, or exactly at its end: nothing moves.
        (At(4, 6), At(4, 6), "tail", SPAN),
        (At(4, 6), At(9, 0), "", SPAN),
        (At(7, 0), At(7, 0), "a\nb\n", SPAN),
        # Touching the inside: the selected text is gone.
        (At(2, 5), At(2, 5), "x", None),
        (At(3, 0), At(3, 0), "x", None),
        (At(2, 3), At(2, 5), "", None),
        (At(4, 5), At(4, 7), "", None),
        (At(0, 0), At(9, 0), "everything", None),
    ],
)
def test_shift_span(start: At, end: At, text: str, expected: Span | None) -> None:
    assert shift_span(SPAN, start, end, text, "utf-16") == expected


@pytest.mark.parametrize(("encoding", "length"), [("utf-8", 4), ("utf-16", 2), ("utf-32", 1)])
def test_inserted_text_is_measured_in_the_clients_units(encoding: str, length: int) -> None:
    assert text_length("😀", encoding) == length
    span = Span(0, 5, 0, 8)
    assert shift_span(span, At(0, 1), At(0, 1), "😀", encoding) == Span(
        0, 5 + length, 0, 8 + length
    )


def test_an_empty_span_moves_with_an_insertion_at_it() -> None:
    assert shift_span(Span(1, 2, 1, 2), At(1, 2), At(1, 2), "ab", "utf-32") == Span(1, 4, 1, 4)


def test_crlf_and_cr_count_as_one_line_break() -> None:
    moved = shift_span(Span(0, 9, 0, 10), At(0, 0), At(0, 0), "a\r\nb\rc\n", "utf-16")
    assert moved == Span(3, 9, 3, 10)


def test_unknown_encoding_is_an_error() -> None:
    with pytest.raises(ValueError, match="utf-7"):
        text_length("x", "utf-7")


def test_anchor_stays_invalid_and_a_whole_document_change_invalidates() -> None:
    anchor = Anchor("selected", Span(1, 0, 1, 8))
    anchor.apply_change(At(0, 0), At(0, 0), "\n", "utf-16")
    assert anchor.span == Span(2, 0, 2, 8)
    anchor.invalidate()
    assert not anchor.valid
    anchor.apply_change(At(0, 0), At(0, 0), "\n", "utf-16")
    assert anchor.span is None


def pieces(*choices: str, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(choices), max_size=max_size).map("".join)


fragment = pieces("a", "b", " ", "😀", "中", "é", "\n", "\r\n", max_size=8)


@st.composite
def position(draw: st.DrawFn, document: str, encoding: str) -> At:
    """A position on a character boundary, never between the \\r and \\n of a line break."""
    lines = lines_of(document)
    line = draw(st.integers(0, len(lines) - 1))
    content = lines[line].rstrip("\r\n")
    index = draw(st.integers(0, len(content)))
    return At(line, text_length(content[:index], encoding))


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    document=pieces("x", "y", "😀", "中", "\n", "\r\n", "\t", max_size=40),
    encoding=st.sampled_from(ENCODINGS),
)
def test_a_valid_anchor_always_spans_the_selected_text(
    data: st.DataObject, document: str, encoding: str
) -> None:
    first = data.draw(position(document, encoding), label="selection start")
    last = data.draw(position(document, encoding), label="selection end")
    first, last = sorted([first, last], key=lambda at: (at.line, at.character))
    span = Span(first.line, first.character, last.line, last.character)
    anchor = Anchor(text_at(document, span, encoding), span)
    touched = False
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        start = data.draw(position(document, encoding), label="change start")
        end = data.draw(position(document, encoding), label="change end")
        start, end = sorted([start, end], key=lambda at: (at.line, at.character))
        text = data.draw(fragment, label="change text")
        begin = offset_of(document, start.line, start.character, encoding)
        finish = offset_of(document, end.line, end.character, encoding)
        if anchor.span is not None:
            span_begin = offset_of(
                document, anchor.span.start_line, anchor.span.start_char, encoding
            )
            span_end = offset_of(document, anchor.span.end_line, anchor.span.end_char, encoding)
            touched |= finish > span_begin and begin < span_end

        anchor.apply_change(start, end, text, encoding)
        document = document[:begin] + text + document[finish:]

        assert anchor.valid == (not touched)
        if anchor.span is not None:
            assert text_at(document, anchor.span, encoding) == anchor.text

"""The tests' position codec agrees with LSP: breaks at \\n, \\r\\n and \\r; units per encoding."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tests.positions import apply_edits, offset_at, position_at

TEXT = "a😀b\r\nc\rd\ne"


@pytest.mark.parametrize(("encoding", "after_emoji"), [("utf-8", 5), ("utf-16", 3), ("utf-32", 2)])
def test_positions_round_trip_in_every_encoding(encoding: str, after_emoji: int) -> None:
    assert position_at(TEXT, 2, encoding) == types.Position(line=0, character=after_emoji)
    for offset in [0, 1, 2, 3, 5, 6, 7, 8, 9, len(TEXT)]:  # not 4: inside \r\n
        assert offset_at(TEXT, position_at(TEXT, offset, encoding), encoding) == offset


def test_lone_carriage_returns_break_lines_and_other_separators_do_not() -> None:
    assert position_at(TEXT, 7, "utf-32") == types.Position(line=2, character=0)
    assert position_at("x\x0cy", 2, "utf-32") == types.Position(line=0, character=2)


def test_strict_refuses_what_lenient_clamps() -> None:
    past = types.Position(line=1, character=9)
    assert offset_at(TEXT, past) == 6  # the end of line 1, before its break
    with pytest.raises(ValueError, match="past the end"):
        offset_at(TEXT, past, strict=True)
    with pytest.raises(ValueError, match="inside a character"):
        offset_at(TEXT, types.Position(line=0, character=2), "utf-16", strict=True)


def test_edits_apply_against_the_original_text() -> None:
    edits = [
        types.TextEdit(
            range=types.Range(start=position_at(TEXT, 0), end=position_at(TEXT, 1)), new_text="A"
        ),
        types.TextEdit(
            range=types.Range(start=position_at(TEXT, 9), end=position_at(TEXT, 10)), new_text="E"
        ),
    ]
    assert apply_edits(TEXT, edits, "utf-32") == "A😀b\r\nc\rd\nE"

"""The progress message's tail of the answer, kept as pieces instead of copied per token."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from grok_lsp.server.streaming import TAIL_CHARS, _Tail


@given(st.lists(st.text(max_size=300), max_size=600))
def test_the_tail_is_the_last_characters_of_everything_added(pieces: list[str]) -> None:
    kept = _Tail(TAIL_CHARS * 2)
    for number, piece in enumerate(pieces):
        kept.add(piece)
        if number % 97 == 0:  # read in the middle too, as progress reports do
            assert kept.text() == "".join(pieces[: number + 1])[-TAIL_CHARS * 2 :]
    whole = "".join(pieces)
    assert bool(kept) == bool(whole)
    assert kept.text() == whole[-TAIL_CHARS * 2 :]
    assert kept.text() == whole[-TAIL_CHARS * 2 :]  # reading it changes nothing

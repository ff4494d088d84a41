"""Property-based tests: random command arguments against a live server, and random typing
against the re-anchoring of an answer's edit (anchor + tracking + delivery.build_edit)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec

from grok_lsp.assistant.anchor import Anchor, Span
from grok_lsp.server.delivery import EditRefused, build_edit
from grok_lsp.server.document_changes import apply_changes
from grok_lsp.server.pygls_overrides import set_document_text
from grok_lsp.server.tracking import TrackedRanges
from grok_lsp.simulator import Simulator
from tests.positions import offset_at, position_at
from tests.reliability.conftest import Ledger, Servers

INVALID_PARAMS, REQUEST_FAILED = -32602, -32803
OPEN_URI_NAME = "fuzzed.py"
COMMANDS = [
    "grok.explain",
    "grok.refactor",
    "grok.fix",
    "grok.document",
    "grok.tests",
    "grok.ask",
    "grok.action",
    "grok.conversation.show",
    "grok.conversation.reset",
    "grok.cancel",
    "grok.models",
    "grok.applySuggestion",
    "grok.nope",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
positions = st.fixed_dictionaries(
    {"line": st.integers(-2, 2**32) | json_values, "character": st.integers(-2, 300) | json_values}
)


def arguments(open_uri: str) -> st.SearchStrategy[list[Any]]:
    """Mostly command-shaped objects with some fields wrong, sometimes anything at all."""
    fields = {
        "uri": st.sampled_from([open_uri, "file:///nowhere.py", "untitled:1"]) | json_values,
        "range": st.fixed_dictionaries({"start": positions, "end": positions}) | json_values,
        "question": st.text(max_size=30) | json_values,
        "instruction": st.text(max_size=30) | json_values,
        "id": st.sampled_from(["mine", "nope"]) | json_values,
        "diagnostics": st.lists(json_values, max_size=2) | json_values,
        "extra": json_values,
    }
    shaped = st.fixed_dictionaries({}, optional=fields)
    return st.lists(shaped, min_size=1, max_size=1) | st.lists(json_values, max_size=2)


@pytest.fixture
def live_server(sim: Simulator, tmp_path: Path, ledger: Ledger) -> Any:
    """A server on an event loop of its own, so that hypothesis can drive it synchronously."""
    loop = asyncio.new_event_loop()
    pool = Servers(sim.base_url, tmp_path, ledger)
    actions = [{"id": "mine", "title": "Mine", "prompt": "Explain {selection}"}]
    server = loop.run_until_complete(
        pool.start(init_options={"actions": actions, "resultDisplay": "none"})
    )
    uri = pool.uri(OPEN_URI_NAME)
    server.editor.open(uri, "def f(count):\n    return count\n")
    yield loop, server, uri
    loop.run_until_complete(pool.stop_all())
    loop.close()


def test_random_command_arguments_get_a_well_formed_answer(
    live_server: Any, ledger: Ledger
) -> None:
    loop, server, uri = live_server

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(command=st.sampled_from(COMMANDS), args=arguments(uri))
    def answer_is_result_or_invalid_params(command: str, args: list[Any]) -> None:
        ledger.count("fuzz examples")
        call = asyncio.wait_for(server.editor.command(command, *args), 15)
        code = None
        try:
            loop.run_until_complete(call)
        except JsonRpcException as error:
            code = error.code
        assert code in (None, INVALID_PARAMS, REQUEST_FAILED), f"error {code}"
        assert server.process.returncode is None, "the server died"

    try:
        answer_is_result_or_invalid_params()
    finally:
        ledger.row("fuzz", "150 random executeCommand calls", "result or InvalidParams")


# -- re-anchoring -------------------------------------------------------------------

pieces = st.sampled_from(["a", "b", " ", "\n", "\r\n", "\r", "é", "😀", "\t", "x = 1", "def "])
texts = st.lists(pieces, max_size=25).map("".join)


def _safe(text: str, offset: int) -> int:
    """Never split \\r\\n: editors do not put a position between them."""
    if 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n":
        return offset - 1
    return offset


@st.composite
def sessions(draw: st.DrawFn) -> dict[str, Any]:
    text = draw(texts)
    a = _safe(text, draw(st.integers(0, len(text))))
    b = _safe(text, draw(st.integers(0, len(text))))
    edits = []
    length = len(text)
    for _ in range(draw(st.integers(0, 6))):
        x = draw(st.integers(0, length))
        y = draw(st.integers(0, length))
        new = draw(texts)
        edits.append((min(x, y), max(x, y), new))
        length += len(new) - abs(x - y)
    return {
        "text": text,
        "start": min(a, b),
        "end": max(a, b),
        "edits": edits,
        "encoding": draw(st.sampled_from(["utf-16", "utf-8", "utf-32"])),
        "code": draw(texts),
    }


@settings(max_examples=400, deadline=None)
@given(session=sessions())
def test_an_edit_lands_only_on_the_text_it_was_computed_for(session: dict[str, Any]) -> None:
    """Type anywhere while the answer streams: the edit replaces exactly the selected text
    where it now is, or is refused; the rest of the document is never touched."""
    _LEDGER_COUNTS["fuzz examples"] += 1
    encoding = session["encoding"]
    text, start, end = session["text"], session["start"], session["end"]
    uri = "file:///p/doc.py"
    kind = {"utf-8": "utf-8", "utf-16": "utf-16", "utf-32": "utf-32"}[encoding]
    document = TextDocument(
        uri, text, version=1, position_codec=PositionCodec(types.PositionEncodingKind(kind))
    )
    selected = text[start:end]
    a, b = position_at(text, start, encoding), position_at(text, end, encoding)
    anchor = Anchor(selected, Span(a.line, a.character, b.line, b.character))
    tracked = TrackedRanges()
    tracked.add(uri, anchor)
    valid = True  # the truth: has any change reached into the selected text?
    for x, y, new in session["edits"]:
        x, y = _safe(text, min(x, len(text))), _safe(text, min(y, len(text)))
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                start=position_at(text, x, encoding), end=position_at(text, y, encoding)
            ),
            text=new,
        )
        if y <= start:  # before the selection (an insertion at its start too): it moves
            shift = len(new) - (y - x)
            start, end = start + shift, end + shift
        elif x < end:  # reaches into the selection
            valid = False
        text = text[:x] + new + text[y:]
        # The server's own didChange path: its text update and the anchors it moves.
        follow = lambda c, joins: tracked.apply(uri, c, encoding, joins)  # noqa: E731
        set_document_text(document, apply_changes(document, [change], follow))
        document.version = (document.version or 0) + 1
    assert document.source == text  # the server's text follows the edits exactly
    ls = SimpleNamespace(workspace=SimpleNamespace(text_documents={uri: document}))
    try:
        edit, _ = build_edit(ls, uri, anchor, session["code"])  # type: ignore[arg-type]
    except EditRefused:
        return  # refusing is always safe
    assert valid, "an edit was built although the selected text had been changed"
    assert text[start:end] == selected
    (change,) = edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    for item in change.edits:
        assert isinstance(item, types.TextEdit)
        lo = offset_at(text, item.range.start, encoding)
        hi = offset_at(text, item.range.end, encoding)
        line_start = text.rfind("\n", 0, start) + 1
        assert line_start <= lo <= hi, "the edit starts before the selected text's line"
        next_line = types.Position(line=position_at(text, end).line + 1, character=0)
        assert hi <= offset_at(text, next_line), "the edit reaches past the selected text's line"


_LEDGER_COUNTS: dict[str, int] = {"fuzz examples": 0}


def test_record_fuzz_count(ledger: Ledger) -> None:
    ledger.count("fuzz examples", _LEDGER_COUNTS["fuzz examples"])
    ledger.row(
        "fuzz",
        f"{_LEDGER_COUNTS['fuzz examples']} random typing sessions during an answer",
        "edit on the selected text's lines only, or refused",
    )

"""Reading corpus cases and running one through the server's own edit path."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

import attrs
from lsprotocol import types
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec

from grok_lsp.assistant.anchor import Anchor, Span
from grok_lsp.assistant.edits import choose_block, code_blocks
from grok_lsp.assistant.proposal import AnswerDoesNotFit
from grok_lsp.server.delivery import build_edit
from tests.positions import offset_at, position_at

CASES = sorted((Path(__file__).parent / "cases").glob("*.case"))
SELECTION_START, SELECTION_END = "⟦", "⟧"
SECTIONS = ("document", "answer", "expected")


@attrs.frozen
class Case:
    """One answer to one selection, and the document the user should end up with.

    A `.case` file has `key: value` lines (origin, language, shape, and optionally
    `crlf: yes` and `outcome: not applied`), then the sections `=== document` (the
    selection between ⟦ and ⟧), `=== answer` and `=== expected`. Each section's text
    runs to the line break before the next section's line.
    """

    name: str
    origin: str
    language: str
    shape: str
    applied: bool
    document: str
    start: int
    end: int
    answer: str
    expected: str

    @property
    def selection(self) -> str:
        return self.document[self.start : self.end]


def read_case(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n=== document\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    document, _, rest = rest.partition("\n=== answer\n")
    answer, _, expected = rest.partition("\n=== expected\n")
    expected = expected.removesuffix("\n")
    if fields.get("crlf") == "yes":
        document, expected = document.replace("\n", "\r\n"), expected.replace("\n", "\r\n")
    start = document.index(SELECTION_START)
    end = document.index(SELECTION_END) - len(SELECTION_START)
    document = document.replace(SELECTION_START, "").replace(SELECTION_END, "")
    return Case(
        path.stem,
        fields["origin"],
        fields["language"],
        fields["shape"],
        fields.get("outcome", "applied") == "applied",
        document,
        start,
        end,
        answer,
        expected,
    )


def edit_document(case: Case) -> str:
    """The document after the server's edit for this answer (raises AnswerDoesNotFit)."""
    uri = f"file:///corpus/{case.name}"
    document = TextDocument(
        uri,
        case.document,
        version=1,
        language_id=case.language,
        position_codec=PositionCodec(types.PositionEncodingKind.Utf32),
    )
    block = choose_block(code_blocks(case.answer), case.language, case.selection)
    if block is None:
        raise AnswerDoesNotFit("no code block")
    start, end = position_at(case.document, case.start), position_at(case.document, case.end)
    anchor = Anchor(case.selection, Span(start.line, start.character, end.line, end.character))
    ls = SimpleNamespace(workspace=SimpleNamespace(text_documents={uri: document}))
    edit, _ = build_edit(ls, uri, anchor, block.code, block.is_diff)  # type: ignore[arg-type]
    (change,) = edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.version == 1
    text = case.document
    spans = [
        (offset_at(text, e.range.start), offset_at(text, e.range.end), e.new_text)
        for e in change.edits
        if isinstance(e, types.TextEdit)
    ]
    for (_, end_offset, _), (next_start, _, _) in itertools.pairwise(spans):
        assert end_offset <= next_start, "edits overlap"
    for begin, finish, new_text in reversed(spans):
        text = text[:begin] + new_text + text[finish:]
    return text

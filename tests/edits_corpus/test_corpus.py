"""Every corpus case: the answer, through the server's edit path, gives the expected document."""

from __future__ import annotations

import pytest

from grok_lsp.assistant.proposal import AnswerDoesNotFit
from tests.edits_corpus.corpus import CASES, edit_document, read_case


def test_the_corpus_is_large_and_covers_the_languages() -> None:
    cases = [read_case(path) for path in CASES]
    assert len(cases) >= 150
    languages = {case.language for case in cases}
    wanted = {"python", "javascript", "go", "rust", "c", "yaml", "makefile", "markdown", "json"}
    assert wanted <= languages, wanted - languages
    assert all(case.origin.strip() for case in cases)


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_case(path: object) -> None:
    case = read_case(path)  # type: ignore[arg-type]
    if not case.applied:
        with pytest.raises(AnswerDoesNotFit):
            edit_document(case)
        return
    assert edit_document(case) == case.expected, case.shape

"""One owner follows each anchor while a request, an explanation or a suggestion holds it."""

from __future__ import annotations

from lsprotocol import types

from grok_lsp.assistant.anchor import Anchor, Span
from grok_lsp.server.tracking import AnchoredAnswers, Suggestion

URI = "file:///w/a.py"


def anchor() -> Anchor:
    return Anchor("x = 1\n", Span(2, 0, 3, 0))


def explained(answers: AnchoredAnswers, uri: str = URI) -> Anchor:
    """An explanation delivered by a request that has ended, as `run_request` leaves it."""
    held = anchor()
    answers.follow_request(uri, held)
    answers.explain(uri, held, "It sets x.")
    answers.release_request(uri, held)
    return held


def suggested(answers: AnchoredAnswers, uri: str = URI) -> Suggestion:
    held = anchor()
    answers.follow_request(uri, held)
    suggestion = Suggestion("s1", uri, "Grok: Refactor", held, "x = 2\n")
    answers.suggest(suggestion)
    answers.release_request(uri, held)
    return suggestion


def test_an_ended_request_without_answer_leaves_nothing_followed() -> None:
    answers = AnchoredAnswers()
    held = anchor()
    answers.follow_request(URI, held)
    assert answers.followed(URI) == {held}
    answers.release_request(URI, held)
    assert answers.followed(URI) == frozenset()


def test_an_explanation_keeps_its_anchor_followed_after_the_request() -> None:
    answers = AnchoredAnswers()
    held = explained(answers)
    assert answers.followed(URI) == {held}
    assert answers.explanation(URI) == (held, "It sets x.")


def test_closing_the_document_stops_following_its_explanation() -> None:
    answers = AnchoredAnswers()
    explained(answers)
    answers.close(URI)
    assert answers.explanation(URI) is None
    assert answers.followed(URI) == frozenset()


def test_resetting_the_conversation_stops_following_its_explanation() -> None:
    answers = AnchoredAnswers()
    explained(answers)
    answers.forget_explanation(URI)
    assert answers.explanation(URI) is None
    assert answers.followed(URI) == frozenset()


def test_forgetting_an_explanation_keeps_a_running_request_followed() -> None:
    answers = AnchoredAnswers()
    explained(answers)
    running = anchor()
    answers.follow_request(URI, running)
    answers.close(URI)
    assert answers.followed(URI) == {running}


def test_a_new_explanation_replaces_the_old_one_and_its_anchor() -> None:
    answers = AnchoredAnswers()
    explained(answers)
    newer = explained(answers)
    assert answers.followed(URI) == {newer}


def test_a_suggestion_for_another_document_is_neither_taken_nor_lost() -> None:
    answers = AnchoredAnswers()
    suggestion = suggested(answers)
    assert answers.take_suggestion("s1", "file:///w/other.py") is None
    assert list(answers.suggestions()) == [suggestion]
    assert answers.followed(URI) == {suggestion.anchor}
    assert answers.take_suggestion("s1", URI) is suggestion
    assert list(answers.suggestions()) == []
    assert answers.followed(URI) == frozenset()


def test_a_renamed_document_takes_its_explanation_and_suggestions_along() -> None:
    answers = AnchoredAnswers()
    explanation = explained(answers)
    suggestion = suggested(answers)
    new = "file:///w/b.py"
    answers.rename(URI, new)
    assert answers.followed(URI) == frozenset()
    assert answers.followed(new) == {explanation, suggestion.anchor}
    assert answers.explanation(new) == (explanation, "It sets x.")
    assert answers.take_suggestion("s1", URI) is None
    assert answers.take_suggestion("s1", new) is suggestion


def test_followed_anchors_move_with_the_typing() -> None:
    answers = AnchoredAnswers()
    held = explained(answers)
    above = types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
    )
    answers.apply(URI, types.TextDocumentContentChangePartial(range=above, text="\n"), "utf-16")
    assert held.span == Span(3, 0, 4, 0)

"""Ranges that must follow their text while the user types, and what holds each of them.

One owner, `AnchoredAnswers`, decides when a range is followed: exactly while a running
request, an explanation (for hover) or a suggestion (editMode "preview") holds it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import attrs
from lsprotocol import types

from grok_lsp.assistant.anchor import Anchor


@attrs.define(eq=False)
class Suggestion:
    """An edit kept for review (editMode "preview"), applied later by `Grok: Apply suggestion`."""

    id: str
    uri: str
    title: str
    anchor: Anchor
    code: str
    is_diff: bool = False


class TrackedRanges:
    def __init__(self) -> None:
        self._by_uri: dict[str, set[Anchor]] = defaultdict(set)

    def add(self, uri: str, anchor: Anchor) -> None:
        self._by_uri[uri].add(anchor)

    def discard(self, uri: str, anchor: Anchor) -> None:
        anchors = self._by_uri.get(uri)
        if anchors is not None:
            anchors.discard(anchor)
            if not anchors:
                del self._by_uri[uri]

    def of(self, uri: str) -> frozenset[Anchor]:
        return frozenset(self._by_uri.get(uri, ()))

    def apply(
        self,
        uri: str,
        change: types.TextDocumentContentChangeEvent,
        encoding: str,
        joins_break: bool = False,
    ) -> None:
        """Follow one change, applied to the text the previous one left."""
        for anchor in self._by_uri.get(uri, ()):
            if not isinstance(change, types.TextDocumentContentChangePartial):
                anchor.invalidate()
            elif (
                joins_break
                and (span := anchor.span) is not None
                and (
                    (span.end_line, span.end_char)
                    > (change.range.start.line, change.range.start.character)
                )
            ):
                anchor.invalidate()  # "\r" + "\n" became one break: lines below moved unseen
            else:
                anchor.apply_change(change.range.start, change.range.end, change.text, encoding)

    def rename(self, old_uri: str, new_uri: str) -> None:
        if old_uri in self._by_uri:
            self._by_uri[new_uri] |= self._by_uri.pop(old_uri)


class AnchoredAnswers:
    """The one place that adds and drops anchors, explanations and suggestions."""

    def __init__(self) -> None:
        self._ranges = TrackedRanges()
        self._requests: dict[Anchor, int] = {}  # anchors of running requests, by holders
        self._explanations: dict[str, tuple[Anchor, str]] = {}  # by document, for hover
        self._suggestions: dict[str, Suggestion] = {}  # by id

    def follow_request(self, uri: str, anchor: Anchor) -> None:
        """A running request's selection: followed until `release_request`."""
        self._requests[anchor] = self._requests.get(anchor, 0) + 1
        self._ranges.add(uri, anchor)

    def release_request(self, uri: str, anchor: Anchor) -> None:
        held = self._requests.pop(anchor, 0) - 1
        if held > 0:
            self._requests[anchor] = held
        self._drop_if_unheld(uri, anchor)

    def explain(self, uri: str, anchor: Anchor, text: str) -> None:
        """The document's latest explanation; the one it replaces stops being followed."""
        previous = self._explanations.get(uri)
        self._explanations[uri] = (anchor, text)
        self._ranges.add(uri, anchor)
        if previous is not None:
            self._drop_if_unheld(uri, previous[0])

    def explanation(self, uri: str) -> tuple[Anchor, str] | None:
        return self._explanations.get(uri)

    def forget_explanation(self, uri: str) -> None:
        previous = self._explanations.pop(uri, None)
        if previous is not None:
            self._drop_if_unheld(uri, previous[0])

    def suggest(self, suggestion: Suggestion) -> None:
        self._suggestions[suggestion.id] = suggestion
        self._ranges.add(suggestion.uri, suggestion.anchor)

    def suggestions(self) -> Iterator[Suggestion]:
        return iter(list(self._suggestions.values()))

    def take_suggestion(self, suggestion_id: str, uri: str) -> Suggestion | None:
        """The pending suggestion with this id for this document, no longer pending.

        A wrong document leaves it pending: a stale or mistyped command destroys nothing.
        """
        suggestion = self._suggestions.get(suggestion_id)
        if suggestion is None or suggestion.uri != uri:
            return None
        del self._suggestions[suggestion_id]
        self._drop_if_unheld(uri, suggestion.anchor)
        return suggestion

    def close(self, uri: str) -> None:
        """The editor closed the document: its hover explanation goes (suggestions stay)."""
        self.forget_explanation(uri)

    def rename(self, old_uri: str, new_uri: str) -> None:
        self._ranges.rename(old_uri, new_uri)
        if old_uri in self._explanations:
            self._explanations[new_uri] = self._explanations.pop(old_uri)
        for suggestion in self._suggestions.values():
            if suggestion.uri == old_uri:
                suggestion.uri = new_uri

    def apply(
        self,
        uri: str,
        change: types.TextDocumentContentChangeEvent,
        encoding: str,
        joins_break: bool = False,
    ) -> None:
        """Follow one change of the document (see `TrackedRanges.apply`)."""
        self._ranges.apply(uri, change, encoding, joins_break)

    def followed(self, uri: str) -> frozenset[Anchor]:
        """The anchors followed in this document now."""
        return self._ranges.of(uri)

    def _drop_if_unheld(self, uri: str, anchor: Anchor) -> None:
        if anchor in self._requests:
            return
        if any(held is anchor for held, _ in self._explanations.values()):
            return
        if any(s.anchor is anchor for s in self._suggestions.values()):
            return
        self._ranges.discard(uri, anchor)

"""Ranges that must follow their text while the user types (answers, suggestions, hovers)."""

from __future__ import annotations

from collections import defaultdict

from lsprotocol import types

from grok_lsp.assistant.anchor import Anchor


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

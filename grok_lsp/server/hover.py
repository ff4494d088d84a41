"""Hovering inside an explained range shows the latest explanation."""

from __future__ import annotations

from lsprotocol import types

from grok_lsp.server.app import GrokLanguageServer


def register(ls: GrokLanguageServer) -> None:
    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: GrokLanguageServer, params: types.HoverParams) -> types.Hover | None:
        explained = ls.explanations.get(params.text_document.uri)
        if explained is None:
            return None
        anchor, text = explained
        span = anchor.span
        if span is None:
            return None
        here = (params.position.line, params.position.character)
        if not (span.start_line, span.start_char) <= here <= (span.end_line, span.end_char):
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=types.Range(
                start=types.Position(line=span.start_line, character=span.start_char),
                end=types.Position(line=span.end_line, character=span.end_char),
            ),
        )

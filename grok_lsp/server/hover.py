"""Hovering inside an explained range shows the latest explanation."""

from __future__ import annotations

import re

from lsprotocol import types

from grok_lsp.server.app import GrokLanguageServer
from grok_lsp.server.plain_text import gist

_LEADING_HEADINGS = re.compile(r"\A(?:\s*#{1,6}\s[^\n]*\n)+\s*")


def hover_text(answer: str) -> str:
    """The gist on the first line (one-line displays show only that), then the answer.

    The answer's opening headings ("## Explanation of x.py") go: the gist says more.
    """
    body = _LEADING_HEADINGS.sub("", answer.strip() + "\n").strip()
    first = gist(answer)
    if body.split("\n", 1)[0].strip() == first:  # already the answer's first line
        return body
    return f"{first}\n\n{body}" if body else first


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
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=hover_text(text)),
            range=types.Range(
                start=types.Position(line=span.start_line, character=span.start_char),
                end=types.Position(line=span.end_line, character=span.end_char),
            ),
        )

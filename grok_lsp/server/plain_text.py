"""Markdown answers as plain text, for places that show text as it is: progress, echo areas."""

from __future__ import annotations

import re

GIST_CHARS = 160

_FENCE = re.compile(r"`{3,}[\w+#.-]*|~{3,}[\w+#.-]*")  # a code fence and its language tag
_BACKTICKS = re.compile(r"`+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_QUOTE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$", re.MULTILINE)
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s")


def plain_text(markdown: str) -> str:
    """The words of a Markdown text without its syntax: no fences, backticks, #, ** or links.

    Works on any piece of a text (the tail of a streaming answer may cut a fence in two).
    """
    text = _FENCE.sub(" ", markdown)
    text = _BACKTICKS.sub("", text)
    text = _RULE.sub("", text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub("", text)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    return _EMPHASIS.sub(r"\2", text)


def gist(answer: str) -> str:
    """The answer's first sentence of prose, on one line: what a one-line display shows.

    Headings (an answer often opens with "## Explanation of x.py") and code say little
    on their own, so the first paragraph of prose is used.
    """
    for paragraph in _prose_paragraphs(answer):
        flat = " ".join(plain_text(paragraph).split())
        if not flat:
            continue
        sentence = _SENTENCE_END.split(flat, maxsplit=1)[0]
        if len(sentence) > GIST_CHARS:
            sentence = sentence[: GIST_CHARS - 1].rstrip() + "…"
        return sentence
    return " ".join(plain_text(answer).split())[:GIST_CHARS]


def _prose_paragraphs(answer: str) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    in_code = False
    for line in answer.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
            current = _close(paragraphs, current)
        elif in_code or not stripped or _HEADING.match(line) or _RULE.match(line):
            current = _close(paragraphs, current)
        else:
            current.append(line)
    _close(paragraphs, current)
    return paragraphs


def _close(paragraphs: list[str], current: list[str]) -> list[str]:
    if current:
        paragraphs.append("\n".join(current))
    return []

"""One position codec for every test: LSP positions <-> code-point offsets.

Lines break at "\\n", "\\r\\n" and "\\r" only, as in LSP; a position's character counts units
of the negotiated encoding ("utf-8", "utf-16", "utf-32"). Written apart from the server's
own conversions, so that tests do not check the server against itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lsprotocol import types

from grok_lsp.assistant.anchor import LineCharacter  # a type only: the codec is the tests' own

_BREAK = re.compile(r"\r\n|\r|\n")


def units(text: str, encoding: str) -> int:
    """How many units of the encoding the text takes."""
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def lines_of(text: str) -> list[str]:
    """Lines with their breaks; a text ending with a break has an empty last line."""
    lines, start = [], 0
    for match in _BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    lines.append(text[start:])
    return lines


def offset_at(
    text: str, position: LineCharacter, encoding: str = "utf-32", *, strict: bool = False
) -> int:
    """The code-point offset of a position; past the end of its line means the line's end
    (as LSP says), unless `strict`, where that and a position inside a character raise."""
    lines = lines_of(text)
    if position.line >= len(lines):
        if strict:
            raise ValueError(f"line {position.line} is past the last line")
        return len(text)
    before = sum(len(line) for line in lines[: position.line])
    content = _BREAK.sub("", lines[position.line])
    count = 0
    for index, char in enumerate(content):
        if count >= position.character:
            if strict and count != position.character:
                raise ValueError(f"{position} is inside a character")
            return before + index
        count += units(char, encoding)
    if strict and count != position.character:
        raise ValueError(f"{position} is past the end of its line")
    return before + len(content)


def position_at(text: str, offset: int, encoding: str = "utf-32") -> types.Position:
    """The LSP position of a code-point offset."""
    line, start = 0, 0
    for match in _BREAK.finditer(text):
        if match.end() > offset:
            break
        line, start = line + 1, match.end()
    return types.Position(line=line, character=units(text[start:offset], encoding))


def apply_edits(text: str, edits: Iterable[types.TextEdit], encoding: str) -> str:
    """The text after the edits, all computed against it (as LSP's TextEdit[] are)."""
    spans = sorted(
        (
            (
                offset_at(text, e.range.start, encoding),
                offset_at(text, e.range.end, encoding),
                e.new_text,
            )
            for e in edits
        ),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def whole_lines(first: int, last_exclusive: int) -> dict[str, Any]:
    """A JSON range over whole lines, as a command's `range` argument."""
    return {
        "start": {"line": first, "character": 0},
        "end": {"line": last_exclusive, "character": 0},
    }


# Every line of any test document: an end past the last line stands for the document's end.
WHOLE = whole_lines(0, 10_000)

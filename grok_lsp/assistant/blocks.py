"""What "the code at the cursor" means when nothing is selected: the enclosing block."""

from __future__ import annotations

from collections.abc import Sequence

_CLOSERS = ("}", "end", ")", "]", "</")


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


def _blank(line: str) -> bool:
    return not line.strip()


def enclosing_block(lines: Sequence[str], line: int) -> tuple[int, int]:
    """First and last line (inclusive) of the indentation block around `line`.

    Language-agnostic: the block starts at the nearest line above with less indentation
    (its header: `def`, `if`, `function ... {`), or at the cursor line when the next line is
    indented under it, and runs while lines are blank or indented deeper; a closing line at
    the header's indentation (`}`, `end`, ...) belongs to it. Top-level code without a
    header gives the paragraph around the cursor.
    """
    if not lines:
        return 0, 0
    line = max(0, min(line, len(lines) - 1))
    while line > 0 and _blank(lines[line]):
        line -= 1
    if _blank(lines[line]):
        return line, line
    start = line
    following = next((n for n in range(line + 1, len(lines)) if not _blank(lines[n])), None)
    if following is None or _indent(lines[following]) <= _indent(lines[line]):
        level = _indent(lines[line])
        header = next(
            (
                n
                for n in range(line - 1, -1, -1)
                if not _blank(lines[n]) and _indent(lines[n]) < level
            ),
            None,
        )
        if header is not None:
            start = header
        else:
            while start > 0 and not _blank(lines[start - 1]):
                start -= 1
            end = line
            while end + 1 < len(lines) and not _blank(lines[end + 1]):
                end += 1
            return start, end
    level = _indent(lines[start])
    end = start
    for n in range(start + 1, len(lines)):
        if _blank(lines[n]):
            continue
        if _indent(lines[n]) > level:
            end = n
            continue
        if _indent(lines[n]) == level and lines[n].strip().startswith(_CLOSERS):
            end = n
        break
    return start, end

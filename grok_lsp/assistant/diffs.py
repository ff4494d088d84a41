"""Applying a ```diff answer to the lines it was written against."""

from __future__ import annotations

from collections.abc import Callable

import attrs


@attrs.frozen
class Hunk:
    """Lines before (context and removed) and after (context and added) one change."""

    old: list[str]
    new: list[str]


class DiffDoesNotApply(Exception):
    """The diff's lines are not in the text it should change."""


def parse_hunks(diff: str) -> list[Hunk]:
    """The hunks of a unified diff; a diff without `@@` headers is one hunk.

    File headers (`---`, `+++`, `diff`, `index`) and "\\ No newline" notes are
    skipped. Models often drop the leading space of blank context lines, so an
    empty line counts as blank context.
    """
    hunks: list[Hunk] = []
    old: list[str] = []
    new: list[str] = []
    for line in diff.split("\n"):
        if line.startswith(("--- ", "+++ ", "diff ", "index ", "\\")):
            continue
        if line.startswith("@@"):
            hunks.append(_trimmed(old, new))
            old, new = [], []
        elif line.startswith("-"):
            old.append(line[1:])
        elif line.startswith("+"):
            new.append(line[1:])
        else:
            context = line[1:] if line.startswith(" ") else line
            old.append(context)
            new.append(context)
    hunks.append(_trimmed(old, new))
    return [hunk for hunk in hunks if hunk.old != hunk.new]


def _trimmed(old: list[str], new: list[str]) -> Hunk:
    """Without blank context lines at the end: a hunk's last line break often leaves one."""
    while old and new and not old[-1].strip() and not new[-1].strip():
        old, new = old[:-1], new[:-1]
    return Hunk(old, new)


def apply_hunks(lines: list[str], hunks: list[Hunk]) -> list[str]:
    """The lines with each hunk's old lines replaced by its new ones, hunks in order.

    A hunk's old lines are looked for exactly, then ignoring trailing spaces, then
    ignoring indentation (the model diffed the code dedented): its new lines then
    move by the same indentation. No match, or more than one, and nothing applies.
    """
    result = list(lines)
    position = 0
    for hunk in hunks:
        if not hunk.old:
            raise DiffDoesNotApply("a hunk adds lines without saying where")
        found = _find(result, hunk.old, position)
        if found is None:
            raise DiffDoesNotApply("its lines are not in the selected code")
        at, indent_from, indent_to = found
        new = [_move(line, indent_from, indent_to) for line in hunk.new]
        result[at : at + len(hunk.old)] = new
        position = at + len(new)
    return result


_LIKENESSES: list[Callable[[str, str], bool]] = [
    lambda a, b: a == b,
    lambda a, b: a.rstrip() == b.rstrip(),
    lambda a, b: a.strip() == b.strip(),
]


def _find(lines: list[str], old: list[str], start: int) -> tuple[int, str, str] | None:
    """Where `old` stands in `lines` (at or after `start`), and the indentation to move by."""
    for same in _LIKENESSES:
        places = [
            at
            for at in range(start, len(lines) - len(old) + 1)
            if all(same(lines[at + k], line) for k, line in enumerate(old))
        ]
        if len(places) > 1:
            return None  # ambiguous: applying at a guess could change the wrong lines
        if places:
            at = places[0]
            first = next((k for k, line in enumerate(old) if line.strip()), 0)
            return at, _indentation(old[first]), _indentation(lines[at + first])
    return None


def _move(line: str, indent_from: str, indent_to: str) -> str:
    if not line.strip():
        return ""
    if indent_from == indent_to:
        return line
    if line.startswith(indent_from):
        return indent_to + line[len(indent_from) :]
    return indent_to + line.lstrip(" \t")


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]

"""Where an answer's code goes in the document, and what exactly it replaces there.

The selection alone does not say enough: its first line's indentation stands
before it in the document when an editor selects from the first character, and
models answer with more than the selection (the whole enclosing function, the
line before it repeated) or with a diff. So the answer is placed against the
document around the selection. The edit never changes a line outside the
selection: lines the answer repeats from around it are recognised and left as
they are, and an answer that rewrites lines outside it is not applied.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import attrs

from grok_lsp.assistant.diffs import DiffDoesNotApply, apply_hunks, parse_hunks
from grok_lsp.assistant.edits import (
    SelectionEdges,
    code_lines_of,
    fit_to_selection,
    line_ending_of,
    line_opcodes,
    reindent,
    split_lines,
)

# How far around the selection an answer's repeated lines and a diff's context are looked for.
_CONTEXT_LINES = 2000
# At most this many lines touching the selection are recognised as repeated by their text alone.
_ADJACENT = 3
_LEADING_BLANKS = re.compile(r"(?:[ \t]*(?:\r\n|\r|\n))*")
_TRAILING = re.compile(r"(?:\r\n|\r|\n)[ \t\r\n]*\Z")
_WORDS = re.compile(r"\w{2,}")
# Lines too common to tell where an answer starts or ends when they are all it repeats.
_CLOSERS = frozenset({"end", "fi", "done", "esac", "endif", "else", "else:", "pass", "return"})
# How alike a changed header must be to the one above the selection to be taken for it.
_ALIKE = 0.75
_PUNCTUATION = re.compile(r"\s*[,;]\s*")
_MAKE_RULE = re.compile(r"[^\s#=][^=]*:(?!=)")


class NoSensibleEdit(Exception):
    """The answer cannot be placed without guessing; the message tells the user why."""


@attrs.frozen
class Placement:
    """Replace the document's text from `start` to `end` (code-point offsets) by `text`.

    `start` is the selection's start or the start of its line, when only indentation
    stands before the selection there; `end` is the selection's end.
    """

    start: int
    end: int
    text: str


def place_code(
    document: str,
    start: int,
    end: int,
    code: str,
    *,
    is_diff: bool = False,
    language_id: str | None = None,
) -> Placement:
    """The edit that puts the answer's `code` in place of `document[start:end]`.

    Raises NoSensibleEdit when a diff does not apply to the selection, or when the
    answer also changes lines outside the selection.
    """
    line_ending = line_ending_of(document)
    line_start = _line_start(document, start)
    prefix = document[line_start:start]
    region_start = line_start if not prefix.strip() else start
    selected = document[region_start:end]
    if not selected.strip():
        # An insertion point says nothing about the code around it: the code goes in as is.
        return Placement(start, end, fit_to_selection(code, document[start:end], line_ending))
    edges = SelectionEdges.of(selected, "" if region_start == line_start else prefix)
    context = _Context.around(document, region_start, end, selected, edges.mid_line)
    if is_diff:
        middle = _apply_diff(code, edges.body_lines, context)
    else:
        lines = code_lines_of(code)
        if region_start == line_start and not edges.leading:
            lines = _from_selection_as_sent(lines, edges.body_lines, prefix)
        middle = _fit_code(lines, edges.body_lines, context)
        middle = _without_line_ends(middle, edges.body_lines, prefix.strip(), context.rest.strip())
    middle = _as_in_document(middle, edges.body_lines)
    if (language_id or "").lower() == "makefile":
        middle = _recipes_with_tabs(middle, context.before)
    return Placement(region_start, end, edges.join(middle, line_ending))


@attrs.frozen
class _Context:
    """Whole lines of the document before and after the selection's body, without breaks."""

    before: list[str]
    after: list[str]
    document: str
    body_start: int  # offset of the body's first line
    rest: str = ""  # the rest of the selection's last line, when it ends mid-line

    @classmethod
    def around(
        cls, document: str, region_start: int, end: int, selected: str, mid_line: bool
    ) -> _Context:
        leading = _LEADING_BLANKS.match(selected)
        body_start = region_start + (leading.end() if leading else 0)
        before = [] if mid_line else _lines_before(document, body_start)
        trailing = _TRAILING.search(selected)
        rest = ""
        if trailing is not None:
            after_start = region_start + trailing.start() + len(_first_break(trailing[0]))
        else:
            line_end = _line_end(document, end)
            rest = document[end:line_end]
            if rest.strip() and not _PUNCTUATION.fullmatch(rest):
                return cls(before, [], document, body_start, rest)  # the selection ends mid-line
            # Only a comma or semicolon after it: the lines below still tell where it ends.
            after_start = line_end + len(_first_break(document[line_end : line_end + 2]))
        after = _lines_after(document, after_start)
        return cls(before, after, document, body_start, rest)

    @property
    def first_line(self) -> int:
        """The body's zero-based line; only counted for a message, as it reads the whole prefix."""
        return len(split_lines(self.document[: self.body_start]))


def _lines_before(document: str, offset: int) -> list[str]:
    """The last _CONTEXT_LINES lines before `offset` (a line start), read from a window of text."""
    cut = offset
    for _ in range(_CONTEXT_LINES + 1):
        cut = document.rfind("\n", 0, cut)
        if cut < 0:
            break
    lines = split_lines(document[max(cut, 0) : offset])
    if cut > 0:
        lines = lines[1:]  # the window starts on the break that ends an earlier line
    return _bare(lines[-_CONTEXT_LINES:])


def _lines_after(document: str, offset: int) -> list[str]:
    """The first _CONTEXT_LINES lines from `offset` (a line start)."""
    cut = offset
    for _ in range(_CONTEXT_LINES + 1):
        cut = document.find("\n", cut) + 1
        if cut == 0:
            cut = len(document)
            break
    return _bare(split_lines(document[offset:cut])[:_CONTEXT_LINES])


def _first_break(text: str) -> str:
    found = re.match(r"\r\n|\r|\n", text)
    return found[0] if found else ""


def _bare(lines: Sequence[str]) -> list[str]:
    return [line.rstrip("\r\n") for line in lines]


def _line_end(document: str, offset: int) -> int:
    found = re.compile(r"\r|\n").search(document, offset)
    return len(document) if found is None else found.start()


def _line_start(document: str, offset: int) -> int:
    return max(document.rfind("\n", 0, offset), document.rfind("\r", 0, offset)) + 1


def _from_selection_as_sent(code: list[str], body: list[str], indent: str) -> list[str]:
    """The code indented as the document would be, when it echoes the selection as it was sent.

    A selection that starts after its line's indentation reaches the model with its
    first line at column 0 and its other lines at their full indentation; models
    often answer in that shape. When the code has the selection's first line at
    column 0 and keeps the full indentation of the selection's other lines, its
    shallow lines (that first line, a comment or decorator added above it) are put
    back under the indentation that stands before the selection.
    """
    if not indent or not code:
        return code
    sent = [body[0][len(indent) :], *body[1:]]
    first = sent[0].strip()
    at = next((n for n, line in enumerate(code) if line.strip() == first), None)
    if at is None or _width(code[at]) != 0:
        return code
    old, new = [line.strip() for line in sent[1:]], [line.strip() for line in code[at + 1 :]]
    pairs = [
        (sent[1 + i], code[at + 1 + j])
        for tag, i1, i2, j1, _ in line_opcodes(old, new)
        if tag == "equal"
        for i, j in zip(range(i1, i2), range(j1, j1 + i2 - i1), strict=True)
        if old[i]
    ]
    if not pairs or any(_width(a) != _width(b) for a, b in pairs):
        return code
    width = _width(indent)
    return [indent + line if line.strip() and _width(line) < width else line for line in code]


def _fit_code(code: list[str], body: list[str], context: _Context) -> list[str]:
    """The code fitted to the selection, less the lines it repeats from around it."""
    if not code:
        return []
    if context.rest.strip() and context.after:
        body = [*body[:-1], body[-1] + context.rest.strip()]  # the line as it stands
    widened_before = _repeated_before(code, body, context.before)
    header = context.before[-widened_before] if widened_before else None
    widened_after = _repeated_after(code, body, context.after, header)
    repeated_before = context.before[len(context.before) - widened_before :]
    repeated_after = context.after[:widened_after]
    region = repeated_before + body + repeated_after
    fitted = reindent(code, region)
    if not (widened_before or widened_after):
        return _without_adjacent_repeats(fitted, body, context)
    outside = _changed_outside(region, fitted, len(repeated_before), len(repeated_after))
    if outside is not None:
        first, last = (context.first_line - len(repeated_before) + n + 1 for n in outside)
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        raise NoSensibleEdit(
            f"Grok's answer also changes {where}, outside the selection; select that code"
            " too and ask again"
        )
    return fitted[len(repeated_before) : len(fitted) - len(repeated_after)]


def _without_adjacent_repeats(fitted: list[str], body: list[str], context: _Context) -> list[str]:
    """The fitted code less lines that repeat, indentation included, those touching the selection.

    This catches what `_repeated_before` and `_repeated_after` leave alone because it is not
    telling (a docstring's closing quotes, a brace): only the exact line, where it stands.
    """
    same = [line.rstrip() for line in fitted]
    own = [line.rstrip() for line in body if line.strip()]
    start = 0
    for count in range(min(_ADJACENT, len(context.before), len(fitted) - 1), 0, -1):
        repeated = [line.rstrip() for line in context.before[-count:]]
        if same[:count] == repeated and any(repeated) and same[:count] != own[:count]:
            start = count
            break
    end = len(fitted)
    for count in range(min(_ADJACENT, len(context.after), len(fitted) - start - 1), 0, -1):
        repeated = [line.rstrip() for line in context.after[:count]]
        if same[len(same) - count :] == repeated and any(repeated) and own[-count:] != repeated:
            end = len(fitted) - count
            break
    return fitted[start:end]


def _without_line_ends(lines: list[str], body: list[str], before: str, after: str) -> list[str]:
    """Without the code that stands on the selection's lines before and after it, when repeated.

    A selection that starts or ends mid-line (`foo(a)` in `x = foo(a);`) is often answered
    with its whole line (`x = foo(b);`); the text outside the selection is already there.
    """
    lines = list(lines)
    texts = [n for n, line in enumerate(lines) if line.strip()]
    if not texts:
        return lines
    first, last = texts[0], texts[-1]
    if before and not body[0].lstrip().startswith(before):
        head = lines[first].lstrip()
        if head.startswith(before) and len(head) > len(before):
            lines[first] = head[len(before) :].lstrip()
    if after and not body[-1].rstrip().endswith(after):
        tail = lines[last].rstrip()
        if tail.endswith(after) and len(tail) > len(after):
            lines[last] = tail[: -len(after)].rstrip()
    return lines


def _repeated_before(code: list[str], body: list[str], before: list[str]) -> int:
    """How many lines just before the selection the code starts by repeating (0 if none).

    The code's first telling line (after at most a few lines like `{` that must repeat
    the lines above it exactly) must stand before the selection, no deeper than the
    selection (or be much like a line above it, less deep: its header), the code must
    not start with the selection's own first line, and at least half of the lines from
    there to the selection must be in the code: the answer then covers them too.
    """
    texts = [line.strip() for line in code if line.strip()]
    if not before or not texts or texts[0] == _first_text(body):
        return 0
    lead = next((n for n, text in enumerate(texts[: _ADJACENT + 1]) if _telling(text)), None)
    if lead is None:
        return 0
    first, depth = texts[lead], _depth(body)
    for index in range(len(before) - 1, -1, -1):
        line = before[index]
        # A header above the selection may come back changed (a renamed parameter).
        if (line.strip() == first and _width(line) <= depth) or (
            _width(line) < depth and _telling(line.strip()) and _alike(line.strip(), first)
        ):
            above = [text.strip() for text in before[:index] if text.strip()]
            if (lead and above[-lead:] != texts[:lead]) or not _mostly_in(
                before[index + 1 :], code
            ):
                return 0
            start, remaining = index, lead
            while remaining:  # up to the first of the lines repeated before the telling one
                start -= 1
                remaining -= bool(before[start].strip())
            return len(before) - start
    return 0


def _repeated_after(code: list[str], body: list[str], after: list[str], header: str | None) -> int:
    """How many lines just after the selection the code ends by repeating (0 if none).

    When the code starts above the selection (`header`), its last line is looked for
    in the rest of the header's block, up to its closing line (a brace, an `end`);
    otherwise it must be telling and stand no deeper than the selection.
    """
    last = _first_text(code[::-1])
    if not after or last is None or last == _first_text(body[::-1]):
        return 0
    if header is None:
        if not _telling(last):
            return 0
        depth = _depth(body)
        for index, line in enumerate(after):
            if line.strip() == last and _width(line) <= depth:
                return index + 1 if _mostly_in(after[: index + 1], code) else 0
        return 0
    level, found = _width(header), 0
    for index, line in enumerate(after):
        if line.strip() and _width(line) < level:
            break
        if line.strip() == last:
            found = index + 1
        if line.strip() and _width(line) == level:
            break  # the block's closing line, or the next statement at the header's level
    return found if found and _mostly_in(after[:found], code) else 0


def _changed_outside(
    region: list[str], fitted: list[str], before: int, after: int
) -> tuple[int, int] | None:
    """The first and last region line outside the body that the code changes, if any."""
    body_end = len(region) - after
    old = [line.rstrip() for line in region]
    new = [line.rstrip() for line in fitted]
    outside: list[int] = []
    for tag, i1, i2, _, _ in line_opcodes(old, new):
        if tag == "equal":
            continue
        if tag == "insert":
            if not before <= i1 <= body_end:
                outside.append(min(max(i1, 0), len(region) - 1))
            continue
        outside.extend(n for n in range(i1, i2) if n < before or n >= body_end)
    return (min(outside), max(outside)) if outside else None


def _apply_diff(diff: str, body: list[str], context: _Context) -> list[str]:
    """The selection's lines with the diff applied; its context may reach around them."""
    hunks = parse_hunks(diff)
    if not hunks:
        raise NoSensibleEdit("Grok's diff changes nothing")
    try:
        return apply_hunks(body, hunks)
    except DiffDoesNotApply:
        pass  # the diff's context may stand outside the selection: try with the lines around
    window = context.before + body + context.after
    try:
        changed = apply_hunks(window, hunks)
    except DiffDoesNotApply as error:
        raise NoSensibleEdit(f"Grok's diff does not apply: {error}") from None
    before, after = len(context.before), len(context.after)
    if (
        len(changed) < before + after
        or changed[:before] != context.before
        or changed[len(changed) - after :] != context.after
    ):
        raise NoSensibleEdit(
            "Grok's diff also changes lines outside the selection; select that code too and"
            " ask again"
        )
    return changed[before : len(changed) - after]


def _as_in_document(lines: list[str], body: list[str]) -> list[str]:
    """Lines the model only stripped of trailing spaces stay as the document has them."""
    old = [line.rstrip() for line in body]
    if all(len(a) == len(b) for a, b in zip(old, body, strict=True)):
        return lines  # no trailing spaces to keep
    new = [line.rstrip() for line in lines]
    result = list(lines)
    for tag, i1, i2, j1, j2 in line_opcodes(old, new):
        if tag == "equal":
            result[j1:j2] = body[i1:i2]
    return result


def _recipes_with_tabs(lines: list[str], before: list[str]) -> list[str]:
    """Makefile recipe lines must start with a tab; models often indent them with spaces."""
    previous = next((line for line in reversed(before) if line.strip()), "")
    result = []
    for line in lines:
        if line.startswith(" ") and line.strip() and _in_rule(previous):
            line = "\t" + line.lstrip(" ")
        result.append(line)
        if line.strip():
            previous = line
    return result


def _in_rule(line: str) -> bool:
    return line.startswith("\t") or _MAKE_RULE.match(line) is not None


def _first_text(lines: Sequence[str]) -> str | None:
    return next((line.strip() for line in lines if line.strip()), None)


def _telling(line: str) -> bool:
    """Distinctive enough to say where the answer starts or ends: not a lone brace or `end`."""
    return bool(_WORDS.search(line)) and line not in _CLOSERS


def _alike(a: str, b: str) -> bool:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= _ALIKE and matcher.ratio() >= _ALIKE


def _mostly_in(lines: list[str], code: list[str]) -> bool:
    wanted = [line.strip() for line in lines if line.strip()]
    have = [line.strip() for line in code if line.strip()]
    matched = sum(i2 - i1 for tag, i1, i2, _, _ in line_opcodes(wanted, have) if tag == "equal")
    return 2 * matched >= len(wanted)


def _width(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


def _depth(body: list[str]) -> int:
    return min((_width(line) for line in body if line.strip()), default=0)

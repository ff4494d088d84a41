"""Turning an answer into the smallest edit of the selected range.

The model answers in Markdown; the code to put in place of the selection is in a
fenced block. It rarely keeps the selection's indentation, line endings or final
newline, and rewriting lines that did not change would move the user's cursor and
blow up the undo step, so the answer is fitted to the selection first and then
diffed against it line by line.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import math
import re

import attrs

_OPENING_FENCE = re.compile(r"(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)")
_INFO_TAG = re.compile(r"[\w+#-]+")
_OTHER_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")

# Fence tags that models write for an LSP language id.
_LANGUAGE_TAGS: dict[str, frozenset[str]] = {
    "python": frozenset({"py", "python3"}),
    "javascript": frozenset({"js", "node"}),
    "javascriptreact": frozenset({"jsx", "js"}),
    "typescript": frozenset({"ts"}),
    "typescriptreact": frozenset({"tsx", "ts"}),
    "shellscript": frozenset({"sh", "bash", "shell", "zsh"}),
    "cpp": frozenset({"c++", "cc", "cxx", "hpp"}),
    "csharp": frozenset({"cs", "c#"}),
    "fsharp": frozenset({"fs", "f#"}),
    "go": frozenset({"golang"}),
    "rust": frozenset({"rs"}),
    "ruby": frozenset({"rb"}),
    "kotlin": frozenset({"kt"}),
    "haskell": frozenset({"hs"}),
    "perl": frozenset({"pl"}),
    "powershell": frozenset({"ps1", "pwsh"}),
    "objective-c": frozenset({"objc"}),
    "markdown": frozenset({"md"}),
    "yaml": frozenset({"yml"}),
    "makefile": frozenset({"make"}),
    "dockerfile": frozenset({"docker"}),
}


@attrs.frozen
class CodeBlock:
    """One fenced block of an answer: its info string's first word (lowercase) and its text."""

    tag: str
    code: str

    @property
    def is_diff(self) -> bool:
        """A ```diff or ```patch block, or one that reads as a unified diff whatever its tag."""
        if self.tag in _DIFF_TAGS:
            return True
        lines = self.code.split("\n")
        return any(line.startswith("@@ ") for line in lines) and all(
            line[:1] in _DIFF_LINE_MARKS or line.startswith(("--- ", "+++ ", "diff ", "index "))
            for line in lines
        )


_DIFF_TAGS = frozenset({"diff", "patch", "udiff"})
_DIFF_LINE_MARKS = frozenset({"+", "-", " ", "@", "\\", ""})
# Tags of blocks that show how to run or call the code, not the code itself.
_COMMAND_TAGS = frozenset({"bash", "sh", "shell", "console", "terminal", "shell-session", "text"})
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_MOST_TOKENS = 600  # enough to tell blocks apart; keeps the comparison fast on huge answers


def code_blocks(answer: str) -> list[CodeBlock]:
    """The answer's fenced blocks, in order."""
    return _code_blocks(answer.replace("\r\n", "\n").replace("\r", "\n"))


def extract_code(
    answer: str, language_id: str | None = None, selection: str | None = None
) -> str | None:
    """The code of the answer's fenced block, without a final newline; None without a block.

    Blocks open with ``` or ~~~ (with or without an info string) and close with a
    fence of the same character at least as long; a block left open runs to the
    end of the answer, since a stream may be cut short. `choose_block` says which
    block counts when there are several.
    """
    block = choose_block(code_blocks(answer), language_id, selection)
    return None if block is None else block.code


def choose_block(
    blocks: list[CodeBlock], language_id: str | None = None, selection: str | None = None
) -> CodeBlock | None:
    """The block meant to replace the selection.

    Models add a usage example, a test or a shell command next to the code, often
    longer than it. So the block that shares most of the selection's words wins
    (a rewrite keeps most names; an example only calls the function); a block
    tagged with the document's language, then an untagged one, then the first
    breaks ties. Without a selection to compare with, the longest block in the
    document's language wins.
    """
    if len(blocks) < 2:
        return blocks[0] if blocks else None
    tags = set()
    if language_id:
        tags = {language_id.lower()} | _LANGUAGE_TAGS.get(language_id.lower(), frozenset())
    words = set(_WORD.findall(selection or ""))
    if not words:
        matching = [block for block in blocks if block.tag in tags] or blocks
        return max(matching, key=lambda block: len(block.code))
    selection_tokens = _TOKEN.findall(selection or "")[:_MOST_TOKENS]

    def score(numbered: tuple[int, CodeBlock]) -> tuple[float, int, int]:
        index, block = numbered
        old_side = _old_side(block)
        shared = len(words & set(_WORD.findall(old_side))) / len(words)
        # How much of the selection's token sequence the block keeps, in order.
        tokens = _TOKEN.findall(old_side)[:_MOST_TOKENS]
        likeness = difflib.SequenceMatcher(None, selection_tokens, tokens).ratio()
        closeness = (shared + likeness) / 2
        if block.tag in _COMMAND_TAGS:
            closeness /= 2
        tag_rank = 2 if block.tag in tags or block.is_diff else 1 if not block.tag else 0
        return (round(closeness, 2), tag_rank, -index)

    return max(enumerate(blocks), key=score)[1]


def _old_side(block: CodeBlock) -> str:
    """What a block says about the code before it: a diff's context and removed lines."""
    if not block.is_diff:
        return block.code
    lines = block.code.split("\n")
    return "\n".join(line[1:] for line in lines if line[:1] in " -" and not line.startswith("---"))


def _code_blocks(text: str) -> list[CodeBlock]:
    lines = text.split("\n")
    blocks = []
    index = 0
    while index < len(lines):
        opening = _OPENING_FENCE.fullmatch(lines[index])
        index += 1
        if opening is None or (opening["fence"][0] == "`" and "`" in opening["info"]):
            continue
        end = _block_end(lines, index, opening["fence"], len(opening["indent"]), nesting=True)
        if end == len(lines):  # never closed: maybe a fence inside it only looked like an opening
            end = _block_end(lines, index, opening["fence"], len(opening["indent"]), nesting=False)
        content = [_remove_spaces(line, len(opening["indent"])) for line in lines[index:end]]
        if end == len(lines) and content and content[-1] == "":
            content.pop()  # the line break that ended an unterminated answer
        index = end + 1
        tag = _INFO_TAG.match(opening["info"].strip().lstrip("{."))
        blocks.append(CodeBlock(tag[0].lower() if tag else "", "\n".join(content)))
    return blocks


def _block_end(lines: list[str], start: int, fence: str, indent: int, nesting: bool) -> int:
    """The index of the line that closes the block opened by `fence`, or len(lines).

    Models nest fences of the same length (a ```markdown answer holding a ```sh
    example, a ```diff of a Markdown file), which CommonMark would close early. So
    a fence with an info string opens an inner block that the next bare fence
    closes, and a bare fence indented deeper than the opening one is content.
    """
    character = re.escape(fence[0])
    bare = re.compile(rf"( *){character}{{{len(fence)},}}[ \t]*")
    inner = re.compile(rf" *{character}{{{len(fence)},}}[ \t]*[^\s`].*")
    depth = 0
    for index in range(start, len(lines)):
        closing = bare.fullmatch(lines[index])
        if closing is not None:
            if depth:
                depth -= 1
            elif len(closing[1]) <= max(indent, 0 if nesting else 3):
                return index
        elif nesting and inner.fullmatch(lines[index]):
            depth += 1
    return len(lines)


def _remove_spaces(line: str, count: int) -> str:
    """Remove up to `count` leading spaces: a fence indented by N indents its content by N."""
    stripped = line.lstrip(" ")
    return line[min(count, len(line) - len(stripped)) :]


def line_ending_of(text: str) -> str:
    """ "\\r\\n" when the text's first line break is CRLF, else "\\n"."""
    first_break = re.search(r"\r\n|\n|\r", text)
    return "\r\n" if first_break is not None and first_break[0] == "\r\n" else "\n"


def fit_to_selection(code: str, selection: str, line_ending: str, line_prefix: str = "") -> str:
    """The code as it should stand in place of the selection.

    `line_prefix` is the document's text on the selection's first line before the
    selection: its indentation when an editor selects from the first character (a
    common way to select), code when the selection starts mid-line. It is read
    from the document, never guessed from the selection.

    - Line breaks become `line_ending`.
    - The selection's leading blank lines and its trailing line break (with what
      follows it: blank lines, the next line's indentation) are kept exactly, and
      the code's own blank edges are dropped. So a selection ending with a newline
      gives a result ending with one, and one without gives a result without.
    - Indentation: the code's common indentation is replaced by that of the
      selected lines (the first with its `line_prefix`), and relative indentation
      inside the code follows the selection's choice of tabs or spaces. Lines the
      answer adds at the code's outer level (a comment, a decorator, a helper)
      land at the selection's outer level.
    - A blank selection says nothing about indentation: the code is kept as is.
    """
    edges = SelectionEdges.of(selection, line_prefix)
    code_lines = code_lines_of(code)
    return edges.join(reindent(code_lines, edges.body_lines), line_ending)


def code_lines_of(code: str) -> list[str]:
    """The code's lines without line breaks and without blank lines at either end."""
    lines = _normalize_breaks(code).strip("\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)  # strip("\n") leaves whitespace-only first lines
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


@attrs.frozen
class SelectionEdges:
    """A selection split into what an answer replaces (its body) and the edges kept as they are.

    `body_lines` are whole lines as they stand in the document: the first one carries
    the document's indentation before the selection (`indent`), cut off again by
    `join`. A selection starting mid-line, after code, has `mid_line` set.
    """

    leading: str  # blank lines before the body, kept exactly
    body_lines: list[str]
    tail: str  # the break after the body and what follows it up to the selection's end
    indent: str
    mid_line: bool

    @classmethod
    def of(cls, selection: str, line_prefix: str = "") -> SelectionEdges:
        selection = _normalize_breaks(selection)
        trailing = re.search(r"\n[ \t\n]*\Z", selection)
        rest, tail = (
            (selection, "") if trailing is None else (selection[: trailing.start()], trailing[0])
        )
        leading = re.match(r"(?:[ \t]*\n)*", rest)
        assert leading is not None  # the pattern matches the empty string
        body = rest[leading.end() :]
        prefix = "" if leading[0] else line_prefix
        mid_line = bool(prefix.strip())
        indent = _indentation(prefix) if mid_line else prefix
        lines = body.split("\n")
        if mid_line:
            lines[0] = lines[0].lstrip(" \t")
        lines[0] = indent + lines[0]
        return cls(leading[0], lines, tail, indent, mid_line)

    def join(self, fitted: list[str], line_ending: str) -> str:
        """The replacement text for the selection from fitted body lines."""
        lines = list(fitted)
        if lines and self.body_lines[0].strip():
            first = lines[0]
            lines[0] = (
                first[len(self.indent) :]
                if first.startswith(self.indent) and not self.mid_line
                else first.lstrip(" \t")
            )
        text = "\n".join(lines).rstrip()
        return (self.leading + text + self.tail).replace("\n", line_ending)


def _normalize_breaks(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def reindent(code: list[str], selection: list[str]) -> list[str]:
    """The code lines moved from their common indentation to the selection lines' common one."""
    if not any(line.strip() for line in selection) or not code:
        return code
    indenter = _Indenter.between(code, selection)
    target, reference = _common_indentation(selection), _common_indentation(code)
    return [indenter.shift(line, reference, target) for line in code]


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _common_indentation(lines: list[str]) -> str:
    return _shared_prefix([_indentation(line) for line in lines if line.strip()])


def _shared_prefix(strings: list[str]) -> str:
    """The longest common prefix, character by character (the first and last sorted suffice)."""
    first, last = min(strings), max(strings)
    for index, (a, b) in enumerate(zip(first, last, strict=False)):
        if a != b:
            return first[:index]
    return first


@attrs.frozen
class _Indenter:
    """Moves code lines to a new indentation, in the selection's tabs or spaces."""

    character: str | None  # the selection's: "\t", " ", or None when mixed or unindented
    selection_width: int  # spaces per level, to turn the code's tabs into spaces
    code_width: int  # spaces per level, to turn the code's spaces into tabs

    @classmethod
    def between(cls, code: list[str], selection: list[str]) -> _Indenter:
        indents = _level_indents(selection)
        characters = {indent[0] for indent in indents if indent}
        character = characters.pop() if len(characters) == 1 else None
        return cls(character, _level_width(indents), _level_width(_level_indents(code)))

    def shift(self, line: str, reference: str, target: str) -> str:
        """Replace `reference` by `target` at the start of the line's indentation."""
        if not line.strip():
            return ""
        indentation = _indentation(line)
        relative = indentation[len(_shared_prefix([reference, indentation])) :]
        return target + self._convert(relative) + line.lstrip(" \t")

    def _convert(self, relative: str) -> str:
        if self.character == "\t" and relative.startswith(" "):
            spaces = len(relative) - len(relative.lstrip(" "))
            levels, rest = divmod(spaces, self.code_width)
            return "\t" * levels + " " * rest + relative[spaces:]
        if self.character == " " and relative.startswith("\t"):
            tabs = len(relative) - len(relative.lstrip("\t"))
            return " " * (self.selection_width * tabs) + relative[tabs:]
        return relative


def _level_indents(lines: list[str]) -> list[str]:
    """Indentations that tell the levels: not blank lines, not a block comment's ` * ` lines."""
    return [_indentation(line) for line in lines if line.strip() and line.lstrip()[0] != "*"]


def _level_width(indents: list[str]) -> int:
    """The greatest common width of space indentations; 4 when there are none."""
    widths = [len(indent) - len(indent.lstrip(" ")) for indent in indents]
    return math.gcd(*widths) or 4


@attrs.frozen
class Position:
    """A place in the document: zero-based line, and character counted in code points.

    Code points are Python string indices; the server converts them to the
    client's position encoding, for which it needs the line's text.
    """

    line: int
    character: int


@attrs.frozen
class Replacement:
    """Replace the text from `start` to `end` (end exclusive) by `new_text`."""

    start: Position
    end: Position
    new_text: str


def split_lines(text: str) -> list[str]:
    """The text's lines, each with its line break: "\\n", "\\r\\n" or "\\r", as LSP counts lines.

    Not `str.splitlines`, which also breaks at form feeds and Unicode separators
    where editors do not.
    """
    if _OTHER_BREAKS.search(text) is None:
        return text.splitlines(keepends=True)  # the same lines, ~5x faster
    return _LINE.findall(text)


def line_edits(old: str, new: str, start: Position) -> list[Replacement]:
    """The replacements that turn `old`, found in the document at `start`, into `new`.

    Whole lines are replaced, and only those that change: an unchanged line is
    never inside a replacement, so the editor keeps its cursors, folds and marks
    there. A last line without a line break is compared as if it had one, so
    adding lines after it inserts at its end instead of rewriting it; only a
    change of the final line break itself touches a break. The replacements are
    sorted, separated by unchanged text, and apply all at once to the original
    text, as LSP applies a `TextEdit[]`.
    """
    line_ending = line_ending_of(old + new)
    old_whole, new_whole = _terminated(old, line_ending), _terminated(new, line_ending)
    old_lines, new_lines = split_lines(old_whole), split_lines(new_whole)
    old_starts = list(itertools.accumulate(map(len, old_lines), initial=0))
    new_starts = list(itertools.accumulate(map(len, new_lines), initial=0))
    opcodes = line_opcodes(old_lines, new_lines)
    changes = [
        (old_starts[i1], old_starts[i2], new_whole[new_starts[j1] : new_starts[j2]])
        for tag, i1, i2, j1, j2 in opcodes
        if tag != "equal"
    ]
    if (old_whole, new_whole) != (old, new):
        # Redo the end against the real texts: the added line break is not there.
        tag, _, _, j1, _ = opcodes[-1]
        old_from, new_from = len(old_whole), len(new_whole)
        if tag != "equal":
            old_from, new_from = changes.pop()[0], new_starts[j1]
        if old_from > len(old) or new_from > len(new):
            # The text before ends with a line break on both sides: start before it.
            old_from, new_from = old_from - len(line_ending), new_from - len(line_ending)
        if old[old_from:] != new[new_from:]:
            changes.append((old_from, len(old), new[new_from:]))
    locate = _Locator(old, start)
    return [Replacement(locate(begin), locate(end), text) for begin, end, text in changes]


def _terminated(text: str, line_ending: str) -> str:
    return text + line_ending if text and not text.endswith(("\n", "\r")) else text


class _Locator:
    """Document positions of offsets into a text that starts at `start`."""

    def __init__(self, text: str, start: Position) -> None:
        lines = split_lines(text)
        self._starts = list(itertools.accumulate(map(len, lines), initial=0))
        if lines and not lines[-1].endswith(("\n", "\r")):
            self._starts.pop()  # the end of the text is on its last line, not a new one
        self._start = start

    def __call__(self, offset: int) -> Position:
        index = bisect.bisect_right(self._starts, offset) - 1
        column = offset - self._starts[index]
        if index == 0:
            return Position(self._start.line, self._start.character + column)
        return Position(self._start.line + index, column)


def line_opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes, anchored first on lines found once on each side (patience diff).

    SequenceMatcher alone takes ~100 ms on a 2,000-line answer with scattered changes;
    between anchors the gaps are small.
    """
    blocks: list[tuple[int, int, int]] = []
    _match(old, new, 0, len(old), 0, len(new), blocks)
    blocks.append((len(old), len(new), 0))
    opcodes: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for a, b, size in blocks:
        tag = "replace" if i < a and j < b else "delete" if i < a else "insert" if j < b else ""
        if tag:
            opcodes.append((tag, i, a, j, b))
        if size:
            if opcodes and opcodes[-1][0] == "equal":
                opcodes[-1] = ("equal", opcodes[-1][1], a + size, opcodes[-1][3], b + size)
            else:
                opcodes.append(("equal", a, a + size, b, b + size))
        i, j = a + size, b + size
    return opcodes or [("equal", 0, 0, 0, 0)]


def _match(
    old: list[str],
    new: list[str],
    lo1: int,
    hi1: int,
    lo2: int,
    hi2: int,
    blocks: list[tuple[int, int, int]],
) -> None:
    start = lo1
    while lo1 < hi1 and lo2 < hi2 and old[lo1] == new[lo2]:
        lo1, lo2 = lo1 + 1, lo2 + 1
    if lo1 > start:
        blocks.append((start, lo2 - (lo1 - start), lo1 - start))
    end = hi1
    while hi1 > lo1 and hi2 > lo2 and old[hi1 - 1] == new[hi2 - 1]:
        hi1, hi2 = hi1 - 1, hi2 - 1
    anchors = _unique_common(old, new, lo1, hi1, lo2, hi2)
    if anchors:
        for a, b in anchors:
            _match(old, new, lo1, a, lo2, b, blocks)
            blocks.append((a, b, 1))
            lo1, lo2 = a + 1, b + 1
        _match(old, new, lo1, hi1, lo2, hi2, blocks)
    elif lo1 < hi1 and lo2 < hi2:
        matcher = difflib.SequenceMatcher(None, old[lo1:hi1], new[lo2:hi2], autojunk=False)
        blocks.extend((lo1 + a, lo2 + b, n) for a, b, n in matcher.get_matching_blocks() if n)
    if hi1 < end:
        blocks.append((hi1, hi2, end - hi1))


def _unique_common(
    old: list[str], new: list[str], lo1: int, hi1: int, lo2: int, hi2: int
) -> list[tuple[int, int]]:
    """Lines found exactly once on each side, in the longest order both sides agree on."""
    counts: dict[str, list[int]] = {}
    for index in range(lo1, hi1):
        entry = counts.setdefault(old[index], [0, index, 0, 0])
        entry[0] += 1
    for index in range(lo2, hi2):
        found = counts.get(new[index])
        if found is not None:
            found[2] += 1
            found[3] = index
    pairs = sorted((e[1], e[3]) for e in counts.values() if e[0] == 1 and e[2] == 1)
    # Longest increasing run of new-side indexes (patience sorting).
    tails: list[int] = []
    links: list[int] = []
    ends: list[int] = []
    for position, (_, b) in enumerate(pairs):
        slot = bisect.bisect_left(tails, b)
        links.append(ends[slot - 1] if slot else -1)
        if slot == len(tails):
            tails.append(b)
            ends.append(position)
        else:
            tails[slot] = b
            ends[slot] = position
    chain: list[tuple[int, int]] = []
    at = ends[-1] if ends else -1
    while at >= 0:
        chain.append(pairs[at])
        at = links[at]
    return chain[::-1]

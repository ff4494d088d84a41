"""An answer becomes the smallest edit of the selection that keeps the user's layout."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygls.workspace import TextDocument

from grok_lsp.assistant.anchor import Anchor, Span
from grok_lsp.assistant.edits import (
    CodeBlock,
    Position,
    Replacement,
    choose_block,
    code_blocks,
    extract_code,
    fit_to_selection,
    line_edits,
    line_ending_of,
    split_lines,
)
from grok_lsp.assistant.placement import NoSensibleEdit, place_code
from grok_lsp.assistant.proposal import preview_diff
from grok_lsp.server.delivery import apply_code
from tests.positions import offset_at

FAST = settings(max_examples=200, deadline=None)


def offset_of(document: str, position: Position) -> int:
    return offset_at(document, position, strict=True)


def apply_replacements(document: str, replacements: list[Replacement]) -> str:
    """Apply edits the way an LSP client does: all relative to the original text."""
    spans = [
        (offset_of(document, r.start), offset_of(document, r.end), r.new_text) for r in replacements
    ]
    for (_, end, _), (next_start, _, _) in itertools.pairwise(spans):
        assert end <= next_start, "replacements overlap or are not sorted"
    for start, end, text in reversed(spans):
        assert start <= end
        document = document[:start] + text + document[end:]
    return document


def end_of(document: str) -> Position:
    lines = split_lines(document)
    if not lines:
        return Position(0, 0)
    if lines[-1].endswith(("\n", "\r")):
        return Position(len(lines), 0)
    return Position(len(lines) - 1, len(lines[-1]))


# -- extract_code ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "language", "code"),
    [
        ("no code here", None, None),
        ("```\nx = 1\n```", None, "x = 1"),
        ("~~~python\nx = 1\n~~~\n", "python", "x = 1"),
        ("Sure:\r\n```python\r\nx = 1\r\ny = 2\r\n```\r\nDone.", "python", "x = 1\ny = 2"),
        ("```python\nx = 1\n", "python", "x = 1"),  # the stream stopped before the fence closed
        ("```python\nx = 1", "python", "x = 1"),
        ("```\n```", None, ""),
        # The longest block wins when none names the language...
        ("```\na\n```\ntext\n```\nlonger\n```", None, "longer"),
        # ...but one in the document's language beats a longer shell command.
        ("```bash\npip install something-long\n```\n```py\nx = 1\n```", "python", "x = 1"),
        ("```tsx\n<A/>\n```\n```css\n.a { color: red; }\n```", "typescriptreact", "<A/>"),
        ("```Python title=a.py\nx\n```\n```\nyy\n```", "python", "x"),
        # A longer fence may contain a shorter one; a tilde fence is not closed by backticks.
        ("````md\n```\ninner\n```\n````", "markdown", "```\ninner\n```"),
        ("~~~\na\n```\nb\n~~~", None, "a\n```\nb"),
        # An indented fence indents its content: that indentation is not part of the code.
        ("  ```\n  if x:\n      y\n  ```", None, "if x:\n    y"),
        # Inline code spans are not blocks.
        ("use ``` `x` ``` inline", None, None),
    ],
)
def test_extract_code(answer: str, language: str | None, code: str | None) -> None:
    assert extract_code(answer, language) == code


# -- line_ending_of -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ending"),
    [("", "\n"), ("one line", "\n"), ("a\nb\r\n", "\n"), ("a\r\nb\n", "\r\n"), ("a\rb", "\n")],
)
def test_line_ending_of(text: str, ending: str) -> None:
    assert line_ending_of(text) == ending


# -- fit_to_selection -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "selection", "line_ending", "fitted", "line_prefix"),
    [
        # The model dropped the indentation of a method: it is put back.
        (
            "def f(self):\n    return 2\n",
            "    def f(self):\n        return 1\n",
            "\n",
            "    def f(self):\n        return 2\n",
            "",
        ),
        # The model indented more than the selection: it is taken away.
        ("        x = 1\n        y = 2", "x = 0\ny = 0\n", "\n", "x = 1\ny = 2\n", ""),
        # No final newline in the selection: none in the result, whatever the code had.
        ("x = 1\n\n\n", "x = 0", "\n", "x = 1", ""),
        ("x = 1", "x = 0\n", "\n", "x = 1\n", ""),
        # Line endings follow the document.
        ("a\nb\n", "a\r\nc\r\n", "\r\n", "a\r\nb\r\n", ""),
        ("a\r\nb", "a\nc", "\n", "a\nb", ""),
        # A selection starting after the indentation (as editors select): the document's
        # indentation before it counts as the first line's.
        (
            "def f():\n    return 2",
            "def f():\n        return 1\n",
            "\n",
            "def f():\n        return 2\n",
            "    ",
        ),
        (
            "    def f():\n        return 2",
            "def f():\n        return 1",
            "\n",
            "def f():\n        return 2",
            "    ",
        ),
        # ...and a line the answer adds above stands at that indentation, not deeper.
        (
            "@cache\ndef f():\n    return 2",
            "def f():\n        return 1",
            "\n",
            "@cache\n    def f():\n        return 2",
            "    ",
        ),
        # A top-level selection keeps column 0 for every line the answer adds there
        # (the Grok: Document answer).
        (
            "# stddev: documented.\ndef stddev(values):\n    m = mean(values)\n    return m\n",
            "def stddev(values):\n    m = mean(values)\n    return m\n",
            "\n",
            "# stddev: documented.\ndef stddev(values):\n    m = mean(values)\n    return m\n",
            "",
        ),
        ("def f():\n    return 2", "def f():\n    return 1", "\n", "def f():\n    return 2", ""),
        # A selection starting mid-line, after code: its first line continues that code.
        ("g(\n    a)", "f(\n        b)", "\n", "g(\n        a)", "    x = "),
        # A one-line selection says nothing more; the code keeps its relative indentation.
        ("if x:\n    y()", "y()", "\n", "if x:\n    y()", ""),
        # Tabs in the document: the model's spaces become tabs, levels kept.
        ("if x:\n    y()\n", "\tif x:\n\t\tz()\n", "\n", "\tif x:\n\t\ty()\n", ""),
        ("if x:\n  if y:\n    z()", "\tif x:\n\t\tz()", "\n", "\tif x:\n\t\tif y:\n\t\t\tz()", ""),
        # Spaces in the document: the model's tabs become the document's level width.
        ("if x:\n\ty()\n", "  if x:\n    z()\n", "\n", "  if x:\n    y()\n", ""),
        # Leading blank lines and the trailing break with the next line's indentation stay.
        ("x = 1", "\n    x = 0\n    ", "\n", "\n    x = 1\n    ", ""),
        ("\n\nx = 1\n", "\n\n  x = 0\n\n", "\n", "\n\n  x = 1\n\n", ""),
        # Blank lines inside the code carry no stray indentation.
        ("a\n   \nb", "  a\n  b", "\n", "  a\n\n  b", ""),
        # An empty selection (an insertion point) takes the code as it is.
        ("def f():\n    pass\n", "", "\n", "def f():\n    pass", ""),
    ],
)
def test_fit_to_selection(
    code: str, selection: str, line_ending: str, fitted: str, line_prefix: str
) -> None:
    assert fit_to_selection(code, selection, line_ending, line_prefix) == fitted


indented_lines = st.lists(
    st.tuples(st.integers(0, 3), st.text("abc(): =😀中", min_size=1, max_size=8)).map(
        lambda level_text: (
            level_text[1].strip() or "x"
            if level_text[0] == 0
            else "    " * level_text[0] + (level_text[1].strip() or "x")
        )
    ),
    min_size=1,
    max_size=8,
)


@FAST
@given(
    lines=indented_lines,
    base=st.sampled_from(["", "  ", "    ", "\t"]),
    line_ending=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
    mid_line=st.booleans(),
)
def test_an_answer_that_repeats_the_selection_changes_nothing(
    lines: list[str], base: str, line_ending: str, final_newline: bool, mid_line: bool
) -> None:
    if base == "\t":
        lines = [line.replace("    ", "\t") for line in lines]
    selection_lines = [base + line for line in lines]
    line_prefix = ""
    if mid_line:  # the editor selected from the first character; the indentation stands before
        line_prefix = base
        selection_lines[0] = selection_lines[0][len(base) :]
    selection = line_ending.join(selection_lines) + (line_ending if final_newline else "")
    # The model answers with the code unindented and its own line endings.
    answer_code = "\n".join(lines) + "\n"
    assert fit_to_selection(answer_code, selection, line_ending, line_prefix) == selection


@FAST
@given(
    code=st.text("ab \t\n\r😀", max_size=30),
    selection=st.text("ab \t\n\r😀", max_size=30),
    line_ending=st.sampled_from(["\n", "\r\n"]),
)
def test_fitted_code_uses_the_line_ending_and_keeps_the_final_break(
    code: str, selection: str, line_ending: str
) -> None:
    fitted = fit_to_selection(code, selection, line_ending)
    assert split_lines(fitted) == [
        line.rstrip("\r\n") + line_ending if line.endswith(("\n", "\r")) else line
        for line in split_lines(fitted)
    ]
    if selection.endswith(("\n", "\r")):
        assert fitted.endswith(line_ending)
    elif code.strip():
        assert not fitted.endswith(("\n", "\r"))


# -- line_edits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "start", "expected"),
    [
        ("a\nb\n", "a\nb\n", Position(0, 0), []),
        ("", "", Position(5, 2), []),
        # One changed line: only it is replaced, positions in document lines.
        (
            "a\nb\nc\n",
            "a\nB\nc\n",
            Position(10, 0),
            [Replacement(Position(11, 0), Position(12, 0), "B\n")],
        ),
        # The selection's first line starts at a column; later lines start at 0.
        (
            "x = 1\ny = 2",
            "x = 9\ny = 2",
            Position(3, 4),
            [Replacement(Position(3, 4), Position(4, 0), "x = 9\n")],
        ),
        (
            "x = 1\ny = 2",
            "x = 1\ny = 9",
            Position(3, 4),
            [Replacement(Position(4, 0), Position(4, 5), "y = 9")],
        ),
        # Lines added after a last line without a break: inserted at its end.
        (
            "a\nb\nc",
            "a\nB\nc\nd",
            Position(0, 0),
            [
                Replacement(Position(1, 0), Position(2, 0), "B\n"),
                Replacement(Position(2, 1), Position(2, 1), "\nd"),
            ],
        ),
        # Only the final break changes.
        ("a\nb", "a\nb\n", Position(0, 0), [Replacement(Position(1, 1), Position(1, 1), "\n")]),
        ("a\nb\n", "a\nb", Position(0, 0), [Replacement(Position(1, 1), Position(2, 0), "")]),
        # The last line goes, with the break before it.
        ("a\nb", "a", Position(0, 2), [Replacement(Position(0, 3), Position(1, 1), "")]),
        # Empty texts: an insertion at the start, a deletion of everything.
        ("", "x\n", Position(2, 3), [Replacement(Position(2, 3), Position(2, 3), "x\n")]),
        ("x\ny", "", Position(2, 3), [Replacement(Position(2, 3), Position(3, 1), "")]),
        # CRLF is part of the line: a CRLF document gains CRLF lines after an unchanged one.
        (
            "a\r\nb",
            "a\r\nb\r\nc",
            Position(0, 0),
            [Replacement(Position(1, 1), Position(1, 1), "\r\nc")],
        ),
        # Characters are code points: emoji and CJK count one each.
        ("😀中\nb", "😀中\nc", Position(0, 1), [Replacement(Position(1, 0), Position(1, 1), "c")]),
    ],
)
def test_line_edits(old: str, new: str, start: Position, expected: list[Replacement]) -> None:
    assert line_edits(old, new, start) == expected


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\r\nb\rc\n", ["a\r\n", "b\r", "c\n"]),
        ("page\x0cbreak\u2028same line", ["page\x0cbreak\u2028same line"]),
    ],
)
def test_split_lines_breaks_only_where_editors_do(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines


line_text = st.text("ab \t😀中é", max_size=4)


@st.composite
def text_with_lines(draw: st.DrawFn, lines: st.SearchStrategy[list[str]]) -> str:
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    final = draw(st.booleans())
    items = draw(lines)
    return ending.join(items) + (ending if final and items else "")


some_text = text_with_lines(st.lists(line_text, max_size=8))


@st.composite
def edited(draw: st.DrawFn, old: str) -> str:
    """Mostly `old` with a few lines changed, inserted, deleted or its ending changed."""
    lines = old.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(lines)))
        operation = draw(st.sampled_from(["insert", "delete", "change"]))
        ending = draw(st.sampled_from(["\n", "\r\n", ""]))
        if operation == "insert" or index == len(lines):
            lines.insert(index, draw(line_text) + ending)
        elif operation == "delete":
            del lines[index]
        else:
            lines[index] = draw(line_text) + ending
    return "".join(lines)


@FAST
@given(
    data=st.data(),
    old=some_text,
    prefix=st.text("ab😀\n", max_size=10),
    suffix=st.text("ab😀\n", max_size=10),
)
def test_applying_the_edits_puts_the_new_text_in_place_of_the_old(
    data: st.DataObject, old: str, prefix: str, suffix: str
) -> None:
    new = data.draw(st.one_of(edited(old), some_text), label="new")
    edits = line_edits(old, new, end_of(prefix))
    assert apply_replacements(prefix + old + suffix, edits) == prefix + new + suffix


unique_lines = st.lists(st.text("ab😀中\t", min_size=1, max_size=4), unique=True, max_size=8)


@FAST
@given(
    data=st.data(),
    old_lines=unique_lines,
    ending=st.sampled_from(["\n", "\r\n"]),
    old_final=st.booleans(),
    new_final=st.booleans(),
    prefix=st.text("ab\n", max_size=6),
)
def test_unchanged_lines_are_never_inside_an_edit(
    data: st.DataObject,
    old_lines: list[str],
    ending: str,
    old_final: bool,
    new_final: bool,
    prefix: str,
) -> None:
    kept = [line for line in old_lines if data.draw(st.booleans(), label=f"keep {line!r}")]
    # New lines carry a mark no old line has, so the kept lines are exactly the common ones.
    new_lines = []
    for line in kept:
        new_lines += data.draw(st.lists(line_text.map("§{}".format), max_size=2), label="added")
        new_lines.append(line)
    new_lines += data.draw(st.lists(line_text.map("§{}".format), max_size=2), label="added")
    old = ending.join(old_lines) + (ending if old_final and old_lines else "")
    new = ending.join(new_lines) + (ending if new_final and new_lines else "")
    document = prefix + old + "tail"
    edits = line_edits(old, new, end_of(prefix))
    assert apply_replacements(document, edits) == prefix + new + "tail"

    spans = [(offset_of(document, e.start), offset_of(document, e.end)) for e in edits]
    line_start = len(prefix)
    for line in old_lines:
        if line in kept:
            content = (line_start, line_start + len(line))
            for start, end in spans:
                assert not (start < content[1] and end > content[0]), (line, edits)
        line_start += len(line) + len(ending)


# -- choose_block ---------------------------------------------------------------------

SELECTION = "def area(width, height):\n    return width * height\n"


@pytest.mark.parametrize(
    ("answer", "chosen"),
    [
        # A longer test block after the rewrite does not replace the function.
        (
            "```python\ndef area(width: float, height: float) -> float:\n"
            "    return width * height\n```\n\n```python\nimport pytest\n\n\n"
            "@pytest.mark.parametrize('w, h, a', [(1, 2, 2), (3, 4, 12), (0, 5, 0)])\n"
            "def test_area(w, h, a):\n    assert area(w, h) == a\n    assert area(h, w) == a\n```",
            "def area(width: float, height: float) -> float:",
        ),
        # A usage example first, the code second.
        (
            "```python\nprint(area(2, 3))\n```\n\n```python\ndef area(width, height):\n"
            '    """The area."""\n    return width * height\n```',
            "def area(width, height):",
        ),
        # A shell command is never the code, however much it shares.
        ("```bash\npython -c 'area(width, height)'\n```\n```\nreturn width*height\n```", "return"),
        # A diff is compared by the lines it says are there now.
        (
            "```python\narea(1, 2)\n```\n```diff\n def area(width, height):\n"
            "-    return width * height\n+    return abs(width * height)\n```",
            " def area(width, height):",
        ),
    ],
)
def test_the_block_that_matches_the_selection_is_chosen(answer: str, chosen: str) -> None:
    block = choose_block(code_blocks(answer), "python", SELECTION)
    assert block is not None
    assert block.code.startswith(chosen)


@pytest.mark.parametrize(
    ("code", "tag", "is_diff"),
    [
        ("-a\n+b", "diff", True),
        ("--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b", "", True),
        ("- item\n- other item", "markdown", False),  # a Markdown list is not a diff
        ("x = 1", "python", False),
    ],
)
def test_a_diff_block_is_told_by_its_tag_or_its_hunks(code: str, tag: str, is_diff: bool) -> None:
    assert CodeBlock(tag, code).is_diff is is_diff


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        # A ```markdown answer holding a ```sh example: the inner fences do not close it.
        (
            "```markdown\n# T\n\n```sh\nmake\n```\n\nEnd.\n```\nAfter.",
            "# T\n\n```sh\nmake\n```\n\nEnd.",
        ),
        # A diff of a Markdown file: an indented fence inside it is content.
        ("```diff\n text\n   ```\n+more\n```", " text\n   ```\n+more"),
        # An inner opening that is never closed is taken as content of the outer block.
        ("```python\nx = '''\n```js\n'''\n```\nprose", "x = '''\n```js\n'''"),
    ],
)
def test_fences_nested_the_way_models_nest_them(answer: str, code: str) -> None:
    assert extract_code(answer) == code


# -- place_code -----------------------------------------------------------------------


def placed(document: str, answer_code: str, language: str | None = None, diff: bool = False) -> str:
    """The document after placing the code on its ⟦selection⟧."""
    start, end = document.index("⟦"), document.index("⟧") - 1
    document = document.replace("⟦", "").replace("⟧", "")
    placement = place_code(document, start, end, answer_code, is_diff=diff, language_id=language)
    assert placement.start <= start and placement.end == end
    return document[: placement.start] + placement.text + document[placement.end :]


@pytest.mark.parametrize(
    ("document", "code", "expected"),
    [
        # The issue: a top-level function, a comment added above.
        (
            "x = 1\n⟦def f():\n    return 1\n⟧y = 2\n",
            "# f: documented.\ndef f():\n    return 1\n",
            "x = 1\n# f: documented.\ndef f():\n    return 1\ny = 2\n",
        ),
        # A method selected after its indentation: the decorator stands at the method's level.
        (
            "class A:\n    ⟦def f(self):\n        return 1⟧\n",
            "@cache\ndef f(self):\n    return 1",
            "class A:\n    @cache\n    def f(self):\n        return 1\n",
        ),
        # The line before the selection repeated: not duplicated.
        (
            "def f():\n    a = 1\n    ⟦b = 2⟧\n",
            "a = 1\nb = 3",
            "def f():\n    a = 1\n    b = 3\n",
        ),
        # The whole enclosing function for two selected lines, changed only there.
        (
            "def f(x):\n    a = x\n    ⟦b = a\n    c = b⟧\n    return c\n",
            "def f(x):\n    a = x\n    b = a + 1\n    c = b + 1\n    return c\n",
            "def f(x):\n    a = x\n    b = a + 1\n    c = b + 1\n    return c\n",
        ),
        # The same in braces: the closing brace at the header's level ends the function.
        (
            "function f(x) {\n  if (x) {\n    ⟦a();⟧\n  }\n  return 1;\n}\n",
            "function f(x) {\n  if (x) {\n    b();\n  }\n  return 1;\n}",
            "function f(x) {\n  if (x) {\n    b();\n  }\n  return 1;\n}\n",
        ),
        # A lone closing brace the answer adds is not mistaken for the one after the selection.
        (
            "function f(x) {\n  ⟦a();⟧\n}\n",
            "if (x) {\n  a();\n}",
            "function f(x) {\n  if (x) {\n    a();\n  }\n}\n",
        ),
        # YAML: a nested mapping answered dedented, one key added.
        (
            "jobs:\n  test:\n    ⟦steps:\n      - run: make⟧\n",
            "steps:\n  - run: make\n  - run: make lint",
            "jobs:\n  test:\n    steps:\n      - run: make\n      - run: make lint\n",
        ),
    ],
)
def test_place_code(document: str, code: str, expected: str) -> None:
    assert placed(document, code) == expected


def test_makefile_recipes_get_tabs_even_when_the_selection_has_none() -> None:
    document = "all: build\n\n⟦build:⟧\n"
    assert placed(document, "build:\n    go build ./...", "makefile") == (
        "all: build\n\nbuild:\n\tgo build ./...\n"
    )


def test_a_diff_is_applied_to_the_selection_with_context_around_it() -> None:
    document = "def f():\n    a = 1\n    ⟦b = 2\n⟧    return a + b\n"
    diff = "@@ -1,3 +1,3 @@\n     a = 1\n-    b = 2\n+    b = 3\n     return a + b\n"
    assert placed(document, diff, diff=True) == "def f():\n    a = 1\n    b = 3\n    return a + b\n"


@pytest.mark.parametrize(
    ("document", "code", "diff", "reason"),
    [
        # The answer renames the parameter outside the two selected lines.
        (
            "def f(x):\n    ⟦a = x\n    b = a⟧\n    return b\n",
            "def f(y):\n    a = y\n    b = a\n    return b",
            False,
            "also changes line 1, outside the selection",
        ),
        ("⟦a = 1\n⟧", "-a = 2\n+a = 3", True, "does not apply"),
        # Two places match the hunk: applying at a guess could change the wrong one.
        ("⟦x = 1\nx = 1\n⟧", "-x = 1\n+x = 2", True, "does not apply"),
        ("a = 0\n⟦b = 1\n⟧", " a = 0\n-a = 0\n+a = 9\n b = 1", True, "does not apply"),
        ("a = 0\n⟦b = 1\n⟧", "-a = 0\n+a = 9\n b = 1", True, "outside the selection"),
    ],
)
def test_an_answer_that_cannot_be_placed_is_refused_with_a_reason(
    document: str, code: str, diff: bool, reason: str
) -> None:
    with pytest.raises(NoSensibleEdit, match=reason):
        placed(document, code, diff=diff)


async def test_the_user_is_told_why_nothing_was_applied() -> None:
    uri = "file:///p/f.py"
    text = "def f(x):\n    a = x\n    return a\n"
    document = TextDocument(uri, text, version=3)
    ls = SimpleNamespace(workspace=SimpleNamespace(text_documents={uri: document}))
    anchor = Anchor("    a = x\n", Span(1, 0, 2, 0))
    applied, why = await apply_code(
        ls,  # type: ignore[arg-type]
        uri,
        anchor,
        "def f(y):\n    a = y\n    return a\n",
        "Grok: Refactor",
    )
    assert not applied
    assert why == (
        "Nothing was changed: Grok's answer also changes line 1, outside the selection;"
        " select that code too and ask again. The answer is in the conversation."
    )


@FAST
@given(
    document=st.text("ab \t\n\r:{}#-", max_size=40),
    data=st.data(),
    code=st.text("ab \t\n:{}#-", max_size=30),
    diff=st.booleans(),
)
def test_a_placement_never_reaches_outside_the_selections_lines(
    document: str, data: st.DataObject, code: str, diff: bool
) -> None:
    start = data.draw(st.integers(0, len(document)), label="start")
    end = data.draw(st.integers(start, len(document)), label="end")
    try:
        placement = place_code(document, start, end, code, is_diff=diff)
    except NoSensibleEdit:
        return
    assert placement.end == end
    assert start - len(document[:start].split("\n")[-1].split("\r")[-1]) <= placement.start
    assert not document[placement.start : start].strip()


def test_the_preview_places_the_code_as_apply_would() -> None:
    document = "class A:\n    def f(self):\n        return 1\n"
    start = document.index("def f")
    anchor = Anchor(document[start:], Span(1, 4, 3, 0))
    code = "@cache\ndef f(self):\n    return 1\n"
    diff = preview_diff("file:///a.py", anchor, code, document=(document, start, "python"))
    assert diff.endswith("@@ -2,2 +2,3 @@\n+    @cache\n     def f(self):\n         return 1\n")


def test_a_long_enclosing_function_answered_whole_changes_only_the_selected_lines() -> None:
    body = [f"        value_{i} = compute(value_{i - 1}, {i})" for i in range(600)]
    document = "class A:\n    def big(self):\n" + "\n".join(body) + "\n"
    lines = document.splitlines(keepends=True)
    start = sum(map(len, lines[:302]))
    end = start + len(lines[302]) + len(lines[303])
    whole = ["def big(self):", *(line[4:] for line in body)]
    whole[301] += "  # checked"
    whole[302] += "  # checked"
    placement = place_code(document, start, end, "\n".join(whole))
    assert (placement.start, placement.end) == (start, end)
    assert placement.text == lines[302].replace("\n", "  # checked\n") + lines[303].replace(
        "\n", "  # checked\n"
    )


@pytest.mark.parametrize(
    ("document", "code", "expected"),
    [
        # The statement's semicolon stands after the selection; the answer repeats it.
        ("  ⟦foo(a)⟧;\n", "foo(a, b);", "  foo(a, b);\n"),
        # The code before the selection on its line, repeated by the answer.
        ("    x = ⟦foo(a)⟧\n", "x = foo(b)", "    x = foo(b)\n"),
        # Not repeated: kept as the answer gives it.
        ("    x = ⟦foo(a)⟧\n", "bar(a)", "    x = bar(a)\n"),
        # A selection that itself ends with the text: nothing to strip.
        ("⟦a;⟧;\n", "b;", "b;;\n"),
    ],
)
def test_code_repeated_on_the_selections_own_lines_is_not_duplicated(
    document: str, code: str, expected: str
) -> None:
    assert placed(document, code) == expected

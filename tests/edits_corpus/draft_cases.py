"""Drafts corpus cases from real source files found on a developer machine (not run by tests).

Each case is a small excerpt of a real file (named in its `origin`), a selection, an
answer shaped like real models' answers and the document the user should end up
with. The expected document is built here from the change the answer makes (a line
inserted above the selection, two lines changed...), never by running grok-lsp. The
drafted files are plain data: review them, edit them, add more by hand.

    .venv/bin/python tests/edits_corpus/draft_cases.py
"""

from __future__ import annotations

import ast
import collections
import itertools
import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

CASES = Path(__file__).parent / "cases"


@attrs.frozen
class Function:
    lines: list[str]  # the excerpt's lines, with breaks
    first: int  # first and last line of the function in the excerpt (inclusive)
    last: int
    name: str
    body: list[int]  # lines of the body that hold a simple statement
    path: Path = Path()


@attrs.frozen
class Language:
    name: str
    tag: str
    wrong_tag: str
    comment: str
    unit: str  # one indentation level in the files
    helper: Callable[[str], str]  # a small helper function, indented by 4 spaces a level
    usage: Callable[[str], str]
    origin: str
    functions: Callable[[], Iterator[Function]]
    suffix: str = ""  # what ends a changed line ("" or ";")


def python_functions(path: Path) -> Iterator[Function]:
    source = path.read_text()
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef) or node.decorator_list:
            continue
        if node.end_lineno is None or node.end_lineno - node.lineno > 25:
            continue
        header_end = node.body[0].lineno - 1
        if not lines[header_end - 1].rstrip().endswith(":") or len(node.body) < 2:
            continue
        start, end = node.lineno - 1, node.end_lineno
        # The excerpt: the function with a few lines around, cut at blank lines.
        top = start
        while top > 0 and start - top < 6:
            top -= 1
        while top < start and lines[top].strip():
            top += 1
        bottom = min(len(lines), end + 4)
        excerpt = lines[top:bottom]
        body = [
            n.lineno - 1 - top
            for n in node.body
            if isinstance(n, (ast.Assign, ast.AugAssign, ast.Expr)) and n.lineno == n.end_lineno
        ]
        yield Function(excerpt, start - top, end - 1 - top, node.name, body, path)


def brace_functions(path: Path, language: object, kinds: set[str]) -> Iterator[Function]:
    import tree_sitter

    source = path.read_bytes()
    parser = tree_sitter.Parser(tree_sitter.Language(language))
    tree = parser.parse(source)
    lines = source.decode().splitlines(keepends=True)
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type not in kinds:
            continue
        first, last = node.start_point[0], node.end_point[0]
        if (
            last - first > 25
            or last - first < 4
            or node.start_point[1] != _indent_width(lines[first])
        ):
            continue
        if lines[last].strip() != "}":
            continue
        name_node = node.child_by_field_name("name")
        name = name_node.text.decode() if name_node is not None and name_node.text else "f"
        body = [
            n
            for n in range(first + 1, last)
            if lines[n].strip().endswith(";")
            or (lines[n].strip() and not lines[n].strip().endswith(("{", "}", ",", "(", "[")))
        ]
        body = [n for n in body if not lines[n].strip().startswith(("//", "/*", "*", "#"))]
        if len(body) < 2:
            continue
        top, bottom = _excerpt(node, first, last, len(lines))
        yield Function(
            lines[top:bottom], first - top, last - top, name, [n - top for n in body], path
        )


def _excerpt(node: Any, first: int, last: int, count: int) -> tuple[int, int]:
    """Whole top-level items around the function, so that the excerpt parses on its own."""
    outer = node
    while outer.parent is not None and outer.parent.parent is not None:
        outer = outer.parent
    if outer is not node:
        if outer.end_point[0] - outer.start_point[0] <= 60:
            return outer.start_point[0], outer.end_point[0] + 1
        return max(0, first - 4), min(count, last + 4)
    top, bottom = first, last + 1
    before, after = node.prev_sibling, node.next_sibling
    if before is not None and before.end_point[0] - before.start_point[0] < 15:
        top = before.start_point[0]
    if after is not None and after.end_point[0] - after.start_point[0] < 15:
        bottom = after.end_point[0] + 1
    return top, bottom


RUST_DOCS = Path("/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/share/doc/rust/html")


# Where the files on this machine come from, as their projects name them.
KNOWN_AS = {
    "/usr/lib/python3.11/": "CPython 3.11 Lib/",
    "/usr/lib/node_modules/npm/node_modules/": "npm 10 bundled package ",
    "/usr/share/doc/git/contrib/": "git contrib/",
    "/tmp/src/helix-client.rs": "helix-editor/helix helix-lsp/src/client.rs",
    "/tmp/src/helix-transport.rs": "helix-editor/helix helix-lsp/src/transport.rs",
    "/tmp/src/helix-app.rs": "helix-editor/helix helix-term/src/application.rs",
    "/root/.pyenv/versions/3.7.16/lib/python3.7/": "CPython 3.7 Lib/",
    "/root/.pyenv/versions/3.13.0/lib/python3.13/": "CPython 3.13 Lib/",
    "/root/.pyenv/": "pyenv/pyenv ",
    str(
        RUST_DOCS / "error_codes/main.rs"
    ): "rust-lang/rust src/tools/error_index_generator/main.rs",
}


def _known_as(path: Path) -> str:
    text = str(path)
    for prefix, name in KNOWN_AS.items():
        if text.startswith(prefix):
            return name + text[len(prefix) :]
    return text


def _indent_width(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _indentation(line: str) -> str:
    return line[: _indent_width(line)]


PROSE = [
    ("Here's the updated code:\n\n", "\n\nThe behaviour is unchanged."),
    ("", ""),
    ("Sure! {why}\n\n", "\n\n**What changed**\n- {why}\n- Nothing else was touched.\n"),
    ("{why} The function now reads:\n", "\nLet me know if you'd like tests for it as well."),
    ("I kept the signature as it was.\n\n", ""),
]


def fence(code: str, tag: str, style: int) -> str:
    opening, closing = [
        (f"```{tag}", "```"),
        ("```", "```"),
        (f"~~~{tag}", "~~~"),
        (f"````{tag}", "````"),
    ][style % 4]
    return f"{opening}\n{code.rstrip()}\n{closing}"


def answer(code: str, tag: str, why: str, variant: int) -> str:
    before, after = PROSE[variant % len(PROSE)]
    return before.format(why=why) + fence(code, tag, variant // len(PROSE)) + after.format(why=why)


def case_text(
    origin: str,
    language: str,
    shape: str,
    document: str,
    answer_text: str,
    expected: str,
    crlf: bool = False,
    outcome: str = "applied",
) -> str:
    header = [f"origin: {origin}", f"language: {language}", f"shape: {shape}"]
    if crlf:
        header.append("crlf: yes")
    if outcome != "applied":
        header.append(f"outcome: {outcome}")
    return (
        "\n".join(header)
        + f"\n=== document\n{document}\n=== answer\n{answer_text}\n=== expected\n{expected}\n"
    )


def dedent_lines(lines: list[str]) -> str:
    return textwrap.dedent("".join(lines))


def drafts(lang: Language, count: int) -> Iterator[tuple[str, str]]:
    variant = itertools.count()
    per_file: collections.Counter[Path] = collections.Counter()
    number = 0
    for function in lang.functions():
        if number == count or per_file[function.path] == 2:
            continue  # a few functions of many files, not many of one
        per_file[function.path] += 1
        yield from function_cases(lang, number, function, variant)
        number += 1


def function_cases(
    lang: Language, number: int, function: Function, variant: Iterator[int]
) -> Iterator[tuple[str, str]]:
    lines = function.lines
    first, last = function.first, function.last
    indent = _indentation(lines[first])
    selected = lines[first : last + 1]
    before, after = "".join(lines[:first]), "".join(lines[last + 1 :])
    editor_style = number % 2 == 1 and indent  # selected from the first character
    no_final_newline = number % 3 == 2
    crlf = number % 4 == 3

    def document(sel_start: int, sel_end: int, cut: int | None = None) -> str:
        text = "".join(lines)
        if editor_style and sel_start == first:
            at = sum(map(len, lines[:sel_start])) + len(indent)
        else:
            at = sum(map(len, lines[:sel_start]))
        end = sum(map(len, lines[: sel_end + 1]))
        if no_final_newline and sel_end == last:
            end -= 1
        return text[:at] + "⟦" + text[at:end] + "⟧" + text[end:]

    def emit(shape: str, answer_text: str, expected: str, outcome: str = "applied") -> None:
        name = f"{lang.name}-{function.name}-{shape.split(':')[0].replace(' ', '-')}"
        made.append(
            (
                name,
                case_text(
                    lang.origin.format(name=function.name, file=_known_as(function.path)),
                    lang.name,
                    shape,
                    document(sel_first, sel_last),
                    answer_text,
                    expected,
                    crlf,
                    outcome,
                ),
            )
        )

    made: list[tuple[str, str]] = []
    sel_first, sel_last = first, last
    selection_kind = "editor-style selection" if editor_style else "selection from column 0"
    ending = "without final newline" if no_final_newline else "with final newline"
    whole = f"whole function, {selection_kind}, {ending}"
    code = dedent_lines(selected)
    # 1. A comment above.
    comment = f"{lang.comment} {function.name}: checked by the maintainers."
    emit(
        f"comment added above: {whole}",
        answer(f"{comment}\n{code}", lang.tag, "I added a comment.", next(variant)),
        before + indent + comment + "\n" + "".join(selected) + after,
    )
    # 2. A helper extracted before, answered with a wrong language tag.
    helper_doc = _reunit(lang.helper(function.name), lang.unit, indent)
    emit(
        f"helper extracted before, wrong fence tag: {whole}",
        answer(
            f"{lang.helper(function.name)}\n\n{code}",
            lang.wrong_tag,
            "I extracted a helper.",
            next(variant),
        ),
        before + helper_doc + "\n\n" + "".join(selected) + after,
    )
    # 3. A helper after, the code indented more than the file.
    emit(
        f"helper added after, answer indented deeper: {whole}",
        answer(
            textwrap.indent(f"{code.rstrip()}\n\n{lang.helper(function.name)}", "        "),
            lang.tag,
            "I added a helper.",
            next(variant),
        ),
        before + "".join(selected) + "\n" + helper_doc + "\n" + after,
    )
    # 4. A second block with a usage example.
    emit(
        f"comment added, second block is a usage example: {whole}",
        answer(f"{comment}\n{code}", lang.tag, "I added a comment.", next(variant))
        + "\n\nUsage:\n\n"
        + fence(lang.usage(function.name), lang.tag, 0)
        + "\n",
        before + indent + comment + "\n" + "".join(selected) + after,
    )
    # 5. Two body lines selected; the whole function comes back with them changed.
    body = [n for n in function.body if first < n < last]
    if len(body) >= 2 and body[1] == body[0] + 1:
        a, b = body[0], body[1]
        changed = list(lines)
        for n in (a, b):
            changed[n] = lines[n].rstrip("\r\n") + f"  {lang.comment} reviewed\n"
        sel_first, sel_last = a, b
        saved_style = editor_style
        editor_style = number % 2 == 0 and bool(_indentation(lines[a]))
        emit(
            "two body lines selected, whole function answered",
            answer(
                dedent_lines(changed[first : last + 1]),
                lang.tag,
                "Both lines are now marked.",
                next(variant),
            ),
            "".join(changed),
        )
        # 6. The same lines, the answer repeating the line before them.
        if a - 1 > first:
            emit(
                "two body lines selected, answer repeats the line before",
                answer(
                    dedent_lines([lines[a - 1], *changed[a : b + 1]]),
                    lang.tag,
                    "Both lines are now marked.",
                    next(variant),
                ),
                "".join(changed),
            )
        # 7. A diff against the file.
        hunk = (
            [" " + lines[a - 1].rstrip("\r\n")]
            + ["-" + lines[n].rstrip("\r\n") for n in (a, b)]
            + ["+" + changed[n].rstrip("\r\n") for n in (a, b)]
            + [" " + lines[b + 1].rstrip("\r\n")]
        )
        emit(
            "two body lines selected, diff answer",
            "Here is the change as a diff:\n\n```diff\n"
            + f"@@ -{a},4 +{a},4 @@\n"
            + "\n".join(hunk)
            + "\n```\n",
            "".join(changed),
        )
        editor_style = saved_style
        sel_first, sel_last = first, last
    yield from made


def _reunit(code: str, unit: str, indent: str) -> str:
    out = []
    for line in code.split("\n"):
        width = _indent_width(line)
        step = 2 if unit == "  " else 4
        out.append((indent + unit * (width // step) + line.lstrip(" ")) if line.strip() else "")
    return "\n".join(out)


LIB = Path("/usr/lib/python3.11")
NPM = Path("/usr/lib/node_modules/npm/node_modules")


def python() -> Iterator[Function]:
    for name in [
        "statistics.py",
        "string.py",
        "heapq.py",
        "difflib.py",
        "calendar.py",
        "gettext.py",
        "textwrap.py",
        "shlex.py",
        "fnmatch.py",
        "colorsys.py",
        "ftplib.py",
        "mailbox.py",
    ]:
        yield from python_functions(LIB / name)


def javascript() -> Iterator[Function]:
    import tree_sitter_javascript

    for path in sorted(NPM.glob("*/lib/*.js")) + sorted(NPM.glob("semver/*/*.js")):
        yield from brace_functions(
            path, tree_sitter_javascript.language(), {"function_declaration", "method_definition"}
        )


def go() -> Iterator[Function]:
    import tree_sitter_go

    for path in sorted(Path("/usr/share/doc/git/contrib/persistent-https").glob("*.go")):
        yield from brace_functions(
            path, tree_sitter_go.language(), {"function_declaration", "method_declaration"}
        )


def rust() -> Iterator[Function]:
    import tree_sitter_rust

    for path in [RUST_DOCS / "error_codes/main.rs", *sorted(Path("/tmp/src").glob("helix-*.rs"))]:
        yield from brace_functions(path, tree_sitter_rust.language(), {"function_item"})


def c() -> Iterator[Function]:
    import tree_sitter_c

    for path in [
        Path("/root/.pyenv/src/realpath.c"),
        Path("/root/.pyenv/versions/3.7.16/lib/python3.7/distutils/tests/xxmodule.c"),
        Path("/root/.pyenv/versions/3.13.0/lib/python3.13/test/test_cext/extension.c"),
    ]:
        yield from brace_functions(path, tree_sitter_c.language(), {"function_definition"})


LANGUAGES = [
    Language(
        "python",
        "python",
        "javascript",
        "#",
        "    ",
        lambda n: f"def _{n}_inputs(values):\n    return list(values)",
        lambda n: f"print({n}([1, 2, 3]))",
        "{file}, function {name}",
        python,
    ),
    Language(
        "javascript",
        "js",
        "typescript",
        "//",
        "  ",
        lambda n: f"function {n}Inputs (values) {{\n  return Array.from(values)\n}}",
        lambda n: f"const result = {n}(input)\nconsole.log(result)",
        "{file}, function {name}",
        javascript,
    ),
    Language(
        "go",
        "go",
        "golang",
        "//",
        "\t",
        lambda n: f"func {n}Inputs(values []string) []string {{\n    return values\n}}",
        lambda n: f"func main() {{\n    {n}()\n}}",
        "{file}, function {name}",
        go,
    ),
    Language(
        "rust",
        "rust",
        "rs",
        "//",
        "    ",
        lambda n: f"fn {n}_inputs(values: &[u8]) -> usize {{\n    values.len()\n}}",
        lambda n: f"fn main() {{\n    {n}();\n}}",
        "{file}, function {name}",
        rust,
    ),
    Language(
        "c",
        "c",
        "cpp",
        "//",
        "    ",
        lambda n: f"static int {n}_inputs(int count)\n{{\n    return count;\n}}",
        lambda n: f"int main(void)\n{{\n    return {n}();\n}}",
        "{file}, function {name}",
        c,
    ),
]


# -- Formats without functions: YAML, Makefile, Markdown, JSON ----------------------


@attrs.frozen
class Block:
    lines: list[str]  # the excerpt
    first: int
    last: int
    name: str
    child: str  # indentation of the block's children


@attrs.frozen
class Format:
    name: str
    tag: str
    comment: Callable[[str], str] | None  # a comment line for a block name
    child: Callable[[Block], str]  # a line the answer adds to the block (without indentation)
    usage: str | None
    origin: str
    blocks: Callable[[], Iterator[tuple[Path, Block]]]
    answer_unit: str = ""  # how the model indents children when it loses the file's tabs


def yaml_blocks() -> Iterator[tuple[Path, Block]]:
    for path in sorted(Path("/root/.pyenv/.github/workflows").glob("*.yml")):
        lines = path.read_text().splitlines(keepends=True)
        for first, line in enumerate(lines):
            if not re.match(r"\s*(- )?[\w-]+:\s*(\|)?\s*$", line) or first + 1 >= len(lines):
                continue
            width = _indent_width(line)
            last = first
            while last + 1 < len(lines) and (
                not lines[last + 1].strip() or _indent_width(lines[last + 1]) > width
            ):
                last += 1
            while not lines[last].strip():
                last -= 1
            if not 2 <= last - first <= 14 or line.rstrip().endswith("|"):
                continue
            child = _indentation(lines[first + 1])
            if lines[first + 1].lstrip().startswith("- ") and child == _indentation(line):
                continue
            yield path, Block(lines, first, last, line.strip(" -:\n"), child)


def make_blocks() -> Iterator[tuple[Path, Block]]:
    for path in [Path("/root/.pyenv/Makefile"), LIB / "config-3.11-x86_64-linux-gnu/Makefile"]:
        lines = path.read_text().splitlines(keepends=True)
        for first, line in enumerate(lines):
            if not re.match(r"[^\s#=][^=]*:(?!=)", line) or line.rstrip().endswith("\\"):
                continue
            last = first
            while last + 1 < len(lines) and lines[last + 1].startswith("\t"):
                last += 1
            while not lines[last].strip():
                last -= 1
            if not 1 <= last - first <= 8 or any(
                line.rstrip().endswith("\\") for line in lines[first : last + 1]
            ):
                continue
            top, bottom = max(0, first - 5), min(len(lines), last + 5)
            while top < first and (lines[top].startswith("\t") or lines[top - 1].endswith("\\\n")):
                top += 1  # start on a whole rule or assignment, not inside one
            while bottom < len(lines) and (
                lines[bottom].startswith("\t") or lines[bottom - 1].endswith("\\\n")
            ):
                bottom += 1
            name = line.split(":")[0].strip()
            yield path, Block(lines[top:bottom], first - top, last - top, name, "\t")


def markdown_blocks() -> Iterator[tuple[Path, Block]]:
    for path in [
        Path("/root/.pyenv/README.md"),
        Path("/root/.pyenv/CONTRIBUTING.md"),
        *sorted(NPM.glob("*/README.md")),
    ]:
        lines = path.read_text().splitlines(keepends=True)
        headings = [n for n, line in enumerate(lines) if re.match(r"#{2,4} \w", line)]
        for first, following in itertools.pairwise(headings):
            last = following - 1
            while last > first and not lines[last].strip():
                last -= 1
            if not 2 <= last - first <= 12 or any(
                line.startswith(("```", "    ", "|")) for line in lines[first : last + 1]
            ):
                continue
            top, bottom = max(0, first - 6), min(len(lines), following + 4)
            yield (
                path,
                Block(lines[top:bottom], first - top, last - top, lines[first].strip("# \n"), ""),
            )


def json_blocks() -> Iterator[tuple[Path, Block]]:
    for path in sorted(NPM.glob("*/package.json")):
        lines = path.read_text().splitlines(keepends=True)
        if len(lines) > 70:
            continue
        for first, line in enumerate(lines):
            found = re.match(r'(\s*)"([\w-]+)": \{\s*$', line)
            if not found:
                continue
            closing = next(
                (
                    n
                    for n in range(first + 1, len(lines))
                    if re.match(rf"{found[1]}\}},?\s*$", lines[n])
                ),
                None,
            )
            if closing is None or not 2 <= closing - first <= 15:
                continue
            yield path, Block(lines, first, closing, found[2], _indentation(lines[first + 1]))


FORMATS = [
    Format(
        "yaml",
        "yaml",
        lambda n: f"# {n}: reviewed by the maintainers",
        lambda b: (
            "- reviewed"
            if b.lines[b.first + 1].lstrip().startswith("- ")
            else "timeout-minutes: 10"
        ),
        "gh workflow run pyenv_tests.yml",
        "{path} (GitHub workflow), block `{name}`",
        yaml_blocks,
    ),
    Format(
        "makefile",
        "makefile",
        lambda n: f"# {n}: reviewed by the maintainers",
        lambda b: "@echo done",
        "make test",
        "{path} (Makefile), rule `{name}`",
        make_blocks,
        "    ",
    ),
    Format(
        "markdown",
        "markdown",
        lambda n: "<!-- reviewed by the maintainers -->",
        lambda b: "See the changelog for what changed in each release.",
        None,
        "{path} (Markdown), section `{name}`",
        markdown_blocks,
    ),
    Format(
        "json",
        "json",
        None,
        lambda b: '"reviewed": true,',
        "npm run test",
        "{path}, object `{name}`",
        json_blocks,
    ),
]


def format_drafts(fmt: Format, count: int) -> Iterator[tuple[str, str]]:
    variant = itertools.count()
    seen: set[str] = set()
    per_file: collections.Counter[Path] = collections.Counter()
    number = 0
    for path, block in fmt.blocks():
        if number >= count or block.name in seen or per_file[path] == 2:
            continue
        seen.add(block.name)
        per_file[path] += 1
        lines, first, _last = block.lines, block.first, block.last
        indent = _indentation(lines[first])
        editor_style = number % 2 == 1 and bool(indent)
        crlf = number % 4 == 3
        origin = fmt.origin.format(path=_known_as(path), name=block.name)
        number += 1
        yield from block_cases(fmt, path, block, origin, editor_style, crlf, variant)


def block_cases(
    fmt: Format,
    path: Path,
    block: Block,
    origin: str,
    editor_style: bool,
    crlf: bool,
    variant: Iterator[int],
) -> Iterator[tuple[str, str]]:
    lines, first, last = block.lines, block.first, block.last
    indent = _indentation(lines[first])

    def document() -> str:
        text = "".join(lines)
        at = sum(map(len, lines[:first])) + (len(indent) if editor_style else 0)
        end = sum(map(len, lines[: last + 1]))
        return text[:at] + "⟦" + text[at:end] + "⟧" + text[end:]

    before, selected, after = (
        "".join(lines[:first]),
        lines[first : last + 1],
        "".join(lines[last + 1 :]),
    )
    code = textwrap.dedent("".join(selected))
    style = "editor-style selection" if editor_style else "selection from column 0"
    name = f"{fmt.name}-{re.sub(r'[^a-z0-9]+', '-', block.name.lower())[:40]}"

    def emit(shape: str, answer_text: str, expected: str) -> Iterator[tuple[str, str]]:
        yield (
            f"{name}-{shape.split(':')[0].replace(' ', '-')}",
            case_text(
                origin, fmt.name, f"{shape}: {style}", document(), answer_text, expected, crlf
            ),
        )

    if fmt.comment is not None:
        comment = fmt.comment(block.name)
        yield from emit(
            "comment added above",
            answer(f"{comment}\n{code}", fmt.tag, "I added a comment.", next(variant)),
            before + indent + comment + "\n" + "".join(selected) + after,
        )
    # A child line added: at the end of the block, or first in a JSON object.
    child = fmt.child(block)
    code_lines = code.rstrip("\n").split("\n")
    child_in_answer = (
        (fmt.answer_unit or block.child[len(indent) :].replace("\t", "    "))
        if fmt.name != "markdown"
        else ""
    )
    if fmt.name == "json":
        new_code = [code_lines[0], _indentation(code_lines[1]) + child, *code_lines[1:]]
        expected_lines = [*selected[:1], block.child + child + "\n", *selected[1:]]
    elif fmt.name == "markdown":
        new_code = [*code_lines, "", child]
        expected_lines = [*selected, "\n", child + "\n"]
    else:
        new_code = [*code_lines, child_in_answer + child]
        if fmt.answer_unit:  # the model answered every recipe line with spaces
            new_code = [line.replace("\t", fmt.answer_unit) for line in new_code]
        expected_lines = [*selected, block.child + child + "\n"]
    expected = before + "".join(expected_lines) + after
    yield from emit(
        "line added to the block, answer dedented",
        answer("\n".join(new_code), fmt.tag, "I added one line.", next(variant)),
        expected,
    )
    if fmt.usage is not None:
        yield from emit(
            "line added, second block is a command",
            answer("\n".join(new_code), "", "I added one line.", next(variant))
            + "\n\nThen run:\n\n"
            + fence(fmt.usage, "bash", 0)
            + "\n",
            expected,
        )
    # The same change as a diff, its context taken from the file.
    if fmt.name == "json":
        hunk = [
            " " + lines[first].rstrip("\n"),
            "+" + block.child + child,
            " " + lines[first + 1].rstrip("\n"),
        ]
    else:
        hunk = [" " + line.rstrip("\n") for line in selected[-2:]]
        added = (block.child + child) if fmt.name != "markdown" else child
        hunk += (["+"] if fmt.name == "markdown" else []) + ["+" + added]
    yield from emit(
        "line added, diff answer",
        "```diff\n"
        + f"--- a/{path.name}\n+++ b/{path.name}\n@@ -{first + 1},3 +{first + 1},4 @@\n"
        + "\n".join(hunk)
        + "\n```\n",
        expected,
    )


def main() -> None:
    CASES.mkdir(exist_ok=True)
    counts = {"python": 9, "javascript": 4, "go": 4, "rust": 4, "c": 4}
    formats = {"yaml": 4, "makefile": 4, "markdown": 4, "json": 4}
    made = itertools.chain(
        *(drafts(lang, counts[lang.name]) for lang in LANGUAGES),
        *(format_drafts(fmt, formats[fmt.name]) for fmt in FORMATS),
    )
    for name, text in made:
        path = CASES / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.case"
        path.write_text(text)
    print(len(list(CASES.glob("*.case"))), "cases")


if __name__ == "__main__":
    main()

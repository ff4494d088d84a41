"""When the document parses and the answer's code parses on its own, the edited document parses.

Python is parsed with `ast`, JSON with `json`, the other corpus languages with tree-sitter
grammars from their wheels. Checked over the corpus, and over every top-level and nested
function of a few standard library modules answered with a comment, a decorator or an
extracted helper above it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import tree_sitter
from hypothesis import given, settings
from hypothesis import strategies as st

from grok_lsp.assistant.edits import choose_block, code_blocks
from tests.edits_corpus.corpus import CASES, Case, edit_document, read_case


def python_parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def json_parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def json_fragment_parses(text: str) -> bool:
    """A JSON answer is often one member of an object (`"scripts": {...}`)."""
    return json_parses(text) or json_parses("{" + text.strip().rstrip(",") + "}")


def tree_sitter_parser(module_name: str) -> Callable[[str], bool]:
    module = importlib.import_module(module_name)
    parser = tree_sitter.Parser(tree_sitter.Language(module.language()))

    def parses(text: str) -> bool:
        return not parser.parse(text.encode()).root_node.has_error

    return parses


PARSERS: dict[str, tuple[Callable[[str], bool], Callable[[str], bool]]] = {
    "python": (python_parses, python_parses),
    "json": (json_parses, json_fragment_parses),
    **{
        language: (parses, parses)
        for language, parses in (
            ("javascript", tree_sitter_parser("tree_sitter_javascript")),
            ("go", tree_sitter_parser("tree_sitter_go")),
            ("rust", tree_sitter_parser("tree_sitter_rust")),
            ("c", tree_sitter_parser("tree_sitter_c")),
            ("yaml", tree_sitter_parser("tree_sitter_yaml")),
            ("makefile", tree_sitter_parser("tree_sitter_make")),
            ("markdown", tree_sitter_parser("tree_sitter_markdown")),
        )
    },
}
# Corpus cases per language whose document and answer both parse: the property is not vacuous.
AT_LEAST = 3


@pytest.mark.parametrize("language", sorted(PARSERS))
def test_edited_corpus_documents_parse(language: str) -> None:
    parses, code_parses = PARSERS[language]
    checked = []
    for case in map(read_case, CASES):
        if case.language != language or not case.applied:
            continue
        block = choose_block(code_blocks(case.answer), case.language, case.selection)
        if block is None or block.is_diff:
            continue
        code = textwrap.dedent(block.code) + "\n"  # as a file, ending with a line break
        if not parses(case.document) or not code_parses(code):
            continue
        assert parses(edit_document(case)), case.name
        checked.append(case.name)
    assert len(checked) >= AT_LEAST, checked


MODULES = ["textwrap", "statistics", "shlex", "heapq", "calendar", "difflib"]


def functions() -> list[tuple[str, int, int]]:
    """(module, first line, last line), zero-based, decorators included, of every function."""
    found = []
    for name in MODULES:
        path = inspect.getsourcefile(importlib.import_module(name))
        assert path is not None
        for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
                assert node.end_lineno is not None
                found.append((name, first, node.end_lineno - 1))
    return found


FUNCTIONS = functions()
SOURCES = {
    name: Path(inspect.getsourcefile(importlib.import_module(name)) or "").read_text("utf-8")
    for name in MODULES
}
ADDED = {
    "comment": "# Reviewed: the behaviour is unchanged.\n",
    "decorator": "@functools.cache\n",
    "helper": "def _checked(value):\n    return value\n\n\n",
}
FENCES = [("```python", "```"), ("```", "```"), ("~~~py", "~~~"), ("````python", "````")]


def test_the_stdlib_functions_include_nested_ones() -> None:
    assert len(FUNCTIONS) > 200
    depths = {
        len(SOURCES[m].splitlines()[first]) - len(SOURCES[m].splitlines()[first].lstrip())
        for m, first, _ in FUNCTIONS
    }
    assert {0, 4, 8} <= depths


def added_above(
    module: str,
    first: int,
    last: int,
    added: str,
    editor_style: bool,
    final_newline: bool,
    fence: tuple[str, str] = FENCES[0],
) -> tuple[str, str]:
    """The module edited by an answer that adds `added` above a function, and what it should be."""
    source = SOURCES[module]
    lines = source.splitlines(keepends=True)
    line_start = sum(map(len, lines[:first]))
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
    start = line_start + (len(indent) if editor_style else 0)
    end = sum(map(len, lines[: last + 1])) - (0 if final_newline else 1)
    code = textwrap.dedent("".join(lines[first : last + 1]))
    answer = f"Here you go:\n\n{fence[0]}\n{ADDED[added]}{code}{fence[1]}\n\nNothing else changed."
    case = Case(module, module, "python", added, True, source, start, end, answer, "")
    expected = source[:line_start] + textwrap.indent(ADDED[added], indent) + source[line_start:]
    return edit_document(case), expected


@pytest.mark.parametrize("module", MODULES)
def test_every_function_of_the_module_takes_a_line_added_above(module: str) -> None:
    functions = [(first, last) for name, first, last in FUNCTIONS if name == module]
    assert functions
    for number, (first, last) in enumerate(functions):
        for added in ADDED:
            edited, expected = added_above(
                module, first, last, added, number % 2 == 0, number % 3 != 0
            )
            assert edited == expected, (module, first + 1, added)
            assert python_parses(edited)


@settings(max_examples=300, deadline=None)
@given(
    function=st.sampled_from(FUNCTIONS),
    added=st.sampled_from(sorted(ADDED)),
    editor_style=st.booleans(),
    final_newline=st.booleans(),
    fence=st.sampled_from(FENCES),
)
def test_a_line_added_above_a_real_function_keeps_the_module_parsing(
    function: tuple[str, int, int],
    added: str,
    editor_style: bool,
    final_newline: bool,
    fence: tuple[str, str],
) -> None:
    module, first, last = function
    edited, expected = added_above(module, first, last, added, editor_style, final_newline, fence)
    assert python_parses(edited)
    # And exactly where it belongs: above the function, at its indentation.
    assert edited == expected

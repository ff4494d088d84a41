"""Issue 12 through the real server: Grok: Document on selections as editors make them."""

from __future__ import annotations

import ast
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lsprotocol import types

from tests.server.conftest import StartEditor
from tests.server.harness import field

MODULE = (
    "from statistics import mean\n"
    "\n"
    "\n"
    "def stddev(values):\n"
    "    m = mean(values)\n"
    "    return m\n"
    "\n"
    "\n"
    "class Summary:\n"
    "    def spread(self, values):\n"
    "        low = min(values)\n"
    "        return max(values) - low\n"
)


@pytest.mark.parametrize("preset", ["neovim", "vscode"])
async def test_documenting_a_top_level_function_keeps_the_file_parsing(
    launch: StartEditor, workspace: Path, preset: str
) -> None:
    """The issue's report: every line after the added comment used to shift by the body's indent."""
    editor = await launch(preset)
    uri = (workspace / "stats.py").as_uri()
    editor.open(uri, MODULE)
    selection = {"start": {"line": 3, "character": 0}, "end": {"line": 6, "character": 0}}
    result = await editor.command("grok.document", {"uri": uri, "range": selection})
    assert field(result, "applied") is True, result
    assert editor.texts[uri] == MODULE.replace(
        "def stddev", "# stddev: documented by grok-sim.\ndef stddev"
    )
    ast.parse(editor.texts[uri])


async def test_documenting_a_method_selected_after_its_indentation(
    launch: StartEditor, workspace: Path
) -> None:
    """Editors select from the first character: the comment goes at the method's indentation."""
    editor = await launch("vscode")
    uri = (workspace / "summary.py").as_uri()
    editor.open(uri, MODULE)
    selection = {"start": {"line": 9, "character": 4}, "end": {"line": 11, "character": 32}}
    result = await editor.command("grok.document", {"uri": uri, "range": selection})
    assert field(result, "applied") is True, result
    assert editor.texts[uri] == MODULE.replace(
        "    def spread", "    # spread: documented by grok-sim.\n    def spread"
    )
    ast.parse(editor.texts[uri])


async def test_an_answer_without_code_changes_nothing_and_is_shown(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "plain.py").as_uri()
    editor.open(uri, MODULE)
    selection = {"start": {"line": 3, "character": 0}, "end": {"line": 6, "character": 0}}
    result = await editor.command(
        "grok.refactor", {"uri": uri, "range": selection, "instruction": "[[sim tokens=5]]"}
    )
    assert field(result, "applied") is False
    assert editor.texts[uri] == MODULE
    assert editor.applied_edits == []
    assert "no code block" in " ".join(editor.messages(types.MessageType.Warning))
    transcript = field(result, "transcript")
    assert transcript in [shown.uri for shown in editor.client.shown_documents]
    assert "w0 w1 w2 w3 w4" in Path(urlsplit(transcript).path).read_text(encoding="utf-8")

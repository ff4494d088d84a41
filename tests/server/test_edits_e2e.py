"""Edits end to end: exact results, minimal ranges, odd documents, typing during an answer."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.positions import whole_lines
from tests.server.conftest import StartEditor
from tests.server.harness import field as _field
from tests.waiting import until


async def test_refactor_applies_one_versioned_minimal_edit(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "shop.py").as_uri()
    source = (
        "# shop\ndef total(xs):\n    total = 0\n    for x in xs:\n"
        "        total += x\n    return total\n# end\n"
    )
    editor.open(uri, source)
    result = await editor.command(
        "grok.refactor",
        {"uri": uri, "range": whole_lines(1, 6), "instruction": "rename total to subtotal"},
    )
    assert _field(result, "applied") is True
    assert editor.texts[uri] == source.replace("total", "subtotal").replace("# subtotal", "# total")
    (params,) = editor.applied_edits
    assert params.label == "Grok: Refactor"
    (change,) = params.edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.version == 1
    touched = {line for e in change.edits for line in range(e.range.start.line, e.range.end.line)}
    assert touched <= {1, 2, 4, 5}  # line 3 ("for x in xs:") does not change and is not touched
    assert 3 not in touched


@pytest.mark.parametrize("preset", ["vscode", "neovim"])
async def test_unicode_positions_follow_the_negotiated_encoding(
    launch: StartEditor, workspace: Path, preset: str
) -> None:
    editor = await launch(preset)
    uri = (workspace / "emoji.py").as_uri()
    source = 'greeting = "😀 你好"; name = "😀"\nname = name + "世界😀"\nprint(name)\n'
    editor.open(uri, source)
    # select from after the emoji string on line 0 to the end of line 1 (positions in client units)
    start_char = (
        len('greeting = "😀 你好"; '.encode("utf-16-le")) // 2
        if editor.encoding == "utf-16"
        else len('greeting = "😀 你好"; '.encode())
    )
    end_char = (
        len('name = name + "世界😀"'.encode("utf-16-le")) // 2
        if editor.encoding == "utf-16"
        else len('name = name + "世界😀"'.encode())
    )
    value = {
        "start": {"line": 0, "character": start_char},
        "end": {"line": 1, "character": end_char},
    }
    result = await editor.command(
        "grok.refactor", {"uri": uri, "range": value, "instruction": "rename name to label"}
    )
    assert _field(result, "applied") is True
    assert (
        editor.texts[uri]
        == 'greeting = "😀 你好"; label = "😀"\nlabel = label + "世界😀"\nprint(name)\n'
    )


async def test_crlf_tabs_and_no_final_newline(launch: StartEditor, workspace: Path) -> None:
    editor = await launch("vscode")
    uri = (workspace / "tabs.py").as_uri()
    source = "def f(a):\r\n\tif a:\r\n\t\treturn a\r\n\treturn None"
    editor.open(uri, source)
    end = {"line": 3, "character": len("\treturn None")}
    result = await editor.command(
        "grok.refactor",
        {
            "uri": uri,
            "range": {"start": {"line": 1, "character": 0}, "end": end},
            "instruction": "rename a to value",
        },
    )
    assert _field(result, "applied") is True
    assert editor.texts[uri] == "def f(a):\r\n\tif value:\r\n\t\treturn value\r\n\treturn None"


async def test_document_inserts_comments_with_the_range_indentation(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("neovim")
    uri = (workspace / "cls.py").as_uri()
    source = "class A:\n    def run(self):\n        pass\n"
    editor.open(uri, source)
    result = await editor.command("grok.document", {"uri": uri, "range": whole_lines(1, 3)})
    assert _field(result, "applied") is True
    assert (
        editor.texts[uri]
        == "class A:\n    # run: documented by grok-sim.\n    def run(self):\n        pass\n"
    )


async def test_typing_above_the_selection_reanchors_the_edit(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "slow.py").as_uri()
    source = "x = 1\n# [[sim tps=40]]\ndef f(count):\n    return count + 1\n"
    editor.open(uri, source)
    task = asyncio.ensure_future(
        editor.command(
            "grok.refactor",
            {"uri": uri, "range": whole_lines(1, 4), "instruction": "rename count to n"},
        )
    )
    await _wait_for_stream(editor)
    editor.type_text(uri, 0, 0, "import os\n\n")  # the user types above while Grok answers
    result = await task
    assert _field(result, "applied") is True, editor.messages()
    assert (
        editor.texts[uri] == "import os\n\nx = 1\n# [[sim tps=40]]\ndef f(n):\n    return n + 1\n"
    )


async def test_typing_inside_the_selection_refuses_the_edit(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "slow.py").as_uri()
    source = "# [[sim tps=40]]\ndef f(count):\n    return count + 1\n"
    editor.open(uri, source)
    task = asyncio.ensure_future(
        editor.command(
            "grok.refactor",
            {"uri": uri, "range": whole_lines(0, 3), "instruction": "rename count to n"},
        )
    )
    await _wait_for_stream(editor)
    inside = source.index("return")
    editor.type_text(uri, inside, inside, "# edited\n    ")
    result = await task
    assert _field(result, "applied") is False
    assert editor.applied_edits == []
    assert any("Not applied" in m for m in editor.messages(types.MessageType.Warning))
    assert "count" in editor.texts[uri]


async def test_a_refused_apply_edit_is_reported(launch: StartEditor, workspace: Path) -> None:
    editor = await launch("vscode")
    editor.refuse_edits = True
    uri = (workspace / "a.py").as_uri()
    editor.open(uri, "def f(count):\n    return count\n")
    result = await editor.command(
        "grok.refactor",
        {"uri": uri, "range": whole_lines(0, 2), "instruction": "rename count to n"},
    )
    assert _field(result, "applied") is False
    assert any("refused by test" in m for m in editor.messages(types.MessageType.Warning))


async def test_preview_mode_offers_apply_suggestion(launch: StartEditor, workspace: Path) -> None:
    editor = await launch("vscode", {"editMode": "preview"})
    uri = (workspace / "p.py").as_uri()
    source = "def f(count):\n    return count\n"
    editor.open(uri, source)
    value = whole_lines(0, 2)
    result = await editor.command(
        "grok.refactor", {"uri": uri, "range": value, "instruction": "rename count to n"}
    )
    assert _field(result, "applied") is False
    assert editor.applied_edits == [] and editor.texts[uri] == source
    preview = editor.client.shown_documents[-1]
    assert preview.uri == _field(result, "preview") and preview.take_focus is False
    diff = Path(preview.uri.removeprefix("file://")).read_text(encoding="utf-8")
    (proposed,) = _field(result, "edit")["documentChanges"]
    assert proposed["textDocument"] == {"uri": uri, "version": 1}
    assert "@@ -1,2 +1,2 @@\n-def f(count):\n-    return count\n+def f(n):\n+    return n\n" in diff
    actions = await editor.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=1, character=0), end=types.Position(line=1, character=0)
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert actions is not None
    apply = next(a for a in actions if a.title == "Grok: Apply suggestion")
    assert isinstance(apply, types.CodeAction) and apply.command is not None
    await editor.command(apply.command.command, *(apply.command.arguments or []))
    assert editor.texts[uri] == "def f(n):\n    return n\n"


async def test_a_discarded_suggestion_is_no_longer_offered(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode", {"editMode": "preview"})
    uri = (workspace / "d.py").as_uri()
    editor.open(uri, "def f(count):\n    return count\n")
    value = whole_lines(0, 2)
    result = await editor.command(
        "grok.refactor", {"uri": uri, "range": value, "instruction": "rename count to n"}
    )
    await editor.command("grok.discardSuggestion", {"uri": uri, "id": _field(result, "suggestion")})
    actions = await editor.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert actions is not None
    assert "Grok: Apply suggestion" not in [a.title for a in actions]


async def test_applying_a_suggestion_for_another_file_is_refused_and_keeps_it(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode", {"editMode": "preview"})
    uri = (workspace / "w.py").as_uri()
    editor.open(uri, "def f(count):\n    return count\n")
    result = await editor.command(
        "grok.refactor",
        {"uri": uri, "range": whole_lines(0, 2), "instruction": "rename count to n"},
    )
    suggestion = _field(result, "suggestion")
    other = (workspace / "other.py").as_uri()
    with pytest.raises(JsonRpcException, match="no pending suggestion"):
        await editor.command("grok.applySuggestion", {"uri": other, "id": suggestion})
    assert editor.applied_edits == []
    applied = await editor.command("grok.applySuggestion", {"uri": uri, "id": suggestion})
    assert _field(applied, "applied") is True
    assert editor.texts[uri] == "def f(n):\n    return n\n"


async def test_a_suggestion_follows_its_renamed_file(launch: StartEditor, workspace: Path) -> None:
    editor = await launch("vscode", {"editMode": "preview"})
    old, new = (workspace / "old.py").as_uri(), (workspace / "new.py").as_uri()
    source = "def f(count):\n    return count\n"
    editor.open(old, source)
    result = await editor.command(
        "grok.refactor",
        {"uri": old, "range": whole_lines(0, 2), "instruction": "rename count to n"},
    )
    editor.client.workspace_did_rename_files(
        types.RenameFilesParams(files=[types.FileRename(old_uri=old, new_uri=new)])
    )
    editor.open(new, source)
    applied = await editor.command(
        "grok.applySuggestion", {"uri": new, "id": _field(result, "suggestion")}
    )
    assert _field(applied, "applied") is True
    assert editor.texts[new] == "def f(n):\n    return n\n"


async def _wait_for_stream(editor: Any) -> None:
    await until(lambda: editor.stream, "a grok/stream notification")

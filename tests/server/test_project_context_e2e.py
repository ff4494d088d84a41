"""Project context through the real server (SPEC section 10): what reaches the API simulator."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from lsprotocol import types

from tests.server.conftest import StartEditor
from tests.server.harness import field

WORKSPACES = Path(__file__).parents[1] / "project" / "workspaces"


def lines(first: int, last: int) -> dict[str, Any]:
    """Whole lines first..last, 1-based and inclusive, as an LSP range."""
    return {"start": {"line": first - 1, "character": 0}, "end": {"line": last, "character": 0}}


def sample(workspace: Path, language: str) -> Path:
    shutil.copytree(WORKSPACES / language, workspace, dirs_exist_ok=True)
    return workspace


def last_request_text(simulator: Any) -> str:
    return str(simulator.chats[-1].prompt_text())


# Per language: the document, its language id, the selected lines, and the text of a
# definition in another file that the answer needs (the model cannot see it otherwise).
NEEDED = {
    "python": ("shop/orders/pricing.py", "python", (6, 10), "None for a code nobody knows"),
    "typescript": ("src/cart.ts", "typescript", (4, 6), "export function withTax("),
    "javascript": ("lib/greet.js", "javascript", (3, 5), 'return text.toUpperCase() + "!";'),
    "go": ("pricing/total.go", "go", (4, 6), "func sum(items []int) int {"),
    "rust": ("src/pricing.rs", "rust", (3, 5), "pub const FEE: i64 = 50;"),
}


@pytest.mark.parametrize("language", sorted(NEEDED))
async def test_the_definition_the_selection_needs_is_sent(
    launch: StartEditor, simulator: Any, workspace: Path, language: str
) -> None:
    folder = "typescript" if language == "javascript" else language
    root = sample(workspace, folder)
    relative, language_id, (first, last), needed = NEEDED[language]
    editor = await launch("vscode", {"resultDisplay": "none"})
    uri = (root / relative).as_uri()
    editor.open(uri, (root / relative).read_text(), language_id)
    await editor.command("grok.explain", {"uri": uri, "range": lines(first, last)})
    sent = last_request_text(simulator)
    assert needed in sent
    assert "(related: `" in sent  # listed, with the reason
    assert str(root) not in sent  # paths relative to the workspace root


async def test_without_related_definitions_the_helper_is_not_sent(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    root = sample(workspace, "python")
    editor = await launch("vscode", {"resultDisplay": "none", "context": {"related": False}})
    uri = (root / "shop/orders/pricing.py").as_uri()
    editor.open(uri, (root / "shop/orders/pricing.py").read_text())
    await editor.command("grok.explain", {"uri": uri, "range": lines(6, 10)})
    sent = last_request_text(simulator)
    assert "best_discount(code)" in sent  # the call, in the selection
    assert "None for a code nobody knows" not in sent  # not its definition


async def test_rules_come_once_before_the_first_turn_and_follow_edits(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    root = sample(workspace, "python")
    editor = await launch("vscode", {"resultDisplay": "none"})
    path = root / "shop/orders/pricing.py"
    uri = path.as_uri()
    editor.open(uri, path.read_text())
    explained = await editor.command("grok.explain", {"uri": uri, "range": lines(6, 10)})
    asked = await editor.command("grok.ask", {"uri": uri, "question": "And for an unknown code?"})
    first, second = (record.messages for record in simulator.chats[-2:])
    rules = first[1]["content"]
    assert rules.index("returns None for unknown codes") < rules.index("integer cents")
    # The prompt up to the end of the rules is the same from turn to turn...
    assert second[:2] == first[:2]
    assert sum("integer cents" in m["content"] for m in second) == 1  # once per request
    # ...so the API's prompt cache serves all of the first request, rules included.
    assert field(field(asked, "usage"), "cachedTokens") == field(
        field(explained, "usage"), "promptTokens"
    )
    (root / "AGENTS.md").write_text("Money is kept in Decimal now.\n")
    again = await editor.command("grok.ask", {"uri": uri, "question": "Anything else?"})
    third = simulator.chats[-1].messages
    assert "Decimal now" in third[1]["content"]
    assert not any("integer cents" in m["content"] for m in third)
    # A fresh prefix from the changed rules on: the cache serves only what comes before them.
    cached = field(field(again, "usage"), "cachedTokens")
    assert 0 < cached < field(field(asked, "usage"), "promptTokens")
    assert cached * 4 <= len(third[0]["content"]) + len(rules) + 16


async def test_references_are_sent_and_bad_ones_named_while_the_request_goes_ahead(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    root = sample(workspace, "python")
    (workspace.parent / "secret.txt").write_text("not for the model\n")
    editor = await launch("vscode", {"resultDisplay": "none"})
    path = root / "shop/util.py"
    uri = path.as_uri()
    editor.open(uri, path.read_text())
    question = (
        "Why would it return None? See #file:shop/discounts.py:6-10, #file:missing.py "
        "and #file:../secret.txt."
    )
    result = await editor.command(
        "grok.ask", {"uri": uri, "question": question, "range": lines(1, 2)}
    )
    assert field(result, "text")
    sent = last_request_text(simulator)
    assert "9 |         return None" in sent
    assert "`shop/discounts.py` lines 6-10 (reference: #file:shop/discounts.py:6-10)" in sent
    assert "not for the model" not in sent
    warnings = editor.messages(types.MessageType.Warning)
    named = [w for w in warnings if "#file:missing.py" in w]
    assert named and "#file:../secret.txt" in named[0] and "outside the workspace" in named[0]


async def test_open_sends_the_other_documents_with_their_unsaved_changes(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    root = sample(workspace, "python")
    editor = await launch("vscode", {"resultDisplay": "none"})
    here = (root / "shop/util.py").as_uri()
    other = (root / "shop/discounts.py").as_uri()
    editor.open(here, (root / "shop/util.py").read_text())
    editor.open(other, (root / "shop/discounts.py").read_text())
    editor.type_text(other, 0, 0, "# typed, not saved\n")
    await editor.command("grok.ask", {"uri": here, "question": "compare with #open"})
    sent = last_request_text(simulator)
    assert "1 | # typed, not saved" in sent
    assert "`shop/discounts.py` lines 1-11 (reference: #open)" in sent


async def test_the_transcript_and_conversation_show_list_what_was_sent(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    root = sample(workspace, "python")
    editor = await launch("vscode")
    path = root / "shop/orders/pricing.py"
    uri = path.as_uri()
    editor.open(uri, path.read_text())
    await editor.command(
        "grok.ask",
        {"uri": uri, "question": "Is #file:shop/util.py right?", "range": lines(6, 10)},
    )
    shown = await editor.command("grok.conversation.show", {"uri": uri})
    request = field(shown, "turns")[0]
    content = request["content"] if isinstance(request, dict) else request.content
    listing = content[content.index("Project context sent with this request:") :]
    assert "- `shop/AGENTS.md` line 1 (rules)" in listing
    assert "- `AGENTS.md` lines 1-3 (rules)" in listing
    assert "- `shop/util.py` lines 1-2 (reference: #file:shop/util.py)" in listing
    assert "- `shop/discounts.py` lines 6-10 (related: `best_discount`" in listing
    assert "shop/util.py` lines 1-2 (related" not in listing  # already sent as a reference
    text = Path(unquote(urlsplit(field(shown, "transcript")).path)).read_text()
    assert "Project context sent with this request:" in text
    assert str(root) not in text and str(root) not in content


async def test_references_in_a_refactor_instruction_and_a_user_actions_prompt(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    root = sample(workspace, "python")
    actions = [
        {"id": "like", "title": "Like", "prompt": "Explain {input} as in #file:shop/util.py"}
    ]
    editor = await launch("vscode", {"resultDisplay": "none", "actions": actions})
    path = root / "shop/discounts.py"
    uri = path.as_uri()
    editor.open(uri, path.read_text())
    result = await editor.command(
        "grok.refactor",
        {
            "uri": uri,
            "range": lines(6, 10),
            "instruction": "rename code to key, as in #file:shop/util.py",
        },
    )
    assert field(result, "applied") is True
    assert "`shop/util.py` lines 1-2 (reference: #file:shop/util.py)" in last_request_text(
        simulator
    )
    assert "#file:" not in editor.texts[uri]  # the edit holds code only, not the context
    await editor.command(
        "grok.action",
        {"id": "like", "uri": uri, "range": lines(3, 3), "input": "#file:shop/AGENTS.md"},
    )
    sent = last_request_text(simulator)
    assert "`shop/util.py` lines 1-2 (reference: #file:shop/util.py)" in sent
    assert "`shop/AGENTS.md` line 1 (reference: #file:shop/AGENTS.md)" in sent


async def test_without_tree_sitter_the_server_still_answers_with_rules_and_references(
    launch: StartEditor, simulator: Any, workspace: Path, tmp_path: Path
) -> None:
    """As the VS Code extension's bundled server runs: pure-Python packages only."""
    blocker = tmp_path / "no-tree-sitter"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['tree_sitter'] = None\n")
    root = sample(workspace, "python")
    editor = await launch("vscode", {"resultDisplay": "none"}, PYTHONPATH=str(blocker))
    path = root / "shop/orders/pricing.py"
    uri = path.as_uri()
    editor.open(uri, path.read_text())
    result = await editor.command(
        "grok.ask", {"uri": uri, "question": "See #file:shop/util.py", "range": lines(6, 10)}
    )
    assert field(result, "text")
    sent = last_request_text(simulator)
    assert "integer cents" in sent and "(reference: #file:shop/util.py)" in sent
    assert "(related:" not in sent and "None for a code nobody knows" not in sent

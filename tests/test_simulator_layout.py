"""The simulator reads a user turn laid out as the product sends it: file, diff, selection."""

from __future__ import annotations

from grok_lsp.assistant.actions import EXPLAIN
from grok_lsp.assistant.context import CodeSelection, OpenFile, build_prompt
from grok_lsp.assistant.conversations import History, Turn
from grok_lsp.simulator.answers import answer_text, read_prompt

TAIL = [f"UNIT_{n} = {n}\n" for n in range(30)]  # enough file that a diff is the smaller
# A Markdown-ish line that reads like the selection's heading, next to a changed line:
# the diff shows it as context (" # Selected code").
BEFORE = ["# Selected code\n", "x = 1\n", "def area(r):\n", "    return r * r\n", *TAIL]
AFTER = ["# Selected code\n", "x = 2\n", *BEFORE[2:]]


def test_a_selection_heading_inside_the_diff_is_not_the_selection() -> None:
    selection = CodeSelection("calc.py", "python", AFTER, 2, 3, "".join(AFTER[2:4]))
    history = History([Turn("user", "first"), Turn("assistant", "answer")], None, "".join(BEFORE))
    prompt = build_prompt(
        EXPLAIN,
        selection,
        "Explain the selected code.",
        history,
        context_lines=0,
        max_context_tokens=12000,
        document=OpenFile("calc.py", "python", AFTER),
    )
    assert "\n # Selected code\n-x = 1\n+x = 2\n" in prompt.user_turn
    read = read_prompt(prompt.messages)
    assert read.task == "explain"
    assert read.selection is not None
    assert read.selection.code == "def area(r):\n    return r * r"
    assert "def area(r):" in answer_text(read)

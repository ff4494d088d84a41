"""Packaging a selection into chat messages, within the token budget."""

from __future__ import annotations

from grok_lsp.assistant.actions import ASK, EXPLAIN, REFACTOR
from grok_lsp.assistant.context import (
    CodeSelection,
    DiagnosticNote,
    build_prompt,
    estimate_tokens,
)
from grok_lsp.assistant.conversations import Turn

LINES = [f"line_{n} = {n}\n" for n in range(200)]


def _selection(start: int = 100, end: int = 102) -> CodeSelection:
    return CodeSelection(
        path="pkg/mod.py",
        language_id="python",
        lines=LINES,
        start_line=start,
        end_line=end,
        text="".join(LINES[start : end + 1]),
    )


def test_user_message_carries_path_language_numbered_code_context_and_request() -> None:
    prompt = build_prompt(
        EXPLAIN,
        _selection(),
        "Explain the selected code.",
        [],
        context_lines=2,
        max_context_tokens=12000,
        diagnostics=[DiagnosticNote(101, "error", "bad name", "ruff")],
    )
    system, user = prompt.messages
    assert system["role"] == "system" and "Task: explain" in system["content"]
    text = user["content"]
    assert text.startswith("File: `pkg/mod.py` (python), lines 101-103 of 200.")
    assert "Selected code:\n```python\n101 | line_100 = 100\n102 | line_101 = 101\n" in text
    assert "99 | line_98 = 98" in text and "98 | line_97" not in text  # two lines before
    assert "104 | line_103 = 103" in text and "106 | line_105" not in text
    assert "- line 102: error: bad name (ruff)" in text
    assert text.endswith("Request: Explain the selected code.")
    assert prompt.context_lines == 2


def test_context_is_trimmed_before_history() -> None:
    history = [Turn("user", "q" * 400), Turn("assistant", "a" * 400)]
    prompt = build_prompt(
        REFACTOR, _selection(), "Refactor.", history, context_lines=100, max_context_tokens=300
    )
    assert prompt.context_lines < 100
    assert prompt.history_turns == 2
    context_cost = estimate_tokens(prompt.messages[-1]["content"]) - estimate_tokens(
        _selection().text
    )
    assert (
        context_cost + 200 <= 300 + 60
    )  # history (200 tokens) + context within budget, headers aside


def test_oldest_turns_are_dropped_in_pairs_when_context_is_gone() -> None:
    history = [
        Turn("user", "old question " * 50),
        Turn("assistant", "old answer " * 50),
        Turn("user", "new question"),
        Turn("assistant", "new answer"),
    ]
    prompt = build_prompt(ASK, None, "And now?", history, context_lines=30, max_context_tokens=256)
    roles = [m["role"] for m in prompt.messages]
    assert roles == ["system", "user", "assistant", "user"]
    assert prompt.messages[1]["content"] == "new question"
    assert prompt.history_turns == 2


def test_a_follow_up_without_selection_is_just_the_question() -> None:
    prompt = build_prompt(ASK, None, "Why?", [], context_lines=30, max_context_tokens=12000)
    assert prompt.messages[-1] == {"role": "user", "content": "Why?"}


def test_code_with_backtick_fences_gets_a_longer_fence() -> None:
    lines = ["doc = '''\n", "```\n", "'''\n"]
    selection = CodeSelection("a.py", "python", lines, 0, 2, "".join(lines))
    prompt = build_prompt(EXPLAIN, selection, "x", [], context_lines=0, max_context_tokens=1000)
    assert "````python\n1 | doc = '''\n2 | ```\n3 | '''\n````" in prompt.messages[-1]["content"]

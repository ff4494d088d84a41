"""Packaging a selection into messages: a cache-stable layout, within the token budget."""

from __future__ import annotations

from grok_lsp.assistant.actions import (
    ASK,
    BUILTIN_ACTIONS,
    DOCUMENT,
    EXPLAIN,
    FIX,
    REFACTOR,
    SYSTEM_PROMPT,
    user_defined,
)
from grok_lsp.assistant.context import (
    SUMMARY_INTRO,
    CodeSelection,
    DiagnosticNote,
    build_prompt,
    estimate_tokens,
    summarize,
)
from grok_lsp.assistant.conversations import History, Turn
from grok_lsp.settings import UserAction

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


def test_user_message_carries_task_path_language_numbered_code_context_and_request() -> None:
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
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    text = user["content"]
    assert text.startswith(EXPLAIN.task + "\n\nFile: `pkg/mod.py` (python), lines 101-103 of 200.")
    assert "Selected code:\n```python\n101 | line_100 = 100\n102 | line_101 = 101\n" in text
    assert "99 | line_98 = 98" in text and "98 | line_97" not in text  # two lines before
    assert "104 | line_103 = 103" in text and "106 | line_105" not in text
    assert "- line 102: error: bad name (ruff)" in text
    assert text.endswith("Request: Explain the selected code.")
    assert prompt.context_lines == 2


def test_every_action_sends_the_same_system_prompt_and_its_task_in_the_user_turn() -> None:
    custom = user_defined(UserAction("shout", "Shout", "Make it loud: {selection}", "edit"))
    for action in (*BUILTIN_ACTIONS.values(), ASK, custom):
        prompt = build_prompt(
            action, _selection(), "Go.", [], context_lines=3, max_context_tokens=12000
        )
        assert prompt.messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
        assert prompt.user_turn.startswith(action.task)
    assert "replacement for the selected code" in custom.task  # an edit asks for code


def _exchange(number: int, size: int = 40) -> list[Turn]:
    return [
        Turn("user", f"question {number} " + "q" * size, action="ask"),
        Turn("assistant", f"answer {number} " + "a" * size, action="ask"),
    ]


def test_within_budget_each_request_begins_with_the_whole_previous_request() -> None:
    history: list[Turn] = []
    previous: list[dict[str, object]] = []
    for number, action in enumerate((EXPLAIN, REFACTOR, ASK, FIX, DOCUMENT)):
        prompt = build_prompt(
            action, _selection(), "Go.", history, context_lines=5, max_context_tokens=12000
        )
        assert prompt.messages[: len(previous)] == previous  # nothing earlier rewritten
        assert prompt.compaction is None and prompt.history_turns == len(history)
        previous = prompt.messages
        history += [Turn("user", prompt.user_turn), Turn("assistant", f"answer {number}")]
        previous = [*previous, {"role": "assistant", "content": f"answer {number}"}]


def test_project_context_sits_after_the_system_prompt_before_the_first_turn() -> None:
    history = _exchange(1)
    prompt = build_prompt(
        ASK,
        None,
        "And now?",
        history,
        context_lines=0,
        max_context_tokens=12000,
        project_context=["Rules from AGENTS.md: use tabs."],
    )
    assert [m["content"] for m in prompt.messages[:4]] == [
        SYSTEM_PROMPT,
        "Rules from AGENTS.md: use tabs.",
        history[0].content,
        history[1].content,
    ]


def test_an_answer_goes_back_with_its_output_items() -> None:
    items = [
        {"id": "rs_1", "type": "reasoning", "summary": [], "encrypted_content": "opaque"},
        {"id": "msg_1", "type": "message", "role": "assistant", "content": []},
    ]
    history = [Turn("user", "Why?"), Turn("assistant", "Because.", items=items)]
    prompt = build_prompt(ASK, None, "And?", history, context_lines=0, max_context_tokens=12000)
    assert prompt.messages[2] == {"role": "assistant", "content": "Because.", "items": items}


def test_over_budget_the_history_is_compacted_once_into_a_summary() -> None:
    history = [turn for number in range(12) for turn in _exchange(number, size=400)]
    prompt = build_prompt(ASK, None, "And now?", history, context_lines=0, max_context_tokens=1000)
    compaction = prompt.compaction
    assert compaction is not None and 0 < compaction.covers < len(history)
    assert history[compaction.covers].role == "user"  # never starts with a lone answer
    assert compaction.summary.startswith(SUMMARY_INTRO)
    newest_compacted = history[compaction.covers - 2].content.split(" q")[0]
    assert f"- ask: {newest_compacted}" in compaction.summary  # the newest gists are kept
    summary, *kept, _ = prompt.messages[1:]
    assert summary == {"role": "user", "content": compaction.summary}
    assert [m["content"] for m in kept] == [t.content for t in history[compaction.covers :]]
    assert prompt.history_turns == len(kept)
    assert (
        estimate_tokens(compaction.summary)
        + sum(estimate_tokens(t.content) for t in history[compaction.covers :])
        <= 1000
    )

    # The next request builds on the stored compaction: same prefix, no new compaction.
    answered = [*history, Turn("user", prompt.user_turn), Turn("assistant", "short")]
    after = build_prompt(
        ASK,
        None,
        "Next?",
        History(answered, compaction),
        context_lines=0,
        max_context_tokens=1000,
    )
    assert after.compaction is None
    assert after.messages[: len(prompt.messages)] == prompt.messages


def test_a_second_compaction_folds_the_first_summary_in() -> None:
    history = [turn for number in range(12) for turn in _exchange(number, size=400)]
    first = build_prompt(ASK, None, "x", history, context_lines=0, max_context_tokens=1000)
    assert first.compaction is not None
    longer = [*history, *(t for n in range(12, 20) for t in _exchange(n, size=400))]
    second = build_prompt(
        ASK, None, "y", History(longer, first.compaction), context_lines=0, max_context_tokens=1000
    )
    assert second.compaction is not None
    assert second.compaction.covers > first.compaction.covers
    assert second.compaction.summary.startswith(SUMMARY_INTRO)
    # Room allowing, the earlier summary's lines come first, then the newly compacted turns.
    folded = summarize(first.compaction.summary, _exchange(30), max_tokens=10_000)
    earlier = first.compaction.summary.splitlines()[1:]
    assert folded.splitlines() == [SUMMARY_INTRO, *earlier, *folded.splitlines()[-2:]]
    assert folded.splitlines()[-2].startswith("- ask: question 30")


def test_over_budget_with_context_the_history_is_compacted_then_the_context_trimmed() -> None:
    history = [Turn("user", "q" * 400, action="fix"), Turn("assistant", "a" * 400)]
    prompt = build_prompt(
        REFACTOR, _selection(), "Refactor.", history, context_lines=100, max_context_tokens=300
    )
    assert prompt.compaction is not None and prompt.compaction.covers == 2
    assert prompt.compaction.summary.splitlines()[1].startswith("- fix: qqq")
    assert prompt.history_turns == 0
    assert 0 < prompt.context_lines < 100
    context_cost = estimate_tokens(prompt.user_turn) - estimate_tokens(_selection().text)
    assert context_cost + estimate_tokens(prompt.compaction.summary) <= 300 + 100  # + headers


def test_a_follow_up_without_selection_is_the_task_and_the_question() -> None:
    prompt = build_prompt(ASK, None, "Why?", [], context_lines=30, max_context_tokens=12000)
    assert prompt.messages[-1] == {"role": "user", "content": f"{ASK.task}\n\nRequest: Why?"}


def test_code_with_backtick_fences_gets_a_longer_fence() -> None:
    lines = ["doc = '''\n", "```\n", "'''\n"]
    selection = CodeSelection("a.py", "python", lines, 0, 2, "".join(lines))
    prompt = build_prompt(EXPLAIN, selection, "x", [], context_lines=0, max_context_tokens=1000)
    assert "````python\n1 | doc = '''\n2 | ```\n3 | '''\n````" in prompt.messages[-1]["content"]


def test_reasoning_sent_back_counts_towards_the_budget() -> None:
    reasoning = {"id": "rs_1", "type": "reasoning", "summary": [], "encrypted_content": "e" * 8000}
    history = [
        Turn("user", "q1"),
        Turn("assistant", "a1", items=[reasoning]),
        Turn("user", "q2"),
        Turn("assistant", "a2"),
    ]
    plain = [Turn(t.role, t.content) for t in history]
    assert (
        build_prompt(ASK, None, "?", plain, context_lines=0, max_context_tokens=1000).compaction
        is None
    )
    heavy = build_prompt(ASK, None, "?", history, context_lines=0, max_context_tokens=1000)
    assert heavy.compaction is not None and heavy.compaction.covers == 2

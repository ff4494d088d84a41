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
    Action,
    user_defined,
)
from grok_lsp.assistant.context import (
    CHANGES_INTRO,
    DOCUMENT_SHARE,
    SUMMARY_INTRO,
    WHOLE_FILE_INTRO,
    CodeSelection,
    DiagnosticNote,
    OpenFile,
    Prompt,
    build_prompt,
    estimate_tokens,
    model_has_whole_file,
    summarize,
    whole_file,
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


# -- the document: whole once, then diffs (a prefix the cache can serve) --

DOC = [f"value_{n} = {n}\n" for n in range(40)]


def _open_file(lines: list[str] = DOC) -> OpenFile:
    return OpenFile("pkg/doc.py", "python", lines)


def _selected(lines: list[str], start: int, end: int) -> CodeSelection:
    return CodeSelection("pkg/doc.py", "python", lines, start, end, "".join(lines[start : end + 1]))


def _turn(
    action: Action,
    lines: list[str],
    history: History,
    start: int = 10,
    end: int = 12,
    budget: int = 12000,
) -> Prompt:
    return build_prompt(
        action,
        _selected(lines, start, end),
        action.instruction or "Why?",
        history,
        context_lines=5,
        max_context_tokens=budget,
        document=_open_file(lines),
    )


def _answered(history: History, prompt: Prompt, answer: str = "Done.") -> History:
    turns = [*history.turns, Turn("user", prompt.user_turn), Turn("assistant", answer)]
    return History(turns, prompt.compaction or history.compaction, prompt.seen)


def test_the_first_request_carries_the_whole_document_numbered_and_no_context_lines() -> None:
    prompt = _turn(EXPLAIN, DOC, History([]))
    text = prompt.user_turn
    assert text.startswith(EXPLAIN.task + "\n\nFile: `pkg/doc.py` (python), lines 11-13 of 40.")
    whole = "".join(f"{n + 1} | value_{n} = {n}\n" for n in range(40))
    assert f"{WHOLE_FILE_INTRO}\n```python\n{whole}```" in text
    assert "Context before" not in text and "Context after" not in text
    # The selection still comes, numbered, after the file: the edit pipeline works on it.
    assert text.index(WHOLE_FILE_INTRO) < text.index("Selected code:\n```python\n11 | value_10")
    assert text.endswith("Request: Explain the selected code.")
    assert (prompt.document, prompt.seen, prompt.context_lines) == ("file", "".join(DOC), 0)


def test_later_requests_carry_no_file_when_the_document_did_not_change() -> None:
    first = _turn(EXPLAIN, DOC, History([]))
    second = _turn(REFACTOR, DOC, _answered(History([]), first), start=20, end=21)
    text = second.user_turn
    assert WHOLE_FILE_INTRO not in text and CHANGES_INTRO not in text
    assert "value_5 = 5" not in text  # neither the file nor lines around the selection
    assert text == (
        f"{REFACTOR.task}\n\nFile: `pkg/doc.py` (python), lines 21-22 of 40.\n\n"
        "Selected code:\n```python\n21 | value_20 = 20\n22 | value_21 = 21\n```\n\n"
        f"Request: {REFACTOR.instruction}"
    )
    assert second.messages[: len(first.messages)] == first.messages
    assert (second.document, second.seen) == ("same", "".join(DOC))


def test_a_changed_document_goes_as_a_diff_in_the_current_texts_line_numbers() -> None:
    first = _turn(EXPLAIN, DOC, History([]))
    edited = list(DOC)
    edited[30:31] = ["value_30 = 300\n", "extra = 1\n"]  # line 31 changed, a line added
    second = _turn(ASK, edited, _answered(History([]), first), start=31, end=31)
    text = second.user_turn
    assert WHOLE_FILE_INTRO not in text
    diff = text.split(CHANGES_INTRO + "\n```diff\n", 1)[1].split("\n```", 1)[0]
    assert diff.splitlines()[:3] == [
        "--- pkg/doc.py (as you last saw it)",
        "+++ pkg/doc.py (now)",
        "@@ -28,7 +28,8 @@",
    ]
    assert "-value_30 = 30\n+value_30 = 300\n+extra = 1\n value_31 = 31" in diff
    assert "Selected code:\n```python\n32 | extra = 1\n```" in text  # the current numbering
    assert (second.document, second.seen) == ("diff", "".join(edited))


def test_a_diff_bigger_than_the_file_sends_the_file_again() -> None:
    first = _turn(EXPLAIN, DOC, History([]))
    rewritten = [f"other_{n} = {n * 2}\n" for n in range(40)]
    second = _turn(FIX, rewritten, _answered(History([]), first))
    assert second.document == "file"
    assert f"{WHOLE_FILE_INTRO}\n```python\n1 | other_0 = 0\n" in second.user_turn
    assert CHANGES_INTRO not in second.user_turn
    assert second.seen == "".join(rewritten)


def test_a_conversation_without_a_stored_text_sends_the_file_with_its_history_kept() -> None:
    # An old store (or a document once over budget): turns, but no text the model saw.
    history = History([Turn("user", "Explain."), Turn("assistant", "It adds.")])
    prompt = _turn(DOCUMENT, DOC, history)
    assert prompt.document == "file" and WHOLE_FILE_INTRO in prompt.user_turn
    assert [m["content"] for m in prompt.messages[1:3]] == ["Explain.", "It adds."]


def test_a_document_over_a_quarter_of_the_budget_keeps_the_context_lines() -> None:
    big = [f"value_{n} = {n}  # {'x' * 60}\n" for n in range(200)]
    assert estimate_tokens(whole_file(_open_file(big))) > 4000 * DOCUMENT_SHARE
    prompt = _turn(EXPLAIN, big, History([]), start=100, end=101, budget=4000)
    assert prompt.document == "" and prompt.seen is None
    assert WHOLE_FILE_INTRO not in prompt.user_turn
    assert "Context before the selection" in prompt.user_turn and prompt.context_lines == 5
    # The same file fits a bigger budget: the whole of it, once.
    roomy = _turn(EXPLAIN, big, History([]), start=100, end=101, budget=40000)
    assert roomy.document == "file" and roomy.context_lines == 0


def test_a_question_without_a_selection_gets_the_changes_but_not_the_unchanged_file() -> None:
    first = _turn(EXPLAIN, DOC, History([]))
    history = _answered(History([]), first)
    same = build_prompt(
        ASK, None, "Why?", history, context_lines=5, max_context_tokens=12000,
        document=_open_file(),
    )  # fmt: skip
    assert same.user_turn == f"{ASK.task}\n\nRequest: Why?"
    edited = [*DOC, "tail = 1\n"]
    changed = build_prompt(
        ASK, None, "Why?", history, context_lines=5, max_context_tokens=12000,
        document=_open_file(edited),
    )  # fmt: skip
    assert changed.user_turn.startswith(
        f"{ASK.task}\n\nFile: `pkg/doc.py` (python), 41 lines.\n\n{CHANGES_INTRO}\n```diff\n"
    )
    assert "+tail = 1" in changed.user_turn and changed.user_turn.endswith("Request: Why?")
    # Without the document, what the model saw stays as it was.
    bare = build_prompt(ASK, None, "Why?", history, context_lines=5, max_context_tokens=12000)
    assert bare.seen == "".join(DOC) and bare.document == ""


def test_after_a_compaction_the_whole_file_goes_again_and_the_prefix_holds_after() -> None:
    history = History([])
    prompts = []
    for number in range(12):
        action = (EXPLAIN, REFACTOR, ASK, FIX)[number % 4]
        prompt = _turn(action, DOC, history, start=number, end=number + 1, budget=1500)
        prompts.append(prompt)
        history = _answered(history, prompt, "answer " + "a" * 600)
    kinds = [p.document for p in prompts]
    compacted = [n for n, p in enumerate(prompts) if p.compaction is not None]
    assert kinds[0] == "file" and compacted, kinds
    for number, prompt in enumerate(prompts[1:], 1):
        if number in compacted:
            assert prompt.document == "file" and WHOLE_FILE_INTRO in prompt.user_turn
        else:  # nothing earlier rewritten, and the file not sent again
            assert prompt.document == "same"
            before = prompts[number - 1].messages
            assert prompt.messages[: len(before)] == before


def test_line_breaks_only_editors_count_do_not_make_a_diff() -> None:
    # A form feed and a Unicode line separator are inside lines for LSP, not breaks.
    lines = ["a = 1\n", "\x0c\n", "b = '\u2028'\r\n", "c = 3\n"]
    first = _turn(EXPLAIN, lines, History([]), start=0, end=0)
    again = _turn(EXPLAIN, lines, _answered(History([]), first), start=3, end=3)
    assert again.document == "same" and CHANGES_INTRO not in again.user_turn


def test_the_model_has_the_whole_file_when_it_fits_a_quarter_of_the_budget() -> None:
    cost = estimate_tokens(whole_file(_open_file()))
    assert model_has_whole_file(_open_file(), max_context_tokens=cost * 4)
    assert not model_has_whole_file(_open_file(), max_context_tokens=cost * 4 - 4)

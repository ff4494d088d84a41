from __future__ import annotations

from grok_lsp.assistant.completion import (
    CURSOR,
    TASK,
    CompletionCache,
    clean_completion,
    completion_context,
    completion_messages,
)


def test_context_and_prompt_mark_the_cursor() -> None:
    text = "def add(a, b):\n    return \n"
    context = completion_context("m.py", "python", text, text.index("return ") + 7)
    assert context.prefix.endswith("    return ") and context.suffix == "\n"
    user = completion_messages(context)[-1]["content"]
    assert f"    return {CURSOR}\n" in user
    assert user.startswith(TASK)  # what to do travels in the user turn


def test_fences_and_echo_of_the_line_are_stripped() -> None:
    context = completion_context("m.py", "python", "x = 1\n    return \n", 17)
    assert clean_completion("```python\n    return a + b\n```", context) == "a + b"
    assert clean_completion("a + b", context) == "a + b"


def test_an_echo_of_the_suffix_is_dropped() -> None:
    text = "print(\n)\n"
    context = completion_context("m.py", "python", text, 6)
    assert clean_completion("'hi'\n)", context) == "'hi'"


def test_cache_is_bounded_and_recent_first() -> None:
    cache = CompletionCache(size=2)
    cache.put(("a",), "1")
    cache.put(("b",), "2")
    assert cache.get(("a",)) == "1"
    cache.put(("c",), "3")
    assert cache.get(("b",)) is None and cache.get(("a",)) == "1" and cache.get(("c",)) == "3"

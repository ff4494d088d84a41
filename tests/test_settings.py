"""Settings for today's xAI API: defaults from xAI's advice, and bad values named."""

from __future__ import annotations

from grok_lsp.assistant.actions import user_defined
from grok_lsp.settings import (
    MAX_CONTEXT_BUDGET,
    Settings,
    context_budget_for,
    context_window,
    parse_settings,
)


def test_defaults_follow_xais_advice() -> None:
    settings = Settings()
    assert settings.api == "responses"
    assert settings.temperature is None  # not sent: the API's own default
    assert settings.reasoning_effort is None
    assert settings.timeout_seconds == 900
    assert settings.max_context_tokens is None


def test_the_context_budget_comes_from_the_models_window_unless_set() -> None:
    assert context_window("grok-3") == 131_072
    assert context_window("grok-4-0709") == 256_000  # a dated name matches its family
    assert context_window("grok-4-fast-reasoning") == 2_000_000  # the longest match wins
    assert context_window("some-gateway-model") == 131_072  # unknown: the smallest
    assert context_budget_for("grok-3") == 131_072 // 4
    assert context_budget_for("grok-4.3") == MAX_CONTEXT_BUDGET
    assert Settings(model="grok-3").context_budget() == 32_768
    assert Settings(model="grok-3", max_context_tokens=5000).context_budget() == 5000
    aliased = Settings(model="fast", model_aliases={"fast": "grok-3-mini"})
    assert aliased.context_budget() == 32_768


def test_api_and_reasoning_effort_are_checked_by_name() -> None:
    settings, problems = parse_settings(
        {"api": "chat-completions", "reasoningEffort": "high", "temperature": 0.7}
    )
    assert (settings.api, settings.reasoning_effort, settings.temperature) == (
        "chat-completions",
        "high",
        0.7,
    )
    assert problems == []
    settings, problems = parse_settings({"api": "grpc", "reasoningEffort": "max"})
    assert settings.api == "responses" and settings.reasoning_effort is None
    assert any("'api'" in p and "'responses'" in p for p in problems)
    assert any("'reasoningEffort'" in p for p in problems)


def test_a_user_action_may_set_its_own_reasoning_effort() -> None:
    settings, problems = parse_settings(
        {
            "actions": [
                {
                    "id": "deep",
                    "title": "Deep",
                    "prompt": "Why {selection}?",
                    "reasoningEffort": "high",
                },
                {"id": "plain", "title": "Plain", "prompt": "What?"},
            ]
        }
    )
    assert problems == []
    deep, plain = (user_defined(action) for action in settings.actions)
    assert deep.reasoning_effort == "high" and plain.reasoning_effort is None

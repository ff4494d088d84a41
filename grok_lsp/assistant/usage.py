"""What requests cost: token counts per request, conversation and session, and prices."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import attrs

from grok_lsp.xai.events import Usage

# The API quotes prices in USD cents per 100 million tokens.
_PRICE_UNIT_TOKENS = 100_000_000
MODEL_LIST_TTL_SECONDS = 600.0


@attrs.frozen
class Prices:
    prompt: int
    cached_prompt: int
    completion: int

    def cost_usd(self, usage: Usage) -> float:
        cached = min(usage.cached_tokens, usage.prompt_tokens)
        cents = (
            (usage.prompt_tokens - cached) * self.prompt
            + cached * self.cached_prompt
            # Output tokens, reasoning included, are billed at the completion price.
            + usage.completion_tokens * self.completion
        ) / _PRICE_UNIT_TOKENS
        return cents / 100


def prices_by_model(language_models: Iterable[dict[str, Any]]) -> dict[str, Prices]:
    """Prices for each model id and alias; entries without prices are skipped."""
    table: dict[str, Prices] = {}
    for entry in language_models:
        try:
            prices = Prices(
                int(entry["prompt_text_token_price"]),
                int(entry.get("cached_prompt_text_token_price", entry["prompt_text_token_price"])),
                int(entry["completion_text_token_price"]),
            )
        except (KeyError, TypeError, ValueError):
            continue
        for name in [entry.get("id"), *entry.get("aliases", [])]:
            if isinstance(name, str):
                table[name] = prices
    return table


@attrs.define
class ModelCatalog:
    """The models a key can use and their prices, fetched at most every ten minutes."""

    models: list[str]
    prices: dict[str, Prices]
    fetched_at: float = attrs.Factory(time.monotonic)

    @property
    def fresh(self) -> bool:
        return time.monotonic() - self.fetched_at < MODEL_LIST_TTL_SECONDS


def format_cost(cost: float | None) -> str:
    if cost is None:
        return ""
    return f"${cost:.4f}" if cost < 1 else f"${cost:.2f}"


@attrs.define
class UsageTotals:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    priced: bool = True  # False once a request had no known price

    def add(self, usage: Usage, cost: float | None) -> None:
        self.requests += 1
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        self.reasoning_tokens += usage.reasoning_tokens
        self.cached_tokens += usage.cached_tokens
        if cost is None:
            self.priced = False
        else:
            self.cost_usd += cost

    def to_lsp(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "promptTokens": self.prompt_tokens,
            "completionTokens": self.completion_tokens,
            "reasoningTokens": self.reasoning_tokens,
            "cachedTokens": self.cached_tokens,
            "costUsd": round(self.cost_usd, 6) if self.priced else None,
        }


def usage_from_lsp(raw: dict[str, int]) -> Usage:
    return Usage(
        prompt_tokens=raw.get("promptTokens", 0),
        completion_tokens=raw.get("completionTokens", 0),
        reasoning_tokens=raw.get("reasoningTokens", 0),
        cached_tokens=raw.get("cachedTokens", 0),
    )

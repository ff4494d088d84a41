"""The models the simulator knows, with prices in USD cents per 100M tokens."""

from __future__ import annotations

from typing import Any

import attrs

CREATED = 1_735_689_600  # 2025-01-01: fixed, so answers stay deterministic


@attrs.frozen
class Model:
    id: str
    prompt_price: int
    completion_price: int
    cached_prompt_price: int
    aliases: tuple[str, ...] = ()

    def to_openai(self) -> dict[str, Any]:
        return {"id": self.id, "object": "model", "created": CREATED, "owned_by": "xai"}

    def to_language_model(self) -> dict[str, Any]:
        return {
            **self.to_openai(),
            "fingerprint": "fp_grok_sim",
            "version": "1.0.0",
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "prompt_text_token_price": self.prompt_price,
            "cached_prompt_text_token_price": self.cached_prompt_price,
            "completion_text_token_price": self.completion_price,
            "aliases": list(self.aliases),
        }


MODELS = (
    Model("grok-4.3", 30_000, 150_000, 7_500, ("grok-4.3-latest",)),
    Model("grok-4", 30_000, 150_000, 7_500, ("grok-4-latest",)),
    Model("grok-4-fast-reasoning", 2_000, 5_000, 500),
    Model("grok-4-fast-non-reasoning", 2_000, 5_000, 500),
    Model("grok-code-fast-1", 2_000, 15_000, 200),
    Model("grok-3", 30_000, 150_000, 7_500),
    Model("grok-3-mini", 3_000, 5_000, 750),
)

KNOWN_MODEL_NAMES = frozenset(name for model in MODELS for name in (model.id, *model.aliases))

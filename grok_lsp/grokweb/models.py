"""The models grok.com offers and how its chat endpoints name them."""

from __future__ import annotations

DEFAULT_MODEL = "grok-3"
MODELS = ("grok-3", "grok-3-thinking", "grok-2")
MODEL_ALIASES = {"grok-3-r1": "grok-3-thinking"}


def grok_com_model(name: str) -> str:
    """The grok.com model for a requested name.

    The shared `model` setting defaults to an xAI API model (grok-4.3) that grok.com does
    not know, so any name that is not a grok.com model falls back to the default.
    """
    name = MODEL_ALIASES.get(name, name)
    return name if name in MODELS else DEFAULT_MODEL


def model_name(model: str) -> str:
    """The request's `modelName`: grok.com calls grok-2 `grok-latest`, every grok-3 `grok-3`."""
    return "grok-latest" if model == "grok-2" else "grok-3"


def is_reasoning(model: str) -> bool:
    """Thinking is a flag on the request, not a model of its own."""
    return model.endswith(("-thinking", "-r1"))

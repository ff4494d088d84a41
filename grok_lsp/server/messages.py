"""The words of messages to the user: what happened and what to do, with "Grok" said once."""

from __future__ import annotations

import re

import attrs

from grok_lsp.server.clients import Client
from grok_lsp.xai.errors import OPEN_SETTINGS, SET_API_KEY, GrokError

# Titles only the editor plugins act on; other clients would show a button that does nothing.
PLUGIN_ACTIONS = (SET_API_KEY, OPEN_SETTINGS)

# Errors name "the Grok API"; after the "Grok: " of a message that would say Grok twice.
_GROK_API = re.compile(r"\bGrok API\b")


@attrs.frozen
class Advice:
    """A failure as the user reads it: the first line says what happened and what to do."""

    message: str
    action: str | None = None


def with_grok(text: str) -> str:
    """`text` with exactly one leading "Grok: " unless it already names Grok itself."""
    text = _GROK_API.sub("xAI API", text.strip())
    if "Grok" in text:
        return text[:1].upper() + text[1:]
    return f"Grok: {_lower_first(text)}"


def failure_advice(error: GrokError, client: Client) -> Advice:
    what = _GROK_API.sub("xAI API", error.summary()).rstrip(". ")
    action = error.action
    todo = client.set_key_advice() if action == SET_API_KEY else error.hint
    first = with_grok(f"{what}. {todo}".strip())
    detail = _GROK_API.sub("xAI API", error.message).strip()
    message = first if detail.rstrip(".").lower() == what.lower() else f"{first}\n{detail}"
    if action in PLUGIN_ACTIONS and client.family not in ("vscode", "neovim"):
        action = None
    return Advice(message, action)


def _lower_first(text: str) -> str:
    # "The model..." -> "the model...", but "API", "HTTP" and "xAI" keep their case.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text

"""What grok.com's conversation endpoints are sent: cookies, the message text, the body."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import attrs

from grok_lsp.grokweb.errors import GrokWebSignInError
from grok_lsp.grokweb.models import is_reasoning, model_name

NEW_CONVERSATION_PATH = "rest/app-chat/conversations/new"


def responses_path(conversation_id: str) -> str:
    return f"rest/app-chat/conversations/{quote(conversation_id, safe='')}/responses"


@attrs.frozen
class SessionCookies:
    """The user's grok.com cookies; never shown in a repr, a log or an error."""

    header: str = attrs.field(repr=False)
    values: tuple[str, ...] = attrs.field(repr=False)


def parse_cookies(text: str | None) -> SessionCookies:
    """A Cookie header (`sso=...; other=...`) as copied from the browser; `sso` is required."""
    text = (text or "").strip()
    if text[:7].lower() == "cookie:":  # pasted with the header's name
        text = text[7:]
    pairs = []
    for part in text.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name.strip():
            pairs.append((name.strip(), value.strip()))
    if not any(name == "sso" and value for name, value in pairs):
        problem = "are not set" if not pairs else "have no sso cookie"
        raise GrokWebSignInError(f"The grok.com session cookies (grokWebCookies) {problem}.")
    header = "; ".join(f"{name}={value}" for name, value in pairs)
    return SessionCookies(header, tuple(value for _, value in pairs if len(value) >= 4))


def flatten(messages: Sequence[dict[str, str]]) -> str:
    """grok.com takes one text, not roles: `Role: content` lines, as the seed's provider did."""
    if len(messages) == 1:
        return messages[0]["content"]
    lines = [f"{m['role'].capitalize()}: {m['content']}" for m in messages]
    return "\n".join(lines) + "\nAssistant:"


def follow_up_message(messages: Sequence[dict[str, str]]) -> str:
    """The new user message without the history grok.com already keeps.

    The request's own instructions travel with it: grok.com has no system role, and a
    refactor may follow an explanation in the same conversation.
    """
    system = [m for m in messages if m["role"] == "system"]
    return flatten([*system, messages[-1]])


def request_body(model: str, message: str) -> dict[str, Any]:
    """The JSON body grok.com's web app sends (both endpoints take the same one)."""
    return {
        "temporary": False,
        "modelName": model_name(model),
        "message": message,
        "fileAttachments": [],
        "imageAttachments": [],
        "disableSearch": False,
        "enableImageGeneration": True,
        "returnImageBytes": False,
        "returnRawGrokInXaiRequest": False,
        "enableImageStreaming": True,
        "imageGenerationCount": 2,
        "forceConcise": False,
        "toolOverrides": {},
        "enableSideBySide": True,
        "isPreset": False,
        "sendFinalMetadata": True,
        "customInstructions": "",
        "deepsearchPreset": "",
        "isReasoning": is_reasoning(model),
    }

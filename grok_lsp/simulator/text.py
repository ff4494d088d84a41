"""Reading a message's text, whichever shape its content has."""

from __future__ import annotations

from typing import Any


def message_text(message: Any) -> str:
    """A message's text, whether `content` is a string or a list of parts."""
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


# The real API refuses a message without text, e.g. an earlier answer that never came.
EMPTY_MESSAGE = (
    "An empty message was provided. Every message needs at least one non-empty content element."
)


def is_empty_message(message: Any) -> bool:
    return isinstance(message, dict) and message_text(message) == ""

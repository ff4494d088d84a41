"""What a streamed answer is made of, whichever provider produced it."""

from __future__ import annotations

from typing import Any, Union

import attrs


@attrs.frozen
class ContentDelta:
    """A piece of the answer's text."""

    text: str


@attrs.frozen
class ReasoningDelta:
    """A piece of the model's thinking (`delta.reasoning_content`), shown apart from the answer."""

    text: str


@attrs.frozen
class Usage:
    """Token counts as the API reports them; the last report of a stream wins.

    `completion_tokens` is the whole output, reasoning included (the Responses API's
    `output_tokens`); `reasoning_tokens` is the part of it spent thinking.
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0

    def to_lsp(self) -> dict[str, int]:
        return {
            "promptTokens": self.prompt_tokens,
            "completionTokens": self.completion_tokens,
            "reasoningTokens": self.reasoning_tokens,
            "cachedTokens": self.cached_tokens,
        }


@attrs.frozen
class UsageReport:
    usage: Usage


@attrs.frozen
class Finished:
    """The answer ended: `stop`, `length`, ... as the API says.

    `complete` is False for an answer that stopped early (at max tokens, or a response
    the API marked incomplete for any reason): such an answer is never applied.
    """

    reason: str | None
    complete: bool = attrs.field(
        default=attrs.Factory(lambda self: self.reason != "length", takes_self=True)
    )


@attrs.frozen
class OutputItems:
    """The finished response's `output` items as received (Responses API): the reasoning
    items with their encrypted content, then the message. They go back with later turns."""

    items: list[dict[str, Any]]


@attrs.frozen
class ThinkingStarted:
    """The model began reasoning (it may think silently for a long time before any text)."""


@attrs.frozen
class ConversationStarted:
    """A provider with server-side conversations (grok.com) named the conversation."""

    conversation_id: str


@attrs.frozen
class TitleChanged:
    title: str


StreamEvent = Union[  # noqa: UP007 - a runtime alias usable on Python 3.10
    ContentDelta,
    ReasoningDelta,
    UsageReport,
    Finished,
    OutputItems,
    ThinkingStarted,
    ConversationStarted,
    TitleChanged,
]


@attrs.frozen
class ChatRequest:
    """One request for an answer, provider-neutral.

    An assistant message may carry `items`: the Responses API output items it came from.
    """

    messages: list[dict[str, Any]]
    model: str
    temperature: float | None = None  # None: the API's own default (xAI advises it)
    max_tokens: int | None = None
    reasoning_effort: str | None = None
    # Stable id of the editor conversation: `prompt_cache_key` (Responses API) or the
    # `x-grok-conv-id` header (chat completions), so the prompt cache serves it.
    conversation_id: str | None = None
    # The provider's own id of this conversation (grok.com keeps the history server-side).
    provider_conversation_id: str | None = None


@attrs.frozen
class ChatResult:
    """A whole (non-streamed, or fully consumed) answer."""

    text: str
    model: str
    usage: Usage
    finish_reason: str | None = None
    reasoning: str = ""

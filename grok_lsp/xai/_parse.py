"""Turning API payloads (streamed chunks, whole completions) into typed events and results."""

from __future__ import annotations

import json
from typing import Any

from grok_lsp.xai.errors import MalformedResponseError
from grok_lsp.xai.events import (
    ChatResult,
    ContentDelta,
    Finished,
    ReasoningDelta,
    StreamEvent,
    Usage,
    UsageReport,
)

DONE = "[DONE]"
_DECODER = json.JSONDecoder()


def event_json(data: str) -> Any:
    """One streamed event's JSON, as `json.loads` reads it (ValueError when it is not).

    `raw_decode` first: `loads` scans for whitespace around the value twice, which was
    half of its cost per event; only text with whitespace around it goes through `loads`.
    """
    try:
        value, end = _DECODER.raw_decode(data)
    except ValueError:
        return json.loads(data)  # leading whitespace, or not JSON (loads says why)
    if end != len(data):
        return json.loads(data)  # trailing whitespace, or extra data after the value
    return value


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_usage(raw: Any) -> Usage | None:
    """`completion_tokens` becomes the whole output, reasoning included, as the Responses API
    counts it: xAI's chat completions leave reasoning out of `completion_tokens`."""
    if not isinstance(raw, dict):
        return None
    completion_details = _dict(raw.get("completion_tokens_details"))
    prompt_details = _dict(raw.get("prompt_tokens_details"))
    reasoning = _int(completion_details.get("reasoning_tokens"))
    return Usage(
        prompt_tokens=_int(raw.get("prompt_tokens")),
        completion_tokens=_int(raw.get("completion_tokens")) + reasoning,
        reasoning_tokens=reasoning,
        cached_tokens=_int(prompt_details.get("cached_tokens")),
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class StreamParser:
    """Feeds on SSE `data` payloads; keeps what the stream said so far."""

    def __init__(self) -> None:
        self.done = False
        # Pieces, joined on demand: `text += piece` copied the whole answer for every token.
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self.model = ""
        self.finish_reason: str | None = None
        self.usage = Usage()

    @property
    def text(self) -> str:
        if len(self._text) > 1:
            self._text[:] = ["".join(self._text)]
        return self._text[0] if self._text else ""

    @property
    def reasoning(self) -> str:
        if len(self._reasoning) > 1:
            self._reasoning[:] = ["".join(self._reasoning)]
        return self._reasoning[0] if self._reasoning else ""

    def feed(self, data: str) -> list[StreamEvent]:
        """Events of one chunk, in order: reasoning, content, finish, usage."""
        data = data.strip()
        if data == DONE:
            self.done = True
        if not data or self.done:
            return []
        try:
            chunk = event_json(data)
        except ValueError:
            chunk = None
        if not isinstance(chunk, dict) or not isinstance(chunk.get("choices", []), list):
            raise MalformedResponseError(
                f"The Grok API sent a chunk that is not JSON: {data[:80]!r}", partial=self.text
            )
        self.model = _text(chunk.get("model")) or self.model
        events: list[StreamEvent] = []
        for choice in chunk.get("choices") or []:
            events.extend(self._choice(choice))
        usage = parse_usage(chunk.get("usage"))
        if usage is not None:
            self.usage = usage
            events.append(UsageReport(usage))
        return events

    def _choice(self, choice: Any) -> list[StreamEvent]:
        if not isinstance(choice, dict) or choice.get("index", 0) != 0:
            return []  # grok-lsp asks for one choice; anything else is ignored.
        delta = _dict(choice.get("delta"))
        events: list[StreamEvent] = []
        if reasoning := _text(delta.get("reasoning_content")):
            self._reasoning.append(reasoning)
            events.append(ReasoningDelta(reasoning))
        if content := _text(delta.get("content")):
            self._text.append(content)
            events.append(ContentDelta(content))
        if reason := choice.get("finish_reason"):
            self.finish_reason = str(reason)
            events.append(Finished(self.finish_reason))
        return events


def parse_completion(payload: Any, model: str) -> ChatResult:
    """A whole (non-streamed) `chat.completion` object."""
    try:
        choice = payload["choices"][0]
        message = choice["message"]
        return ChatResult(
            text=_text(message.get("content")),
            model=_text(payload.get("model")) or model,
            usage=parse_usage(payload.get("usage")) or Usage(),
            finish_reason=choice.get("finish_reason"),
            reasoning=_text(message.get("reasoning_content")),
        )
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise MalformedResponseError("The Grok API sent a completion without a message.") from exc


def load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise MalformedResponseError(
            f"The Grok API sent a response that is not JSON: {text[:80]!r}"
        ) from exc


def model_ids(payload: Any) -> list[str]:
    """Ids from `GET /models`: `{"data": [{"id": ...}, ...]}`."""
    models = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(models, list):
        raise MalformedResponseError("The Grok API sent a model list without `data`.")
    return [m["id"] for m in models if isinstance(m, dict) and isinstance(m.get("id"), str)]


def language_models(payload: Any) -> list[dict[str, Any]]:
    """Models with prices from `GET /language-models`: `{"models": [...]}`."""
    models = payload.get("models") if isinstance(payload, dict) else None
    if not isinstance(models, list):
        raise MalformedResponseError("The Grok API sent a language model list without `models`.")
    return [m for m in models if isinstance(m, dict)]


def json_object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise MalformedResponseError("The Grok API sent JSON that is not an object.")
    return payload


def completion_from_stream(parser: StreamParser) -> dict[str, Any]:
    """A consumed stream, reassembled in the shape of a non-streamed `chat.completion`."""
    message = {"role": "assistant", "content": parser.text}
    if parser.reasoning:
        message["reasoning_content"] = parser.reasoning
    usage = parser.usage
    return {
        "object": "chat.completion",
        "model": parser.model,
        "choices": [{"index": 0, "message": message, "finish_reason": parser.finish_reason}],
        "usage": {
            "prompt_tokens": usage.prompt_tokens,
            # Back to the API's own count, which leaves reasoning out.
            "completion_tokens": usage.completion_tokens - usage.reasoning_tokens,
            "total_tokens": usage.prompt_tokens + usage.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
            "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        },
    }

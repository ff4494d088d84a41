"""xAI's Responses API (`POST /v1/responses`): request bodies and reading what comes back.

No I/O here. The conversation is kept by grok-lsp, not on xAI's servers (`store: false`),
so every request sends the whole input: the system prompt as its first message, then each
turn, an answer as the very output items it arrived as (a reasoning item with its encrypted
content stands right before its message), taken from the final `response.completed` or
`response.incomplete` event.
"""

from __future__ import annotations

from typing import Any

from grok_lsp.xai._parse import event_json
from grok_lsp.xai.errors import GrokError, MalformedResponseError, ResponseFailedError
from grok_lsp.xai.events import (
    ChatRequest,
    ChatResult,
    ContentDelta,
    Finished,
    OutputItems,
    ReasoningDelta,
    StreamEvent,
    ThinkingStarted,
    Usage,
    UsageReport,
)

DONE = "[DONE]"
# Finish reasons of an answer that stopped early: never applied as an edit.
LENGTH = "length"
_TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})


def input_items(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages as Responses `input`: an answer that kept its output items sends them back."""
    items: list[dict[str, Any]] = []
    for message in messages:
        if message.get("items"):
            items.extend(message["items"])
        else:
            items.append({"role": message["role"], "content": message["content"]})
    return items


def responses_body(request: ChatRequest, *, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": request.model,
        "input": input_items(request.messages),
        "stream": stream,
        # The default is to keep requests and answers on xAI's servers for 30 days.
        "store": False,
        # Reasoning comes back encrypted, to be sent again with the next turn.
        "include": ["reasoning.encrypted_content"],
    }
    if request.conversation_id:
        body["prompt_cache_key"] = request.conversation_id
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.max_tokens is not None:
        body["max_output_tokens"] = request.max_tokens  # reasoning tokens count too
    if request.reasoning_effort is not None:
        body["reasoning"] = {"effort": request.reasoning_effort}
    return body


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_usage(raw: Any) -> Usage | None:
    """`completion_tokens` is the output, reasoning included, as the API counts and bills it."""
    if not isinstance(raw, dict):
        return None
    return Usage(
        prompt_tokens=_int(raw.get("input_tokens")),
        completion_tokens=_int(raw.get("output_tokens")),
        reasoning_tokens=_int(_dict(raw.get("output_tokens_details")).get("reasoning_tokens")),
        cached_tokens=_int(_dict(raw.get("input_tokens_details")).get("cached_tokens")),
    )


def output_text(output: list[dict[str, Any]]) -> str:
    return "".join(
        part.get("text", "")
        for item in output
        if item.get("type") == "message"
        for part in item.get("content") or []
        if isinstance(part, dict) and part.get("type") == "output_text"
    )


def reasoning_summary(output: list[dict[str, Any]]) -> str:
    return "".join(
        part.get("text", "")
        for item in output
        if item.get("type") == "reasoning"
        for part in item.get("summary") or []
        if isinstance(part, dict)
    )


def finish_reason(response: dict[str, Any]) -> str:
    """`stop`, or why an incomplete response stopped (`length` at max_output_tokens)."""
    if response.get("status") != "incomplete":
        return "stop"
    reason = _dict(response.get("incomplete_details")).get("reason")
    return LENGTH if reason in (None, "max_output_tokens") else str(reason)


def failure(payload: dict[str, Any], partial: str) -> GrokError:
    """A `response.failed` or `error` event: the API's own words."""
    error = _dict(_dict(payload.get("response")).get("error")) or payload
    message = error.get("message")
    code = error.get("code")
    detail = message if isinstance(message, str) and message else "no reason given"
    if isinstance(code, str) and code:
        detail = f"{detail} ({code})"
    return ResponseFailedError(
        f"The Grok API could not finish the answer: {detail}", partial=partial
    )


def _output(payload: dict[str, Any], partial: str) -> list[dict[str, Any]]:
    output = _dict(payload.get("response")).get("output")
    if not isinstance(output, list) or not all(isinstance(item, dict) for item in output):
        raise MalformedResponseError(
            "The Grok API ended the answer without its output items.", partial=partial
        )
    return output


class ResponseStreamParser:
    """Feeds on SSE `data` payloads of a streamed response; keeps what it said so far."""

    def __init__(self) -> None:
        self.done = False  # a terminal event arrived
        self._text: list[str] = []
        self.model = ""

    @property
    def text(self) -> str:
        if len(self._text) > 1:
            self._text[:] = ["".join(self._text)]
        return self._text[0] if self._text else ""

    def feed(self, data: str) -> list[StreamEvent]:
        if self.done:
            return []
        try:
            payload = event_json(data)  # the common case first: one parse, no copies
        except ValueError:
            if data.strip() in ("", DONE):
                return []  # `[DONE]` is not in the API; before a terminal event it ends nothing
            payload = None
        kind = payload.get("type") if type(payload) is dict else None
        if kind == "response.output_text.delta":  # nearly every event: checked first
            delta = payload.get("delta")
            if not isinstance(delta, str):
                raise MalformedResponseError(
                    "The Grok API sent a text delta without text.", partial=self.text
                )
            self._text.append(delta)
            return [ContentDelta(delta)] if delta else []
        if not isinstance(kind, str):
            raise MalformedResponseError(
                f"The Grok API sent an event that is not JSON: {data.strip()[:80]!r}",
                partial=self.text,
            )
        assert isinstance(payload, dict)
        if kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            delta = payload.get("delta")
            return [ReasoningDelta(delta)] if isinstance(delta, str) and delta else []
        if kind == "response.output_item.added":
            item = _dict(payload.get("item"))
            return [ThinkingStarted()] if item.get("type") == "reasoning" else []
        if kind == "error" or kind == "response.failed":
            self.done = True
            raise failure(payload, self.text)
        if kind in _TERMINAL:
            return self._finish(payload)
        if kind == "response.created":
            self.model = str(_dict(payload.get("response")).get("model") or "")
        return []  # other events (parts added, items done, in progress) say nothing new

    def _finish(self, payload: dict[str, Any]) -> list[StreamEvent]:
        self.done = True
        response = _dict(payload.get("response"))
        events: list[StreamEvent] = [OutputItems(_output(payload, self.text))]
        usage = parse_usage(response.get("usage"))
        if usage is not None:
            events.append(UsageReport(usage))
        events.append(Finished(finish_reason(response), response.get("status") == "completed"))
        return events


def parse_response(payload: Any, model: str) -> tuple[ChatResult, list[dict[str, Any]]]:
    """A whole (non-streamed) response object, and its output items."""
    if not isinstance(payload, dict):
        raise MalformedResponseError("The Grok API sent a response that is not an object.")
    if payload.get("status") == "failed":
        raise failure({"response": payload}, "")
    output = _output({"response": payload}, "")
    result = ChatResult(
        text=output_text(output),
        model=str(payload.get("model") or model),
        usage=parse_usage(payload.get("usage")) or Usage(),
        finish_reason=finish_reason(payload),
        reasoning=reasoning_summary(output),
    )
    return result, output

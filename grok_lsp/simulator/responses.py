"""xAI's Responses API (`POST /v1/responses`), streamed as its server-sent events or whole.

Reasoning comes back as a reasoning item whose `encrypted_content` the simulator seals
(an HMAC over the item's id and summary), so it recognises the item when a client sends
it back and refuses one that was altered, as the real API refuses what it cannot decrypt.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import AsyncGenerator, Iterator
from itertools import islice
from typing import Any

import attrs

from grok_lsp.simulator import answers
from grok_lsp.simulator.controls import Control
from grok_lsp.simulator.recorder import Recorder, RequestRecord
from grok_lsp.simulator.streaming import (
    KEEPALIVE,
    STALL_LIMIT_SECONDS,
    ConnectionDropped,
    EndedEarly,
    RecordedStream,
    wait_or_close,
)
from grok_lsp.simulator.text import EMPTY_MESSAGE, is_empty_message, message_text

EFFORTS = ("none", "low", "medium", "high")
ENCRYPTED = "reasoning.encrypted_content"


class InvalidInput(ValueError):
    """The request's `input` cannot be read or holds an item the simulator refuses."""


class ReasoningSeal:
    """Seals reasoning items with a per-simulator secret; opens only unaltered ones."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def _mac(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()

    def seal(self, item_id: str, summary: list[dict[str, Any]], tokens: int) -> str:
        payload = json.dumps(
            {"id": item_id, "summary": summary, "tokens": tokens}, sort_keys=True
        ).encode()
        return base64.b64encode(payload + b"." + self._mac(payload).encode()).decode()

    def check(self, item: dict[str, Any]) -> None:
        """Raises InvalidInput unless `item` is exactly a reasoning item this simulator made."""
        sealed = item.get("encrypted_content")
        if sealed is None:
            return  # a client may send reasoning without it (nothing to check, nothing reused)
        fields = self._open(str(sealed))
        if fields is None:
            raise InvalidInput("Could not decrypt the reasoning item's encrypted_content.")
        if (fields.get("id"), fields.get("summary")) != (item.get("id"), item.get("summary")):
            raise InvalidInput(
                f"The reasoning item {item.get('id')!r} does not match its encrypted_content."
            )

    def _open(self, sealed: str) -> dict[str, Any] | None:
        """The sealed fields, or None when the text was not sealed by this simulator."""
        try:
            payload, _, mac = base64.b64decode(sealed, validate=True).rpartition(b".")
            if not hmac.compare_digest(mac, self._mac(payload).encode()):
                return None
            fields = json.loads(payload)
        except ValueError:  # not base64, or not JSON (UnicodeDecodeError is a ValueError)
            return None
        return fields if isinstance(fields, dict) else None


def messages_of(items: list[Any]) -> list[dict[str, Any]]:
    """The input's messages (not its reasoning items), as the answer functions read them."""
    messages = []
    for item in items:
        if isinstance(item, dict) and "role" in item and item.get("type", "message") == "message":
            messages.append({"role": item["role"], "content": message_text(item)})
    return messages


def read_input(raw: Any, seal: ReasoningSeal) -> list[Any]:
    """`input` as a list of items; checks every reasoning item that came back."""
    if isinstance(raw, str):
        return [{"role": "user", "content": raw}]
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("`input` must be a string or a non-empty list of items.")
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidInput(f"`input[{index}]` must be an object.")
        kind = item.get("type", "message")
        if kind == "reasoning":
            seal.check(item)
        elif kind == "message":
            if item.get("role") not in ("system", "developer", "user", "assistant"):
                raise InvalidInput(f"`input[{index}].role` is not a known role.")
            if not isinstance(item.get("content"), (str, list)):
                raise InvalidInput(f"`input[{index}].content` must be a string or a list.")
            if is_empty_message(item):
                raise InvalidInput(EMPTY_MESSAGE)
        else:
            raise InvalidInput(f"`input[{index}].type` {kind!r} is not supported.")
    return raw


def returned_reasoning(items: list[Any]) -> int:
    return sum(1 for item in items if isinstance(item, dict) and item.get("type") == "reasoning")


@attrs.frozen
class PlannedResponse:
    """What one response will say, and what it costs."""

    id: str
    model: str
    created: int
    pieces: Iterator[str]
    reasoning: int  # reasoning tokens (the summary streams one word per token)
    summarized: bool  # False: the model thinks silently (no summary text)
    encrypted: bool  # `include` asked for the encrypted reasoning
    limit: int | None  # max_output_tokens: reasoning counts towards it
    input_tokens: int
    cached_tokens: int
    seal: ReasoningSeal

    @property
    def reasoning_id(self) -> str:
        return f"rs_{self.id}"

    @property
    def message_id(self) -> str:
        return f"msg_{self.id}"

    def summary_words(self) -> list[str]:
        return list(answers.numbered_words("thinking", self.reasoning)) if self.summarized else []

    def reasoning_item(self, thought: int) -> dict[str, Any]:
        words = self.summary_words()[:thought]
        summary = [{"type": "summary_text", "text": "".join(words)}] if words else []
        item: dict[str, Any] = {
            "id": self.reasoning_id,
            "type": "reasoning",
            "summary": summary,
            "status": "completed",
        }
        if self.encrypted:
            item["encrypted_content"] = self.seal.seal(self.reasoning_id, summary, thought)
        return item

    def message_item(self, text: str, status: str) -> dict[str, Any]:
        return {
            "id": self.message_id,
            "type": "message",
            "role": "assistant",
            "status": status,
            "content": [{"type": "output_text", "text": text, "annotations": []}],
        }

    def usage(self, output: int, reasoning: int) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "input_tokens_details": {"cached_tokens": self.cached_tokens},
            "output_tokens": output + reasoning,  # reasoning is part of the output
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": self.input_tokens + output + reasoning,
        }

    def response(
        self, status: str, output: list[dict[str, Any]], usage: dict[str, Any] | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": f"resp_{self.id}",
            "object": "response",
            "created_at": self.created,
            "model": self.model,
            "status": status,
            "output": output,
            "store": False,
        }
        if status == "incomplete":
            body["incomplete_details"] = {"reason": "max_output_tokens"}
        if usage is not None:
            body["usage"] = usage
        return body

    def content_budget(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.reasoning, 0)

    def whole(self, with_usage: bool) -> dict[str, Any]:
        """The non-streamed response object."""
        thought = min(self.reasoning, self.limit) if self.limit is not None else self.reasoning
        budget = self.content_budget()
        pieces = list(self.pieces if budget is None else islice(self.pieces, budget + 1))
        status = "completed"
        if (budget is not None and len(pieces) > budget) or thought < self.reasoning:
            pieces, status = pieces[: budget or 0], "incomplete"
        output = [self.reasoning_item(thought)] if self.reasoning else []
        if pieces or status == "completed":
            output.append(self.message_item("".join(pieces), status))
        return self.response(
            status, output, self.usage(len(pieces), thought) if with_usage else None
        )


class ResponseStream(RecordedStream):
    """The SSE body of one streamed response, shaped by the request's control."""

    def __init__(
        self,
        planned: PlannedResponse,
        control: Control,
        *,
        recorder: Recorder,
        record: RequestRecord,
        closing: asyncio.Event,
    ) -> None:
        self.planned = planned
        self.control = control
        self.recorder = recorder
        self.record = record
        self.closing = closing
        self.sequence = 0
        self.content_sent = 0
        self.text: list[str] = []
        self.cut = False  # stopped at max_output_tokens

    async def _events(self) -> AsyncGenerator[bytes, None]:
        planned, control = self.planned, self.control
        started = planned.response("in_progress", [], None)
        yield self._event("response.created", response=started)
        yield self._event("response.in_progress", response=started)
        output: list[dict[str, Any]] = []
        thought = planned.reasoning
        if planned.limit is not None:
            thought = min(thought, planned.limit)
        if planned.reasoning:
            async for frame in self._reasoning(thought):
                yield frame
            output.append(planned.reasoning_item(thought))
        self.cut = thought < planned.reasoning
        if not self.cut:
            async for frame in self._message(index=len(output)):
                yield frame
            if self.text or not self.cut:
                output.append(planned.message_item("".join(self.text), self._status()))
        usage = None if control.usage == "none" else planned.usage(self.content_sent, thought)
        status = self._status()
        yield self._event(f"response.{status}", response=planned.response(status, output, usage))
        self.recorder.ended(self.record, completed=True)
        if control.done:
            yield self._frame("[DONE]")  # not part of the API; clients must tolerate it

    def _status(self) -> str:
        return "incomplete" if self.cut else "completed"

    async def _reasoning(self, thought: int) -> AsyncGenerator[bytes, None]:
        planned = self.planned
        added = {
            "id": planned.reasoning_id,
            "type": "reasoning",
            "summary": [],
            "status": "in_progress",
        }
        yield self._event("response.output_item.added", output_index=0, item=added)
        for word in planned.summary_words()[:thought]:
            frame = self._event(
                "response.reasoning_summary_text.delta",
                item_id=planned.reasoning_id,
                output_index=0,
                summary_index=0,
                delta=word,
            )
            yield await self._timed(frame)
            self.recorder.chunk_sent(self.record, content=False)
        done = planned.reasoning_item(thought)
        yield self._event("response.output_item.done", output_index=0, item=done)

    async def _message(self, index: int) -> AsyncGenerator[bytes, None]:
        planned, control = self.planned, self.control
        budget = planned.content_budget()
        opened = False
        while True:
            sent = self.content_sent
            if control.malformed_after == sent:
                yield self._frame("{this is not json")
            if control.drop_after == sent:
                raise ConnectionDropped
            if control.end_after == sent:
                raise EndedEarly
            if control.stall_after == sent:
                await wait_or_close(self.closing, STALL_LIMIT_SECONDS)
                raise ConnectionDropped
            if control.fail_after == sent:
                yield self._failed()
                raise EndedEarly
            if budget is not None and sent >= budget:
                self.cut = True
                break
            piece = next(planned.pieces, None)
            if piece is None:
                break
            if not opened:
                opened = True
                added = {**planned.message_item("", "in_progress"), "content": []}
                yield self._event("response.output_item.added", output_index=index, item=added)
            frame = self._event(
                "response.output_text.delta",
                item_id=planned.message_id,
                output_index=index,
                content_index=0,
                delta=piece,
            )
            yield await self._timed(frame)
            self.text.append(piece)
            self.content_sent += 1
            self.recorder.chunk_sent(self.record, content=True)
        if opened:
            done = planned.message_item("".join(self.text), self._status())
            yield self._event("response.output_item.done", output_index=index, item=done)

    def _failed(self) -> bytes:
        response = self.planned.response("failed", [], None)
        response["error"] = {"code": "server_error", "message": "Simulated failure (grok-sim)."}
        self.recorder.ended(self.record)
        return self._event("response.failed", response=response)

    async def _timed(self, frame: bytes) -> bytes:
        first = self.record.first_chunk_at is None
        rate = self.control.tps
        await wait_or_close(
            self.closing, self.control.delay if first else (1 / rate if rate else 0)
        )
        return frame

    def _event(self, kind: str, **fields: Any) -> bytes:
        self.sequence += 1
        payload = {"type": kind, "sequence_number": self.sequence, **fields}
        prefix = KEEPALIVE if self.control.keepalive else b""
        return prefix + f"event: {kind}\n".encode() + self._frame(json.dumps(payload))

    def _frame(self, data: str) -> bytes:
        field = "data:" if self.control.nospace else "data: "
        return f"{field}{data}\n\n".encode()

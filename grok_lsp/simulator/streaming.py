"""Chat completions as xAI sends them: SSE chunks ending in `data: [DONE]`, or one object."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Iterator
from itertools import islice
from typing import Any

import attrs
from starlette.responses import StreamingResponse
from starlette.types import Send

from grok_lsp.simulator.answers import numbered_words
from grok_lsp.simulator.controls import Control
from grok_lsp.simulator.recorder import Recorder, RequestRecord

STALL_LIMIT_SECONDS = 600.0  # a stalled stream ends on its own after this, client or not
FOREVER_LIMIT_CHUNKS = 1_000_000
KEEPALIVE = b": keep-alive\n\n\n"


class ConnectionDropped(Exception):
    """Raised by a response body to cut the connection mid-body."""


class EndedEarly(Exception):
    """Raised by a response body that ends here, cleanly but without its terminal event."""


class DroppableStreamingResponse(StreamingResponse):
    """A streaming response whose body can end abruptly, as when a connection drops."""

    def __init__(
        self, body: AsyncGenerator[bytes, None], *, media_type: str, status_code: int = 200
    ) -> None:
        super().__init__(body, status_code=status_code, media_type=media_type)
        self._body = body

    async def stream_response(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        try:
            async for chunk in self._body:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except ConnectionDropped:
            return  # uvicorn closes a socket whose response is unfinished: no final chunk
        finally:
            # A client that left during `send` must still reach the body's cleanup now, not at GC.
            await self._body.aclose()
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def wait_or_close(closing: asyncio.Event, seconds: float) -> None:
    """Sleeps (always yielding, so a disconnect is noticed); a stopping server cuts in."""
    if seconds > 0:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(closing.wait(), seconds)
    else:
        await asyncio.sleep(0)
    if closing.is_set():
        raise ConnectionDropped


@attrs.frozen
class Answer:
    """What one chat completion will say, and what it costs."""

    id: str
    model: str
    created: int
    pieces: Iterator[str]
    reasoning: int
    limit: int | None
    prompt_tokens: int
    cached_tokens: int

    def usage(self, completion: int, reasoning: int) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion + reasoning,
            "prompt_tokens_details": {
                "text_tokens": self.prompt_tokens,
                "audio_tokens": 0,
                "image_tokens": 0,
                "cached_tokens": self.cached_tokens,
            },
            "completion_tokens_details": {
                "reasoning_tokens": reasoning,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    def whole(self, with_usage: bool) -> dict[str, Any]:
        """The non-streamed `chat.completion` object."""
        pieces = list(self.pieces if self.limit is None else islice(self.pieces, self.limit + 1))
        finish = "stop"
        if self.limit is not None and len(pieces) > self.limit:
            pieces, finish = pieces[: self.limit], "length"
        message: dict[str, Any] = {"role": "assistant", "content": "".join(pieces)}
        if self.reasoning:
            message["reasoning_content"] = "".join(numbered_words("thinking", self.reasoning))
        completion: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "system_fingerprint": "fp_grok_sim",
        }
        if with_usage:
            completion["usage"] = self.usage(len(pieces), self.reasoning)
        return completion


class RecordedStream:
    """A streamed body whose end (whole, cut short, or left by the client) is recorded."""

    recorder: Recorder
    record: RequestRecord

    async def events(self) -> AsyncGenerator[bytes, None]:
        try:
            async for event in self._events():
                yield event
        except EndedEarly:
            return  # the body just ends: no terminal event
        except (asyncio.CancelledError, GeneratorExit):
            self.recorder.ended(self.record, disconnected=True)
            raise
        finally:
            self.recorder.ended(self.record)

    def _events(self) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError


class CompletionStream(RecordedStream):
    """The SSE body of one streamed completion, shaped by the request's control."""

    def __init__(
        self,
        answer: Answer,
        control: Control,
        *,
        include_usage: bool,
        recorder: Recorder,
        record: RequestRecord,
        closing: asyncio.Event,
    ) -> None:
        self.answer = answer
        self.control = control
        self.usage_mode = control.usage or ("last" if include_usage else "none")
        self.recorder = recorder
        self.record = record
        self.closing = closing
        self.content_sent = 0
        self.reasoning_sent = 0

    async def _events(self) -> AsyncGenerator[bytes, None]:
        for word in numbered_words("thinking", self.answer.reasoning):
            yield await self._chunk({"reasoning_content": word})
            self.reasoning_sent += 1
            self.recorder.chunk_sent(self.record, content=False)
        finish = "stop"
        control = self.control
        while True:
            sent = self.content_sent
            if control.malformed_after == sent:
                yield self._frame("{this is not json")
            if control.drop_after == sent:
                raise ConnectionDropped
            if control.end_after == sent:
                return
            if control.stall_after == sent:
                await self._wait(STALL_LIMIT_SECONDS)
                raise ConnectionDropped
            if self.answer.limit is not None and sent >= self.answer.limit:
                finish = "length"
                break
            piece = next(self.answer.pieces, None)
            if piece is None:
                break
            yield await self._chunk({"content": piece})
            self.content_sent += 1
            self.recorder.chunk_sent(self.record, content=True)
        yield self._payload([{"index": 0, "delta": {}, "finish_reason": finish}])
        if self.usage_mode in ("last", "every"):
            yield self._payload([], usage=True)
        yield self._frame("[DONE]")
        self.recorder.ended(self.record, completed=True)

    async def _chunk(self, delta: dict[str, str]) -> bytes:
        first = self.record.first_chunk_at is None
        await self._wait(self.control.delay if first else self._interval())
        if first:
            delta = {"role": "assistant", **delta}
        return self._payload([{"index": 0, "delta": delta, "finish_reason": None}])

    def _interval(self) -> float:
        return 1 / self.control.tps if self.control.tps else 0.0

    async def _wait(self, seconds: float) -> None:
        await wait_or_close(self.closing, seconds)

    def _payload(self, choices: list[dict[str, Any]], *, usage: bool = False) -> bytes:
        chunk: dict[str, Any] = {
            "id": self.answer.id,
            "object": "chat.completion.chunk",
            "created": self.answer.created,
            "model": self.answer.model,
            "choices": choices,
        }
        if usage or self.usage_mode == "every":
            chunk["usage"] = self.answer.usage(self.content_sent, self.reasoning_sent)
        return self._frame(json.dumps(chunk))

    def _frame(self, data: str) -> bytes:
        field = "data:" if self.control.nospace else "data: "
        prefix = KEEPALIVE if self.control.keepalive else b""
        return prefix + f"{field}{data}\n\n".encode()

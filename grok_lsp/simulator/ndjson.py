"""grok.com answers: newline-delimited JSON, one `{"result": {...}}` per line.

A new conversation wraps each piece in `result.response` and ends with the title; a
continued one puts the pieces straight into `result`, as grok.com does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import Any

from grok_lsp.simulator.answers import numbered_words
from grok_lsp.simulator.controls import Control
from grok_lsp.simulator.recorder import Recorder, RequestRecord
from grok_lsp.simulator.streaming import (
    STALL_LIMIT_SECONDS,
    Answer,
    CompletionStream,
    ConnectionDropped,
)

ASSETS_PREFIX = "users/grok-sim/generated"
PREVIEW_PROGRESS = (50, 100)  # grok.com repeats a preview as the image renders


class ConversationStream(CompletionStream):
    """The body of one grok.com answer, shaped by the request's control.

    `answer.model` holds the request's modelName; `answer.id` the response id.
    """

    def __init__(
        self,
        answer: Answer,
        control: Control,
        *,
        conversation_id: str,
        title: str | None,
        question: str,
        recorder: Recorder,
        record: RequestRecord,
        closing: asyncio.Event,
    ) -> None:
        super().__init__(
            answer, control, include_usage=False, recorder=recorder, record=record, closing=closing
        )
        self.conversation_id = conversation_id
        self.title = title  # sent, after the answer, only when the conversation is new
        self.question = question

    async def _events(self) -> AsyncGenerator[bytes, None]:
        if self.title is not None:
            yield self._result({"conversation": self._conversation()}, wrap=False)
        yield self._result({"userResponse": self._message(self.question, "human")})
        for word in numbered_words("thinking", self.answer.reasoning):
            yield await self._token(word, thinking=True)
            self.reasoning_sent += 1
            self.recorder.chunk_sent(self.record, content=False)
        text: list[str] = []
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
            piece = next(self.answer.pieces, None)
            if piece is None:
                break
            yield await self._token(piece, thinking=False)
            text.append(piece)
            self.content_sent += 1
            self.recorder.chunk_sent(self.record, content=True)
        for line in self._images():
            yield line
        final = self._message("".join(text), "ASSISTANT")
        final["generatedImageUrls"] = [self._image(i, "image") for i in range(control.images)]
        yield self._result({"modelResponse": final})
        if self.title is not None:
            yield self._result({"title": {"newTitle": self.title}}, wrap=False)
        self.recorder.ended(self.record, completed=True)

    async def _token(self, token: str, *, thinking: bool) -> bytes:
        first = self.record.first_chunk_at is None
        await self._wait(self.control.delay if first else self._interval())
        piece = {
            "token": token,
            "isThinking": thinking,
            "isSoftStop": False,
            "responseId": self.answer.id,
        }
        return self._result(piece)

    def _images(self) -> list[bytes]:
        return [
            self._result(
                {
                    "streamingImageGenerationResponse": {
                        "imageId": f"{self.answer.id}-{index}",
                        "imageUrl": self._image(index, "preview"),
                        "seq": seq,
                        "progress": progress,
                    }
                }
            )
            for index in range(self.control.images)
            for seq, progress in enumerate(PREVIEW_PROGRESS)
        ]

    def _image(self, index: int, kind: str) -> str:
        return f"{ASSETS_PREFIX}/{self.answer.id}-{index}/{kind}.jpg"

    def _conversation(self) -> dict[str, Any]:
        return {
            "conversationId": self.conversation_id,
            "title": "New conversation",
            "starred": False,
            "createTime": "2025-01-01T00:00:00Z",
            "modifyTime": "2025-01-01T00:00:00Z",
            "systemPromptName": "",
            "temporary": False,
            "mediaTypes": [],
        }

    def _message(self, text: str, sender: str) -> dict[str, Any]:
        return {
            "responseId": self.answer.id,
            "message": text,
            "sender": sender,
            "createTime": "2025-01-01T00:00:00Z",
            "manual": False,
            "partial": False,
            "webSearchResults": [],
            "generatedImageUrls": [],
        }

    def _result(self, piece: dict[str, Any], *, wrap: bool = True) -> bytes:
        # Only a new conversation's answer pieces are wrapped in `response`.
        if wrap and self.title is not None:
            piece = {"response": piece}
        return self._frame(json.dumps({"result": piece}))

    def _frame(self, data: str) -> bytes:
        prefix = b"\n" if self.control.keepalive else b""  # NDJSON has no comments: blank lines
        return prefix + f"{data}\n".encode()

"""What the simulator saw and did, per request; read by tests from another thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import attrs

from grok_lsp.simulator.controls import Control
from grok_lsp.simulator.text import message_text

REDACTED_AUTHORIZATION = "Bearer <redacted>"
REDACTED = "<redacted>"


def _redact_cookies(header: str) -> str:
    """`sso=<redacted>; other=<redacted>`: which cookies came, never their values."""
    names = (part.strip().partition("=")[0] for part in header.split(";"))
    return "; ".join(f"{name}={REDACTED}" for name in names if name)


@attrs.define
class RequestRecord:
    """One request; times are `time.monotonic()` seconds."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    control: Control | None = None
    status: int | None = None
    chunks_sent: int = 0
    completed: bool = False
    disconnected: bool = False
    started_at: float = attrs.field(factory=time.monotonic)
    first_chunk_at: float | None = None
    ended_at: float | None = None
    task: str = ""  # what the simulator read the request as asking (explain, refactor, ...)
    reasoning_returned: int = 0  # reasoning items a Responses request sent back (all checked)

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @property
    def cache_key(self) -> str | None:
        """The prompt-cache key: `prompt_cache_key` (Responses) or `x-grok-conv-id`."""
        body = self.body if isinstance(self.body, dict) else {}
        key = body.get("prompt_cache_key", self.headers.get("x-grok-conv-id"))
        return key if isinstance(key, str) else None

    @property
    def max_output_tokens(self) -> int | None:
        """`max_output_tokens` (Responses) or `max_completion_tokens` (chat completions)."""
        body = self.body if isinstance(self.body, dict) else {}
        limit = body.get("max_output_tokens", body.get("max_completion_tokens"))
        return limit if isinstance(limit, int) else None

    @property
    def messages(self) -> list[dict[str, str]]:
        """The messages of a request for an answer, in chat shape whichever API it used:
        `role` and `content` text (a response's reasoning items are left out)."""
        body = self.body if isinstance(self.body, dict) else {}
        items = body.get("messages", body.get("input", []))
        if isinstance(items, str):
            return [{"role": "user", "content": items}]
        return (
            [
                {"role": str(item["role"]), "content": message_text(item)}
                for item in items
                if isinstance(item, dict) and "role" in item
            ]
            if isinstance(items, list)
            else []
        )

    def prompt_text(self) -> str:
        """Every message's text, in order: what tests check the model was sent."""
        return "\n".join(message["content"] for message in self.messages)


class Recorder:
    """Records behind one lock, so a reader always sees whole updates."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def start(self, method: str, path: str, headers: Mapping[str, str], body: Any) -> RequestRecord:
        clean = {name.lower(): value for name, value in headers.items()}
        if "authorization" in clean:
            clean["authorization"] = REDACTED_AUTHORIZATION
        if "cookie" in clean:
            clean["cookie"] = _redact_cookies(clean["cookie"])
        record = RequestRecord(method=method, path=path, headers=clean, body=body)
        with self._lock:
            self._records.append(record)
        return record

    def answered(self, record: RequestRecord, status: int, control: Control | None) -> None:
        with self._lock:
            record.status = status
            record.control = control

    def chunk_sent(self, record: RequestRecord, *, content: bool) -> None:
        """Any data chunk marks the first chunk; only content chunks are counted."""
        with self._lock:
            if record.first_chunk_at is None:
                record.first_chunk_at = time.monotonic()
            if content:
                record.chunks_sent += 1

    def ended(
        self, record: RequestRecord, *, completed: bool = False, disconnected: bool = False
    ) -> None:
        with self._lock:
            record.completed = record.completed or completed
            record.disconnected = record.disconnected or disconnected
            if record.ended_at is None:
                record.ended_at = time.monotonic()

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return [attrs.evolve(record, headers=dict(record.headers)) for record in self._records]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

"""What the simulator saw and did, per request; read by tests from another thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import attrs

from grok_lsp.simulator.controls import Control

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

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)

    def prompt_text(self) -> str:
        """Every text the request sent the model, whichever API: what tests check was sent."""
        return "\n".join(_texts(self.body))


def _texts(value: Any) -> list[str]:
    """Strings under `content`, `text` and `instructions`, in order, at any depth."""
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    if not isinstance(value, dict):
        return []
    found: list[str] = []
    for key, item in value.items():
        if isinstance(item, str) and key in ("content", "text", "instructions"):
            found.append(item)
        elif isinstance(item, (list, dict)):
            found.extend(_texts(item))
    return found


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

"""Showing an answer while it streams: work-done progress and `grok/stream` notifications.

Both are coalesced: the first piece goes out at once, later ones at most once per
interval, and whatever is pending is flushed before the end, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from lsprotocol import types

from grok_lsp.assistant.usage import format_cost
from grok_lsp.server.plain_text import plain_text
from grok_lsp.server.pygls_overrides import forget_progress_token, notify_json
from grok_lsp.xai.events import ContentDelta, ReasoningDelta, StreamEvent, ThinkingStarted, Usage

if TYPE_CHECKING:
    from grok_lsp.server.app import GrokLanguageServer

STREAM_METHOD = "grok/stream"
PROGRESS = "$/progress"
TAIL_CHARS = 80
# grok/stream deltas are merged within this window: one message per token would flood the pipe.
STREAM_INTERVAL_S = 0.016
# Until the first text, progress says every second how long the model has been at it:
# a reasoning model may think silently for minutes, which must not look like a hang.
TICK_S = 1.0

Outcome = Literal["done", "cancelled", "failed"]


def tail(text: str) -> str:
    """The last words of the answer so far, as plain text on one line."""
    flat = " ".join(plain_text(text[-TAIL_CHARS * 2 :]).split())
    return flat if len(flat) <= TAIL_CHARS else "…" + flat[-(TAIL_CHARS - 1) :]


class _Tail:
    """The last characters of a growing text, kept as pieces: no copy per token."""

    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._pieces: list[str] = []

    def add(self, text: str) -> None:
        if text:
            self._pieces.append(text)
            if len(self._pieces) > 256:  # bounded, whatever the answer's length
                self.text()

    def text(self) -> str:
        joined = "".join(self._pieces)[-self._keep :]
        self._pieces[:] = [joined] if joined else []
        return joined

    def __bool__(self) -> bool:
        return bool(self._pieces)


class AnswerStream:
    def __init__(
        self,
        ls: GrokLanguageServer,
        *,
        token: types.ProgressToken | None,
        uri: str,
        title: str,
        model: str,
        interval_ms: int,
        notify_stream: bool,
    ) -> None:
        self._ls = ls
        self.token = token
        self._uri = uri
        self._title = title
        self._model = model
        self._interval = interval_ms / 1000
        self._notify_stream = notify_stream
        self._content_tail = _Tail(TAIL_CHARS * 2)
        self._summary_tail = _Tail(TAIL_CHARS * 2)  # the reasoning summary so far
        self._began_at = time.monotonic()
        self._tick_timer: asyncio.TimerHandle | None = None
        self._thinking = False
        self._thinking_since: float | None = None
        self._thought = ""  # "Thought for 2.1s · " once reasoning has ended
        self._last_report = 0.0
        self._report_timer: asyncio.TimerHandle | None = None
        self._report_dirty = False
        self._pending: list[tuple[str, list[str]]] = []
        self._last_stream = 0.0
        self._stream_timer: asyncio.TimerHandle | None = None
        self._own_stream_token = f"grok-{id(self)}"
        self._send_now = False  # the first stream text or report was queued: flush output
        self._begun = False
        self._ended = False

    @property
    def stream_token(self) -> str:
        """`grok/stream` uses the progress token, so a client can tie the text to its request."""
        return str(self.token) if self.token is not None else self._own_stream_token

    def begin(self) -> None:
        if self.token is None:
            return
        self._begun = True
        self._began_at = time.monotonic()
        self._tick_timer = asyncio.get_running_loop().call_later(TICK_S, self._tick)
        self._ls.work_done_progress.begin(
            self.token,
            types.WorkDoneProgressBegin(
                title=self._title,
                cancellable=True,
                message=f"Asking {self._model}…",
            ),
        )

    def on_event(self, event: StreamEvent) -> None:
        now = time.monotonic()  # once per event, for both coalescing windows
        if isinstance(event, ContentDelta):
            self._content_tail.add(event.text)
            if self._thinking_since is not None:
                self._thought = f"Thought for {now - self._thinking_since:.1f}s · "
                self._thinking_since = None
            self._thinking = False
            self._queue("content", event.text, now)
        elif isinstance(event, ReasoningDelta):
            self._start_thinking()
            self._summary_tail.add(event.text)
            self._queue("reasoning", event.text, now)
        elif isinstance(event, ThinkingStarted):
            self._start_thinking()
        else:
            return
        self._report_dirty = True
        self._schedule_report(now)
        if self._send_now:  # the first text and report leave at once, in one write
            self._send_now = False
            self._ls.flush_output()

    def on_problems(self, problems: Sequence[str]) -> None:
        """References the request could not send: said at once, the answer still comes."""
        self._ls.warn_now("; ".join(problems) + ". The rest of the request was sent.")

    def _start_thinking(self) -> None:
        if self._thinking_since is None and not self._thought:
            self._thinking_since = time.monotonic()
        self._thinking = True

    def _tick(self) -> None:
        """Until text arrives, a fresh report each second with the seconds elapsed."""
        self._tick_timer = None
        if self._ended or self._content_tail:
            return
        self._report_dirty = True
        self._schedule_report()
        self._ls.flush_output()
        self._tick_timer = asyncio.get_running_loop().call_later(TICK_S, self._tick)

    def progress_message(self) -> str:
        if self._content_tail or self._thought:
            return self._thought + tail(self._content_tail.text())
        since = self._thinking_since if self._thinking else self._began_at
        elapsed = time.monotonic() - (since if since is not None else self._began_at)
        seconds = f" {elapsed:.0f}s" if elapsed >= TICK_S else ""
        if not self._thinking:
            return f"Asking {self._model}…{seconds}"
        summary = tail(self._summary_tail.text())
        return f"Thinking…{seconds}" + (f" · {summary}" if summary else "")

    # -- grok/stream ---------------------------------------------------------------

    def _queue(self, kind: str, text: str, now: float) -> None:
        if not self._notify_stream or not text:
            return
        if self._pending and self._pending[-1][0] == kind:
            self._pending[-1][1].append(text)  # joined when sent: no copy per token
        else:
            self._pending.append((kind, [text]))
        if now - self._last_stream >= STREAM_INTERVAL_S:
            if self._stream_timer is not None:
                self._stream_timer.cancel()
            self._flush_stream()
        elif self._stream_timer is None:
            delay = STREAM_INTERVAL_S - (now - self._last_stream)
            self._stream_timer = asyncio.get_running_loop().call_later(delay, self._flush_stream)

    def _flush_stream(self) -> None:
        self._stream_timer = None
        first = self._last_stream == 0.0
        self._last_stream = time.monotonic()
        pending, self._pending = self._pending, []
        for kind, pieces in pending:
            self._notify(
                STREAM_METHOD,
                {
                    "token": self.stream_token,
                    "uri": self._uri,
                    "kind": kind,
                    "delta": "".join(pieces),
                },
            )
        if first:  # shown at once, not after the rest of this loop turn (see on_event)
            self._send_now = True

    def _notify(self, method: str, params: dict[str, Any]) -> None:
        notify_json(self._ls.protocol, method, params)

    # -- progress ------------------------------------------------------------------

    def _schedule_report(self, now: float | None = None) -> None:
        if self.token is None:
            return
        if now is None:
            now = time.monotonic()
        if now - self._last_report >= self._interval:
            if self._report_timer is not None:  # overdue: it would report again right after
                self._report_timer.cancel()
            self._report()
        elif self._report_timer is None:
            delay = self._interval - (now - self._last_report)
            self._report_timer = asyncio.get_running_loop().call_later(delay, self._report)

    def _report(self) -> None:
        self._report_timer = None
        if self.token is None or not self._report_dirty:
            return
        self._report_dirty = False
        first = self._last_report == 0.0
        self._last_report = time.monotonic()
        message = self.progress_message()
        self._notify(
            PROGRESS, {"token": self.token, "value": {"kind": "report", "message": message}}
        )
        if first:
            self._send_now = True

    def end(
        self,
        outcome: Outcome,
        usage: Usage | None = None,
        detail: str = "",
        cost: float | None = None,
    ) -> None:
        """Flush what is pending, then end the progress saying how it finished (once)."""
        if self._ended:
            return
        self._ended = True
        for timer in (self._report_timer, self._stream_timer, self._tick_timer):
            if timer is not None:
                timer.cancel()
        self._tick_timer = None
        self._stream_timer = None
        self._report_timer = None
        if self._pending:
            self._flush_stream()
        if self.token is None or not self._begun:
            self._ls.flush_output()
            return
        if self._report_dirty:
            self._report()
        self._ls.work_done_progress.end(
            self.token,
            types.WorkDoneProgressEnd(message=end_message(outcome, usage, detail, cost)),
        )
        forget_progress_token(self._ls.work_done_progress, self.token)
        self._ls.flush_output()  # before any edit is computed: the end is news of its own


def end_message(
    outcome: Outcome, usage: Usage | None, detail: str, cost: float | None = None
) -> str:
    words = {"done": "Done", "cancelled": "Cancelled", "failed": "Failed"}[outcome]
    parts: list[Any] = [words]
    if detail:
        parts.append(detail)
    if usage is not None and (usage.prompt_tokens or usage.completion_tokens):
        parts.append(
            f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens"
            + (f" ({usage.reasoning_tokens} reasoning)" if usage.reasoning_tokens else "")
            + (f", {usage.cached_tokens} cached" if usage.cached_tokens else "")
        )
    if cost is not None:
        parts.append(format_cost(cost))
    return " · ".join(str(p) for p in parts)

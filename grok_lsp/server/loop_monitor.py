"""An opt-in event-loop lag monitor, for benchmarks and diagnosis.

With `GROK_LSP_LOOP_MONITOR=1` in its environment the server runs a timer every
`INTERVAL_S` and records how late it fired: the time the loop spent on other work
before it could run anything else. The custom request `grok/debug.loopLag`
(params `{"reset": bool}`) answers the figures since the last reset. Without the
variable nothing is scheduled and the request does not exist: it costs nothing.
"""

from __future__ import annotations

import asyncio
import collections
import math
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grok_lsp.server.app import GrokLanguageServer

ENV = "GROK_LSP_LOOP_MONITOR"
METHOD = "grok/debug.loopLag"
INTERVAL_S = 0.005
MAX_SAMPLES = 200_000


def enabled() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


class LoopMonitor:
    def __init__(self, interval: float = INTERVAL_S) -> None:
        self.interval = interval
        self._samples: collections.deque[tuple[float, float]] = collections.deque(
            maxlen=MAX_SAMPLES
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._due = 0.0
        self._handle: asyncio.TimerHandle | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is loop:
            return
        self.stop()
        self._loop = loop
        self._due = loop.time() + self.interval
        self._handle = loop.call_at(self._due, self._tick)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = None
        self._loop = None

    def _tick(self) -> None:
        loop = self._loop
        assert loop is not None
        now = loop.time()
        self._samples.append((now, max(0.0, now - self._due)))
        self._due = now + self.interval
        self._handle = loop.call_at(self._due, self._tick)

    def report(self, reset: bool = False) -> dict[str, Any]:
        samples = list(self._samples)
        if reset:
            self._samples.clear()
        lags = sorted(lag for _, lag in samples)
        worst = sorted(samples, key=lambda s: s[1], reverse=True)[:10]
        return {
            "intervalMs": self.interval * 1000,
            "samples": len(lags),
            "p50Ms": round(_percentile(lags, 50) * 1000, 3),
            "p99Ms": round(_percentile(lags, 99) * 1000, 3),
            "maxMs": round((lags[-1] if lags else 0.0) * 1000, 3),
            # [when (the loop's clock, seconds), lag (ms)] of the worst samples
            "worst": [[round(at, 6), round(lag * 1000, 3)] for at, lag in worst],
        }


def register(ls: GrokLanguageServer) -> None:
    """Monitor the loop from the start, and answer `grok/debug.loopLag`."""
    monitor = ls.loop_monitor = LoopMonitor()

    @ls.feature(METHOD)
    def loop_lag(params: Any) -> dict[str, Any]:
        monitor.start(asyncio.get_running_loop())  # a no-op once running (also for --tcp)
        reset = params.get("reset") if isinstance(params, dict) else getattr(params, "reset", None)
        return monitor.report(reset=bool(reset))

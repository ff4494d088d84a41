"""Everything the simulator remembers between requests."""

from __future__ import annotations

import asyncio
import itertools
import threading

from grok_lsp.simulator.controls import parse_control
from grok_lsp.simulator.recorder import Recorder


class SimulatorState:
    """Shared by the server's event loop and the thread that owns the simulator."""

    def __init__(self, defaults: str = "") -> None:
        parse_control(
            None, None, defaults
        )  # a typo in the defaults fails at start, not per request
        self.defaults = defaults
        self.recorder = Recorder()
        # Set (on the server's loop) when the server stops, so stalled streams end at once.
        self.closing = asyncio.Event()
        self._lock = threading.Lock()
        self._attempts: dict[str, int] = {}
        self._prompt_tokens: dict[str, int] = {}
        self._ids = itertools.count(1)

    def next_id(self) -> str:
        with self._lock:
            return f"chatcmpl-sim-{next(self._ids)}"

    def attempt(self, key: str) -> int:
        """How many earlier requests named this `fail_times` scenario."""
        with self._lock:
            seen = self._attempts.get(key, 0)
            self._attempts[key] = seen + 1
            return seen

    def cached_tokens(self, conversation_id: str | None, prompt_tokens: int) -> int:
        """The previous request of the same conversation is what a prompt cache would hold."""
        if not conversation_id:
            return 0
        with self._lock:
            previous = self._prompt_tokens.get(conversation_id, 0)
            self._prompt_tokens[conversation_id] = prompt_tokens
        return min(previous, prompt_tokens)

    def clear(self) -> None:
        self.recorder.clear()
        with self._lock:
            self._attempts.clear()
            self._prompt_tokens.clear()

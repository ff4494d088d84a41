"""Everything the simulator remembers between requests."""

from __future__ import annotations

import asyncio
import itertools
import threading

from grok_lsp.simulator.controls import parse_control
from grok_lsp.simulator.recorder import Recorder
from grok_lsp.simulator.responses import ReasoningSeal


def common_prefix_length(a: str, b: str) -> int:
    """Characters `a` and `b` share from their start (found by halving: long inputs are fast)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


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
        self._previous_inputs: dict[str, str] = {}  # by cache key: the last request's input
        self._ids = itertools.count(1)
        self.seal = ReasoningSeal()  # recognises the reasoning items it handed out
        # grok.com keeps each conversation's turns server-side; so does the simulator.
        self._grok_conversations: dict[str, list[dict[str, str]]] = {}

    def next_id(self) -> str:
        with self._lock:
            return f"chatcmpl-sim-{next(self._ids)}"

    def attempt(self, key: str) -> int:
        """How many earlier requests named this `fail_times` scenario."""
        with self._lock:
            seen = self._attempts.get(key, 0)
            self._attempts[key] = seen + 1
            return seen

    def cached_tokens(self, cache_key: str | None, serialized_input: str) -> int:
        """The tokens of this input that repeat, from its start, the previous request's input
        with the same cache key: what a prefix cache holds (four characters a token)."""
        if not cache_key:
            return 0
        with self._lock:
            previous = self._previous_inputs.get(cache_key, "")
            self._previous_inputs[cache_key] = serialized_input
        return (common_prefix_length(previous, serialized_input) + 3) // 4

    def start_grok_conversation(self) -> str:
        with self._lock:
            conversation_id = f"00000000-0000-4000-8000-{next(self._ids):012d}"
            self._grok_conversations[conversation_id] = []
        return conversation_id

    def grok_history(self, conversation_id: str) -> list[dict[str, str]] | None:
        """The conversation's earlier messages, or None for an unknown id."""
        with self._lock:
            history = self._grok_conversations.get(conversation_id)
            return None if history is None else list(history)

    def add_grok_turn(self, conversation_id: str, question: str, answer: str) -> None:
        with self._lock:
            self._grok_conversations.setdefault(conversation_id, []).extend(
                [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
            )

    def clear(self) -> None:
        self.recorder.clear()
        with self._lock:
            self._attempts.clear()
            self._previous_inputs.clear()
            self._grok_conversations.clear()

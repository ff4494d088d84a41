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

    def cached_tokens(self, conversation_id: str | None, prompt_tokens: int) -> int:
        """The previous request of the same conversation is what a prompt cache would hold."""
        if not conversation_id:
            return 0
        with self._lock:
            previous = self._prompt_tokens.get(conversation_id, 0)
            self._prompt_tokens[conversation_id] = prompt_tokens
        return min(previous, prompt_tokens)

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
            self._prompt_tokens.clear()
            self._grok_conversations.clear()

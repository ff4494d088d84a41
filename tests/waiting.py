"""The tests' one way to wait for something to happen: poll it, with a deadline that fails.

A deadline is a bound against hangs, never a timing: tests assert what happened, not when.
`until` is for tests on an event loop; `until_sync` for tests that drive a thread or a
process from plain code (the simulator, Neovim), where awaiting is not possible.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

POLL = 0.01  # seconds between two looks


async def until(predicate: Callable[[], Any], what: str, seconds: float = 15) -> None:
    """Wait, polling, for what a test needs to have happened; fail at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(POLL)


def until_sync(predicate: Callable[[], Any], what: str, seconds: float = 15) -> None:
    """`until` for code that runs no event loop: blocks this thread while it polls."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(POLL)

"""The baselines with no language server in between: the simulator read by plain httpx."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

API_KEY = "xai-BENCH-0123456789abcdef"
TERMINAL_EVENTS = ("response.completed", "response.incomplete", "response.failed")
ANSWER_PATHS = ("/v1/responses", "/v1/chat/completions")


@dataclass
class DirectStream:
    started: float
    first_text: float | None
    ended: float
    text: str


async def read_stream(
    client: httpx.AsyncClient, base_url: str, body: dict[str, Any], path: str = "/v1/responses"
) -> DirectStream:
    """POST the request to `path` and read every SSE line, as a plugin talking to xAI would:
    the Responses API's events until its terminal one, or chat completion chunks to `[DONE]`."""
    started = time.monotonic()
    first: float | None = None
    pieces: list[str] = []
    responses = path.endswith("/responses")
    async with client.stream(
        "POST",
        f"{base_url}/{path.rsplit('/v1/', 1)[-1]}",
        json=body,
        headers={"Authorization": f"Bearer {API_KEY}", "Accept": "text/event-stream"},
    ) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            event = json.loads(data)
            if responses:
                texts = [event["delta"]] if event["type"] == "response.output_text.delta" else []
            else:
                texts = [c.get("delta", {}).get("content") for c in event.get("choices", [])]
            for text in texts:
                if text:
                    if first is None:
                        first = time.monotonic()
                    pieces.append(text)
            if responses and event["type"] in TERMINAL_EVENTS:
                break
    return DirectStream(started, first, time.monotonic(), "".join(pieces))


@contextlib.asynccontextmanager
async def simulator(log: Path) -> AsyncIterator[str]:
    """The simulator in its own process: its work never competes with the client's GIL."""
    with log.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "grok_lsp",
            "simulate",
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        if "listening on" not in line:
            raise RuntimeError(f"the simulator did not start: {line!r} (see {log})")
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()


async def records(client: httpx.AsyncClient, base_url: str) -> list[dict[str, Any]]:
    """What the simulator recorded: requests for an answer only (either API), oldest first."""
    root = base_url.rsplit("/v1", 1)[0]
    response = await client.get(f"{root}/_sim/requests")
    response.raise_for_status()
    payload = response.json()
    items = payload if isinstance(payload, list) else payload.get("requests", [])
    return [r for r in items if r["path"] in ANSWER_PATHS]


async def forget(client: httpx.AsyncClient, base_url: str) -> None:
    root = base_url.rsplit("/v1", 1)[0]
    (await client.delete(f"{root}/_sim/requests")).raise_for_status()

"""A bare stdio JSON-RPC peer for grok-lsp: bytes in, frames out, with deadlines."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.reliability.conftest import server_command


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def message(payload: dict[str, Any]) -> bytes:
    return frame(json.dumps(payload).encode())


def initialize(msg_id: int = 1) -> bytes:
    return message(
        {
            "jsonrpc": "2.0",
            "id": msg_id,
            "method": "initialize",
            "params": {"capabilities": {}, "processId": None, "rootUri": None},
        }
    )


class RawServer:
    def __init__(self, env: dict[str, str], log_file: Path) -> None:
        self.process = subprocess.Popen(
            server_command(log_file),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert self.process.stdout is not None
        os.set_blocking(self.process.stdout.fileno(), False)
        self.buffer = b""
        self.received: list[dict[str, Any]] = []
        self.stdout = bytearray()

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def close_stdin(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()

    def _pump(self, timeout: float) -> bool:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return True
        data = self.process.stdout.read() or b""
        self.stdout.extend(data)
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, rest = self.buffer.split(b"\r\n\r\n", 1)
            length = next(
                int(line.split(b":")[1]) for line in head.split(b"\r\n") if b"Length" in line
            )
            if len(rest) < length:
                break
            self.received.append(json.loads(rest[:length]))
            self.buffer = rest[length:]
        return bool(data)

    def wait_for(self, predicate: Any, seconds: float) -> dict[str, Any] | None:
        """The first received message matching, or None at the deadline or when it exits."""
        deadline = time.monotonic() + seconds
        seen = 0
        while True:
            for item in self.received[seen:]:
                if predicate(item):
                    return item
            seen = len(self.received)
            if time.monotonic() > deadline:
                return None
            if not self._pump(0.05) and self.process.poll() is not None:
                return None

    def response(self, msg_id: Any, seconds: float = 5) -> dict[str, Any] | None:
        return self.wait_for(
            lambda m: "method" not in m and m.get("id", "missing") == msg_id, seconds
        )

    def exited_within(self, seconds: float) -> bool:
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> bytes:
        """End the process (closing stdin first); return all it wrote to stdout and stderr."""
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        if not self.exited_within(5):
            self.process.kill()
            self.process.wait()
        assert self.process.stdout and self.process.stderr
        os.set_blocking(self.process.stdout.fileno(), True)
        self.stdout.extend(self.process.stdout.read())
        return bytes(self.stdout) + self.process.stderr.read()

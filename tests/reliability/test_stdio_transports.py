"""The server reads stdin on its event loop when editors connect: socketpairs (libuv) and pipes.

VS Code and Neovim hand a language server one socketpair per stdio stream; tests and
scripts often use pipes. Both must be read without pygls's thread hops, and a socket that
is stdin and stdout at once (inetd style) must keep working on the threaded reader.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.conftest import server_command
from tests.reliability.rawlsp import frame, initialize, message
from tests.server.harness import server_env

BURST = 50


class Peer:
    """A client end: writes to the server's stdin, reads frames from its stdout, with deadlines."""

    def __init__(self, write: Any, read_fd: int) -> None:
        self._write = write
        self._read_fd = read_fd
        self._buffer = b""
        self.received: list[dict[str, Any]] = []

    def send(self, data: bytes) -> None:
        self._write(data)

    def responses(self, ids: set[Any], seconds: float) -> dict[Any, dict[str, Any]]:
        deadline = time.monotonic() + seconds
        found: dict[Any, dict[str, Any]] = {}
        while ids - found.keys() and time.monotonic() < deadline:
            for item in self.received:
                if "method" not in item and item.get("id") in ids:
                    found[item["id"]] = item
            self.received = [m for m in self.received if m.get("id") not in found]
            if ids - found.keys():
                self._pump(min(0.2, max(0.0, deadline - time.monotonic())))
        return found

    def _pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self._read_fd], [], [], timeout)
        if not ready:
            return
        data = os.read(self._read_fd, 1 << 20)
        self._buffer += data
        while b"\r\n\r\n" in self._buffer:
            head, rest = self._buffer.split(b"\r\n\r\n", 1)
            length = int(head.split(b"Content-Length:")[1].split(b"\r\n")[0])
            if len(rest) < length:
                break
            self.received.append(json.loads(rest[:length]))
            self._buffer = rest[length:]


@contextlib.contextmanager
def _spawn(transport: str, tmp_path: Path) -> Iterator[tuple[Peer, subprocess.Popen[bytes], Path]]:
    log = tmp_path / "server.log"
    env = server_env("http://127.0.0.1:9/v1", tmp_path / "state")
    command = server_command(log)
    if transport == "pipes":
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        assert process.stdin is not None and process.stdout is not None
        stdin = process.stdin

        def write(data: bytes) -> None:
            stdin.write(data)
            stdin.flush()

        peer = Peer(write, process.stdout.fileno())
        closers: list[Any] = [stdin.close, process.stdout.close]
    elif transport == "socketpairs":  # as libuv spawns: one socketpair per stream
        ours_in, theirs_in = socket.socketpair()
        ours_out, theirs_out = socket.socketpair()
        process = subprocess.Popen(command, stdin=theirs_in, stdout=theirs_out, env=env)
        theirs_in.close()
        theirs_out.close()
        peer = Peer(ours_in.sendall, ours_out.fileno())
        closers = [ours_in.close, ours_out.close]
    else:  # one socket for both streams
        ours, theirs = socket.socketpair()
        process = subprocess.Popen(command, stdin=theirs, stdout=theirs, env=env)
        theirs.close()
        peer = Peer(ours.sendall, ours.fileno())
        closers = [ours.close]
    try:
        yield peer, process, log
    finally:
        for close in closers:
            close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _code_action(msg_id: int, uri: str, line: int) -> bytes:
    position = {"line": line, "character": 0}
    return message(
        {
            "jsonrpc": "2.0",
            "id": msg_id,
            "method": "textDocument/codeAction",
            "params": {
                "textDocument": {"uri": uri},
                "range": {"start": position, "end": {"line": line + 1, "character": 0}},
                "context": {"diagnostics": []},
            },
        }
    )


def _session(peer: Peer, process: subprocess.Popen[bytes]) -> None:
    """initialize, a burst of code actions in one write, shutdown, exit: all answered."""
    peer.send(initialize(1))
    assert peer.responses({1}, 30), "initialize was not answered"
    uri = "file:///w/burst.py"
    opened = {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n" * 200}
    burst = [
        message({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        message(
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didOpen",
                "params": {"textDocument": opened},
            }
        ),
        *(_code_action(100 + n, uri, n) for n in range(BURST)),
    ]
    peer.send(b"".join(burst))
    answers = peer.responses({100 + n for n in range(BURST)}, 30)
    assert len(answers) == BURST
    assert all(
        any(a["title"].startswith("Grok: ") for a in answer["result"])
        for answer in answers.values()
    )
    peer.send(message({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None}))
    assert peer.responses({2}, 10)
    peer.send(frame(json.dumps({"jsonrpc": "2.0", "method": "exit", "params": None}).encode()))
    assert process.wait(10) == 0


@pytest.mark.parametrize("transport", ["socketpairs", "pipes"])
def test_editor_transports_are_read_on_the_event_loop(transport: str, tmp_path: Path) -> None:
    with _spawn(transport, tmp_path) as (peer, process, log):
        _session(peer, process)
        text = log.read_text(encoding="utf-8")
        assert "Reading stdin on the event loop" in text
        assert "worker thread" not in text


def test_one_socket_for_stdin_and_stdout_keeps_the_threaded_reader(tmp_path: Path) -> None:
    with _spawn("one socket", tmp_path) as (peer, process, log):
        _session(peer, process)
        assert "Reading stdin on a worker thread" in log.read_text(encoding="utf-8")

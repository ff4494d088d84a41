"""Malformed JSON-RPC on a raw stdin: answered as the JSON-RPC spec says, or a clean exit.

Never a hang: after each bad frame a valid request must be answered, or the process
must have exited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grok_lsp.simulator import Simulator
from tests.reliability.conftest import KEYS, Ledger
from tests.reliability.rawlsp import RawServer, frame, initialize, message
from tests.server.harness import server_env

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602

# (name, bytes after a successful initialize, expected error code, id it must carry)
ANSWERED: list[tuple[str, bytes, int, Any]] = [
    ("invalid JSON", frame(b"{not json"), PARSE_ERROR, None),
    ("not UTF-8", frame(b"\xff\xfe{}"), PARSE_ERROR, None),
    ("an array, not an object", frame(b"[1, 2]"), INVALID_REQUEST, None),
    ("a bare string", frame(b'"hello"'), INVALID_REQUEST, None),
    (
        "method that is not a string",
        message({"jsonrpc": "2.0", "id": 5, "method": 5}),
        INVALID_REQUEST,
        5,
    ),
    (
        "unknown method without params",
        message({"jsonrpc": "2.0", "id": 6, "method": "nope/x"}),
        METHOD_NOT_FOUND,
        6,
    ),
    (
        "known method, ill-typed params",
        message({"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": 5}),
        INVALID_PARAMS,
        7,
    ),
    (
        "codeAction with params missing fields",
        message({"jsonrpc": "2.0", "id": 8, "method": "textDocument/codeAction", "params": {}}),
        INVALID_PARAMS,
        8,
    ),
]

# Framing that cannot be trusted any more: the server may exit, or recover.
DESYNCED: list[tuple[str, bytes]] = [
    ("non-numeric Content-Length", b"Content-Length: abc\r\n\r\n{}"),
    ("Content-Length shorter than the body", b"Content-Length: 5\r\n\r\n" + b'{"jsonrpc":"2.0"}'),
    ("header line of garbage", b"\x00\x01garbage\r\n\r\n"),
    ("no header at all", b'{"jsonrpc": "2.0", "id": 3, "method": "shutdown"}\r\n'),
]


@pytest.fixture
def raw(sim: Simulator, tmp_path: Path, ledger: Ledger) -> Any:
    started: list[RawServer] = []

    def start() -> RawServer:
        server = RawServer(server_env(sim.base_url, tmp_path / "state"), tmp_path / "raw.log")
        started.append(server)
        server.send(initialize(1))
        assert server.response(1, 10) is not None, "initialize was not answered"
        return server

    yield start
    for server in started:
        written = server.stop() + (tmp_path / "raw.log").read_bytes()
        ledger.count("bytes scanned for the key", len(written))
        assert not any(key.encode() in written for key in KEYS)


@pytest.mark.parametrize(("name", "data", "code", "msg_id"), ANSWERED, ids=[a[0] for a in ANSWERED])
def test_bad_message_is_answered_per_json_rpc(
    raw: Any, ledger: Ledger, name: str, data: bytes, code: int, msg_id: Any
) -> None:
    server = raw()
    server.send(data)
    error = server.wait_for(lambda m: "error" in m and m.get("id") == msg_id, 5)
    ledger.count("bad inputs tried")
    server.send(initialize(99))  # still serving?
    alive = server.response(99, 5) is not None
    assert alive or server.process.poll() is not None, f"{name}: hang, no answer and no exit"
    assert error is not None, f"{name}: no JSON-RPC error response (code {code}, id {msg_id})"
    assert error["error"]["code"] == code, error
    ledger.row("JSON-RPC frame", name, f"answered error {code}, then served on")


@pytest.mark.parametrize(("name", "data"), DESYNCED, ids=[d[0] for d in DESYNCED])
def test_broken_framing_recovers_or_exits(raw: Any, ledger: Ledger, name: str, data: bytes) -> None:
    server = raw()
    server.send(data)
    server.send(initialize(99) + initialize(100))
    answered = server.wait_for(lambda m: m.get("id") in (99, 100) and "method" not in m, 5)
    ledger.count("bad inputs tried")
    if answered is None:
        assert server.exited_within(1), f"{name}: the server neither answered nor exited (hang)"
        outcome = f"exited with code {server.process.returncode}"
    else:
        outcome = "resynchronised and answered the next request"
    ledger.row("JSON-RPC frame", name, outcome)


def test_content_length_beyond_the_end_then_eof_exits(raw: Any, ledger: Ledger) -> None:
    server = raw()
    server.send(b"Content-Length: 99999\r\n\r\n{}")
    server.close_stdin()
    assert server.exited_within(2), "stdin ended mid-body: the server did not exit"
    ledger.count("bad inputs tried")
    ledger.row("JSON-RPC frame", "Content-Length past the end, then EOF", "exited within 2 s")


def test_exit_right_behind_shutdown_ends_quietly(raw: Any, ledger: Ledger, tmp_path: Path) -> None:
    # Clients should wait for shutdown's answer; one that sends both in one write must not
    # make the server write to a closed stdout (it printed a traceback).
    server = raw()
    server.send(
        message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        + message({"jsonrpc": "2.0", "method": "exit"})
    )
    assert server.exited_within(5), "shutdown + exit in one write: the server did not exit"
    written = server.stop() + (tmp_path / "raw.log").read_bytes()
    assert b"Traceback" not in written, written.decode(errors="replace")[-2000:]
    ledger.count("bad inputs tried")
    ledger.row("JSON-RPC frame", "exit in the same write as shutdown", "exited, no traceback")

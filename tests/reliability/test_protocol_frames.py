"""Malformed JSON-RPC on a raw stdin: answered as the JSON-RPC spec says, or a clean exit.

Never a hang: after each bad frame a valid request must be answered, or the process
must have exited. The bytes go through bench/lsp.py's client, which writes them as given.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bench.lsp import LspClient, frame, message
from grok_lsp.simulator import Simulator
from tests.reliability.conftest import KEYS, Ledger, server_command
from tests.server.harness import server_env
from tests.waiting import until

StartRaw = Callable[[], Awaitable[LspClient]]
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


def initialize(msg_id: int) -> bytes:
    return message(
        {
            "jsonrpc": "2.0",
            "id": msg_id,
            "method": "initialize",
            "params": {"capabilities": {}, "processId": None, "rootUri": None},
        }
    )


@pytest_asyncio.fixture
async def raw(sim: Simulator, tmp_path: Path, ledger: Ledger) -> AsyncIterator[StartRaw]:
    started: list[LspClient] = []
    log, stderr = tmp_path / "raw.log", tmp_path / "raw.stderr"

    async def start() -> LspClient:
        env = server_env(sim.base_url, tmp_path / "state")
        server = await LspClient.spawn(server_command(log), env, stderr, "pipes", keep=True)
        started.append(server)
        await asyncio.wait_for(server.initialize({}), 10)
        return server

    yield start
    for server in started:
        await server.shutdown()
        written = _written(server, log, stderr)
        ledger.count("bytes scanned for the key", len(written))
        assert not any(key.encode() in written for key in KEYS)


def _written(server: LspClient, *files: Path) -> bytes:
    """Everything the server wrote: stdout as read, stderr and the log file."""
    assert server.stdout is not None
    return bytes(server.stdout) + b"".join(f.read_bytes() for f in files if f.is_file())


async def _answer_or_exit(server: LspClient, ids: tuple[int, ...], what: str) -> bool:
    """True once one of these requests is answered, False once the server closed stdout.

    The server reads in order: an answer to a later request proves every earlier message
    was read and, if it was to be answered, answered."""
    await until(
        lambda: server.stdout_closed or any(server.response(i) for i in ids), what, seconds=5
    )
    return any(server.response(i) for i in ids)


def _error(server: LspClient, msg_id: Any) -> dict[str, Any] | None:
    errors = [m for m in server.messages or [] if "error" in m and m.get("id") == msg_id]
    return errors[0] if errors else None


@pytest.mark.parametrize(("name", "data", "code", "msg_id"), ANSWERED, ids=[a[0] for a in ANSWERED])
async def test_bad_message_is_answered_per_json_rpc(
    raw: StartRaw, ledger: Ledger, name: str, data: bytes, code: int, msg_id: Any
) -> None:
    server = await raw()
    await server.send_bytes(data)
    await server.send_bytes(initialize(99))  # still serving?
    await _answer_or_exit(server, (99,), f"{name}: an answer or an exit (a hang)")
    ledger.count("bad inputs tried")
    error = _error(server, msg_id)
    assert error is not None, f"{name}: no JSON-RPC error response (code {code}, id {msg_id})"
    assert error["error"]["code"] == code, error
    ledger.row("JSON-RPC frame", name, f"answered error {code}, then served on")


@pytest.mark.parametrize(("name", "data"), DESYNCED, ids=[d[0] for d in DESYNCED])
async def test_broken_framing_recovers_or_exits(
    raw: StartRaw, ledger: Ledger, name: str, data: bytes
) -> None:
    server = await raw()
    await server.send_bytes(data)
    await server.send_bytes(initialize(99) + initialize(100))
    what = f"{name}: the server neither answered nor exited (hang)"
    answered = await _answer_or_exit(server, (99, 100), what)
    ledger.count("bad inputs tried")
    if answered:
        outcome = "resynchronised and answered the next request"
    else:
        code = await asyncio.wait_for(server.process.wait(), 5)
        outcome = f"exited with code {code}"
    ledger.row("JSON-RPC frame", name, outcome)


async def test_content_length_beyond_the_end_then_eof_exits(raw: StartRaw, ledger: Ledger) -> None:
    server = await raw()
    await server.send_bytes(b"Content-Length: 99999\r\n\r\n{}")
    server.close_stdin()
    # A deadline for a hang, not a timing: the exit follows the EOF at once.
    await asyncio.wait_for(server.process.wait(), 2)
    ledger.count("bad inputs tried")
    ledger.row("JSON-RPC frame", "Content-Length past the end, then EOF", "exited within 2 s")


async def test_exit_right_behind_shutdown_ends_quietly(
    raw: StartRaw, ledger: Ledger, tmp_path: Path
) -> None:
    # Clients should wait for shutdown's answer; one that sends both in one write must not
    # make the server write to a closed stdout (it printed a traceback).
    server = await raw()
    await server.send_bytes(
        message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        + message({"jsonrpc": "2.0", "method": "exit"})
    )
    assert await asyncio.wait_for(server.process.wait(), 5) == 0
    await until(lambda: server.stdout_closed, "the end of the server's stdout")
    written = _written(server, tmp_path / "raw.log", tmp_path / "raw.stderr")
    assert b"Traceback" not in written, written.decode(errors="replace")[-2000:]
    ledger.count("bad inputs tried")
    ledger.row("JSON-RPC frame", "exit in the same write as shutdown", "exited, no traceback")


async def test_a_huge_frame_is_read_whole_and_served_on(
    raw: StartRaw, sim: Simulator, ledger: Ledger
) -> None:
    server = await raw()
    sim.clear()
    lines = 250_000
    text = "value = 'ü'  # a line of filler\n" * (lines - 1) + "LAST_LINE_OF_THE_HUGE_FRAME\n"
    uri = "file:///w/huge.py"
    opened = {"uri": uri, "languageId": "python", "version": 1, "text": text}
    data = message(
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": opened}}
    )
    await server.send_bytes(data)  # one frame, one write
    last = {"start": {"line": lines - 1, "character": 0}, "end": {"line": lines, "character": 0}}
    await asyncio.wait_for(server.command("grok.explain", {"uri": uri, "range": last}), 60)
    assert "LAST_LINE_OF_THE_HUGE_FRAME" in sim.chats[-1].messages[-1]["content"]
    ledger.count("bad inputs tried")
    size = f"{len(data) / 1e6:.0f} MB"
    ledger.row(
        "JSON-RPC frame", f"one didOpen frame of {size} in one write", "read whole, served on"
    )

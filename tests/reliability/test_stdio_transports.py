"""The server reads stdin on its event loop when editors connect: socketpairs (libuv) and pipes.

VS Code and Neovim hand a language server one socketpair per stdio stream; tests and
scripts often use pipes. Both must be read without pygls's thread hops, and a socket that
is stdin and stdout at once (inetd style) must keep working on the threaded reader.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.lsp import LspClient, Transport, message
from tests.reliability.conftest import server_command
from tests.server.harness import server_env
from tests.waiting import until

BURST = 50


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


async def _session(transport: Transport, tmp_path: Path) -> str:
    """initialize, a burst of code actions in one write, shutdown, exit: all answered.

    Returns the server's log."""
    log = tmp_path / "server.log"
    env = server_env("http://127.0.0.1:9/v1", tmp_path / "state")
    peer = await LspClient.spawn(
        server_command(log), env, tmp_path / "stderr.log", transport, keep=True
    )
    try:
        await asyncio.wait_for(peer.initialize({}), 30)
        uri = "file:///w/burst.py"
        opened = {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n" * 200}
        burst = [
            message(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didOpen",
                    "params": {"textDocument": opened},
                }
            ),
            *(_code_action(100 + n, uri, n) for n in range(BURST)),
        ]
        await peer.send_bytes(b"".join(burst))
        ids = range(100, 100 + BURST)
        await until(lambda: all(peer.response(i) for i in ids), "every code action answered", 30)
        answers = [peer.response(i) for i in ids]
        assert all(
            answer and any(a["title"].startswith("Grok: ") for a in answer["result"])
            for answer in answers
        )
        await asyncio.wait_for(peer.request("shutdown", None), 10)
        peer.notify("exit", None)
        await peer.drain()
        assert await asyncio.wait_for(peer.process.wait(), 10) == 0
    finally:
        await peer.shutdown()  # the process has exited: this only closes our ends
    return log.read_text(encoding="utf-8")


@pytest.mark.parametrize("transport", ["socketpair", "pipes"])
async def test_editor_transports_are_read_on_the_event_loop(
    transport: Transport, tmp_path: Path
) -> None:
    text = await _session(transport, tmp_path)
    assert "Reading stdin on the event loop" in text
    assert "worker thread" not in text


async def test_one_socket_for_stdin_and_stdout_keeps_the_threaded_reader(tmp_path: Path) -> None:
    assert "Reading stdin on a worker thread" in await _session("one-socket", tmp_path)

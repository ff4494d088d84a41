"""The API key: only ever in the Authorization header to the configured base URL.

Every server of this suite runs with DEBUG logging and has all it wrote scanned for the
keys when it stops (conftest.check_secrets); these tests add the riskiest paths.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from grok_lsp.simulator import Simulator
from tests.positions import WHOLE
from tests.reliability.conftest import (
    COOKIE_SECRET,
    KEYS,
    OPTION_KEY,
    Ledger,
    Server,
    Servers,
    edit_request,
)
from tests.waiting import until

CODE = "def f(count):\n    return count\n"
BAD_KEY = "bad-" + OPTION_KEY  # the simulator answers 400 and repeats this key in the body


def _key_only_in_authorization(sim: Simulator) -> None:
    for record in sim.requests:
        for name, value in record.headers.items():
            assert not any(key in value for key in KEYS), f"key in header {name}"
        assert not any(key in str(record.body) for key in KEYS), "key in a request body"
        if record.path.startswith("/v1/"):
            assert record.headers.get("authorization") == "Bearer <redacted>"


async def test_api_key_from_initialization_options_never_leaks(
    servers: Servers, sim: Simulator, ledger: Ledger
) -> None:
    sim.clear()
    server = await servers.start(init_options={"apiKey": OPTION_KEY}, XAI_API_KEY="")
    uri = servers.uri("opt.py")
    server.editor.open(uri, CODE)
    assert await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    await edit_request(server, "grok.refactor", {"uri": uri, "range": WHOLE})
    await server.editor.command("grok.models", {})
    _key_only_in_authorization(sim)
    await servers.stop_all()  # scanned as it stops: the row can say how much
    servers.started.clear()
    ledger.row("secrets", "apiKey in initializationOptions", server.scanned())


async def test_api_key_sent_in_did_change_configuration_never_leaks(
    servers: Servers, sim: Simulator, ledger: Ledger
) -> None:
    sim.clear()
    server = await servers.start(XAI_API_KEY="")
    server.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"grok": {"apiKey": OPTION_KEY}})
    )
    uri = servers.uri("changed.py")
    server.editor.open(uri, CODE)
    assert await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    _key_only_in_authorization(sim)
    await servers.stop_all()
    servers.started.clear()
    ledger.row("secrets", "apiKey in workspace/didChangeConfiguration", server.scanned())


async def test_api_key_answered_to_workspace_configuration_never_leaks(
    servers: Servers, sim: Simulator, ledger: Ledger
) -> None:
    sim.clear()
    server = await servers.start(XAI_API_KEY="")
    server.client.set_configuration({"apiKey": OPTION_KEY}, section="grok")
    # Without settings in the notification the server asks for them (workspace/configuration).
    server.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=None)
    )
    uri = servers.uri("pulled.py")
    server.editor.open(uri, CODE)
    await until(lambda: _pulled(server), "the pull")  # answered as it is read
    assert await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    _key_only_in_authorization(sim)
    await servers.stop_all()
    servers.started.clear()
    ledger.row("secrets", "apiKey answered to workspace/configuration", server.scanned())


def _pulled(server: Server) -> bool:
    return server.stdout.count(b'"workspace/configuration"') >= 2  # at start, then again


@pytest.mark.parametrize(
    ("how", "cookies"),
    [
        ("grokWebCookies in initializationOptions", "option"),
        ("GROK_WEB_COOKIES in the server's environment", "environment"),
    ],
)
async def test_grok_com_cookies_never_leak(
    servers: Servers, sim: Simulator, ledger: Ledger, how: str, cookies: str
) -> None:
    header = f"sso={COOKIE_SECRET}; theme=dark"
    options: dict[str, Any] = {"provider": "grok-web"}
    env = {"GROK_WEB_BASE_URL": sim.root_url}
    if cookies == "option":
        options["grokWebCookies"] = header
    else:
        env["GROK_WEB_COOKIES"] = header
    server = await servers.start(init_options=options, **env)
    uri = servers.uri("web.py")
    server.editor.open(uri, CODE)
    assert await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    await edit_request(server, "grok.refactor", {"uri": uri, "range": WHOLE})
    await servers.stop_all()
    servers.started.clear()
    ledger.row("secrets", how, server.scanned())


async def test_grok_com_refusing_the_cookies_never_leaks_them(
    servers: Servers, sim: Simulator, ledger: Ledger
) -> None:
    refused = f"sso=bad-{COOKIE_SECRET}"  # the simulator answers 401 to "bad..." sessions
    server = await servers.start(
        init_options={"provider": "grok-web", "grokWebCookies": refused},
        GROK_WEB_BASE_URL=sim.root_url,
    )
    uri = servers.uri("refused.py")
    server.editor.open(uri, CODE)
    with pytest.raises(JsonRpcException) as raised:
        await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    assert COOKIE_SECRET not in str(raised.value)
    assert any("rejected the session cookies" in m for m in server.editor.messages())
    await servers.stop_all()
    servers.started.clear()
    ledger.row("secrets", "grok.com refuses the cookies (HTTP 401)", server.scanned())


async def test_a_rejected_key_echoed_by_the_api_never_leaks(
    servers: Servers, sim: Simulator, ledger: Ledger
) -> None:
    server = await servers.start(init_options={"apiKey": BAD_KEY}, XAI_API_KEY="")
    uri = servers.uri("bad.py")
    server.editor.open(uri, CODE)
    with pytest.raises(JsonRpcException) as raised:
        await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    assert OPTION_KEY not in str(raised.value)
    assert any("API key" in m for m in server.editor.messages(types.MessageType.Error))
    await servers.stop_all()
    servers.started.clear()
    written = server.written()
    assert BAD_KEY.encode() not in written
    ledger.row("secrets", "API echoes a rejected key in its 400 body", server.scanned())


async def test_plain_http_to_another_host_is_refused_unless_allowed(
    servers: Servers, ledger: Ledger
) -> None:
    with Simulator(host="0.0.0.0") as remote:  # reachable as http://0.0.0.0, not loopback
        url = f"http://0.0.0.0:{remote.port}/v1"
        server = await servers.start(base_url=url)
        uri = servers.uri("http.py")
        server.editor.open(uri, CODE)
        with pytest.raises(JsonRpcException) as raised:
            await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
        assert "allowInsecureBaseUrl" in str(raised.value)
        assert not remote.requests, "the key was sent over plain http"
        server.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"grok": {"allowInsecureBaseUrl": True}})
        )
        assert await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
        assert len(remote.chats) == 1
    ledger.row(
        "secrets",
        "plain-http base URL that is not loopback",
        "refused naming allowInsecureBaseUrl; allowed once set",
    )


def _connections_to(pid: int, port: int) -> int:
    """How many TCP connections the process holds to this loopback port (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    count = 0
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[2].split(":")[1], 16) == port and fields[9] in inodes:
            count += 1
    return count


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


async def test_client_vanishing_mid_stream(
    servers: Servers, sim: Simulator, ledger: Ledger
) -> None:
    server = await servers.start()
    uri = servers.uri("gone.py")
    server.editor.open(uri, "# [[sim tps=20 tokens=400]]\n" + CODE)
    sim.clear()
    request = asyncio.ensure_future(
        server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    )
    await until(lambda: server.editor.stream, "the answer to start")
    pid = server.process.pid
    port = urlsplit(sim.base_url).port
    assert port is not None and _connections_to(pid, port), "no open connection to the API"
    server.editor.close_stdin()
    began = asyncio.get_running_loop().time()
    await asyncio.wait_for(server.process.wait(), 2)
    took = asyncio.get_running_loop().time() - began
    server.editor.stopped = True
    await asyncio.gather(request, return_exceptions=True)
    assert not _children(pid), "the server left a child process"
    chat = sim.chats[-1]
    await until(lambda: chat.disconnected or sim.requests[-1].disconnected, "the API hang-up")
    ledger.count("faults injected")
    ledger.row(
        "client",
        "stdin closed mid-stream",
        f"exited in {took:.2f} s; no child process; the API stream was closed",
    )

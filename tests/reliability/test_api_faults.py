"""API faults injected through the simulator, against one shared server.

For every fault: the server stays up, the user gets a clear message, progress ends,
no edit is applied, the exchange is kept in the conversation with the answer marked
incomplete (holding exactly what had streamed), and the next request works.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import socket
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from grok_lsp.simulator import Simulator
from tests.positions import WHOLE
from tests.reliability.conftest import (
    Ledger,
    Server,
    Servers,
    check_no_traceback,
    edit_request,
)
from tests.waiting import until

pytestmark = pytest.mark.asyncio(loop_scope="module")

CODE = "def f(count):\n    return count\n"
TIMEOUT_S = 1.0

# (name, controls, words the error message must contain, is it mid-stream)
FAULTS: list[tuple[str, str, tuple[str, ...], bool]] = [
    ("400 bad request", "status=400", ("400", "invalid"), False),
    ("401 unauthorized", "status=401", ("401", "API key"), False),
    ("403 forbidden", "status=403", ("403", "permission"), False),
    ("404 not found", "status=404", ("404", "model"), False),
    ("422 unprocessable", "status=422", ("422", "invalid"), False),
    ("429 rate limited", "status=429", ("429", "rate limit"), False),
    ("429 with Retry-After", "status=429 retry_after=0.4", ("429", "rate limit"), False),
    ("500 internal error", "status=500", ("500", "try again"), False),
    ("502 bad gateway", "status=502", ("502", "try again"), False),
    ("503 unavailable", "status=503", ("503", "try again"), False),
    ("504 gateway timeout", "status=504", ("504", "try again"), False),
    ("503 as plain text", "status=503 error_shape=text", ("503",), False),
    ("connection reset mid-stream", "drop_after=10", ("dropped",), True),
    ("body ends without [DONE]", "end_after=10", ("ended the stream",), True),
    ("malformed SSE chunk", "malformed_after=10", ("not JSON",), True),
    ("stall longer than timeoutSeconds", "stall_after=10", ("silent", "timeoutSeconds"), True),
    ("silence before the first token", "delay=3", ("silent", "timeoutSeconds"), False),
    # The Responses API (the default) can also report a failure in the stream itself.
    ("response.failed mid-stream", "fail_after=10", ("could not finish",), True),
]


@pytest.fixture(scope="module")
def server_options() -> dict[str, Any]:
    return {"timeoutSeconds": TIMEOUT_S, "resultDisplay": "none"}


async def _server(module_servers: Servers, options: dict[str, Any]) -> Server:
    if not module_servers.started:
        await module_servers.start(init_options=options)
    return module_servers.started[0]


def _progress_end(server: Server, token: str) -> types.WorkDoneProgressEnd:
    reports = server.client.progress_reports.get(token, [])
    assert reports, f"no progress for {token}"
    end = reports[-1]
    assert isinstance(end, types.WorkDoneProgressEnd), f"progress {token} did not end: {end}"
    return end


def _streamed(server: Server, token: str) -> str:
    return "".join(
        s["delta"] for s in server.editor.stream if s["token"] == token and s["kind"] == "content"
    )


async def _last_exchange(server: Server, uri: str) -> list[dict[str, Any]]:
    shown = await server.editor.command("grok.conversation.show", {"uri": uri})
    turns: list[dict[str, Any]] = shown["turns"]
    assert len(turns) >= 2
    return turns[-2:]


async def _next_request_works(server: Server, module_servers: Servers, name: str) -> None:
    uri = module_servers.uri(f"ok-{name}.py")
    server.editor.open(uri, "x = 1\n")
    result = await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    assert "x = 1" in result["text"]
    assert server.process.returncode is None


async def _fails_cleanly(
    server: Server,
    module_servers: Servers,
    ledger: Ledger,
    *,
    name: str,
    uri: str,
    words: tuple[str, ...],
    mid_stream: bool,
    then_next: bool = True,
) -> None:
    token = "fault-" + re.sub(r"\W+", "-", name)
    edits_before = len(server.editor.applied_edits)
    errors_before = len(server.editor.messages(types.MessageType.Error))
    with pytest.raises(JsonRpcException) as raised:
        await edit_request(server, "grok.refactor", {"uri": uri, "range": WHOLE}, token=token)
    assert raised.value.code in (-32803, -32603)  # RequestFailed (or InternalError)
    errors = server.editor.messages(types.MessageType.Error)[errors_before:]
    assert len(errors) == 1, errors
    for word in words:
        assert word.lower() in errors[0].lower(), (word, errors[0])
    assert errors[0].startswith("Grok: ")
    end = _progress_end(server, token)
    assert (end.message or "").startswith("Failed"), end.message
    # A round trip after the failure: anything the server sent for it has arrived by now.
    await server.editor.command("grok.usage")
    assert len(server.editor.applied_edits) == edits_before, "an edit was applied"
    user, reply = await _last_exchange(server, uri)
    assert user["role"] == "user" and reply["role"] == "assistant"
    assert reply["complete"] is False
    streamed = _streamed(server, token)
    assert reply["content"] == streamed
    if mid_stream:
        assert streamed, "the partial answer was not streamed"
    if then_next:
        await _next_request_works(server, module_servers, token)
    check_no_traceback(server, ledger, name)
    ledger.count("faults injected")
    ledger.row("API fault", name, f"failed cleanly: {errors[0][:120]}")


@pytest.mark.parametrize(
    ("name", "controls", "words", "mid_stream"), FAULTS, ids=[f[0] for f in FAULTS]
)
async def test_api_fault(
    module_servers: Servers,
    server_options: dict[str, Any],
    sim: Simulator,
    ledger: Ledger,
    name: str,
    controls: str,
    words: tuple[str, ...],
    mid_stream: bool,
) -> None:
    server = await _server(module_servers, server_options)
    uri = module_servers.uri(re.sub(r"\W+", "_", name) + ".py")
    server.editor.open(uri, f"# [[sim {controls}]]\n{CODE}")
    sim.clear()
    await _fails_cleanly(
        server, module_servers, ledger, name=name, uri=uri, words=words, mid_stream=mid_stream
    )
    attempts = sim.chats[:-1]
    if "retry_after" in controls:
        starts = [r.started_at for r in attempts]
        assert len(starts) == 4, "429 is retried three times"
        assert all(b - a >= 0.35 for a, b in itertools.pairwise(starts)), starts


async def test_connection_refused(
    module_servers: Servers, server_options: dict[str, Any], sim: Simulator, ledger: Ledger
) -> None:
    server = await _server(module_servers, server_options)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uri = module_servers.uri("refused.py")
    server.editor.open(uri, CODE)
    server.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"grok": {**server_options, "baseUrl": f"http://127.0.0.1:{port}/v1"}}
        )
    )
    try:
        await _fails_cleanly(
            server,
            module_servers,
            ledger,
            name="connection refused",
            uri=uri,
            words=("could not reach",),
            mid_stream=False,
            then_next=False,
        )
    finally:
        server.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(
                settings={"grok": {**server_options, "baseUrl": sim.base_url}}
            )
        )
    await _next_request_works(server, module_servers, "after-refused")


async def test_one_huge_chunk_is_delivered_whole(
    module_servers: Servers, server_options: dict[str, Any], ledger: Ledger
) -> None:
    server = await _server(module_servers, server_options)
    size = 512_000
    uri = module_servers.uri("huge.py")
    server.editor.open(uri, f"# [[sim huge={size}]]\n{CODE}")
    result = await server.editor.command(
        "grok.explain", {"uri": uri, "range": WHOLE}, token="fault-huge"
    )
    assert result["text"] == "x" * size
    assert _streamed(server, "fault-huge") == result["text"]
    assert (_progress_end(server, "fault-huge").message or "").startswith("Done")
    _, reply = await _last_exchange(server, uri)
    assert reply["complete"] is True and len(reply["content"]) == size
    await _next_request_works(server, module_servers, "huge")
    ledger.count("faults injected")
    ledger.row("API fault", f"one huge chunk ({size:,} bytes)", "delivered whole, in order")


async def _with_max_tokens(
    module_servers: Servers,
    server_options: dict[str, Any],
    sim: Simulator,
    *,
    name: str,
    text: str,
    max_tokens: int,
) -> tuple[Server, dict[str, Any]]:
    """A refactor answered with the stream cut at maxTokens (finish_reason "length")."""
    server = await _server(module_servers, server_options)
    uri = module_servers.uri(f"{name}.py")
    server.editor.open(uri, text)
    settings = {**server_options, "maxTokens": max_tokens}
    server.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"grok": settings})
    )
    token = f"fault-{name}"
    try:
        sim.clear()
        try:
            outcome = await edit_request(
                server, "grok.refactor", {"uri": uri, "range": WHOLE}, token=token
            )
        except JsonRpcException as error:
            outcome = {"error": str(error)}
        assert sim.requests[-1].max_output_tokens == max_tokens
        assert sim.requests[-1].chunks_sent == max_tokens
    finally:
        server.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(
                settings={"grok": {**server_options, "maxTokens": None}}
            )
        )
    _, reply = await _last_exchange(server, uri)
    told = [_progress_end(server, token).message or "", *server.editor.messages()]
    return server, {"outcome": outcome, "reply": reply, "told": told, "uri": uri}


async def test_answer_cut_at_max_tokens_is_not_applied(
    module_servers: Servers, server_options: dict[str, Any], sim: Simulator, ledger: Ledger
) -> None:
    """A refactor cut by maxTokens mid-code-block holds half the code: never apply it."""
    body = "".join(f"value_{n} = {n}\n" for n in range(30))
    server, seen = await _with_max_tokens(
        module_servers, server_options, sim, name="cut", text=body, max_tokens=20
    )
    assert server.editor.texts[seen["uri"]] == body, "half a refactor was applied"
    assert seen["outcome"].get("applied") is not True
    assert seen["reply"]["complete"] is False, "an answer cut at maxTokens is stored complete"
    assert any("maxTokens" in message for message in seen["told"]), seen["told"]
    await _next_request_works(server, module_servers, "cut")
    ledger.count("faults injected")
    ledger.row("API fault", "refactor cut at maxTokens mid-code-block", "not applied; incomplete")


async def test_never_ending_stream_is_bounded_by_max_tokens(
    module_servers: Servers, server_options: dict[str, Any], sim: Simulator, ledger: Ledger
) -> None:
    server, seen = await _with_max_tokens(
        module_servers,
        server_options,
        sim,
        name="forever_capped",
        text=f"# [[sim forever=1]]\n{CODE}",
        max_tokens=12,
    )
    assert seen["outcome"].get("applied") is not True
    assert seen["reply"]["complete"] is False, "an answer cut at maxTokens is stored complete"
    assert any("maxTokens" in message for message in seen["told"]), seen["told"]
    await _next_request_works(server, module_servers, "forever-capped")
    ledger.count("faults injected")
    ledger.row("API fault", "never-ending stream, maxTokens=12", "cut at 12 tokens, incomplete")


async def test_never_ending_stream_hits_a_hard_cap(
    module_servers: Servers, server_options: dict[str, Any], sim: Simulator, ledger: Ledger
) -> None:
    """Without maxTokens the server itself must stop reading an endless answer."""
    server = await _server(module_servers, server_options)
    uri = module_servers.uri("forever.py")
    server.editor.open(uri, f"# [[sim forever=1]]\n{CODE}")
    sim.clear()
    request = asyncio.ensure_future(
        server.editor.command("grok.explain", {"uri": uri, "range": WHOLE}, token="fault-endless")
    )
    done, _ = await asyncio.wait({request}, timeout=20)
    if not done:
        await server.editor.command("grok.cancel", {"uri": uri})
        with pytest.raises(JsonRpcException):
            await request
        raise AssertionError(
            f"no hard cap: after 20 s the server was still reading an endless answer "
            f"({sim.requests[-1].chunks_sent:,} chunks so far)"
        )
    if request.exception() is None:
        raise AssertionError(
            f"no hard cap: the server read all {sim.requests[-1].chunks_sent:,} chunks "
            f"({len(request.result()['text']):,} characters) of an endless answer"
        )
    await until(lambda: sim.requests[-1].disconnected, "the server to hang up")
    assert sim.requests[-1].chunks_sent < 1_000_000
    end = _progress_end(server, "fault-endless")
    assert (end.message or "").startswith("Failed")
    _, reply = await _last_exchange(server, uri)
    assert reply["complete"] is False
    await _next_request_works(server, module_servers, "endless")
    ledger.count("faults injected")
    ledger.row("API fault", "never-ending stream, no maxTokens", "stopped at the hard cap")

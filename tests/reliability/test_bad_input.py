"""Bad input from the client: arguments, URIs, ranges, sizes, odd text, racing cancellations."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from grok_lsp.server.documents import MAX_SELECTION_CHARS
from grok_lsp.simulator import Simulator
from tests.positions import WHOLE, whole_lines
from tests.reliability.conftest import Ledger, Server, Servers, edit_request
from tests.waiting import until

pytestmark = pytest.mark.asyncio(loop_scope="module")

INVALID_PARAMS, REQUEST_FAILED, CANCELLED = -32602, -32803, -32800
URI = "file:///project/x.py"
RANGE = whole_lines(0, 1)
ACTIONS = [{"id": "mine", "title": "Mine", "prompt": "Explain {selection}"}]

# Each command's valid argument; bad variants are derived from it.
VALID: dict[str, dict[str, Any]] = {
    "grok.explain": {"uri": URI, "range": RANGE},
    "grok.refactor": {"uri": URI, "range": RANGE, "instruction": "tidy"},
    "grok.fix": {"uri": URI, "range": RANGE, "diagnostics": []},
    "grok.document": {"uri": URI, "range": RANGE},
    "grok.tests": {"uri": URI, "range": RANGE},
    "grok.ask": {"uri": URI, "question": "why?", "range": RANGE},
    "grok.action": {"id": "mine", "uri": URI, "range": RANGE},
    "grok.conversation.show": {"uri": URI},
    "grok.conversation.reset": {"uri": URI},
    "grok.cancel": {"uri": URI},
    "grok.models": {},
    "grok.applySuggestion": {"uri": URI, "id": "abc"},
}
OPTIONAL = {"instruction", "diagnostics", "range", "uri"}
WRONG_VALUES: list[Any] = [None, 7, True, "text", [], {"nested": 1}, 1.5]


def bad_arguments(command: str) -> list[tuple[str, list[Any], str]]:
    """(what, arguments, word the error must name) for every way to get it wrong."""
    valid = VALID[command]
    cases: list[tuple[str, list[Any], str]] = [
        ("two arguments", [valid, valid], "argument"),
        ("a string argument", ["file:///x.py"], "argument"),
        ("a list argument", [[valid]], "argument"),
        ("a null argument", [None], "argument"),
        ("an extra field", [{**valid, "extra": 1}], "extra"),
    ]
    if valid and command != "grok.cancel":  # grok.cancel alone cancels everything
        cases.append(("no argument", [], "argument"))
    for field, value in valid.items():
        optional = field in OPTIONAL and command in {"grok.ask", "grok.cancel", "grok.refactor"}
        optional = optional or (command == "grok.fix" and field == "diagnostics")
        if not optional:
            missing = {k: v for k, v in valid.items() if k != field}
            cases.append((f"missing {field}", [missing], field))
        for wrong in WRONG_VALUES:
            if type(wrong) is type(value) or (wrong is None and optional):
                continue
            if field == "diagnostics" and isinstance(wrong, list):
                continue
            cases.append((f"{field}={wrong!r}", [{**valid, field: wrong}], field))
    if "range" in valid:
        for bad in ({"start": {"line": 0}}, {"start": RANGE["start"]}, {"line": 0}):
            cases.append((f"range={bad}", [{**valid, "range": bad}], "range"))
        position = copy.deepcopy(RANGE)
        position["end"]["character"] = "3"
        cases.append(("range.end.character='3'", [{**valid, "range": position}], "character"))
    return cases


async def _server(module_servers: Servers) -> Server:
    if not module_servers.started:
        server = await module_servers.start(init_options={"actions": ACTIONS})
        server.editor.open(URI, "x = 1\ny = 2\n")
    return module_servers.started[0]


async def _alive(server: Server) -> None:
    result = await server.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 1)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert result and server.process.returncode is None


@pytest.mark.parametrize("command", sorted(VALID))
async def test_bad_arguments_are_invalid_params(
    module_servers: Servers, ledger: Ledger, command: str
) -> None:
    server = await _server(module_servers)
    wrong: list[str] = []
    cases = bad_arguments(command)
    for what, arguments, field in cases:
        try:
            await server.editor.command(command, *arguments)
        except JsonRpcException as error:
            if error.code != INVALID_PARAMS or field not in str(error):
                wrong.append(f"{what}: {error.code} {error}")
        else:
            wrong.append(f"{what}: accepted")
    ledger.count("bad inputs tried", len(cases))
    await _alive(server)
    assert not wrong, "\n".join(wrong)
    ledger.row("command arguments", f"{command}: {len(cases)} bad arguments", "InvalidParams")


URI_CASES: list[tuple[str, str, int]] = [
    ("a file that is not open", "file:///project/not-open.py", INVALID_PARAMS),
    ("a file that exists on disk but is not open", "file:///etc/hostname", INVALID_PARAMS),
    ("an untitled: buffer that is not open", "untitled:Untitled-9", INVALID_PARAMS),
    ("an http: URI", "http://example.com/x.py", INVALID_PARAMS),
    ("an empty URI", "", INVALID_PARAMS),
    ("not a URI", "not a uri at all", INVALID_PARAMS),
    ("a relative path", "x.py", INVALID_PARAMS),
]


@pytest.mark.parametrize(("what", "uri", "code"), URI_CASES, ids=[c[0] for c in URI_CASES])
async def test_uris_that_name_no_open_document(
    module_servers: Servers, sim: Simulator, ledger: Ledger, what: str, uri: str, code: int
) -> None:
    server = await _server(module_servers)
    sim.clear()
    for command in ("grok.explain", "grok.refactor"):
        with pytest.raises(JsonRpcException) as raised:
            await edit_request(server, command, {"uri": uri, "range": RANGE})
        assert raised.value.code == code and "uri" in str(raised.value)
    assert not sim.requests, "a request went to the API for a document that is not open"
    ledger.count("bad inputs tried", 2)
    await _alive(server)
    ledger.row("URI", what, "InvalidParams naming uri; nothing sent")


OPEN_CASES = [
    ("a file name with a space", "file:///project/my%20file.py"),
    ("a file name with brackets", "file:///project/%5Bdraft%5D.py"),
    ("a non-ASCII file name", "file:///project/caf%C3%A9.py"),
    ("a file that does not exist on disk", "file:///nowhere/at/all/ghost.py"),
    ("an untitled: buffer", "untitled:Untitled-1"),
]


@pytest.mark.parametrize(("what", "uri"), OPEN_CASES, ids=[c[0] for c in OPEN_CASES])
async def test_open_documents_of_any_name_work(
    module_servers: Servers, ledger: Ledger, what: str, uri: str
) -> None:
    server = await _server(module_servers)
    server.editor.open(uri, "def f(count):\n    return count\n")
    result = await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    assert "def f(count):" in result["text"]
    outcome = await edit_request(
        server, "grok.refactor", {"uri": uri, "range": WHOLE, "instruction": "rename count to n"}
    )
    assert outcome["applied"] is True
    assert server.editor.texts[uri] == "def f(n):\n    return n\n"
    shown = await server.editor.command("grok.conversation.show", {"uri": uri})
    assert len(shown["turns"]) == 4
    ledger.count("bad inputs tried")
    ledger.row("URI", what, "explained and refactored")


def span(start_line: int, start_char: int, end_line: int, end_char: int) -> dict[str, Any]:
    return {
        "start": {"line": start_line, "character": start_char},
        "end": {"line": end_line, "character": end_char},
    }


RANGES: list[tuple[str, dict[str, Any], int | None]] = [
    ("past the end of the document", span(0, 0, 500, 9), None),
    ("past the end of a line", span(0, 400, 1, 400), None),
    ("starting past the end", span(50, 0, 60, 0), None),
    ("empty", span(1, 2, 1, 2), None),
    ("inside a surrogate pair", span(2, 10, 2, 12), None),
    ("inverted", span(1, 0, 0, 0), INVALID_PARAMS),
    ("inverted within a line", span(0, 4, 0, 1), INVALID_PARAMS),
    ("negative line", span(-1, 0, 0, 0), INVALID_PARAMS),
    ("negative character", span(0, -3, 0, 0), INVALID_PARAMS),
    ("beyond 2**31", span(0, 0, 2**40, 0), INVALID_PARAMS),
]


@pytest.mark.parametrize(("what", "value", "code"), RANGES, ids=[r[0] for r in RANGES])
async def test_odd_ranges(
    module_servers: Servers, ledger: Ledger, what: str, value: dict[str, Any], code: int | None
) -> None:
    server = await _server(module_servers)
    uri = "file:///project/ranges.py"
    text = "def f(count):\n    return count\nsmile = '😀😀'\n"
    server.editor.open(uri, text)
    try:
        outcome = await edit_request(server, "grok.refactor", {"uri": uri, "range": value})
    except JsonRpcException as error:
        outcome = error
    if isinstance(outcome, JsonRpcException):
        assert code is not None, f"{what}: refused with {outcome.code} {outcome}"
        assert outcome.code == code and "range" in str(outcome), f"{outcome.code} {outcome}"
        result = f"refused: {outcome.code}"
    else:
        assert code is None, f"{what}: accepted"
        assert server.editor.texts[uri] == text  # the simulator's refactor changes nothing
        assert outcome["applied"] is False
        result = "clamped to the document; no change"
    ledger.count("bad inputs tried")
    await _alive(server)
    ledger.row("range", what, result)


async def test_a_5_mb_selection_is_refused_and_memory_stays_bounded(
    module_servers: Servers, sim: Simulator, ledger: Ledger
) -> None:
    server = await _server(module_servers)
    uri = "file:///project/big.py"
    line = "value = 'x' * 80  # " + "y" * 59 + "\n"
    text = line * (5_000_000 // len(line))
    before = _rss_kib(server)
    server.editor.open(uri, text)
    sim.clear()
    for _ in range(3):
        with pytest.raises(JsonRpcException) as raised:
            await edit_request(
                server,
                "grok.refactor",
                {"uri": uri, "range": WHOLE | {"end": {"line": 10**6, "character": 0}}},
            )
        assert raised.value.code == REQUEST_FAILED, raised.value
        assert f"{MAX_SELECTION_CHARS:,}" in str(raised.value)
        ledger.count("bad inputs tried")
    assert not sim.requests, "a 5 MB selection was sent to the API"
    growth_mb = (_rss_kib(server) - before) / 1024
    # The document itself is held once by pygls (~5 MB as str, a few copies while parsed).
    assert growth_mb < 120, f"memory grew by {growth_mb:.0f} MB for a 5 MB document"
    await _alive(server)
    ledger.row(
        "size",
        f"5 MB selection (limit {MAX_SELECTION_CHARS:,} characters)",
        f"RequestFailed naming the limit; nothing sent; RSS grew {growth_mb:.0f} MB",
    )


def _rss_kib(server: Server) -> int:
    status = open(f"/proc/{server.process.pid}/status").read()  # noqa: SIM115
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))


ODD_TEXT = [
    ("NUL bytes", "def f(count):\n    return 'a\x00b' + count\x00\n"),
    ("a lone high surrogate", "def f(count):\n    return '\ud800' + count\n"),
    ("a lone low surrogate", "label = '\udfff'\ndef f(count):\n    return count\n"),
    ("mixed line endings", "def f(count):\r\n    x = count\r    return count\n# end\r\n"),
    ("BOM and bidi controls", "\ufeffdef f(count):\n    return '\u202e' + count\n"),
    ("only line breaks", "\n\r\n\r\n\n"),
]


@pytest.mark.parametrize(("what", "text"), ODD_TEXT, ids=[t[0] for t in ODD_TEXT])
async def test_odd_text_is_handled(
    module_servers: Servers, ledger: Ledger, what: str, text: str
) -> None:
    """Worked on exactly, or refused with a clear message; never an internal error."""
    server = await _server(module_servers)
    uri = f"file:///project/odd-{ODD_TEXT.index((what, text))}.py"
    server.editor.open(uri, text)
    outcomes = []
    for command, argument in (
        ("grok.explain", {"uri": uri, "range": WHOLE}),
        ("grok.refactor", {"uri": uri, "range": WHOLE, "instruction": "rename count to n"}),
    ):
        token = f"odd-{ODD_TEXT.index((what, text))}-{command}"
        try:
            outcomes.append(await edit_request(server, command, argument, token=token))
        except JsonRpcException as error:
            outcomes.append(error)
        if isinstance(outcomes[-1], JsonRpcException):
            code = outcomes[-1].code
            assert code in (INVALID_PARAMS, REQUEST_FAILED), f"{what}: {code} {outcomes[-1]}"
        reports = server.client.progress_reports.get(token) or [None]
        if reports != [None]:
            assert isinstance(reports[-1], types.WorkDoneProgressEnd), f"{what}: progress left open"
    if isinstance(outcomes[0], JsonRpcException):
        assert isinstance(outcomes[1], JsonRpcException)
        result = f"refused clearly: {outcomes[0]}"
    elif "count" in text:
        assert outcomes[1]["applied"] is True, outcomes[1]
        unify = str.maketrans({"\r": "\n"})
        now = server.editor.texts[uri]
        assert now.replace("\r\n", "\n").translate(unify) == (
            text.replace("count", "n").replace("\r\n", "\n").translate(unify)
        )
        kept = "line endings kept" if now == text.replace("count", "n") else "line endings changed"
        result = f"explained; refactor applied ({kept})"
    else:
        result = "explained"
    ledger.count("bad inputs tried", 2)
    await _alive(server)
    ledger.row("text", what, result)


async def test_100_cancellations_race_100_requests(
    module_servers: Servers, sim: Simulator, ledger: Ledger
) -> None:
    server = await _server(module_servers)
    sim.clear()
    protocol = server.client.protocol
    futures = []
    for number in range(100):
        uri = f"file:///project/race-{number}.py"
        server.editor.open(uri, f"# [[sim tps=40 tokens=200]]\nvalue_{number} = {number}\n")
        msg_id = f"race-{number}"
        future = protocol.send_request_async(
            types.WORKSPACE_EXECUTE_COMMAND,
            types.ExecuteCommandParams(
                command="grok.explain", arguments=[{"uri": uri, "range": WHOLE}]
            ),
            msg_id=msg_id,
        )
        futures.append((msg_id, asyncio.ensure_future(future)))
        if number % 2:  # half at once, half a little later
            protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    # The other half once each of them is streaming its answer.
    streaming = {f"file:///project/race-{number}.py" for number in range(0, 100, 2)}
    await until(
        lambda: streaming <= {item["uri"] for item in server.editor.stream},
        "the requests not cancelled at once streaming",
    )
    for msg_id, _ in futures[::2]:
        protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    results = await asyncio.wait_for(
        asyncio.gather(*(f for _, f in futures), return_exceptions=True), 20
    )
    codes = [r.code if isinstance(r, JsonRpcException) else "result" for r in results]
    assert all(c in (CANCELLED, "result") for c in codes), codes
    # `sim.chats` is a snapshot: read it afresh on every poll. The RequestCancelled answers can
    # arrive before the simulator has seen the server hang up, so an early copy stays "open".
    try:
        await until(
            lambda: all(r.disconnected or r.completed for r in sim.chats),
            "every stream closed",
            seconds=15,
        )
    except AssertionError:
        chats = sim.chats
        open_streams = [r for r in chats if not (r.disconnected or r.completed)]
        raise AssertionError(
            f"{len(open_streams)} of {len(chats)} API streams were still open 15 s after "
            f"100 cancellations (client saw {codes.count(CANCELLED)} RequestCancelled, "
            f"{codes.count('result')} results); stuck: "
            + "; ".join(
                f"{r.chunks_sent} chunks sent, first chunk "
                f"{'never' if r.first_chunk_at is None else 'sent'}, status {r.status}"
                for r in open_streams
            )
        ) from None
    chats = sim.chats
    finished = [r for r in chats if r.completed]
    assert not finished, (
        f"{len(finished)} of 100 cancelled requests still streamed to the end "
        f"(client saw {codes.count(CANCELLED)} RequestCancelled, {codes.count('result')} results)"
    )
    ledger.count("bad inputs tried", 100)
    await _alive(server)
    ledger.row(
        "cancellation",
        "100 $/cancelRequest racing 100 explain requests",
        f"{codes.count(CANCELLED)} RequestCancelled, {codes.count('result')} results; "
        "every stream closed",
    )

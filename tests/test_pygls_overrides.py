"""Contracts with pygls: each override still patches something that exists, and is still needed.

Each test names the override in grok_lsp/server/pygls_overrides.py it guards. A test of the
"still needed" kind fails once pygls fixes the behaviour: then the override can go.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import logging
import threading
from concurrent.futures import Future, InvalidStateError
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.io_ import StdinAsyncReader, run_async
from pygls.lsp.server import LanguageServer
from pygls.progress import Progress
from pygls.protocol import LanguageServerProtocol
from pygls.workspace import TextDocument

from grok_lsp.server.pygls_overrides import (
    LATE_CANCEL_LOG,
    OVERRIDES,
    GrokProtocol,
    StdioLanguageServer,
    is_late_cancel_log,
    new_stop_event,
    notify_json,
    set_document_text,
)

ROOT = Path(__file__).resolve().parent.parent


class Written:
    """A pygls writer that keeps what it was given."""

    def __init__(self) -> None:
        self.data: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.data.append(data)

    def close(self) -> None:
        pass


def bare_server() -> tuple[LanguageServer, LanguageServerProtocol, Written]:
    """pygls as shipped: its own protocol class, none of our overrides."""
    server = LanguageServer("contract", "0")
    written = Written()
    server.protocol.set_writer(written)
    assert type(server.protocol) is LanguageServerProtocol
    return server, server.protocol, written


def test_pygls_is_the_minor_version_the_overrides_were_checked_against() -> None:
    assert version("pygls").startswith("2.1."), "check every override against this pygls"
    assert '"pygls>=2.1.1,<2.2"' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.parametrize(("owner", "name"), [(o, n) for o, n, _, _ in OVERRIDES])
def test_every_patched_name_still_exists_in_pygls(owner: type, name: str) -> None:
    server, _, _ = bare_server()
    instances: dict[type, Any] = {
        LanguageServerProtocol: server.protocol,
        TextDocument: TextDocument("file:///w/a.py", "a"),
        StdinAsyncReader: StdinAsyncReader(io.BytesIO()),
        Progress: server.work_done_progress,
    }
    instance = instances.get(owner, server)
    assert isinstance(instance, owner)
    assert hasattr(owner, name) or hasattr(instance, name), f"pygls has no {owner.__name__}.{name}"


@pytest.mark.parametrize(
    "name",
    sorted(
        n
        for n, v in vars(GrokProtocol).items()
        if callable(v) and n != "__init__" and n in dir(LanguageServerProtocol)
    ),
)
def test_overridden_methods_keep_pygls_signatures(name: str) -> None:
    ours = inspect.signature(getattr(GrokProtocol, name))
    theirs = inspect.signature(getattr(LanguageServerProtocol, name))
    assert list(ours.parameters) == list(theirs.parameters)


@pytest.mark.parametrize("name", ["start_io", "report_server_error"])
def test_overridden_server_methods_keep_pygls_signatures(name: str) -> None:
    ours = inspect.signature(getattr(StdioLanguageServer, name))
    theirs = inspect.signature(getattr(LanguageServer, name))
    assert list(ours.parameters) == list(theirs.parameters)


def test_still_needed_pygls_answers_an_unreadable_message_with_a_pop_up() -> None:
    # report_server_error: JSON-RPC wants a parse error with id null; pygls shows a message.
    server, _, written = bare_server()
    server.report_server_error(json.JSONDecodeError("Expecting value", "{not json", 1), Exception)
    (sent,) = _bodies(written)
    assert sent["method"] == "window/showMessage" and "error" not in sent


def test_still_needed_pygls_start_io_reads_stdin_on_a_worker_thread() -> None:
    # start_io: pygls's loop takes StdinAsyncReader (thread pool, skips lines that are no
    # header) with no way to pass a reader of ours; server/stdio.py reads on the loop.
    assert list(inspect.signature(LanguageServer.start_io).parameters) == [
        "self",
        "stdin",
        "stdout",
    ]
    source = inspect.getsource(LanguageServer._start_io_async)
    assert "StdinAsyncReader(" in source and "run_async(" in source


def test_still_needed_pygls_answers_a_late_reply_by_raising() -> None:
    # _handle_response: pygls#621, fixed on pygls main by #628; drop the guard once released.
    _, protocol, _ = bare_server()
    future: Future[Any] = Future()
    protocol._request_futures["late"] = future
    future.cancel()
    with pytest.raises(InvalidStateError):
        protocol._handle_response("late", result=None)


def test_still_needed_pygls_keeps_the_futures_of_handlers_that_ended() -> None:
    # _execute_handler / _request_futures: only a request's answer took a future out again.
    _, protocol, _ = bare_server()

    def builtin_feature() -> Any:
        return None
        yield  # a generator handler, as pygls's own didOpen/didChange/executeCommand are

    protocol._execute_handler("n-1", builtin_feature, protocol._check_handler_result)
    future = protocol._request_futures.get("n-1")
    assert future is not None and future.done()


def test_still_needed_pygls_leaves_an_unreadable_request_unanswered() -> None:
    # structure_message: the client would wait forever for an answer.
    _, protocol, written = bare_server()
    request = {"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": {"x": 1}}
    with pytest.raises(JsonRpcInvalidParams):
        protocol.structure_message(request)
    assert written.data == []


def test_still_needed_pygls_logs_expected_errors_with_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # _send_handler_result: a refused argument is not a bug, yet pygls logs it as one.
    _, protocol, written = bare_server()
    future: Future[Any] = Future()
    future.set_exception(JsonRpcInvalidParams("uri: not a file"))
    with caplog.at_level(logging.ERROR, logger="pygls"):
        protocol._send_handler_result(future, msg_id=3)
    (record,) = [r for r in caplog.records if r.msg == 'Exception occurred for message "%s"']
    assert record.exc_info is not None
    assert written.data  # answered all the same


def test_still_needed_pygls_warns_of_cancels_after_the_answer_in_these_words(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The cli's log filter drops this warning by its wording (is_late_cancel_log).
    _, protocol, _ = bare_server()
    with caplog.at_level(logging.WARNING, logger="pygls"):
        protocol._handle_cancel_notification(99)
    assert [r for r in caplog.records if is_late_cancel_log(r)], f"no {LATE_CANCEL_LOG!r}"


def test_still_needed_pygls_logs_initialization_options(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # lsp_initialize: the secrets are learnt before this line is logged (and redacted).
    _, protocol, _ = bare_server()
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"apiKey": "xai-SECRET"}
    )
    with caplog.at_level(logging.INFO, logger="pygls"):
        generator = protocol.lsp_initialize(params)
        with pytest.raises(StopIteration):
            next(generator)
    assert "xai-SECRET" in caplog.text


async def test_still_needed_cancelling_a_command_leaves_its_task_running() -> None:
    # _handle_cancel_notification: the command's coroutine is a task of its own in pygls.
    server, protocol, written = bare_server()
    release = asyncio.Event()
    started = asyncio.Event()
    outcome: list[str] = []

    @server.command("contract.wait")
    async def wait(ls: LanguageServer, *args: Any) -> str:
        started.set()
        try:
            await release.wait()
            outcome.append("ran on")
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        return "done"

    protocol.handle_message(
        protocol.structure_message(
            {
                "jsonrpc": "2.0",
                "id": 5,
                "method": "workspace/executeCommand",
                "params": {"command": "contract.wait", "arguments": []},
            }
        )
    )
    await asyncio.wait_for(started.wait(), 5)
    protocol._handle_cancel_notification(5)
    release.set()
    for _ in range(100):  # bounded: the command needs a few loop turns to finish
        if outcome:
            break
        await asyncio.sleep(0)
    assert outcome == ["ran on"]
    assert written.data  # pygls did answer the request (cancelled) on its own


def test_still_needed_an_ended_progress_token_stays_in_the_table() -> None:
    # forget_progress_token: pygls#607, every token ever used is kept, with its future.
    server, _, _ = bare_server()
    progress = server.work_done_progress
    progress.begin("t-1", types.WorkDoneProgressBegin(title="Grok"))
    progress.end("t-1", types.WorkDoneProgressEnd())
    assert "t-1" in progress.tokens


def _bodies(written: Written) -> list[Any]:
    return [json.loads(data.split(b"\r\n\r\n", 1)[1]) for data in written.data]


def test_notify_json_sends_what_pygls_notify_sends() -> None:
    # notify_json: pygls's writer, framing and all, without the attrs round trip.
    _, protocol, written = bare_server()
    params = {"token": "grok-1", "uri": "file:///w/a.py", "kind": "content", "delta": "é"}
    protocol.notify("grok/stream", params)
    notify_json(protocol, "grok/stream", params)
    first, second = _bodies(written)
    assert first == second == {"jsonrpc": "2.0", "method": "grok/stream", "params": params}


def test_still_needed_the_document_text_has_no_public_setter() -> None:
    # set_document_text writes TextDocument._source; pygls reads the text from there.
    document = TextDocument("file:///w/a.py", "old\n")
    source = inspect.getattr_static(TextDocument, "source")
    assert isinstance(source, property) and source.fset is None
    set_document_text(document, "new\n")
    assert document.source == "new\n" and list(document.lines) == ["new\n"]


def test_still_needed_shutdown_ends_the_loop_through_the_stop_event() -> None:
    # new_stop_event: our start_io brings its own reader, so it sets pygls's event itself.
    server, _, _ = bare_server()
    stop_event = new_stop_event(server)
    server.shutdown()
    assert stop_event.is_set()


class Lines:
    def __init__(self, lines: list[bytes]) -> None:
        self.lines = lines
        self.read = 0

    async def readline(self) -> bytes:
        self.read += 1
        return self.lines.pop(0) if self.lines else b""

    async def readexactly(self, n: int) -> bytes:
        return b""


async def test_still_needed_pygls_reads_on_past_a_line_that_is_no_header() -> None:
    # FramedStdinReader: pygls skips such lines, so a bad Content-Length swallows what follows.
    _, protocol, _ = bare_server()
    reader = Lines([b"not a header\r\n", b"Content-Type: x\r\n"])
    await run_async(threading.Event(), reader, protocol)
    assert reader.read == 3  # both lines and the end: it did not stop at the first

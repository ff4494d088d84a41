"""Every place grok-lsp overrides or reaches into pygls's internals, each with its reason.

Checked against pygls 2.1.1 (pinned `>=2.1.1,<2.2` in pyproject.toml). Each override has a
contract test in tests/test_pygls_overrides.py that fails when pygls renames what is patched
here or fixes the bug, so that the override can go. `OVERRIDES` lists them for those tests.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import json
import logging
import sys
import threading
from collections.abc import Callable, Generator
from typing import Any

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
    JsonRpcParseError,
    JsonRpcRequestCancelled,
)
from pygls.io_ import StdinAsyncReader, run_async
from pygls.lsp.server import LanguageServer
from pygls.progress import Progress
from pygls.protocol import JsonRPCProtocol, LanguageServerProtocol, lsp_method
from pygls.server import JsonRPCServer
from pygls.workspace import TextDocument

from grok_lsp.server.document_changes import apply_changes
from grok_lsp.server.documents import encoding_name
from grok_lsp.server.stdio import CoalescingStdoutWriter, header_or_end, pipe_reader, reads_on_loop

logger = logging.getLogger(__name__)

# (pygls class, name we override or use, why, upstream issue or "")
OVERRIDES: list[tuple[type, str, str, str]] = [
    (LanguageServerProtocol, "lsp_initialize", "secrets are learnt before pygls logs them", ""),
    (LanguageServerProtocol, "lsp_text_document__did_change", "one join per didChange", ""),
    (LanguageServerProtocol, "lsp_workspace__execute_command", "the workDoneToken", ""),
    (LanguageServerProtocol, "_execute_handler", "handler futures are never freed", ""),
    (LanguageServerProtocol, "_request_futures", "handler futures are never freed", ""),
    (LanguageServerProtocol, "structure_message", "unreadable requests get no answer", ""),
    (LanguageServerProtocol, "_handle_cancel_notification", "command tasks run on", ""),
    (LanguageServerProtocol, "_handle_notification", "late cancels are warnings", "pygls#517"),
    (LanguageServerProtocol, "_send_handler_result", "tracebacks for expected errors", ""),
    (LanguageServerProtocol, "_send_response", "tracebacks for expected errors", ""),
    (LanguageServerProtocol, "_handle_response", "late replies raise", "pygls#621"),
    (LanguageServerProtocol, "_send_data", "answer_error: an answer with no request behind it", ""),
    (
        LanguageServerProtocol,
        "_send_data",
        "notify_json: grok/stream, $/progress as plain JSON: 1st report 57 -> 21 us (bench #2)",
        "",
    ),
    (TextDocument, "_source", "no public setter for the text", ""),
    (JsonRPCServer, "_stop_event", "start_io builds its own reader", ""),
    (LanguageServer, "start_io", "stdin read on the event loop; a bad header ends the session", ""),
    (LanguageServer, "report_server_error", "an unreadable message gets a JSON-RPC error", ""),
    (StdinAsyncReader, "readline", "unknown lines are skipped, not fatal", ""),
    (Progress, "tokens", "ended progress tokens are never removed", "pygls#607"),
]

# The executeCommand request's workDoneToken: the command handler only receives arguments.
WORK_DONE_TOKEN: contextvars.ContextVar[types.ProgressToken | None] = contextvars.ContextVar(
    "grok_work_done_token", default=None
)

# Errors handlers raise on purpose: answered and logged in one line (see _send_handler_result).
EXPECTED_ERRORS = (JsonRpcException,)

# Futures of handlers are swept once this many (beyond twice those still running) were filed.
SWEEP_MIN = 64

# pygls's words, matched to drop the warning: editors cancel after the answer routinely
# (pygls#517 shows them in numbers).
LATE_CANCEL_LOG = 'Cancel notification for unknown message id "%s"'


def is_late_cancel_log(record: logging.LogRecord) -> bool:
    return record.msg == LATE_CANCEL_LOG


def forget_progress_token(progress: Progress, token: types.ProgressToken | None) -> None:
    """pygls keeps every token it began or created, also after its `end` (pygls#607)."""
    if token is not None:
        progress.tokens.pop(token, None)


def notify_json(protocol: JsonRPCProtocol, method: str, params: dict[str, Any]) -> None:
    """A notification whose params are plain JSON already, through pygls's own writer.

    pygls's `notify` wraps it in an attrs message that cattrs takes apart again: a first
    progress report took 57 us to send that way and 21 us so (bench #2, whose target is
    a 3 ms margin); streamed text and reports are sent many times a second.
    """
    protocol._send_data({"jsonrpc": "2.0", "method": method, "params": params})


def set_document_text(document: TextDocument, text: str) -> None:
    """pygls keeps a document's text in `_source` and has no public setter for it."""
    document._source = text


def new_stop_event(server: JsonRPCServer) -> threading.Event:
    """The event pygls's `shutdown`/`exit` set to end the read loop that `run_async` runs.

    pygls's `start_io` creates it, but also its own threaded reader; we bring our own reader.
    """
    server._stop_event = stop_event = threading.Event()
    return stop_event


class FramedStdinReader(StdinAsyncReader):
    """Reads LSP headers and stops at the first line that is not one.

    pygls's own loop skips unknown lines while waiting for a header; after a bad
    Content-Length it would then swallow every later message and hang.
    """

    async def readline(self) -> bytes:
        return header_or_end(await super().readline())


class GrokProtocol(LanguageServerProtocol):
    on_cancel_request: Callable[[Any], object] | None = None

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(
        self, params: types.InitializeParams
    ) -> Generator[Any, Any, types.InitializeResult]:
        # pygls logs these params before any handler of ours runs: learn the secrets first.
        secrets = getattr(self._server, "secrets", None)
        if secrets is not None:
            secrets.learn(params.initialization_options)
        return (yield from super().lsp_initialize(params))

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, Any]:
        # pygls splits and joins the whole text once per change; anchors follow each change.
        uri = params.text_document.uri
        document = self.workspace.get_text_document(uri)
        anchored = getattr(self._server, "anchored", None)
        encoding = encoding_name(document.position_codec)

        def follow(change: types.TextDocumentContentChangeEvent, joins_break: bool) -> None:
            if anchored is not None:
                anchored.apply(uri, change, encoding, joins_break)

        set_document_text(document, apply_changes(document, params.content_changes, follow))
        document.version = params.text_document.version
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(
        self, params: types.ExecuteCommandParams
    ) -> Generator[Any, Any, Any]:
        WORK_DONE_TOKEN.set(params.work_done_token)
        return (yield from super().lsp_workspace__execute_command(params))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._handler_ids: collections.deque[Any] = collections.deque()
        self._sweep_at = SWEEP_MIN

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        # pygls files the future of every handler under its message id, but only a request's
        # answer takes it out again: the futures of notifications and of the handlers that
        # built-in features yield to (didOpen, didChange, every executeCommand's command)
        # stayed forever, each holding its result. Done ones are swept out, amortized O(1).
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        if msg_id in self._request_futures:
            self._handler_ids.append(msg_id)
            if len(self._handler_ids) >= self._sweep_at:
                self._sweep_done_handlers()

    def _sweep_done_handlers(self) -> None:
        live: collections.deque[Any] = collections.deque()
        futures = self._request_futures
        for msg_id in list(self._handler_ids):
            future = futures.get(msg_id)
            if future is None:
                continue
            if future.done():
                futures.pop(msg_id, None)
            else:
                live.append(msg_id)
        self._handler_ids = live
        self._sweep_at = 2 * len(live) + SWEEP_MIN

    def structure_message(self, data: dict[str, Any]) -> Any:
        # A request pygls cannot read would otherwise never be answered: the client would hang.
        is_request = "jsonrpc" in data and "id" in data and "method" in data
        if is_request and not isinstance(data["method"], str):
            self.answer_error(data["id"], JsonRpcInvalidRequest("method must be a string"))
            raise JsonRpcInvalidRequest("method must be a string")
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if is_request:
                known = self.get_message_type(data["method"]) is not None
                reply = (
                    error if known else JsonRpcMethodNotFound(f"unknown method {data['method']!r}")
                )
                if known and not isinstance(error, JsonRpcInvalidParams):
                    reply = JsonRpcInvalidParams(f"invalid params for {data['method']}")
                self.answer_error(data["id"], reply)
            raise

    def answer_error(self, msg_id: Any, error: JsonRpcException) -> None:
        self._send_data(
            types.ResponseErrorMessage(
                id=msg_id if isinstance(msg_id, (int, str)) else None,
                error=types.ResponseError(code=error.code, message=error.message or str(error)),
            )
        )

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        # pygls answers the request but leaves the command's own task running: stop it too.
        super()._handle_cancel_notification(msg_id)
        if self.on_cancel_request is not None:
            self.on_cancel_request(msg_id)

    def _send_handler_result(self, future: Any, *, msg_id: Any) -> None:
        # pygls logs every error a handler raises as "Exception occurred for message" with a
        # traceback. The errors we raise on purpose (bad arguments, a request that failed and
        # was explained to the user, a cancellation) are expected: one line, no traceback.
        # A traceback stays for everything else: a bug.
        error = None if future.cancelled() else future.exception()
        if not isinstance(error, EXPECTED_ERRORS) or isinstance(error, JsonRpcInternalError):
            super()._send_handler_result(future, msg_id=msg_id)
            return
        self._request_futures.pop(msg_id, None)
        cancelled = isinstance(error, JsonRpcRequestCancelled)
        text = " / ".join(str(error.message or error).split("\n"))
        logger.log(logging.INFO if cancelled else logging.WARNING, "Request %s: %s", msg_id, text)
        self._send_response(msg_id, error=error.to_response_error())

    def _handle_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        # pygls logs every result at DEBUG, workspace/configuration's settings with their key.
        secrets = getattr(self._server, "secrets", None)
        if secrets is not None:
            secrets.learn(result)
        # A reply that arrives after its waiter was cancelled must not raise (pygls#621).
        future = self._request_futures.get(msg_id)
        if future is not None and future.done():
            self._request_futures.pop(msg_id, None)
            logger.debug("Ignoring a late reply to %s", msg_id)
            return
        super()._handle_response(msg_id, result, error)


class StdioLanguageServer(LanguageServer):
    """pygls's server with its stdio loop and its error report replaced.

    `on_loop_start` and `on_io_end` are for the subclass: what to start on the loop, and what
    to close when the client has gone.
    """

    def on_loop_start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called on the event loop before the first message is read."""

    def on_io_end(self) -> None:
        """Called once the session is over, before pygls's shutdown."""

    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls shows the user a pop-up; JSON-RPC says: answer with a parse error (id null).
        protocol = self.protocol
        assert isinstance(protocol, GrokProtocol)
        if isinstance(error, (json.JSONDecodeError, UnicodeDecodeError)):
            protocol.answer_error(None, JsonRpcParseError("Parse error: the message is not JSON"))
        elif isinstance(error, AttributeError) and source is JsonRpcException:
            # json.loads gave something that is not an object: not a JSON-RPC message at all.
            protocol.answer_error(None, JsonRpcInvalidRequest("a message must be a JSON object"))
        elif isinstance(error, JsonRpcException) and source is JsonRpcException:
            logger.warning("Unreadable message: %s", error)  # already answered
        else:
            super().report_server_error(error, source)

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """pygls's stdio loop, with a reader that ends the session on broken framing.

        pygls reads stdin on a worker thread and skips lines that are no header. A socket
        (as editors connect) or a pipe is read by the event loop itself; see server/stdio.py.
        """
        stop_event = new_stop_event(self)
        stdin = stdin or sys.stdin.buffer
        stdout = stdout or sys.stdout.buffer
        writer = CoalescingStdoutWriter(stdout)
        self.protocol.set_writer(writer)

        async def serve() -> None:
            self.on_loop_start(asyncio.get_running_loop())
            async with contextlib.AsyncExitStack() as stack:
                reader: Any
                if reads_on_loop(stdin, stdout):
                    logger.debug("Reading stdin on the event loop")
                    reader = await stack.enter_async_context(pipe_reader(stdin))
                else:
                    logger.debug("Reading stdin on a worker thread")
                    reader = FramedStdinReader(stdin, self.thread_pool)
                await run_async(
                    stop_event=stop_event,
                    reader=reader,
                    protocol=self.protocol,
                    logger=logger,
                    error_handler=self.report_server_error,
                )

        try:
            asyncio.run(serve())
        except BrokenPipeError:
            logger.error("Connection to the client is lost; shutting down.")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            with contextlib.suppress(OSError, ValueError):
                writer.flush()  # what the last turn of the loop sent
            self.on_io_end()
            self.shutdown()  # type: ignore[no-untyped-call]

"""pygls's protocol with the gaps an AI server falls into closed (see notes on pygls 2.1.1)."""

from __future__ import annotations

import collections
import contextvars
import logging
from collections.abc import Callable, Generator, Sequence
from typing import Any

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
    JsonRpcRequestCancelled,
)
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.workspace import TextDocument

from grok_lsp.assistant.edits import split_lines
from grok_lsp.server.documents import encoding_name, to_server

logger = logging.getLogger(__name__)

# The executeCommand request's workDoneToken: the command handler only receives arguments.
WORK_DONE_TOKEN: contextvars.ContextVar[types.ProgressToken | None] = contextvars.ContextVar(
    "grok_work_done_token", default=None
)


# Errors handlers raise on purpose: answered and logged in one line (see _send_handler_result).
EXPECTED_ERRORS = (JsonRpcException,)

# Futures of handlers are swept once this many (beyond twice those still running) were filed.
SWEEP_MIN = 64


ChangeListener = Callable[[types.TextDocumentContentChangeEvent, bool], None]


def apply_changes(
    document: TextDocument,
    changes: Sequence[types.TextDocumentContentChangeEvent],
    on_change: ChangeListener | None = None,
) -> None:
    """All changes of one didChange on one list of lines, joined once.

    pygls splits and rewrites the whole document for every change: an edit of 200
    lines of a 100,000-line file took seconds. `on_change` hears of each change in turn,
    told whether it joined a "\r" and a "\n" into one line break (which moves every line
    after it in a way the change's own text does not show).
    """
    lines = split_lines(document.source)
    codec = document.position_codec
    for change in changes:
        if not isinstance(change, types.TextDocumentContentChangePartial):
            lines = split_lines(change.text)
            if on_change is not None:
                on_change(change, False)
            continue
        count = len(lines)
        start = to_server(codec, lines, change.range.start)
        end = to_server(codec, lines, change.range.end)
        head = lines[start.line][: start.character] if start.line < count else ""
        tail = lines[end.line][end.character :] if end.line < count else ""
        if on_change is not None:
            before = head[-1:] or (lines[start.line - 1][-1:] if 0 < start.line <= count else "")
            after = tail[:1] or (lines[end.line + 1][:1] if end.line + 1 < count else "")
            joined = before + change.text + after
            on_change(change, "\r\n" in (joined[:2], joined[-2:]))
        new = head + change.text + tail
        stop = min(end.line + 1, count)
        if stop < count and (
            not new.endswith(("\n", "\r")) or (new.endswith("\r") and lines[stop].startswith("\n"))
        ):
            new += lines[stop]  # the text runs on into the next line
            stop += 1
        lines[min(start.line, count) : stop] = split_lines(new)
    document._source = "".join(lines)  # pygls keeps the text here; no public setter


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
        uri = params.text_document.uri
        document = self.workspace.get_text_document(uri)
        tracked = getattr(self._server, "tracked", None)
        encoding = encoding_name(document.position_codec)

        def follow(change: types.TextDocumentContentChangeEvent, joins_break: bool) -> None:
            if tracked is not None:
                tracked.apply(uri, change, encoding, joins_break)

        apply_changes(document, params.content_changes, follow)
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
        # A reply that arrives after its waiter was cancelled must not raise InvalidStateError.
        future = self._request_futures.get(msg_id)
        if future is not None and future.done():
            self._request_futures.pop(msg_id, None)
            logger.debug("Ignoring a late reply to %s", msg_id)
            return
        super()._handle_response(msg_id, result, error)

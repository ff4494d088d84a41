"""pygls's protocol with the gaps an AI server falls into closed (see notes on pygls 2.1.1)."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Generator, Sequence
from typing import Any

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
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
        options = params.initialization_options
        secrets = getattr(self._server, "secrets", None)
        if isinstance(options, dict) and secrets is not None:
            for name in ("apiKey", "grokWebCookies"):
                if isinstance(options.get(name), str):
                    secrets.add(options[name])
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

    def _handle_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        # A reply that arrives after its waiter was cancelled must not raise InvalidStateError.
        future = self._request_futures.get(msg_id)
        if future is not None and future.done():
            self._request_futures.pop(msg_id, None)
            logger.debug("Ignoring a late reply to %s", msg_id)
            return
        super()._handle_response(msg_id, result, error)

"""pygls's protocol with the gaps an AI server falls into closed (see notes on pygls 2.1.1)."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Generator
from typing import Any

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol, lsp_method

logger = logging.getLogger(__name__)

# The executeCommand request's workDoneToken: the command handler only receives arguments.
WORK_DONE_TOKEN: contextvars.ContextVar[types.ProgressToken | None] = contextvars.ContextVar(
    "grok_work_done_token", default=None
)


class GrokProtocol(LanguageServerProtocol):
    on_cancel_request: Callable[[Any], object] | None = None

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(
        self, params: types.ExecuteCommandParams
    ) -> Generator[Any, Any, Any]:
        WORK_DONE_TOKEN.set(params.work_done_token)
        return (yield from super().lsp_workspace__execute_command(params))

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

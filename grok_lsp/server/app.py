"""The language server's state; server/wiring.py registers the features, each in its module."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest, JsonRpcParseError
from pygls.io_ import run_async
from pygls.lsp.server import LanguageServer

from grok_lsp import __version__
from grok_lsp.assistant.answering import Assistant
from grok_lsp.assistant.usage import UsageTotals
from grok_lsp.server.clients import Client
from grok_lsp.server.messages import with_grok
from grok_lsp.server.pygls_overrides import (
    FramedStdinReader,
    GrokProtocol,
    new_stop_event,
)
from grok_lsp.server.running import RunningRequests
from grok_lsp.server.secrets import Secrets
from grok_lsp.server.stdio import CoalescingStdoutWriter, pipe_reader, reads_on_loop
from grok_lsp.server.tracking import AnchoredAnswers
from grok_lsp.settings import Settings
from grok_lsp.xai.events import Usage

if TYPE_CHECKING:
    from grok_lsp.server.loop_monitor import LoopMonitor

logger = logging.getLogger(__name__)


class GrokLanguageServer(LanguageServer):
    def __init__(self, secrets: Secrets | None = None) -> None:
        super().__init__("grok-lsp", __version__, protocol_cls=GrokProtocol)
        self.settings = Settings()
        self.client = Client()  # from initialize's clientInfo
        self._progress_tokens = 0
        self.initial_settings = self.settings
        self.secrets = secrets or Secrets()
        self.reported_problems: set[str] = set()
        self.running = RunningRequests()
        self.background: set[asyncio.Task[Any]] = set()
        self.configuration_pulled: asyncio.Future[None] | None = None
        self.initialized = False  # capabilities are sent: later features need registering
        self.inline_registered = False
        self._assistant: Assistant | None = None
        self.anchored = AnchoredAnswers()  # anchors, explanations and suggestions
        self.session_usage = UsageTotals()
        self.usage_by_model: dict[str, UsageTotals] = {}
        self.loop_monitor: LoopMonitor | None = None  # GROK_LSP_LOOP_MONITOR=1 only
        assert isinstance(self.protocol, GrokProtocol)
        self.protocol.on_cancel_request = self.running.cancel_message

    @property
    def assistant(self) -> Assistant:
        # Opened on first use: `initialize` must not wait for the disk.
        if self._assistant is None:
            self._assistant = Assistant.open()
        return self._assistant

    async def close_assistant(self) -> None:
        for request in list(self.running):
            request.task.cancel()
        if self._assistant is not None:
            assistant, self._assistant = self._assistant, None
            await assistant.aclose()

    def warn_once(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        if message not in self.reported_problems:
            self.reported_problems.add(message)
            self.window_show_message(types.ShowMessageParams(type=kind, message=with_grok(message)))

    def record_usage(self, model: str, usage: Usage, cost: float | None) -> None:
        self.session_usage.add(usage, cost)
        self.usage_by_model.setdefault(model, UsageTotals()).add(usage, cost)

    def warn_now(self, message: str) -> None:
        logger.info("Told the user: %s", message)
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=with_grok(message))
        )

    def new_progress_token(self) -> str:
        """A fresh token, short because some clients print it before every progress message."""
        self._progress_tokens += 1
        return f"grok-{self._progress_tokens}"

    def in_background(self, coroutine: Any) -> None:
        """Run a task nobody awaits; its failure is logged, never lost."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coroutine)
        self.background.add(task)

        def done(task: asyncio.Task[Any]) -> None:
            self.background.discard(task)
            if not task.cancelled() and task.exception() is not None:
                logger.error("Background task failed", exc_info=task.exception())

        task.add_done_callback(done)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Answer unreadable messages per JSON-RPC instead of a pop-up about the server."""
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

        A socket (as editors connect) or a pipe is read by the event loop itself; see
        server/stdio.py.
        """
        stop_event = new_stop_event(self)
        stdin = stdin or sys.stdin.buffer
        stdout = stdout or sys.stdout.buffer
        writer = CoalescingStdoutWriter(stdout)
        self.protocol.set_writer(writer)

        async def serve() -> None:
            if self.loop_monitor is not None:
                self.loop_monitor.start(asyncio.get_running_loop())
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
            if self._assistant is not None:  # the client left without `shutdown`
                self._assistant.close_store()
            self.shutdown()  # type: ignore[no-untyped-call]

    def flush_output(self) -> None:
        """Send what this turn of the loop has written so far, now (see CoalescingStdoutWriter)."""
        writer = self.protocol.writer
        if isinstance(writer, CoalescingStdoutWriter):
            try:
                writer.flush()
            except BrokenPipeError:
                logger.error("Connection to the client is lost; its messages are dropped.")

    def client_supports_progress(self) -> bool:
        window = self.client_capabilities.window
        return bool(window and window.work_done_progress)

    def client_supports_message_request(self) -> bool:
        # Clients need not advertise window/showMessageRequest; these are known to answer it.
        window = self.client_capabilities.window
        known = self.client.family in ("vscode", "neovim", "eglot")
        return bool(window and window.show_message) or known

    def client_supports_show_document(self) -> bool:
        window = self.client_capabilities.window
        return bool(window and window.show_document and window.show_document.support)

"""The language server's state; server/wiring.py registers the features, each in its module."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from grok_lsp import __version__
from grok_lsp.assistant.answering import Assistant
from grok_lsp.assistant.usage import UsageTotals
from grok_lsp.server.clients import Client
from grok_lsp.server.messages import with_grok
from grok_lsp.server.pygls_overrides import GrokProtocol, StdioLanguageServer
from grok_lsp.server.running import RunningRequests
from grok_lsp.server.secrets import Secrets
from grok_lsp.server.stdio import CoalescingStdoutWriter
from grok_lsp.server.tracking import AnchoredAnswers
from grok_lsp.settings import Settings
from grok_lsp.xai.events import Usage

if TYPE_CHECKING:
    from grok_lsp.server.loop_monitor import LoopMonitor

logger = logging.getLogger(__name__)


class GrokLanguageServer(StdioLanguageServer):
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

    def on_loop_start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.loop_monitor is not None:
            self.loop_monitor.start(loop)

    def on_io_end(self) -> None:
        if self._assistant is not None:  # the client left without `shutdown`
            self._assistant.close_store()

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

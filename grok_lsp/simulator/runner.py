"""Running the simulator: in a background thread (tests, demo) or in the foreground (CLI)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from types import TracebackType

import uvicorn

from grok_lsp.simulator.app import create_app
from grok_lsp.simulator.recorder import RequestRecord
from grok_lsp.simulator.state import SimulatorState

START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10


class _IntendedDropFilter(logging.Filter):
    """`drop_after` ends a response unfinished on purpose; uvicorn would log that as an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing response."


_INTENDED_DROP_FILTER = _IntendedDropFilter()


class _Server(uvicorn.Server):
    """uvicorn's server, saying when it listens and cutting open streams when it stops."""

    def __init__(
        self, state: SimulatorState, on_ready: Callable[[], None], *, timeout: int
    ) -> None:
        config = uvicorn.Config(
            create_app(state),
            lifespan="off",
            log_level="warning",
            log_config=None,  # no logging setup of our own: warnings reach stderr, never stdout
            access_log=False,
            timeout_graceful_shutdown=timeout,
        )
        super().__init__(config)
        self._state = state
        self._on_ready = on_ready
        logging.getLogger("uvicorn.error").addFilter(_INTENDED_DROP_FILTER)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._state.closing.set()  # stalled and endless streams end now, not at their caps
        await super().shutdown(sockets=sockets)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


def _base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v1"


ANSWER_PATHS = ("/v1/chat/completions", "/v1/responses")


class Simulator:
    """The simulator on a loopback port, served by its own thread and event loop.

    `with Simulator() as sim:` starts it and stops it; point a client at `sim.base_url`.
    `defaults` is a control string (`"tps=60"`) applied under every request's own controls.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, defaults: str = "") -> None:
        self.host = host
        self._requested_port = port
        self._state = SimulatorState(defaults)
        self._ready = threading.Event()
        self._server = _Server(self._state, self._ready.set, timeout=STOP_TIMEOUT_SECONDS // 2)
        self._socket: socket.socket | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the simulator is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """e.g. `http://127.0.0.1:41234/v1`."""
        return _base_url(self.host, self.port)

    @property
    def root_url(self) -> str:
        """e.g. `http://127.0.0.1:41234`: where grok.com's paths live (`GROK_WEB_BASE_URL`)."""
        return self.base_url.removesuffix("/v1")

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request recorded so far (copies: later updates do not show)."""
        return self._state.recorder.snapshot()

    @property
    def chats(self) -> list[RequestRecord]:
        """Only the requests for an answer, Responses API or chat completions (clients also
        fetch model lists and prices)."""
        return [r for r in self.requests if r.path in ANSWER_PATHS]

    def clear(self) -> None:
        """Forgets recorded requests, `fail_times` counts and cached prompts."""
        self._state.clear()

    def start(self) -> Simulator:
        if self._thread is not None:
            raise RuntimeError("the simulator was already started")
        self._socket = _listen(self.host, self._requested_port)
        self._port = int(self._socket.getsockname()[1])
        sockets = [self._socket]
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=sockets)),
            name=f"grok-sim-{self.port}",
            daemon=True,  # never keeps a crashed test run alive
        )
        self._thread.start()
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        assert self._thread is not None
        waited = 0.0
        while not self._ready.wait(0.05):
            waited += 0.05
            if not self._thread.is_alive() or waited > START_TIMEOUT_SECONDS:
                self.stop()
                raise RuntimeError("the Grok API simulator did not start")

    def stop(self) -> None:
        """Stops serving (open streams are cut) and waits for the thread to end."""
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(STOP_TIMEOUT_SECONDS)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(STOP_TIMEOUT_SECONDS)
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def run_foreground(host: str = "127.0.0.1", port: int = 0, *, defaults: str = "") -> None:
    """Serves until Ctrl-C; prints one line with the base URL once it is listening."""
    state = SimulatorState(defaults)
    sock = _listen(host, port)
    url = _base_url(host, int(sock.getsockname()[1]))
    server = _Server(
        state,
        lambda: print(f"Grok API simulator listening on {url}", flush=True),
        timeout=STOP_TIMEOUT_SECONDS // 2,
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop it
        asyncio.run(server.serve(sockets=[sock]))

"""A lean LSP client over stdio: JSON-RPC framing by hand, a receive time on every message.

The server is spawned the way editors do it (`socketpair`: VS Code and Neovim, through
libuv, hand it one socketpair per stdio stream), with `pipes`, as asyncio does, or with
`one-socket` for both streams (inetd style).

pytest-lsp's client would do, but it structures every message with cattrs; for
millisecond figures the client itself must cost next to nothing, and every
notification must carry the moment its bytes were read.

This is the repository's one hand-written JSON-RPC framing client. The tests drive the
server with pytest-lsp (tests/server/harness.py) and come here only for what no LSP
client does: bytes that are not a valid message (bad, half and huge frames), several
messages in one write, stdin closed mid-frame, an exit right behind shutdown. For those,
`send_bytes` and `close_stdin` write what the test says, and `keep=True` keeps every
message and every byte read, answered or not. Framing twice (once for the benchmark, once
for the tests) would be two codecs to keep in step; so the lean one serves both.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Transport = Literal["socketpair", "pipes", "one-socket"]
TRANSPORTS: tuple[Transport, ...] = ("socketpair", "pipes")  # what editors and scripts use
READ_LIMIT = 64 * 1024 * 1024

CLIENT_CAPABILITIES: dict[str, Any] = {
    "general": {"positionEncodings": ["utf-16"]},
    "window": {"workDoneProgress": True, "showDocument": {"support": True}},
    "workspace": {"applyEdit": True, "workspaceEdit": {"documentChanges": True}},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False},
        "codeAction": {
            "codeActionLiteralSupport": {
                "codeActionKind": {"valueSet": ["", "quickfix", "refactor", "refactor.rewrite"]}
            },
            "resolveSupport": {"properties": ["edit"]},
        },
    },
}


def frame(body: bytes) -> bytes:
    """A JSON-RPC body with its LSP header."""
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def message(payload: dict[str, Any]) -> bytes:
    return frame(json.dumps(payload, separators=(",", ":")).encode())


class ResponseError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.error = error


@dataclass
class Received:
    """A notification or server request, with the monotonic time its bytes were read."""

    at: float
    method: str
    params: Any


@dataclass
class Progress:
    """Everything one work-done token reported, with receive times."""

    begin: float | None = None
    reports: list[float] = field(default_factory=list)
    end: float | None = None


class LspClient:
    """One server process; answers the server's own requests the way a plain editor would."""

    def __init__(
        self,
        process: asyncio.subprocess.Process,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        transport: Transport = "pipes",
        closers: tuple[asyncio.StreamWriter, ...] = (),
        *,
        keep: bool = False,
    ) -> None:
        self.process = process
        self.transport = transport
        self._stdout = reader
        self._stdin = writer
        self._closers = closers
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[tuple[Any, float]]] = {}
        self.versions: dict[str, int] = {}
        self.progress: dict[str, Progress] = {}
        # By document URI (the benchmark runs one request per document at a time).
        self.stream_first: dict[str, float] = {}
        self.stream_last: dict[str, float] = {}
        self.stream_text: dict[str, list[str]] = {}
        self.stream_messages = 0
        self.apply_edit_at: list[float] = []
        self.created_tokens: list[str] = []
        self.on_apply_edit: Callable[[dict[str, Any]], None] | None = None
        # With keep=True (the tests): every message and every byte read from stdout.
        self.messages: list[dict[str, Any]] | None = [] if keep else None
        self.stdout: bytearray | None = bytearray() if keep else None
        self.stdout_closed = False
        self._reader = asyncio.ensure_future(self._read_loop())

    @classmethod
    async def spawn(
        cls,
        command: list[str],
        env: dict[str, str],
        stderr: Path,
        transport: Transport = "socketpair",
        *,
        keep: bool = False,
    ) -> LspClient:
        if transport == "pipes":
            with stderr.open("ab") as log:
                process = await asyncio.create_subprocess_exec(
                    *command,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=log,
                    env=env,
                    limit=READ_LIMIT,
                )
            assert process.stdin is not None and process.stdout is not None
            return cls(process, process.stdout, process.stdin, transport, keep=keep)
        if transport == "one-socket":
            ours, theirs = socket.socketpair()
            try:
                with stderr.open("ab") as log:
                    process = await asyncio.create_subprocess_exec(
                        *command, stdin=theirs.fileno(), stdout=theirs.fileno(), stderr=log, env=env
                    )
            finally:
                theirs.close()
            reader, writer = await asyncio.open_connection(sock=ours, limit=READ_LIMIT)
            return cls(process, reader, writer, transport, (writer,), keep=keep)
        ours_in, theirs_in = socket.socketpair()
        ours_out, theirs_out = socket.socketpair()
        try:
            with stderr.open("ab") as log:
                process = await asyncio.create_subprocess_exec(
                    *command,
                    stdin=theirs_in.fileno(),
                    stdout=theirs_out.fileno(),
                    stderr=log,
                    env=env,
                )
        finally:
            theirs_in.close()
            theirs_out.close()
        _, writer = await asyncio.open_connection(sock=ours_in)
        reader, out_writer = await asyncio.open_connection(sock=ours_out, limit=READ_LIMIT)
        return cls(process, reader, writer, transport, (writer, out_writer), keep=keep)

    @property
    def pid(self) -> int:
        return self.process.pid

    # -- sending -----------------------------------------------------------------

    def _write(self, payload: dict[str, Any]) -> None:
        self._stdin.write(message(payload))

    async def drain(self) -> None:
        await self._stdin.drain()

    async def send_bytes(self, data: bytes) -> None:
        """Exactly these bytes, in one write: frames good or bad, whole or cut."""
        self._stdin.write(data)
        await self._stdin.drain()

    def close_stdin(self) -> None:
        """End the server's stdin (EOF), keeping its stdout open to read."""
        if self._stdin.can_write_eof():
            self._stdin.write_eof()
        else:
            self._stdin.close()

    def send_request(self, method: str, params: Any) -> asyncio.Future[tuple[Any, float]]:
        """Send now; the future gives (result, receive time)."""
        self._next_id += 1
        future: asyncio.Future[tuple[Any, float]] = asyncio.get_running_loop().create_future()
        if self.stdout_closed:
            future.set_exception(ConnectionError("the server closed its stdout"))
            return future
        self._pending[self._next_id] = future
        self._write({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        return future

    async def request(self, method: str, params: Any) -> Any:
        result, _ = await self.send_request(method, params)
        return result

    def notify(self, method: str, params: Any) -> None:
        self._write({"jsonrpc": "2.0", "method": method, "params": params})

    # -- the LSP operations the benchmark needs --------------------------------------

    async def initialize(self, options: dict[str, Any]) -> tuple[Any, float]:
        future = self.send_request(
            "initialize",
            {
                "processId": None,
                "rootUri": None,
                "capabilities": CLIENT_CAPABILITIES,
                "initializationOptions": options,
            },
        )
        await self.drain()
        result = await future
        self.notify("initialized", {})
        await self.drain()
        return result

    async def open(self, uri: str, text: str, language_id: str = "python") -> None:
        self.versions[uri] = 1
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": language_id, "version": 1, "text": text}},
        )
        await self.drain()

    def code_action(self, uri: str, line: int) -> asyncio.Future[tuple[Any, float]]:
        position = {"line": line, "character": 0}
        end = {"line": line + 3, "character": 0}
        return self.send_request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": position, "end": end},
                "context": {"diagnostics": [], "triggerKind": 1},
            },
        )

    def command(self, name: str, argument: dict[str, Any]) -> asyncio.Future[tuple[Any, float]]:
        return self.send_request(
            "workspace/executeCommand", {"command": name, "arguments": [argument]}
        )

    async def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.request("shutdown", None), 10)
            self.notify("exit", None)
            await self.drain()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except asyncio.TimeoutError:
            self.process.kill()
            await self.process.wait()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        for writer in self._closers:
            writer.close()

    # -- receiving -----------------------------------------------------------------

    async def _read_loop(self) -> None:
        stdout = self._stdout
        while True:
            length = 0
            while True:
                line = await stdout.readline()
                if self.stdout is not None:
                    self.stdout.extend(line)
                if not line:
                    self.stdout_closed = True
                    self._fail_pending()
                    return
                if line == b"\r\n":
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await stdout.readexactly(length)
            at = time.monotonic()
            if self.stdout is not None:
                self.stdout.extend(body)
            self._dispatch(json.loads(body), at)

    def _fail_pending(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("the server closed its stdout"))
        self._pending.clear()

    def _dispatch(self, received: dict[str, Any], at: float) -> None:
        if self.messages is not None:
            self.messages.append(received)
        method = received.get("method")
        if method is None:
            msg_id = received.get("id")
            future = self._pending.pop(msg_id, None) if isinstance(msg_id, int) else None
            if future is None or future.done():
                return
            if "error" in received:
                future.set_exception(ResponseError(received["error"]))
            else:
                future.set_result((received.get("result"), at))
            return
        params = received.get("params")
        if "id" in received:
            self._write(
                {"jsonrpc": "2.0", "id": received["id"], "result": self._answer(method, params, at)}
            )
            return
        if method == "grok/stream":
            self.stream_messages += 1
            if params["kind"] == "content":
                uri = params["uri"]
                self.stream_first.setdefault(uri, at)
                self.stream_last[uri] = at
                self.stream_text.setdefault(uri, []).append(params["delta"])
        elif method == "$/progress":
            progress = self.progress.setdefault(str(params["token"]), Progress())
            kind = params["value"]["kind"]
            if kind == "begin":
                progress.begin = at
            elif kind == "report":
                progress.reports.append(at)
            else:
                progress.end = at

    def _answer(self, method: str, params: Any, at: float) -> Any:
        if method == "workspace/applyEdit":
            self.apply_edit_at.append(at)
            self._follow_edit(params["edit"])
            return {"applied": True}
        if method == "window/showDocument":
            return {"success": True}
        if method == "window/workDoneProgress/create":
            self.created_tokens.append(str(params["token"]))
            self.progress.setdefault(str(params["token"]), Progress())
        return None

    def _follow_edit(self, edit: dict[str, Any]) -> None:
        """Report an applied edit back with didChange, last edit first, as an editor does."""
        for change in edit.get("documentChanges", []):
            uri = change["textDocument"]["uri"]
            self.versions[uri] = self.versions.get(uri, 0) + 1
            ordered = sorted(
                change["edits"],
                key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]),
                reverse=True,
            )
            self.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": self.versions[uri]},
                    "contentChanges": [
                        {"range": e["range"], "text": e["newText"]} for e in ordered
                    ],
                },
            )

    def streamed(self, uri: str) -> str:
        return "".join(self.stream_text.get(uri, []))

    def response(self, msg_id: Any) -> dict[str, Any] | None:
        """The answer kept (keep=True) to the request of this id, whether this client sent it
        or a test wrote it as bytes."""
        for item in self.messages or []:
            if "method" not in item and item.get("id", "none") == msg_id:
                return item
        return None


def rss_kib(pid: int) -> int:
    """Resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")

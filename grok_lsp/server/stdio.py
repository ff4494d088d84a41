"""Reading LSP messages from stdin.

pygls reads stdin on a worker thread, one `run_in_executor` per header line and per
body: three thread hops per message, each waiting for the GIL (up to the 5 ms switch
interval) whenever the event loop is busy. A burst of 100 requests then took more
than half a second just to be read. When stdin is a socket (VS Code and Neovim hand
the server socketpairs, as libuv does) or a pipe, the event loop reads it itself;
anything else (a terminal, a file) keeps pygls's reader
(`FramedStdinReader` in server/pygls_overrides.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import stat
from typing import Any, BinaryIO

logger = logging.getLogger(__name__)

_HEADER = re.compile(rb"(Content-Length: \d+|Content-Type: [^\r\n]*)?\r?\n")
# Longest header line the pipe reader accepts (and its buffer before it pauses the pipe).
_LINE_LIMIT = 1 << 20


def header_or_end(line: bytes) -> bytes:
    """The line if it is an LSP header line (or the blank line); b"" (end) otherwise."""
    if line and not _HEADER.fullmatch(line):
        logger.error("Broken LSP framing (a header line was %r); ending the session.", line[:80])
        return b""
    return line


class FramedPipeReader:
    """The same reader on the event loop: stdin is a pipe, read without any thread."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self._stream = stream

    async def readline(self) -> bytes:
        try:
            line = await self._stream.readline()
        except ValueError:  # a "header" longer than _LINE_LIMIT: not LSP framing
            logger.error("Broken LSP framing (a header line over 1 MiB); ending the session.")
            return b""
        return header_or_end(line)

    async def readexactly(self, n: int) -> bytes:
        try:
            body = await self._stream.readexactly(n)
        except asyncio.IncompleteReadError as partial:  # the client left mid-message
            return partial.partial
        # With a burst already buffered, nothing above would ever wait: let the loop run
        # between messages, so a hundred requests do not hold it for one long stretch.
        await asyncio.sleep(0)
        return body


def reads_on_loop(stdin: BinaryIO, stdout: BinaryIO | None = None) -> bool:
    """Whether the event loop can read stdin itself: a pipe or a socket of its own.

    The loop makes the descriptor non-blocking; a socket that is stdout too would then
    refuse writes, so that one keeps pygls's reader.
    """
    try:
        info = os.fstat(stdin.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    if stat.S_ISFIFO(info.st_mode):
        return True
    if not stat.S_ISSOCK(info.st_mode):
        return False
    try:
        out = os.fstat(stdout.fileno()) if stdout is not None else None
    except (OSError, ValueError, AttributeError):
        out = None
    return out is None or (out.st_dev, out.st_ino) != (info.st_dev, info.st_ino)


@contextlib.asynccontextmanager
async def pipe_reader(stdin: BinaryIO) -> Any:
    """A FramedPipeReader on a duplicate of stdin's descriptor (a pipe or a socket),
    blocking mode restored after."""
    loop = asyncio.get_running_loop()
    fd = stdin.fileno()
    stream = asyncio.StreamReader(limit=_LINE_LIMIT, loop=loop)
    pipe = os.fdopen(os.dup(fd), "rb", buffering=0)
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(stream, loop=loop), pipe
    )
    try:
        yield FramedPipeReader(stream)
    finally:
        transport.close()
        with contextlib.suppress(OSError):
            os.set_blocking(fd, True)  # the flag is shared with whoever else holds the file


class CoalescingStdoutWriter:
    """pygls's StdoutWriter, but what is sent in one turn of the event loop leaves together.

    pygls writes and flushes every message on its own: one system call, and one wake-up
    of the editor, each. A hundred answers finishing together sent ~800 messages this
    way. Here the messages of one loop turn are joined and written by a callback right
    after it, in order; outside a running loop a message is written at once.
    """

    def __init__(self, stdout: BinaryIO) -> None:
        self._stdout = stdout
        self._pending: list[bytes] = []
        self._scheduled = False
        self._broken: BrokenPipeError | None = None

    def write(self, data: bytes) -> None:
        if self._stdout.closed:
            # After `exit` (a client may send it before shutdown has been answered).
            logger.debug("Dropped a message written after stdout was closed.")
            return
        if self._broken is not None:
            raise BrokenPipeError(*self._broken.args)
        self._pending.append(data)
        if self._scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._scheduled = True
        loop.call_soon(self._flush_soon)

    def _flush_soon(self) -> None:
        try:
            self.flush()
        except BrokenPipeError:
            logger.error("Connection to the client is lost; its messages are dropped.")

    def flush(self) -> None:
        self._scheduled = False
        if not self._pending or self._stdout.closed:
            self._pending.clear()
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        try:
            self._stdout.write(data)
            self._stdout.flush()
        except BrokenPipeError as error:
            self._broken = error
            raise

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError):
            self.flush()
        self._stdout.close()

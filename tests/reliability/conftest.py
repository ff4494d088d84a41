"""Reliability suite: real grok-lsp processes with debug logging, every byte they write kept.

Every server started here runs as `python -m grok_lsp --log-level DEBUG --log-file F`; its
stdout and stderr are kept as the test client reads them (tests/server/harness.py). When a
server stops, all it wrote (LSP output, stderr, log file, state dir with transcripts) is
scanned for the test keys. The `ledger` counts what was tried;
`python -m tests.reliability.report` turns it into docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import pytest_asyncio
from lsprotocol import types

from grok_lsp.simulator import Simulator
from tests.server import harness
from tests.server.harness import TEST_KEY, Editor

LEDGER_ENV = "GROK_LSP_RELIABILITY_LEDGER"
# A second recognisable key, given only as `apiKey` in initializationOptions.
OPTION_KEY = "xai-OPTIONKEY-fedcba9876543210"
# The grok.com session cookie's value, given as grokWebCookies or GROK_WEB_COOKIES.
COOKIE_SECRET = "COOKIESECRET-0123456789abcdef"
KEYS = (TEST_KEY, OPTION_KEY, COOKIE_SECRET)


class Ledger:
    """What the suite tried and what happened, for docs/reliability.md."""

    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []
        self.counts: Counter[str] = Counter()

    def row(self, area: str, tried: str, outcome: str) -> None:
        self.rows.append({"area": area, "tried": tried, "outcome": outcome})

    def count(self, what: str, amount: int = 1) -> None:
        self.counts[what] += amount


_LEDGER = Ledger()


@pytest.fixture(scope="session")
def ledger() -> Iterator[Ledger]:
    yield _LEDGER
    for kind, words in OUTPUT_KINDS.items():
        scanned = _LEDGER.counts.get(f"bytes scanned: {kind}", 0)
        _LEDGER.row(
            "secrets", f"{words}, every server of the suite", f"no secret in {scanned:,} bytes"
        )
    target = os.environ.get(LEDGER_ENV)
    if target:
        Path(target).write_text(
            json.dumps({"rows": _LEDGER.rows, "counts": dict(_LEDGER.counts)}, indent=1)
        )


@attrs.define(eq=False)
class Server:
    """One grok-lsp process and everything it wrote."""

    editor: Editor
    log_file: Path
    state_dir: Path
    requested: dict[str, int] = attrs.Factory(dict)  # edit requests per uri
    has_bug: bool = False  # started with an injected bug: its traceback is expected

    @property
    def client(self) -> Any:
        return self.editor.client

    @property
    def process(self) -> asyncio.subprocess.Process:
        return self.editor.process

    @property
    def stdout(self) -> bytearray:
        return self.editor.stdout

    @property
    def stderr(self) -> bytearray:
        return self.editor.stderr

    def outputs(self) -> list[tuple[str, bytes]]:
        """Every byte the server wrote: stdout, stderr, log file, all files in the state dir."""
        parts = [("stdout", bytes(self.stdout)), ("stderr", bytes(self.stderr))]
        paths = [self.log_file]
        if self.state_dir.is_dir():
            paths.extend(sorted(self.state_dir.rglob("*")))
        parts.extend((str(path), path.read_bytes()) for path in paths if path.is_file())
        return parts

    def written(self) -> bytes:
        return b"".join(data for _, data in self.outputs())

    def sizes(self) -> dict[str, int]:
        """Bytes written, by kind of output (see OUTPUT_KINDS)."""
        outputs = self.outputs()
        return {
            "trace": len(outputs[0][1]),
            "logs": sum(len(data) for _, data in outputs[1:3]),
            "state": sum(len(data) for _, data in outputs[3:]),
        }

    def scanned(self) -> str:
        """For a ledger row: how many bytes of each kind were found free of secrets."""
        sizes = self.sizes()
        kinds = ", ".join(f"{OUTPUT_KINDS[kind].split(' (')[0]} {n:,}" for kind, n in sizes.items())
        return f"no secret in {sum(sizes.values()):,} bytes ({kinds})"


# What a user could paste into a bug report, by kind.
OUTPUT_KINDS = {
    "trace": "LSP messages the server sent (what a client's trace shows)",
    "logs": "stderr and the DEBUG log file",
    "state": "state dir (conversations, transcripts, previews)",
}


def server_command(log_file: Path, module: str = "grok_lsp") -> list[str]:
    return [sys.executable, "-m", module, "--log-level", "DEBUG", "--log-file", str(log_file)]


TRACEBACK = b"Traceback (most recent call last)"
LOG_RECORD = re.compile(rb"\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")  # grok_lsp.cli's format


def tracebacks(server: Server) -> list[str]:
    """Each traceback in the server's stderr and log so far, with the line that led to it."""
    found = []
    for name, data in server.outputs()[1:3]:  # stderr, then the log file
        at = data.find(TRACEBACK)
        while at >= 0:
            start = data.rfind(b"\n", 0, max(0, data.rfind(b"\n", 0, at)))
            following = LOG_RECORD.search(data, at)  # the traceback ends where a record starts
            end = following.start() if following else len(data)
            found.append(f"{name}: " + data[start + 1 : end].decode("utf-8", "replace"))
            at = data.find(TRACEBACK, at + 1)
    return found


def check_no_traceback(server: Server, ledger: Ledger, after: str) -> None:
    """Expected failures are one log line; a traceback means a bug (issue 15)."""
    ledger.count("log bytes read for tracebacks", len(server.stderr) + _size(server.log_file))
    found = tracebacks(server)
    assert not found, f"a traceback after {after}:\n" + "\n".join(found)


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


async def start_server(
    base_url: str,
    state_dir: Path,
    log_file: Path,
    *,
    preset: str = "vscode",
    init_options: dict[str, Any] | None = None,
    root: Path | None = None,
    module: str = "grok_lsp",
    **env: str,
) -> Server:
    editor = await harness.start_editor(
        harness.server_env(base_url, state_dir, **env),
        preset=preset,
        init_options=init_options,
        root=root,
        server_command=server_command(log_file, module),
    )
    return Server(editor, log_file, state_dir)


async def stop_server(server: Server, ledger: Ledger) -> None:
    with contextlib.suppress(Exception):
        await harness.stop_editor(server.editor)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(server.process.wait(), 5)
    check_secrets(server, ledger)
    if not server.has_bug:
        check_no_traceback(server, ledger, "the whole session")


def check_secrets(server: Server, ledger: Ledger) -> None:
    written = server.written()
    ledger.count("bytes scanned for the key", len(written))
    for kind, size in server.sizes().items():
        ledger.count(f"bytes scanned: {kind}", size)
    leaks = []
    for key in KEYS:
        for name, data in server.outputs():
            at = data.find(key.encode())
            if at >= 0:
                context = data[max(0, at - 150) : at + 40].decode("utf-8", "replace")
                leaks.append(f"{key} in {name}: ...{context}")
    assert not leaks, "the API key leaked:\n" + "\n".join(leaks)


def check_blast_radius(server: Server) -> None:
    """Every edit the server sent targets one document that a request named, nothing else."""
    for params in server.editor.applied_edits:
        edit = params.edit
        assert not edit.changes, "edits must be versioned documentChanges"
        for change in edit.document_changes or []:
            assert isinstance(change, types.TextDocumentEdit), f"a file operation: {change}"
            assert change.text_document.uri in server.requested, change.text_document.uri
        assert len(edit.document_changes or []) == 1


@pytest.fixture(scope="session")
def sim() -> Iterator[Simulator]:
    """A simulator of this suite's own (the session one is cleared by other tests' fixtures)."""
    with Simulator() as simulator:
        yield simulator


class Servers:
    """Starts servers for a test or a module; stops and scans them at the end."""

    def __init__(self, base_url: str, directory: Path, ledger: Ledger) -> None:
        self.base_url = base_url
        self.directory = directory
        self.ledger = ledger
        self.started: list[Server] = []

    async def start(
        self,
        *,
        state_dir: Path | None = None,
        preset: str = "vscode",
        init_options: dict[str, Any] | None = None,
        base_url: str | None = None,
        module: str = "grok_lsp",
        **env: str,
    ) -> Server:
        number = len(self.started)
        root = self.directory / "project"
        root.mkdir(parents=True, exist_ok=True)
        server = await start_server(
            base_url or self.base_url,
            state_dir or self.directory / f"state-{number}",
            self.directory / f"server-{number}.log",
            preset=preset,
            init_options=init_options,
            root=root,
            module=module,
            **env,
        )
        server.has_bug = module != "grok_lsp"
        self.started.append(server)
        self.ledger.count("servers started")
        return server

    def uri(self, name: str) -> str:
        return (self.directory / "project" / name).as_uri()

    async def stop_all(self) -> None:
        for server in self.started:
            await stop_server(server, self.ledger)
            check_blast_radius(server)


@pytest_asyncio.fixture
async def servers(sim: Simulator, tmp_path: Path, ledger: Ledger) -> AsyncIterator[Servers]:
    pool = Servers(sim.base_url, tmp_path, ledger)
    yield pool
    await pool.stop_all()


async def edit_request(server: Server, command: str, argument: dict[str, Any], **kw: Any) -> Any:
    """An edit command, remembered for the blast-radius check."""
    uri = argument.get("uri")
    if isinstance(uri, str):
        server.requested[uri] = server.requested.get(uri, 0) + 1
    return await server.editor.command(command, argument, **kw)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_servers(
    sim: Simulator, tmp_path_factory: pytest.TempPathFactory, ledger: Ledger
) -> AsyncIterator[Servers]:
    """Servers shared by a module's tests (mark the module `asyncio(loop_scope="module")`)."""
    pool = Servers(sim.base_url, tmp_path_factory.mktemp("servers"), ledger)
    yield pool
    await pool.stop_all()

"""The conversation store under kill -9, damage, and a state dir that cannot be written."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from lsprotocol import types

from grok_lsp.assistant.conversations import FILE_NAME
from tests.positions import WHOLE
from tests.reliability.conftest import Ledger, Server, Servers
from tests.waiting import until

CODE = "def f(count):\n    return count\n"


async def _ask(server: Server, uri: str, question: str) -> None:
    await server.editor.command("grok.ask", {"uri": uri, "question": question, "range": WHOLE})


async def _turns(server: Server, uri: str) -> list[dict[str, object]]:
    shown = await server.editor.command("grok.conversation.show", {"uri": uri})
    return shown["turns"]  # type: ignore[no-any-return]


async def test_kill_9_during_writes_loses_nothing_written_before(
    servers: Servers, tmp_path: Path, ledger: Ledger
) -> None:
    state = tmp_path / "kept-state"
    first = await servers.start(state_dir=state)
    kept = servers.uri("kept.py")
    busy = [servers.uri(f"busy{n}.py") for n in range(20)]
    first.editor.open(kept, CODE)
    for uri in busy:
        first.editor.open(uri, "# [[sim tps=200]]\n" + CODE)
    for n in range(3):
        await _ask(first, kept, f"kept question {n}")
    # Twenty answers finishing (and being written) while the process is killed.
    writes = [asyncio.ensure_future(_ask(first, uri, "busy?")) for uri in busy]
    await until(
        lambda: any(w.done() and not w.exception() for w in writes), "the first busy answer"
    )
    os.kill(first.process.pid, signal.SIGKILL)
    answered = [uri for uri, w in zip(busy, writes, strict=True) if w.done() and not w.exception()]
    await asyncio.gather(*writes, return_exceptions=True)
    first.editor.stopped = True  # nothing left to shut down
    second = await servers.start(state_dir=state)
    assert not second.editor.messages(types.MessageType.Warning), "the store did not open cleanly"
    turns = await _turns(second, kept)
    assert len(turns) == 6, "turns written before the kill were lost"
    for uri in answered:  # the user saw these answers: they must have been kept
        assert len(await _turns(second, uri)) == 2, f"an answered exchange of {uri} was lost"
    busy_turns = [len(await _turns(second, uri)) for uri in busy]
    assert all(n % 2 == 0 or n == 1 for n in busy_turns), busy_turns
    ledger.count("faults injected")
    ledger.row(
        "durability",
        "kill -9 while 20 answers were being written",
        f"store reopened cleanly; 6/6 earlier turns and {len(answered)} answered exchanges "
        f"kept; {sum(busy_turns)} turns of the 20 busy documents",
    )


async def _damaged_store_is_moved_aside(
    servers: Servers, ledger: Ledger, state: Path, what: str
) -> None:
    server = await servers.start(state_dir=state)
    uri = servers.uri("fresh.py")
    server.editor.open(uri, CODE)
    await until(lambda: server.editor.messages(types.MessageType.Warning), "the warning", seconds=5)
    warnings = server.editor.messages(types.MessageType.Warning)
    assert len(warnings) == 1 and "moved" in warnings[0], warnings
    assert list(state.glob(f"{FILE_NAME}.corrupt-*")), "the damaged file was not kept aside"
    await _ask(server, uri, "still there?")
    assert len(await _turns(server, uri)) == 2
    ledger.count("faults injected")
    ledger.row("durability", what, f"moved aside, fresh store, warned once: {warnings[0][:90]}")


async def test_a_truncated_store_is_moved_aside(
    servers: Servers, tmp_path: Path, ledger: Ledger
) -> None:
    state = tmp_path / "truncated"
    writer = await servers.start(state_dir=state)
    uri = servers.uri("t.py")
    writer.editor.open(uri, CODE)
    for n in range(5):
        await _ask(writer, uri, "x" * 3000 + str(n))
    await servers.stop_all()
    servers.started.clear()
    store = state / FILE_NAME
    for suffix in ("-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 2])
    await _damaged_store_is_moved_aside(
        servers, ledger, state, f"store truncated to {len(data) // 2:,} of {len(data):,} bytes"
    )


async def test_a_corrupt_store_is_moved_aside(
    servers: Servers, tmp_path: Path, ledger: Ledger
) -> None:
    state = tmp_path / "corrupt"
    state.mkdir()
    (state / FILE_NAME).write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    await _damaged_store_is_moved_aside(servers, ledger, state, "store of random bytes")


async def test_an_unwritable_state_dir_keeps_working_in_memory(
    servers: Servers, tmp_path: Path, ledger: Ledger
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    server = await servers.start(state_dir=blocker / "state")  # cannot be created, even by root
    uri = servers.uri("mem.py")
    server.editor.open(uri, CODE)
    for n in range(3):
        await _ask(server, uri, f"question {n}")
    turns = await _turns(server, uri)
    assert len(turns) == 6, "conversation not kept in memory"
    warnings = server.editor.messages(types.MessageType.Warning)
    about_store = [w for w in warnings if "memory" in w]
    assert len(about_store) == 1, warnings
    assert len(warnings) == len(set(warnings)), f"a warning was repeated: {warnings}"
    ledger.count("faults injected")
    ledger.row(
        "durability",
        "state dir under a regular file (cannot be created)",
        f"worked in memory; {len(warnings)} distinct warning(s), none repeated",
    )

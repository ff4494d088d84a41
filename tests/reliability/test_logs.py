"""Expected failures are one log line at the right level; a traceback only for a bug (issue 15).

Every server of this suite has its stderr and log checked for tracebacks when it stops
(conftest.stop_server) and the API-fault tests check after each fault. These tests add the
failure classes the rest of the suite does not reach, one line each, and a server with an
injected bug whose traceback the check finds, so the check can fail.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.positions import WHOLE
from tests.reliability.conftest import (
    Ledger,
    Server,
    Servers,
    check_no_traceback,
    edit_request,
    tracebacks,
)
from tests.waiting import until

CODE = "def f(count):\n    return count\n"
ROOT = Path(__file__).resolve().parents[2]


def _logged(server: Server, level: str, module: str, pattern: str) -> int:
    """How many records of `module` at `level` match `pattern` in the server's log."""
    text = server.log_file.read_text(encoding="utf-8", errors="replace")
    record = re.compile(rf" {level} grok_lsp\.server\.{module}: .*{pattern}")
    return sum(1 for line in text.splitlines() if record.search(line))


async def _expect_error(server: Server, command: str, argument: dict[str, object]) -> int:
    with pytest.raises(JsonRpcException) as raised:
        await edit_request(server, command, argument)
    return raised.value.code


async def test_expected_failures_are_one_log_line_each(servers: Servers, ledger: Ledger) -> None:
    tried = []
    server = await servers.start(XAI_API_KEY="bad-key-0123456789")
    uri = servers.uri("f.py")
    server.editor.open(uri, CODE)

    assert await _expect_error(server, "grok.explain", {"uri": uri, "range": WHOLE}) == -32803
    check_no_traceback(server, ledger, "a rejected key")
    assert (
        _logged(server, "WARNING", "pygls_overrides", r"the API key was rejected \(HTTP 400\)") == 1
    )
    tried.append("rejected key (WARNING)")

    closed = servers.uri("closed.py")
    assert await _expect_error(server, "grok.explain", {"uri": closed, "range": WHOLE}) == -32602
    check_no_traceback(server, ledger, "a bad argument")
    assert _logged(server, "WARNING", "pygls_overrides", r"uri: document .* is not open") == 1
    tried.append("bad argument (WARNING)")

    missing = await servers.start(XAI_API_KEY="")
    missing.editor.open(uri, CODE)
    assert await _expect_error(missing, "grok.refactor", {"uri": uri, "range": WHOLE}) == -32803
    check_no_traceback(missing, ledger, "a missing key")
    assert _logged(missing, "WARNING", "pygls_overrides", r"no xAI API key is configured") == 1
    tried.append("missing key (WARNING)")

    ok = await servers.start()
    slow = servers.uri("slow.py")
    ok.editor.open(slow, "# [[sim tps=20 tokens=400]]\n" + CODE)
    task = asyncio.ensure_future(edit_request(ok, "grok.refactor", {"uri": slow, "range": WHOLE}))
    await until(lambda: ok.editor.stream, "the answer to start")
    await ok.editor.command("grok.cancel", {"uri": slow})
    with pytest.raises(JsonRpcException):
        await task
    check_no_traceback(ok, ledger, "a cancellation")
    assert _logged(ok, "INFO", "pygls_overrides", r"Grok request cancelled") == 1
    tried.append("grok.cancel (INFO)")

    ok.editor.refuse_edits = True
    renamed = servers.uri("refused.py")
    ok.editor.open(renamed, CODE)
    result = await edit_request(
        ok, "grok.refactor", {"uri": renamed, "range": WHOLE, "instruction": "rename count to n"}
    )
    assert result["applied"] is False
    check_no_traceback(ok, ledger, "an edit the editor refused")
    assert _logged(ok, "INFO", "app", r"not applied: refused by test") == 1
    tried.append("edit refused by the editor (INFO)")

    ledger.row("logs", "expected failures: " + ", ".join(tried), "one line each, no traceback")


async def test_a_bug_is_logged_with_its_traceback(servers: Servers, ledger: Ledger) -> None:
    server = await servers.start(
        module="tests.reliability.buggy_server",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    uri = servers.uri("bug.py")
    server.editor.open(uri, CODE)
    await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    assert not tracebacks(server)
    with pytest.raises(JsonRpcException) as raised:
        await server.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=0, character=4),
            )
        )
    assert raised.value.code == -32603  # InternalError
    found = tracebacks(server)
    assert len(found) == 1 and "ZeroDivisionError: injected bug" in found[0], found
    assert await server.editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    ledger.row("logs", "a bug injected in hover", "logged with its traceback; server kept serving")


async def test_a_cancel_for_a_request_already_answered_is_not_a_warning(servers: Servers) -> None:
    # Editors cancel requests whose answer crossed the cancel on the wire, routinely.
    server = await servers.start()
    server.client.protocol.notify("$/cancelRequest", types.CancelParams(id="answered-already"))
    await server.editor.command("grok.usage")  # answered after the notification was read
    text = server.log_file.read_text(encoding="utf-8", errors="replace")
    assert "Notification '$/cancelRequest' received" in text
    assert "Cancel notification for unknown message id" not in text

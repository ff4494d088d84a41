"""Failures that read like advice (issue 15 item 3, the team contract): the first line says
what happened and what to do for this client, "Grok" once, one neutral button where an
editor command fixes it; "Retry" runs the request again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.positions import WHOLE
from tests.server.conftest import StartEditor
from tests.server.harness import Editor
from tests.waiting import until

CODE = "x = 1\n"
BAD_KEY = "bad-key-0123456789"  # the simulator answers 400 "Incorrect API key provided"


async def _fail(editor: Editor, uri: str, text: str = CODE) -> str:
    """Run an explain that fails; return the first line of the one error message shown."""
    editor.open(uri, text)
    reply, code = "", 0
    try:
        result = await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    except JsonRpcException as error:
        reply, code = str(error), error.code
    else:
        assert result["started"] is True  # commandResult "immediate": only the message tells
    assert not reply or code == -32803  # RequestFailed
    await until(lambda: editor.messages(types.MessageType.Error), "the error message")
    errors = editor.messages(types.MessageType.Error)
    assert len(errors) == 1, errors
    first = errors[0].split("\n")[0]
    assert not reply or first in reply  # the reply says the same
    return first


# (preset, clientInfo, what the first line tells the user to do, the button offered)
SET_KEY_ADVICE = [
    ("vscode", "vscode", 'Run "Grok: Set API Key" and try again.', ["Set API Key"]),
    ("vscode", "code-server", 'Run "Grok: Set API Key" and try again.', ["Set API Key"]),
    ("neovim", "neovim", "Run :GrokSetKey", ["Set API Key"]),
    ("eglot", "eglot", "Set XAI_API_KEY in the server's environment", []),
    ("minimal", None, "Set XAI_API_KEY in the server's environment", []),
]


@pytest.mark.parametrize(("preset", "client", "advice", "buttons"), SET_KEY_ADVICE)
async def test_a_rejected_key_says_how_to_set_one_in_this_editor(
    launch: StartEditor,
    workspace: Path,
    preset: str,
    client: str | None,
    advice: str,
    buttons: list[str],
) -> None:
    editor = await launch(preset, client=client, XAI_API_KEY=BAD_KEY)
    first = await _fail(editor, (workspace / "k.py").as_uri())
    assert "the api key was rejected (http 400)." in first.lower()
    assert advice in first
    assert first.count("Grok") == 1, first
    assert BAD_KEY not in "".join(editor.messages())
    assert editor.offered_actions == buttons


@pytest.mark.parametrize(("preset", "client", "advice", "buttons"), SET_KEY_ADVICE)
async def test_a_missing_key_says_how_to_set_one_in_this_editor(
    launch: StartEditor,
    workspace: Path,
    preset: str,
    client: str | None,
    advice: str,
    buttons: list[str],
) -> None:
    editor = await launch(preset, client=client, XAI_API_KEY="")
    first = await _fail(editor, (workspace / "k.py").as_uri())
    assert "no xai api key is configured." in first.lower()
    assert advice in first and first.count("Grok") == 1, first
    assert editor.offered_actions == buttons


async def test_an_unknown_model_offers_the_settings(launch: StartEditor, workspace: Path) -> None:
    editor = await launch("vscode", {"model": "grok-nonexistent"}, client="vscode")
    first = await _fail(editor, (workspace / "m.py").as_uri())
    assert first.startswith("Grok: the model is unknown") and "(HTTP 404)" in first, first
    assert editor.offered_actions == ["Open Settings"]


async def test_a_refused_base_url_offers_the_settings(launch: StartEditor, workspace: Path) -> None:
    editor = await launch("neovim", client="neovim", XAI_BASE_URL="http://192.0.2.1:9/v1")
    first = await _fail(editor, (workspace / "u.py").as_uri())
    assert "allowInsecureBaseUrl" in first and first.count("Grok") == 1, first
    assert editor.offered_actions == ["Open Settings"]


@pytest.mark.parametrize(("preset", "client"), [("eglot", "eglot"), ("vscode", "vscode")])
async def test_retry_after_a_rate_limit_runs_the_request_again_once(
    launch: StartEditor, simulator: Any, workspace: Path, preset: str, client: str
) -> None:
    editor = await launch(preset, {"commandResult": "answer"}, client=client)
    editor.choose = "Retry"
    uri = (workspace / f"rate-{client}.py").as_uri()
    # Every attempt of the first request (the client's own retries included) is refused;
    # the user's Retry is the first attempt after those.
    control = f"# [[sim status=429 retry_after=0 fail_times=4 key=rate-{client}]]\n"
    first = await _fail(editor, uri, control + CODE)
    assert first.startswith("Grok: rate limit reached (HTTP 429).") and "wait" in first
    assert editor.offered_actions == ["Retry"]
    await until(lambda: editor.client.shown_documents, "the retried answer's transcript")
    tokens = list(editor.client.progress_reports)
    assert len(tokens) == 2
    end = editor.client.progress_reports[tokens[-1]][-1]
    assert isinstance(end, types.WorkDoneProgressEnd) and (end.message or "").startswith("Done")
    assert len([r for r in simulator.chats if "rate-" + client in str(r.body)]) == 5


async def test_a_retry_that_fails_again_offers_no_second_retry(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode", client="vscode")
    editor.choose = "Retry"
    uri = (workspace / "down.py").as_uri()
    await _fail(editor, uri, "# [[sim status=503 retry_after=0]]\n" + CODE)
    await until(lambda: len(editor.messages(types.MessageType.Error)) == 2, "the retry's error")
    assert editor.offered_actions == ["Retry"]
    second = editor.messages(types.MessageType.Error)[1]
    assert second.startswith("Grok: the API is having trouble (HTTP 503).")


async def test_a_client_that_cannot_ask_still_gets_the_message(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode", client="vscode", XAI_API_KEY=BAD_KEY)
    editor.fail_message_requests = True
    first = await _fail(editor, (workspace / "q.py").as_uri())
    assert first.startswith("The API key was rejected (HTTP 400).")
    assert editor.offered_actions == []

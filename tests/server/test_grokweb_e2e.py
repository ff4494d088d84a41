"""The experimental grok-web provider end to end: the real server, the simulator's grok.com."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from pygls.exceptions import JsonRpcException

from grok_lsp.assistant.actions import EXPLAIN, REFACTOR
from tests.positions import WHOLE, whole_lines
from tests.server.conftest import StartEditor
from tests.server.harness import Editor, stop_editor
from tests.server.harness import field as _field
from tests.waiting import until

COOKIES = "sso=abc; other=1"
NEW = "/rest/app-chat/conversations/new"
SOURCE = "def add(a, b):\n    return a + b\n"


async def _grok_web(
    launch: StartEditor, simulator: Any, cookies: str | None = COOKIES, **options: Any
) -> Editor:
    init = {"provider": "grok-web", **options}
    if cookies is not None:
        init["grokWebCookies"] = cookies
    return await launch("vscode", init, GROK_WEB_BASE_URL=simulator.root_url)


def _conversation_of(path: str) -> str:
    found = re.fullmatch(r"/rest/app-chat/conversations/([^/]+)/responses", path)
    assert found, f"{path} is not a continued conversation"
    return found.group(1)


async def test_explain_refactor_and_follow_up_continue_one_grok_com_conversation(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await _grok_web(launch, simulator)
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, SOURCE)

    explained = await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    assert "def add(a, b):" in _field(explained, "text")
    assert editor.streamed() == _field(explained, "text")
    started = simulator.requests[-1]
    assert started.path == NEW and started.status == 200
    assert EXPLAIN.task in started.body["message"]
    assert started.body["modelName"] == "grok-3"  # the xAI default model maps to grok-3

    refactored = await editor.command(
        "grok.refactor", {"uri": uri, "range": WHOLE, "instruction": "rename b to other"}
    )
    assert _field(refactored, "applied") is True
    assert editor.texts[uri] == "def add(a, other):\n    return a + other\n"
    refactor_request = simulator.requests[-1]
    conversation_id = _conversation_of(refactor_request.path)
    assert REFACTOR.task in refactor_request.body["message"]
    # grok.com holds the history: the explanation is not sent again
    assert _field(explained, "text") not in refactor_request.body["message"]

    answer = await editor.command("grok.ask", {"uri": uri, "question": "Why a + b?"})
    follow_up = simulator.requests[-1]
    assert _conversation_of(follow_up.path) == conversation_id
    assert follow_up.body["message"].endswith("Request: Why a + b?\nAssistant:")
    assert "follow-up about `calc.py`" in _field(answer, "text")
    assert "2 earlier turns" in _field(answer, "text")  # the simulator kept both turns
    assert [r.status for r in simulator.requests] == [200, 200, 200]

    shown = await editor.command("grok.conversation.show", {"uri": uri})
    roles = [_field(t, "role") for t in _field(shown, "turns")]
    assert roles == ["user", "assistant"] * 3


async def test_the_grok_com_conversation_id_survives_a_restart_and_reset_forgets_it(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    uri = (workspace / "calc.py").as_uri()
    editor = await _grok_web(launch, simulator)
    editor.open(uri, SOURCE)
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    await stop_editor(editor)

    again = await _grok_web(launch, simulator)
    again.open(uri, SOURCE)
    await again.command("grok.ask", {"uri": uri, "question": "Still there?"})
    _conversation_of(simulator.requests[-1].path)

    await again.command("grok.conversation.reset", {"uri": uri})
    await again.command("grok.ask", {"uri": uri, "question": "Hello?"})
    assert simulator.requests[-1].path == NEW


async def test_thinking_title_and_images_show_where_described(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await _grok_web(launch, simulator, model="grok-3-r1")
    uri = (workspace / "draw.py").as_uri()
    editor.open(uri, "# [[sim images=1]]\ndef add(a, b):\n    return a + b\n")
    whole = whole_lines(0, 3)
    result = await editor.command("grok.explain", {"uri": uri, "range": whole})
    assert simulator.requests[-1].body["isReasoning"] is True

    reasoning = editor.streamed("reasoning")
    assert reasoning.startswith("thinking0 thinking1 thinking2")
    assert re.search(r"Thought for \d+\.\ds", reasoning)
    text = _field(result, "text")
    assert "thinking0" not in text
    assert re.search(r"!\[Image preview\]\(https://assets\.grok\.com/\S+/preview\.jpg\)", text)
    assert re.search(r"!\[Generated image\]\(https://assets\.grok\.com/\S+/image\.jpg\)", text)

    shown = await editor.command("grok.conversation.show", {"uri": uri})
    assert _field(shown, "title") == "Explain: draw.py"
    transcript = Path(unquote(urlsplit(_field(shown, "transcript")).path)).read_text("utf-8")
    assert "_Explain: draw.py_" in transcript
    assert "![Generated image](https://assets.grok.com/" in transcript


@pytest.mark.parametrize(
    ("cookies", "says"),
    [
        (None, "are not set"),
        ("cf_clearance=xyz", "have no sso cookie"),
        ("sso=bad-expired; other=1", "rejected the session cookies"),
    ],
)
async def test_missing_or_rejected_cookies_tell_the_user_how_to_sign_in(
    launch: StartEditor, simulator: Any, workspace: Path, cookies: str | None, says: str
) -> None:
    editor = await _grok_web(launch, simulator, cookies=cookies)
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, SOURCE)
    with pytest.raises(JsonRpcException) as raised:
        await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    error = str(raised.value)
    assert says in error and "grokWebCookies" in error and "https://grok.com" in error
    # The message with its button comes from a background task.
    await until(
        lambda: any("grokWebCookies" in m for m in editor.messages()), "the sign-in message"
    )
    shown = [m for m in editor.messages() if "grokWebCookies" in m]
    assert says in shown[0]
    assert editor.offered_actions == ["Sign in to grok.com"]
    assert all("bad-expired" not in m for m in editor.messages())
    if cookies is None or "sso=" not in cookies:
        assert simulator.requests == []  # nothing leaves without a session
    else:
        assert simulator.requests[-1].status == 401


async def test_cookies_from_the_server_environment_as_vs_code_passes_them(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    # VS Code keeps secrets off the LSP wire: GROK_WEB_COOKIES is the default of grokWebCookies.
    editor = await launch(
        "vscode",
        {"provider": "grok-web"},
        GROK_WEB_BASE_URL=simulator.root_url,
        GROK_WEB_COOKIES=COOKIES,
    )
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, SOURCE)
    explained = await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    assert "def add(a, b):" in _field(explained, "text")
    # The simulator accepts only a session with an sso cookie (it records it redacted).
    assert [(r.path, r.status) for r in simulator.requests] == [(NEW, 200)]
    assert simulator.requests[-1].headers["cookie"].startswith("sso=")


def _grok_com_knows(simulator: Any) -> str:
    """Every message grok.com holds in the conversation of the last request (its own too):
    the ones it answered, from the new conversation that started it."""
    requests = simulator.requests
    last = requests[-1]
    assert last.status == 200
    if last.path == NEW:
        return str(last.body["message"])
    conversation = _conversation_of(last.path)
    first = next(i for i, r in enumerate(requests) if r.path.endswith(f"/{conversation}/responses"))
    started = [r for r in requests[:first] if r.path == NEW and r.status == 200][-1]
    held = [r for r in requests[first:] if r.path.endswith(f"/{conversation}/responses")]
    return "\n".join(str(r.body["message"]) for r in [started, *held] if r.status == 200)


async def test_a_follow_up_grok_com_never_received_is_not_taken_for_known(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await _grok_web(launch, simulator)
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, SOURCE)
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    plus = SOURCE.index("a + b")
    editor.type_text(uri, plus, plus + len("a + b"), "a - b")
    # The follow-up carrying that change fails: grok.com never gets it.
    with pytest.raises(JsonRpcException):
        await editor.command("grok.ask", {"uri": uri, "question": "[[sim status=500]] Right?"})
    assert simulator.requests[-1].status == 500
    assert "a - b" in simulator.requests[-1].body["message"]

    await editor.command("grok.ask", {"uri": uri, "question": "And now?"})
    knows = _grok_com_knows(simulator)
    assert "a - b" in knows and "And now?" in knows


async def test_switching_provider_and_back_grok_com_learns_what_changed_meanwhile(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    uri = (workspace / "calc.py").as_uri()
    editor = await _grok_web(launch, simulator)
    editor.open(uri, SOURCE)
    await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    await stop_editor(editor)

    changed = SOURCE.replace("a + b", "a - b")
    xai = await launch("vscode")  # the xAI API is told of the change
    xai.open(uri, changed)
    await xai.command("grok.ask", {"uri": uri, "question": "Is it still an add?"})
    assert "a - b" in simulator.requests[-1].body["input"][-1]["content"]
    await stop_editor(xai)

    again = await _grok_web(launch, simulator)
    again.open(uri, changed)
    await again.command("grok.ask", {"uri": uri, "question": "And on grok.com?"})
    knows = _grok_com_knows(simulator)
    assert "a - b" in knows and "And on grok.com?" in knows

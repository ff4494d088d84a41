"""GrokWeb against the simulator's grok.com endpoints over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from grok_lsp.assistant.providers import make_provider
from grok_lsp.grokweb import (
    GrokWeb,
    GrokWebChallengeError,
    GrokWebCookiesRejectedError,
    GrokWebSignInError,
)
from grok_lsp.grokweb.client import grok_web_base_url
from grok_lsp.settings import Settings
from grok_lsp.xai import (
    APIConnectionError,
    AuthenticationError,
    ChatRequest,
    ContentDelta,
    ConversationStarted,
    GrokError,
    RateLimitError,
    ReasoningDelta,
    ServiceUnavailableError,
    StreamEvent,
    StreamInterruptedError,
    StreamTimeoutError,
    TitleChanged,
)
from tests.waiting import until

SSO = "sso-SECRET-0123456789"
COOKIES = f"sso={SSO}; sso-rw=RW-SECRET-4567"
SYSTEM = {"role": "system", "content": "You are Grok."}
CODE = (
    "Explain the selected code.\n\n"
    "File: `calc.py` (python), lines 1-2 of 2.\n\nSelected code:\n```python\n"
    "1 | def add(a, b):\n2 |     return a + b\n```\n\nRequest: Explain the selected code."
)


def explain(control: str = "", **fields: Any) -> ChatRequest:
    text = f"{CODE} [[sim {control}]]" if control else CODE
    fields.setdefault("model", "grok-3")
    return ChatRequest(messages=[SYSTEM, {"role": "user", "content": text}], **fields)


async def collect(client: GrokWeb, request: ChatRequest) -> list[StreamEvent]:
    return [event async for event in client.stream_chat(request)]


def content(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, ContentDelta))


@pytest.fixture
async def client(simulator: Any) -> AsyncIterator[GrokWeb]:
    async with GrokWeb(COOKIES, simulator.root_url) as grok:
        yield grok


async def test_a_new_conversation_starts_with_the_whole_prompt(
    client: GrokWeb, simulator: Any
) -> None:
    events = await collect(client, explain())
    record = simulator.requests[-1]
    assert record.method == "POST"
    assert record.path == "/rest/app-chat/conversations/new"
    assert record.body["message"].startswith("System: You are Grok.\nUser: Explain the selected")
    assert record.body["modelName"] == "grok-3"
    assert record.body["isReasoning"] is False
    assert record.headers["cookie"] == "sso=<redacted>; sso-rw=<redacted>"
    uuid.UUID(record.headers["x-xai-request-id"])
    assert isinstance(events[0], ConversationStarted)
    assert "def add(a, b):" in content(events)
    assert TitleChanged("Explain: calc.py") in events


async def test_a_follow_up_sends_only_the_new_message_to_the_stored_conversation(
    client: GrokWeb, simulator: Any
) -> None:
    first = await collect(client, explain())
    started = first[0]
    assert isinstance(started, ConversationStarted)
    follow_up = ChatRequest(
        messages=[
            {"role": "system", "content": "You are Grok."},
            {"role": "user", "content": CODE},
            {"role": "assistant", "content": content(first)},
            {"role": "user", "content": "Why a + b?"},
        ],
        model="grok-3",
        provider_conversation_id=started.conversation_id,
    )
    events = await collect(client, follow_up)
    record = simulator.requests[-1]
    assert record.path == f"/rest/app-chat/conversations/{started.conversation_id}/responses"
    assert record.body["message"] == "System: You are Grok.\nUser: Why a + b?\nAssistant:"
    # the simulator, like grok.com, remembered the first turn
    assert "follow-up about `calc.py`" in content(events)
    assert "1 earlier turn" in content(events)
    assert not any(isinstance(e, (ConversationStarted, TitleChanged)) for e in events)
    ids = {r.headers["x-xai-request-id"] for r in simulator.requests}
    assert len(ids) == 2


async def test_a_conversation_gone_from_grok_com_is_started_again(
    client: GrokWeb, simulator: Any
) -> None:
    events = await collect(client, explain(provider_conversation_id="deleted-long-ago"))
    assert [r.path.rsplit("/", 1)[-1] for r in simulator.requests] == ["responses", "new"]
    assert [r.status for r in simulator.requests] == [404, 200]
    assert isinstance(events[0], ConversationStarted)
    assert "def add" in content(events)


async def test_thinking_models_stream_reasoning_first(client: GrokWeb, simulator: Any) -> None:
    events = await collect(client, explain(model="grok-3-r1"))
    assert simulator.requests[-1].body["isReasoning"] is True
    reasoning = [e.text for e in events if isinstance(e, ReasoningDelta)]
    assert reasoning[:3] == ["thinking0 ", "thinking1 ", "thinking2"]
    assert reasoning[3].strip().startswith("Thought for ")
    first_content = next(i for i, e in enumerate(events) if isinstance(e, ContentDelta))
    assert all(not isinstance(e, ReasoningDelta) for e in events[first_content:])


async def test_grok_2_is_grok_latest_and_unknown_models_are_grok_3(
    client: GrokWeb, simulator: Any
) -> None:
    await collect(client, explain(model="grok-2"))
    await collect(client, explain(model="grok-4.3"))
    assert [r.body["modelName"] for r in simulator.requests] == ["grok-latest", "grok-3"]


async def test_generated_images_are_markdown_links(client: GrokWeb) -> None:
    text = content(await collect(client, explain("images=2")))
    assert text.count("![Image preview](https://assets.grok.com/users/grok-sim/") == 2
    assert text.count("![Generated image](https://assets.grok.com/users/grok-sim/") == 2


async def test_broken_and_blank_lines_are_skipped(client: GrokWeb, simulator: Any) -> None:
    text = content(await collect(client, explain("malformed_after=3 keepalive=1")))
    assert "def add(a, b):" in text
    assert simulator.requests[-1].completed


async def test_without_cookies_the_user_is_told_how_to_sign_in(simulator: Any) -> None:
    async with GrokWeb(None, simulator.root_url) as grok:
        with pytest.raises(GrokWebSignInError) as raised:
            await collect(grok, explain())
    assert "grokWebCookies" in raised.value.user_message()
    assert "https://grok.com" in raised.value.user_message()
    assert simulator.requests == []  # nothing is sent without a session


@pytest.mark.parametrize("control", ["", "status=403"])
async def test_rejected_cookies_are_said_to_be_rejected(simulator: Any, control: str) -> None:
    cookies = "sso=bad-expired-session" if not control else COOKIES
    async with GrokWeb(cookies, simulator.root_url) as grok:
        with pytest.raises(GrokWebCookiesRejectedError) as raised:
            await collect(grok, explain(control))
    error = raised.value
    assert isinstance(error, AuthenticationError) and isinstance(error, GrokWebSignInError)
    assert error.status == (403 if control else 401)
    assert "rejected the session cookies" in error.user_message()
    assert "grokWebCookies" in error.user_message()
    assert "bad-expired-session" not in error.user_message()


@pytest.mark.parametrize("status", ["403", "200"])
async def test_a_bot_protection_challenge_is_reported_as_such(
    client: GrokWeb, simulator: Any, status: str
) -> None:
    with pytest.raises(GrokWebChallengeError) as raised:
        await collect(client, explain(f"challenge={status}"))
    message = raised.value.user_message()
    assert f"bot-protection challenge page (HTTP {status})" in message
    assert "not an expired session" in message and "cf_clearance" in message
    assert not isinstance(raised.value, GrokWebCookiesRejectedError)
    assert raised.value.fix_link == ("Open grok.com", "https://grok.com")
    assert [r.status for r in simulator.requests] == [int(status)]


@pytest.mark.parametrize(
    ("status", "kind"), [(429, RateLimitError), (503, ServiceUnavailableError)]
)
async def test_other_statuses_map_into_the_hierarchy(
    client: GrokWeb, status: int, kind: type[GrokError]
) -> None:
    with pytest.raises(kind):
        await collect(client, explain(f"status={status}"))


async def test_a_dropped_connection_keeps_the_partial_answer(client: GrokWeb) -> None:
    with pytest.raises(StreamInterruptedError) as raised:
        await collect(client, explain("drop_after=3"))
    assert raised.value.partial == "## Explanation of "


async def test_silence_longer_than_the_timeout_is_a_stream_timeout(simulator: Any) -> None:
    async with GrokWeb(COOKIES, simulator.root_url, timeout_seconds=0.3) as grok:
        with pytest.raises(StreamTimeoutError) as raised:
            await collect(grok, explain("stall_after=2"))
    assert raised.value.partial == "## Explanation "


async def test_an_unreachable_host_is_a_connection_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    async with GrokWeb(COOKIES, transport=httpx.MockTransport(refuse)) as grok:
        with pytest.raises(APIConnectionError) as raised:
            await collect(grok, explain())
    assert "GROK_WEB_BASE_URL" in raised.value.hint


async def test_cancelling_closes_the_connection(client: GrokWeb, simulator: Any) -> None:
    got_text = asyncio.Event()

    async def consume() -> None:
        async for event in client.stream_chat(explain("tps=20 tokens=400")):
            if isinstance(event, ContentDelta):
                got_text.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(got_text.wait(), 10)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await until(lambda: simulator.requests[-1].disconnected, "the disconnect noted")
    record = simulator.requests[-1]
    assert record.disconnected and not record.completed
    assert record.chunks_sent < 400


async def test_cookies_never_show_in_reprs_errors_or_logs(
    simulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with GrokWeb(COOKIES, simulator.root_url) as grok:
        assert SSO not in repr(grok)
        for control in ("status=400", "status=401", "drop_after=1"):
            with pytest.raises(GrokError) as raised:
                await collect(grok, explain(control))
            shown = f"{raised.value!r} {raised.value.user_message()}"
            assert SSO not in shown and "RW-SECRET" not in shown
        await collect(grok, explain(provider_conversation_id="gone"))
    assert SSO not in caplog.text and "RW-SECRET" not in caplog.text


def test_the_base_url_comes_from_the_environment_and_stays_private() -> None:
    assert grok_web_base_url({}) == "https://grok.com"
    assert grok_web_base_url({"GROK_WEB_BASE_URL": "http://127.0.0.1:9/"}) == "http://127.0.0.1:9"
    with pytest.raises(GrokError, match=r"Refusing to send the grok\.com cookies"):
        grok_web_base_url({"GROK_WEB_BASE_URL": "http://grok.example.com"})
    insecure = grok_web_base_url(
        {"GROK_WEB_BASE_URL": "http://grok.example.com"}, allow_insecure=True
    )
    assert insecure == "http://grok.example.com"


async def test_the_grok_web_setting_makes_this_provider(
    monkeypatch: pytest.MonkeyPatch, simulator: Any
) -> None:
    monkeypatch.setenv("GROK_WEB_BASE_URL", simulator.root_url)
    provider = make_provider(Settings(provider="grok-web", grok_web_cookies=COOKIES))
    try:
        assert isinstance(provider, GrokWeb)
        assert provider.base_url == simulator.root_url
    finally:
        await provider.aclose()

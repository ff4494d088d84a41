"""AsyncXAI on chat completions (`api: "chat-completions"`) against the simulator over real
HTTP, and a mock transport for connect failures. The Responses API: test_xai_responses.py."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from grok_lsp import __version__
from grok_lsp.xai import (
    APIConnectionError,
    APIStatusError,
    AsyncXAI,
    AuthenticationError,
    ChatRequest,
    ContentDelta,
    Finished,
    InvalidRequestError,
    MalformedResponseError,
    MissingAPIKeyError,
    ModelNotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ReasoningDelta,
    ServiceUnavailableError,
    StreamEvent,
    StreamInterruptedError,
    StreamTimeoutError,
    UsageReport,
)
from tests.waiting import until

KEY = "xai-FAKEKEY-9f8e7d6c5b4a"
ChatXAI = functools.partial(AsyncXAI, api="chat-completions")
MODEL = "grok-4.3"


def ask(
    control: str = "", *, conversation_id: str | None = None, model: str = MODEL
) -> ChatRequest:
    text = f"Explain this. [[sim {control}]]" if control else "Explain this."
    return ChatRequest(
        messages=[{"role": "user", "content": text}],
        model=model,
        conversation_id=conversation_id,
    )


def words(n: int) -> list[str]:
    return [f"w{i}" for i in range(n)]


@pytest.fixture
async def client(simulator: Any) -> AsyncIterator[AsyncXAI]:
    async with ChatXAI(KEY, simulator.base_url, backoff_base=0.01, backoff_cap=0.05) as xai:
        yield xai


async def collect(
    xai: AsyncXAI, request: ChatRequest, seen: list[StreamEvent] | None = None
) -> list[StreamEvent]:
    """The stream's events; also appended to `seen` so they survive an exception."""
    seen = [] if seen is None else seen
    async for event in xai.stream_chat(request):
        seen.append(event)
    return seen


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, ContentDelta))


def chats(simulator: Any) -> list[Any]:
    return [r for r in simulator.requests if r.path.endswith("/chat/completions")]


async def test_long_stream_arrives_complete_and_in_order(client: AsyncXAI, simulator: Any) -> None:
    events = await collect(client, ask("tokens=2000"))
    assert text_of(events).split() == words(2000)
    assert isinstance(events[-2], Finished)
    assert events[-2].reason == "stop"
    assert isinstance(events[-1], UsageReport)
    [record] = chats(simulator)
    assert record.completed
    assert record.body["stream"] is True
    assert record.body["stream_options"] == {"include_usage": True}


async def test_reasoning_comes_first_and_apart(client: AsyncXAI) -> None:
    events = await collect(client, ask("reasoning=5 tokens=3"))
    kinds = [type(e) for e in events if isinstance(e, (ReasoningDelta, ContentDelta))]
    assert kinds == [ReasoningDelta] * 5 + [ContentDelta] * 3
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    assert len(reasoning.split()) == 5
    assert text_of(events).split() == words(3)


async def test_usage_reports_tokens_and_cache_on_a_repeated_conversation(client: AsyncXAI) -> None:
    first = await collect(client, ask("reasoning=4 tokens=10", conversation_id="conv-cache"))
    second = await collect(client, ask("reasoning=4 tokens=10", conversation_id="conv-cache"))
    usage = [e.usage for e in first if isinstance(e, UsageReport)][-1]
    assert usage.prompt_tokens > 0
    assert usage.completion_tokens > 0
    assert usage.reasoning_tokens > 0
    again = [e.usage for e in second if isinstance(e, UsageReport)][-1]
    assert again.cached_tokens > 0


async def test_usage_on_every_chunk_is_reported_each_time(client: AsyncXAI) -> None:
    events = await collect(client, ask("tokens=5 usage=every"))
    reports = [e.usage for e in events if isinstance(e, UsageReport)]
    assert len(reports) >= 5
    assert reports[-1].completion_tokens >= reports[0].completion_tokens
    assert text_of(events).split() == words(5)


@pytest.mark.parametrize("variant", ["keepalive=1", "nospace=1", "keepalive=1 nospace=1"])
async def test_wire_variants_parse_the_same(client: AsyncXAI, variant: str) -> None:
    events = await collect(client, ask(f"tokens=50 {variant}"))
    assert text_of(events).split() == words(50)
    assert any(isinstance(e, Finished) for e in events)


async def test_huge_chunk(client: AsyncXAI) -> None:
    events = await collect(client, ask("huge=300000"))
    assert len(text_of(events)) >= 300000


async def test_headers(client: AsyncXAI, simulator: Any) -> None:
    await collect(client, ask("tokens=1", conversation_id="conv-42"))
    await collect(client, ask("tokens=1"))
    with_id, without_id = chats(simulator)
    assert with_id.headers["x-grok-conv-id"] == "conv-42"
    assert "x-grok-conv-id" not in without_id.headers
    assert with_id.headers["user-agent"] == f"grok-lsp/{__version__}"
    assert with_id.headers["authorization"].startswith("Bearer ")


async def test_chat_not_streamed(client: AsyncXAI, simulator: Any) -> None:
    result = await client.chat(ask("tokens=7 reasoning=2"))
    assert result.text.split() == words(7)
    assert len(result.reasoning.split()) == 2
    assert result.finish_reason == "stop"
    assert result.usage.completion_tokens > 0
    assert result.model
    [record] = chats(simulator)
    assert record.body["stream"] is False


async def test_chat_cut_short_is_interrupted(client: AsyncXAI) -> None:
    with pytest.raises(StreamInterruptedError):
        await client.chat(ask("tokens=50 drop_after=1"))


async def test_models_key_info_and_language_models(client: AsyncXAI) -> None:
    models = await client.list_models()
    assert MODEL in models
    assert all(isinstance(m, str) for m in models)
    info = await client.api_key_info()
    assert KEY not in str(info)
    priced = await client.language_models()
    assert any(m.get("id") == MODEL for m in priced)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, ModelNotFoundError),
        (422, InvalidRequestError),
        (429, RateLimitError),
        (500, ServiceUnavailableError),
        (503, ServiceUnavailableError),
    ],
)
@pytest.mark.parametrize("shape", ["flat", "nested", "text"])
async def test_error_status_maps_to_class_with_message(
    simulator: Any, status: int, cls: type[APIStatusError], shape: str
) -> None:
    async with ChatXAI(KEY, simulator.base_url, max_retries=0) as xai:
        with pytest.raises(cls) as info:
            await collect(xai, ask(f"status={status} error_shape={shape}"))
    error = info.value
    assert error.status == status
    assert error.message
    assert not error.message.startswith("{")  # the API's words, not its JSON
    assert error.hint
    assert str(status) in error.user_message()


async def test_unknown_model_is_model_not_found(client: AsyncXAI) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        await client.chat(ask(model="grok-does-not-exist"))
    assert info.value.status == 404


async def test_bad_key_is_never_shown(simulator: Any, caplog: pytest.LogCaptureFixture) -> None:
    bad = "bad-FAKEKEY-1234567890"
    caplog.set_level(logging.DEBUG)
    async with ChatXAI(bad, simulator.base_url, backoff_base=0.01) as xai:
        assert bad not in repr(xai)
        with pytest.raises(AuthenticationError) as info:
            await collect(xai, ask("tokens=3"))
        with pytest.raises(AuthenticationError) as models_info:
            await xai.list_models()
    for error in (info.value, models_info.value):
        shown = [
            str(error),
            repr(error),
            error.message,
            error.user_message(),
            *map(str, error.args),
        ]
        assert all(bad not in text for text in shown)
        assert "incorrect api key" in error.message.lower()
    assert bad not in caplog.text
    assert len(chats(simulator)) == 1  # a rejected key is not retried


async def test_missing_key_fails_before_any_request(simulator: Any) -> None:
    async with ChatXAI(None, simulator.base_url) as xai:
        assert "missing" in repr(xai)
        with pytest.raises(MissingAPIKeyError):
            await collect(xai, ask("tokens=1"))
        with pytest.raises(MissingAPIKeyError):
            await xai.list_models()
    async with ChatXAI("", simulator.base_url) as xai:
        with pytest.raises(MissingAPIKeyError):
            await xai.chat(ask())
    assert simulator.requests == []


async def test_retries_until_success(client: AsyncXAI, simulator: Any) -> None:
    events = await collect(client, ask("status=503 fail_times=2 key=retry-ok tokens=4"))
    assert text_of(events).split() == words(4)
    assert [r.status for r in chats(simulator)] == [503, 503, 200]


async def test_retries_give_up_after_max_retries(simulator: Any) -> None:
    async with ChatXAI(KEY, simulator.base_url, max_retries=2, backoff_base=0.01) as xai:
        with pytest.raises(ServiceUnavailableError):
            await xai.chat(ask("status=502 fail_times=10 key=retry-fail"))
    assert len(chats(simulator)) == 3


async def test_retry_after_is_honoured(client: AsyncXAI, simulator: Any) -> None:
    started = time.monotonic()
    events = await collect(client, ask("status=429 retry_after=1 fail_times=1 key=ra tokens=2"))
    assert time.monotonic() - started >= 0.95
    assert text_of(events).split() == words(2)
    first, second = chats(simulator)
    assert second.started_at - first.started_at >= 0.95


async def test_client_errors_are_not_retried(client: AsyncXAI, simulator: Any) -> None:
    with pytest.raises(InvalidRequestError):
        await collect(client, ask("status=422 fail_times=1 key=no-retry"))
    assert len(chats(simulator)) == 1


async def test_no_retry_after_the_first_token(client: AsyncXAI, simulator: Any) -> None:
    seen: list[StreamEvent] = []
    with pytest.raises(StreamInterruptedError) as info:
        await collect(client, ask("tokens=20 drop_after=3 fail_times=5 key=d"), seen)
    assert text_of(seen).split() == words(3)
    assert info.value.partial.split() == words(3)
    assert len(chats(simulator)) == 1


async def test_clean_end_without_done_is_interrupted(client: AsyncXAI) -> None:
    seen: list[StreamEvent] = []
    with pytest.raises(StreamInterruptedError) as info:
        await collect(client, ask("tokens=20 end_after=4"), seen)
    assert text_of(seen).split() == words(4)
    assert info.value.partial == text_of(seen)


async def test_malformed_chunk_keeps_partial(client: AsyncXAI) -> None:
    seen: list[StreamEvent] = []
    with pytest.raises(MalformedResponseError) as info:
        await collect(client, ask("tokens=20 malformed_after=2"), seen)
    assert text_of(seen).split() == words(2)
    assert info.value.partial == text_of(seen)


async def test_stall_times_out_with_partial(simulator: Any) -> None:
    async with ChatXAI(KEY, simulator.base_url, timeout_seconds=0.5) as xai:
        seen: list[StreamEvent] = []
        with pytest.raises(StreamTimeoutError) as info:
            await collect(xai, ask("tokens=20 stall_after=2"), seen)
    assert info.value.partial.split() == words(2)
    assert text_of(seen).split() == words(2)


async def test_silence_before_the_first_byte_times_out(simulator: Any) -> None:
    async with ChatXAI(KEY, simulator.base_url, timeout_seconds=0.3) as xai:
        with pytest.raises(StreamTimeoutError):
            await collect(xai, ask("tokens=2 delay=3"))


async def test_slow_stream_is_not_cut_by_the_read_timeout(simulator: Any) -> None:
    # 1.2 s in total, well over timeout_seconds, but never 0.5 s of silence.
    async with ChatXAI(KEY, simulator.base_url, timeout_seconds=0.5) as xai:
        events = await collect(xai, ask("tokens=6 tps=5"))
    assert text_of(events).split() == words(6)


async def test_cancel_closes_the_connection_at_once(client: AsyncXAI, simulator: Any) -> None:
    got_some = asyncio.Event()

    async def consume() -> None:
        async for event in client.stream_chat(ask("tokens=200 tps=10")):  # 20 s if left alone
            if isinstance(event, ContentDelta):
                got_some.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_some.wait(), 5)
    cancelled_at = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    record = await wait_for_disconnect(simulator)
    assert record.disconnected
    assert not record.completed
    assert record.ended_at is not None
    assert record.ended_at - cancelled_at < 2  # the stream had ~19 s to go
    assert record.chunks_sent < 50


async def wait_for_disconnect(simulator: Any) -> Any:
    # The server notices the disconnect asynchronously.
    await until(lambda: chats(simulator)[0].disconnected, "the disconnect noted")
    return chats(simulator)[0]


async def test_closing_the_stream_early_closes_the_connection(
    client: AsyncXAI, simulator: Any
) -> None:
    async with contextlib.aclosing(client.stream_chat(ask("tokens=200 tps=10"))) as stream:
        async for event in stream:
            if isinstance(event, ContentDelta):
                break
    record = await wait_for_disconnect(simulator)
    assert record.disconnected
    assert record.chunks_sent < 50


async def test_cancel_during_backoff_is_immediate() -> None:
    attempts: list[httpx.Request] = []

    def busy(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        return httpx.Response(503, json={"error": "busy"}, headers={"retry-after": "30"})

    transport = httpx.MockTransport(busy)
    async with ChatXAI(KEY, "http://sim.invalid/v1", transport=transport) as xai:
        task = asyncio.create_task(xai.chat(ask()))
        await until(lambda: attempts, "the first attempt, answered 503")
        task.cancel()
        # Not a timing: the backoff is 30 s, so a cancel that waited it out would hang here.
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
        assert len(attempts) == 1  # cancelled in the backoff, before any retry


async def test_connect_errors_are_retried_then_reported() -> None:
    attempts: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise httpx.ConnectError("Connection refused", request=request)

    transport = httpx.MockTransport(refuse)
    async with ChatXAI(
        KEY, "http://sim.invalid/v1", max_retries=2, backoff_base=0.01, transport=transport
    ) as xai:
        with pytest.raises(APIConnectionError) as info:
            await collect(xai, ask())
    assert len(attempts) == 3
    assert "refused" in info.value.message
    assert KEY not in repr(info.value)


async def test_connect_error_then_success() -> None:
    attempts: list[httpx.Request] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        if len(attempts) == 1:
            raise httpx.ConnectError("Connection refused", request=request)
        return httpx.Response(200, json={"data": [{"id": "grok-4.3"}]})

    transport = httpx.MockTransport(flaky)
    async with ChatXAI(KEY, "http://sim.invalid/v1", backoff_base=0.01, transport=transport) as xai:
        assert await xai.list_models() == ["grok-4.3"]
    assert len(attempts) == 2


async def test_unreachable_server(unused_tcp_port: int) -> None:
    base = f"http://127.0.0.1:{unused_tcp_port}/v1"
    async with ChatXAI(KEY, base, max_retries=1, backoff_base=0.01) as xai:
        with pytest.raises(APIConnectionError):
            await xai.list_models()

"""AsyncXAI on the Responses API (the default) against the simulator over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from grok_lsp.xai import (
    AsyncXAI,
    AuthenticationError,
    ChatRequest,
    ContentDelta,
    Finished,
    InvalidRequestError,
    MalformedResponseError,
    ModelNotFoundError,
    OutputItems,
    RateLimitError,
    ReasoningDelta,
    ResponseFailedError,
    StreamEvent,
    StreamInterruptedError,
    StreamTimeoutError,
    ThinkingStarted,
    Usage,
    UsageReport,
)

KEY = "xai-FAKEKEY-9f8e7d6c5b4a"
MODEL = "grok-4.3"
SYSTEM = {"role": "system", "content": "You are Grok."}


def ask(control: str = "", **fields: Any) -> ChatRequest:
    text = "Explain the selected code." + (f" [[sim {control}]]" if control else "")
    fields.setdefault("model", MODEL)
    return ChatRequest(messages=[SYSTEM, {"role": "user", "content": text}], **fields)


@pytest.fixture
async def client(simulator: Any) -> AsyncIterator[AsyncXAI]:
    async with AsyncXAI(KEY, simulator.base_url, backoff_base=0.01, backoff_cap=0.05) as xai:
        yield xai


async def collect(
    xai: AsyncXAI, request: ChatRequest, seen: list[StreamEvent] | None = None
) -> list[StreamEvent]:
    seen = [] if seen is None else seen
    async for event in xai.stream_chat(request):
        seen.append(event)
    return seen


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, ContentDelta))


def items_of(events: list[StreamEvent]) -> list[dict[str, Any]]:
    (found,) = [e for e in events if isinstance(e, OutputItems)]
    return found.items


def usage_of(events: list[StreamEvent]) -> Usage:
    return [e for e in events if isinstance(e, UsageReport)][-1].usage


async def test_the_request_keeps_nothing_on_xais_servers_and_asks_for_encrypted_reasoning(
    client: AsyncXAI, simulator: Any
) -> None:
    await collect(client, ask(conversation_id="conv-7", max_tokens=500, reasoning_effort="low"))
    (record,) = simulator.chats
    body = record.body
    assert record.path == "/v1/responses"
    assert body["store"] is False
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["prompt_cache_key"] == "conv-7"
    assert body["input"][0] == SYSTEM  # the system prompt is the first input message
    assert "instructions" not in body
    assert "temperature" not in body  # the API's own default unless set
    assert body["max_output_tokens"] == 500
    assert body["reasoning"] == {"effort": "low"}
    assert body["stream"] is True


async def test_events_come_as_thinking_summary_text_then_items_usage_and_finish(
    client: AsyncXAI,
) -> None:
    events = await collect(client, ask("reasoning=3 tokens=4"))
    kinds = [type(e) for e in events]
    thinking, text = [ReasoningDelta] * 3, [ContentDelta] * 4
    assert kinds == [ThinkingStarted, *thinking, *text, OutputItems, UsageReport, Finished]
    assert text_of(events) == "w0 w1 w2 w3"
    reasoning, message = items_of(events)
    assert reasoning["type"] == "reasoning" and reasoning["encrypted_content"]
    assert reasoning["summary"] == [
        {"type": "summary_text", "text": "thinking0 thinking1 thinking2"}
    ]
    assert message["type"] == "message" and message["content"][0]["text"] == "w0 w1 w2 w3"
    usage = usage_of(events)
    # output_tokens include the reasoning tokens
    assert (usage.completion_tokens, usage.reasoning_tokens) == (7, 3)
    assert events[-1] == Finished("stop", complete=True)


async def test_reasoning_goes_back_unchanged_and_in_place_and_the_cache_serves_it(
    client: AsyncXAI, simulator: Any
) -> None:
    first = ask("reasoning=2", conversation_id="conv-1")
    answered = await collect(client, first)
    items = items_of(answered)
    follow_up = ChatRequest(
        messages=[
            *first.messages,
            {"role": "assistant", "content": text_of(answered), "items": items},
            {"role": "user", "content": "Answer the user's question. Why?"},
        ],
        model=MODEL,
        conversation_id="conv-1",
    )
    events = await collect(client, follow_up)
    sent = simulator.chats[-1].body["input"]
    assert sent == [*first.messages, *items, follow_up.messages[-1]]  # reasoning before message
    assert simulator.chats[-1].reasoning_returned == 1  # recognised, and accepted
    assert usage_of(events).cached_tokens == usage_of(answered).prompt_tokens > 0


async def test_an_altered_reasoning_item_is_refused(client: AsyncXAI) -> None:
    first = ask("reasoning=2")
    items = items_of(await collect(client, first))
    altered = [{**items[0], "summary": [{"type": "summary_text", "text": "edited"}]}, items[1]]
    request = ChatRequest(
        messages=[
            *first.messages,
            {"role": "assistant", "content": "x", "items": altered},
            {"role": "user", "content": "And?"},
        ],
        model=MODEL,
    )
    with pytest.raises(InvalidRequestError, match="does not match its encrypted_content"):
        await collect(client, request)


async def test_max_output_tokens_counts_reasoning_and_the_cut_answer_is_incomplete(
    client: AsyncXAI,
) -> None:
    events = await collect(client, ask("reasoning=3 tokens=10", max_tokens=5))
    assert text_of(events) == "w0 w1 "  # 5 output tokens: 3 reasoning, 2 text
    assert events[-1] == Finished("length", complete=False)
    assert usage_of(events).completion_tokens == 5
    assert items_of(events)[-1]["status"] == "incomplete"


async def test_a_body_without_a_terminal_event_is_a_dropped_stream(client: AsyncXAI) -> None:
    seen: list[StreamEvent] = []
    with pytest.raises(StreamInterruptedError) as raised:
        await collect(client, ask("tokens=6 end_after=3"), seen)
    assert raised.value.partial == "w0 w1 w2 "
    assert not any(isinstance(e, (Finished, OutputItems)) for e in seen)


async def test_a_trailing_done_marker_is_tolerated(client: AsyncXAI) -> None:
    events = await collect(client, ask("tokens=3 done=1"))
    assert text_of(events) == "w0 w1 w2" and events[-1] == Finished("stop", complete=True)


async def test_a_failed_response_keeps_the_partial_answer_and_says_why(client: AsyncXAI) -> None:
    with pytest.raises(ResponseFailedError, match="Simulated failure") as raised:
        await collect(client, ask("tokens=6 fail_after=2"))
    assert raised.value.partial == "w0 w1 "


async def test_a_malformed_event_keeps_the_partial_answer(client: AsyncXAI) -> None:
    with pytest.raises(MalformedResponseError) as raised:
        await collect(client, ask("tokens=6 malformed_after=2"))
    assert raised.value.partial == "w0 w1 "


async def test_a_dropped_connection_keeps_the_partial_answer(client: AsyncXAI) -> None:
    with pytest.raises(StreamInterruptedError) as raised:
        await collect(client, ask("tokens=6 drop_after=4"))
    assert raised.value.partial == "w0 w1 w2 w3 "


async def test_silence_mid_answer_times_out(simulator: Any) -> None:
    async with AsyncXAI(KEY, simulator.base_url, timeout_seconds=0.5) as xai:
        with pytest.raises(StreamTimeoutError) as raised:
            await collect(xai, ask("tokens=6 stall_after=1"))
    assert raised.value.partial == "w0 "


async def test_statuses_map_to_their_classes_and_retries_stop_at_success(
    client: AsyncXAI, simulator: Any
) -> None:
    with pytest.raises(ModelNotFoundError):
        await collect(client, ask(model="grok-99"))
    async with AsyncXAI("bad-key-123456789", simulator.base_url, max_retries=0) as bad:
        with pytest.raises(AuthenticationError) as raised:
            await collect(bad, ask())
    assert "bad-key-123456789" not in raised.value.user_message()
    async with AsyncXAI(KEY, simulator.base_url, max_retries=0) as once:
        with pytest.raises(RateLimitError):
            await collect(once, ask("status=429"))
    simulator.clear()
    events = await collect(client, ask("fail_times=2 key=flaky tokens=2"))
    assert text_of(events) == "w0 w1"
    assert [r.status for r in simulator.chats] == [503, 503, 200]


async def test_a_whole_response_has_the_text_reasoning_and_usage(
    client: AsyncXAI, simulator: Any
) -> None:
    result = await client.chat(ask("reasoning=2 tokens=3"))
    assert simulator.chats[-1].body["stream"] is False
    assert result.text == "w0 w1 w2"
    assert result.reasoning == "thinking0 thinking1"
    assert (result.usage.completion_tokens, result.usage.reasoning_tokens) == (5, 2)
    assert result.finish_reason == "stop"

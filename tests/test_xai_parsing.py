"""Pure units of the xAI client: chunk parsing, error bodies, Retry-After, request building."""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

import httpx
import pytest

from grok_lsp import __version__
from grok_lsp.xai import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ChatRequest,
    ContentDelta,
    Finished,
    InvalidRequestError,
    MalformedResponseError,
    ModelNotFoundError,
    OutputItems,
    PermissionDeniedError,
    RateLimitError,
    ReasoningDelta,
    ResponseFailedError,
    ServiceUnavailableError,
    StreamInterruptedError,
    StreamTimeoutError,
    Usage,
    UsageReport,
    _parse,
    _requests,
)
from grok_lsp.xai.responses import ResponseStreamParser
from grok_lsp.xai.responses import parse_usage as responses_usage

KEY = "xai-FAKEKEY-0123456789abcdef"


def chunk(
    content: str | None = None,
    reasoning: str | None = None,
    finish: str | None = None,
    usage: dict[str, Any] | None = None,
    choices: bool = True,
) -> str:
    delta: dict[str, Any] = {}
    if content is not None:
        delta["content"] = content
    if reasoning is not None:
        delta["reasoning_content"] = reasoning
    body: dict[str, Any] = {
        "model": "grok-4.3",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if choices else [],
    }
    if usage is not None:
        body["usage"] = usage
    return json.dumps(body)


USAGE = {
    "prompt_tokens": 12,
    "completion_tokens": 7,
    "prompt_tokens_details": {"cached_tokens": 8},
    "completion_tokens_details": {"reasoning_tokens": 3},
}


# xAI's chat completions count reasoning apart from `completion_tokens` (7 + 3); grok-lsp's
# completion tokens are the whole output, reasoning included, as the Responses API counts.
OUTPUT_USAGE = Usage(prompt_tokens=12, completion_tokens=10, reasoning_tokens=3, cached_tokens=8)


def test_chunk_events_come_in_order_reasoning_content_finish_usage() -> None:
    parser = _parse.StreamParser()
    events = parser.feed(chunk(content="b", reasoning="a", finish="stop", usage=USAGE))
    assert events == [
        ReasoningDelta("a"),
        ContentDelta("b"),
        Finished("stop"),
        UsageReport(OUTPUT_USAGE),
    ]


def test_stream_state_accumulates_and_done_stops_it() -> None:
    parser = _parse.StreamParser()
    for data in [chunk(reasoning="think "), chunk(content="Hello "), chunk(content="world")]:
        parser.feed(data)
    assert parser.feed(" [DONE] ") == []
    assert parser.done
    assert (parser.text, parser.reasoning, parser.model) == ("Hello world", "think ", "grok-4.3")


def test_empty_choices_and_blank_data_are_tolerated() -> None:
    parser = _parse.StreamParser()
    assert parser.feed("") == []
    assert parser.feed(chunk(choices=False)) == []
    assert parser.feed(chunk(choices=False, usage=USAGE)) == [UsageReport(OUTPUT_USAGE)]
    assert parser.feed(chunk(content="")) == []


def test_last_usage_wins_in_parser_state() -> None:
    parser = _parse.StreamParser()
    parser.feed(chunk(content="a", usage={"prompt_tokens": 1, "completion_tokens": 1}))
    parser.feed(chunk(content="b", usage={"prompt_tokens": 1, "completion_tokens": 2}))
    assert parser.usage == Usage(prompt_tokens=1, completion_tokens=2)


def test_other_choices_are_ignored() -> None:
    parser = _parse.StreamParser()
    data = json.dumps({"choices": [{"index": 1, "delta": {"content": "x"}}]})
    assert parser.feed(data) == []


@pytest.mark.parametrize("data", ["{not json", "[1, 2]", '{"choices": "nope"}'])
def test_malformed_chunk_keeps_partial(data: str) -> None:
    parser = _parse.StreamParser()
    parser.feed(chunk(content="so far"))
    with pytest.raises(MalformedResponseError) as info:
        parser.feed(data)
    assert info.value.partial == "so far"


def test_parse_completion() -> None:
    payload = {
        "model": "grok-4.3",
        "choices": [
            {
                "message": {"role": "assistant", "content": "hi", "reasoning_content": "r"},
                "finish_reason": "stop",
            }
        ],
        "usage": USAGE,
    }
    result = _parse.parse_completion(payload, "fallback")
    assert (result.text, result.reasoning, result.finish_reason) == ("hi", "r", "stop")
    assert result.usage == OUTPUT_USAGE
    assert result.model == "grok-4.3"
    with pytest.raises(MalformedResponseError):
        _parse.parse_completion({"choices": []}, "m")


def test_model_lists_and_objects() -> None:
    assert _parse.model_ids({"data": [{"id": "a"}, {"id": "b"}, "junk"]}) == ["a", "b"]
    assert _parse.language_models({"models": [{"id": "a"}, 3]}) == [{"id": "a"}]
    with pytest.raises(MalformedResponseError):
        _parse.model_ids({"models": []})
    with pytest.raises(MalformedResponseError):
        _parse.language_models([])
    with pytest.raises(MalformedResponseError):
        _parse.json_object([1])
    with pytest.raises(MalformedResponseError):
        _parse.load_json("<html>")


def test_completion_from_stream_has_the_completion_shape() -> None:
    parser = _parse.StreamParser()
    parser.feed(chunk(reasoning="r"))
    parser.feed(chunk(content="text", finish="stop"))
    parser.feed(chunk(choices=False, usage=USAGE))
    completion = _parse.completion_from_stream(parser)
    choice = completion["choices"][0]
    assert choice["message"] == {
        "role": "assistant",
        "content": "text",
        "reasoning_content": "r",
    }
    assert choice["finish_reason"] == "stop"
    assert completion["usage"]["prompt_tokens_details"]["cached_tokens"] == 8
    assert completion["usage"]["completion_tokens"] == 7  # the API's own count again
    assert _parse.parse_completion(completion, "m").usage == OUTPUT_USAGE


def test_api_message_shapes() -> None:
    assert _requests.api_message('{"code": "c", "error": "flat"}') == "flat"
    assert _requests.api_message('{"error": {"message": "nested"}}') == "nested"
    assert _requests.api_message("plain text") == "plain text"
    assert _requests.api_message('{"other": 1}') == '{"other": 1}'


def status(code: int, body: str, path: str = "chat/completions", **headers: str) -> APIStatusError:
    return _requests.status_error(code, body, httpx.Headers(headers), secret=KEY, path=path)


@pytest.mark.parametrize(
    ("code", "body", "cls"),
    [
        (400, f'{{"error": "Incorrect API key provided: {KEY}"}}', AuthenticationError),
        (400, '{"error": "temperature must be at most 2"}', InvalidRequestError),
        (401, '{"error": "no auth"}', AuthenticationError),
        (403, '{"error": "forbidden"}', PermissionDeniedError),
        (404, '{"error": "The model grok-x does not exist"}', ModelNotFoundError),
        (422, "Failed to deserialize the JSON body", InvalidRequestError),
        (429, '{"error": "slow down"}', RateLimitError),
        (500, "", ServiceUnavailableError),
        (503, "busy", ServiceUnavailableError),
        (418, "teapot", APIStatusError),
    ],
)
def test_status_mapping(code: int, body: str, cls: type[APIStatusError]) -> None:
    error = status(code, body)
    assert type(error) is cls
    assert error.status == code
    assert error.message
    assert KEY not in error.message
    assert KEY not in error.user_message()


def test_status_message_is_redacted_and_truncated() -> None:
    error = status(400, json.dumps({"error": {"message": f"bad {KEY} " + "x" * 2000}}))
    assert KEY not in error.message
    assert _requests.REDACTED in error.message
    assert len(error.message) <= _requests.MAX_MESSAGE_CHARS


def test_404_outside_chat_is_not_a_model_error() -> None:
    error = status(404, "Not Found", path="language-models")
    assert type(error) is APIStatusError
    assert "language-models" in error.hint


def test_retry_after_seconds_and_date() -> None:
    assert status(429, "", **{"retry-after": "2.5"}).retry_after == 2.5
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    after = _requests.parse_retry_after(later)
    assert after is not None
    assert 25 < after <= 30
    assert _requests.parse_retry_after("-3") == 0.0
    assert _requests.parse_retry_after("soon") is None
    assert _requests.parse_retry_after(None) is None


def test_retry_delay_full_jitter_and_retry_after_cap() -> None:
    busy = ServiceUnavailableError("busy", status=503)
    delays = [
        _requests.retry_delay(3, busy, base=0.5, cap=2.0, retry_after_cap=30) for _ in range(200)
    ]
    assert all(0 <= d <= 2.0 for d in delays)
    assert len(set(delays)) > 1
    limited = RateLimitError("wait", status=429, retry_after=100)
    assert _requests.retry_delay(0, limited, base=0.5, cap=2.0, retry_after_cap=30) == 30
    soon = RateLimitError("wait", status=429, retry_after=1.5)
    assert _requests.retry_delay(0, soon, base=0.5, cap=2.0, retry_after_cap=30) == 1.5


def test_retryable() -> None:
    assert _requests.is_retryable(RateLimitError("", status=429))
    assert _requests.is_retryable(ServiceUnavailableError("", status=502))
    assert not _requests.is_retryable(ServiceUnavailableError("", status=501))
    assert not _requests.is_retryable(AuthenticationError("", status=401))
    assert _requests.is_retryable(APIConnectionError("refused"))
    assert not _requests.is_retryable(StreamTimeoutError("slow"))


def test_transport_error_mapping() -> None:
    assert isinstance(_requests.connect_error(httpx.ConnectError("x"), 5), APIConnectionError)
    assert isinstance(_requests.connect_error(httpx.ReadTimeout("x"), 5), StreamTimeoutError)
    late = _requests.body_error(httpx.ReadTimeout("x"), 5, "part")
    assert isinstance(late, StreamTimeoutError)
    assert late.partial == "part"
    dropped = _requests.body_error(httpx.RemoteProtocolError("x"), 5, "part")
    assert isinstance(dropped, StreamInterruptedError)
    assert dropped.partial == "part"


def test_request_building() -> None:
    request = ChatRequest(
        messages=[{"role": "user", "content": "hi"}],
        model="grok-4.3",
        temperature=0.2,
        max_tokens=50,
        conversation_id="conv-1",
    )
    body = _requests.chat_body(request, stream=True)
    assert body["stream_options"] == {"include_usage": True}
    assert body["max_completion_tokens"] == 50
    assert body["stream"] is True
    assert "stream_options" not in _requests.chat_body(request, stream=False)
    headers = _requests.build_headers(KEY, conversation_id="conv-1", stream=True)
    assert headers["Authorization"] == f"Bearer {KEY}"
    assert headers["x-grok-conv-id"] == "conv-1"
    assert headers["User-Agent"] == f"grok-lsp/{__version__}"
    assert "x-grok-conv-id" not in _requests.build_headers(KEY)
    assert _requests.endpoint_url("http://h/v1/", "/models") == "http://h/v1/models"


def _event(kind: str, **fields: Any) -> str:
    return json.dumps({"type": kind, **fields})


def test_responses_parser_ignores_events_it_does_not_need_and_done_before_the_end() -> None:
    parser = ResponseStreamParser()
    assert parser.feed(_event("response.created", response={"model": "grok-4.3"})) == []
    assert parser.feed(_event("response.content_part.added", part={})) == []
    assert parser.feed(_event("response.output_text.delta", delta="hi")) == [ContentDelta("hi")]
    assert parser.feed("[DONE]") == [] and not parser.done  # not an end: no terminal event yet
    assert parser.text == "hi"


def test_responses_parser_an_incomplete_response_is_never_complete() -> None:
    for reason, finish in (("max_output_tokens", "length"), ("content_filter", "content_filter")):
        parser = ResponseStreamParser()
        response = {"status": "incomplete", "incomplete_details": {"reason": reason}, "output": []}
        events = parser.feed(_event("response.incomplete", response=response))
        assert events == [OutputItems([]), Finished(finish, complete=False)]
        assert parser.done


def test_responses_parser_error_events_raise_with_the_apis_words() -> None:
    parser = ResponseStreamParser()
    parser.feed(_event("response.output_text.delta", delta="par"))
    with pytest.raises(ResponseFailedError, match=r"overloaded \(server_error\)") as raised:
        parser.feed(_event("error", code="server_error", message="overloaded"))
    assert raised.value.partial == "par"
    with pytest.raises(MalformedResponseError):
        ResponseStreamParser().feed(_event("response.completed", response={"output": "x"}))
    with pytest.raises(MalformedResponseError):
        ResponseStreamParser().feed('{"no": "type"}')


def test_responses_usage_keeps_reasoning_inside_the_output() -> None:
    raw = {
        "input_tokens": 100,
        "input_tokens_details": {"cached_tokens": 90},
        "output_tokens": 30,
        "output_tokens_details": {"reasoning_tokens": 20},
    }
    assert responses_usage(raw) == Usage(100, 30, 20, 90)


@pytest.mark.parametrize(
    "data",
    [
        '{"type": "response.output_text.delta", "delta": "x"}',
        ' {"a": [1, 2.5, null, true]}  ',
        '\t"text"\n',
        "[]",
        "0",
    ],
)
def test_event_json_reads_what_json_loads_reads(data: str) -> None:
    assert _parse.event_json(data) == json.loads(data)


@pytest.mark.parametrize("data", ['{"a": 1} {"b": 2}', '{"a": 1}x', "", "  ", "[DONE]", "{'a': 1}"])
def test_event_json_refuses_what_json_loads_refuses(data: str) -> None:
    with pytest.raises(json.JSONDecodeError) as refused:
        _parse.event_json(data)
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(data)
    assert str(refused.value) == str(expected.value)


def test_responses_parser_reads_a_padded_delta_and_refuses_one_with_extra_data() -> None:
    parser = ResponseStreamParser()
    padded = "  " + _event("response.output_text.delta", delta="a") + " \n"
    assert parser.feed(padded) == [ContentDelta("a")]
    with pytest.raises(MalformedResponseError) as refused:
        parser.feed(_event("response.output_text.delta", delta="b") + "}")
    assert refused.value.partial == "a"
    assert parser.text == "a"

"""The seed's synchronous XAI class against the simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from grok_lsp.xai import (
    DEFAULT_MODEL,
    XAI,
    AuthenticationError,
    MissingAPIKeyError,
    ModelNotFoundError,
    RateLimitError,
    StreamInterruptedError,
    StreamTimeoutError,
)

KEY = "xai-FAKEKEY-sync-00112233"


def messages(control: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"Explain this. [[sim {control}]]"}]


def words(n: int) -> list[str]:
    return [f"w{i}" for i in range(n)]


@pytest.fixture
def xai(simulator: Any) -> Iterator[XAI]:
    with XAI(KEY, base_url=simulator.base_url) as client:
        yield client


def test_default_model_is_the_spec_default() -> None:
    assert DEFAULT_MODEL == "grok-4.3"


def test_chat_completion_returns_the_api_dict(xai: XAI, simulator: Any) -> None:
    response = xai.chat_completion(messages("tokens=5"))
    assert response["choices"][0]["message"]["content"].split() == words(5)
    assert response["usage"]["prompt_tokens"] > 0
    [record] = simulator.requests
    assert record.body["model"] == DEFAULT_MODEL
    assert record.body["temperature"] == 0
    assert record.body["stream"] is False


def test_stream_chat_completion_yields_json_chunks(xai: XAI) -> None:
    chunks = list(xai.stream_chat_completion(messages("tokens=30"), temperature=0.5))
    assert chunks
    assert all(not c.startswith("data") and "[DONE]" not in c for c in chunks)
    parsed = [json.loads(c) for c in chunks]
    text = "".join(choice["delta"].get("content") or "" for p in parsed for choice in p["choices"])
    assert text.split() == words(30)
    assert "usage" in parsed[-1]


def test_chat_completion_streamed_is_reassembled(xai: XAI) -> None:
    response = xai.chat_completion(messages("tokens=8 reasoning=2"), stream=True)
    message = response["choices"][0]["message"]
    assert message["content"].split() == words(8)
    assert len(message["reasoning_content"].split()) == 2
    assert response["choices"][0]["finish_reason"] == "stop"
    assert response["usage"]["completion_tokens"] > 0


def test_send_request(xai: XAI) -> None:
    assert DEFAULT_MODEL in [m["id"] for m in xai._send_request("GET", "models")["data"]]
    with pytest.raises(ModelNotFoundError):
        xai._send_request("POST", "/chat/completions", {"model": "nope", "messages": []})


def test_http_errors_carry_status_and_message(xai: XAI) -> None:
    with pytest.raises(RateLimitError) as info:
        xai.chat_completion(messages("status=429 error_shape=nested"))
    assert info.value.status == 429
    assert info.value.message
    with pytest.raises(ModelNotFoundError):
        list(xai.stream_chat_completion(messages("tokens=2"), model="grok-nope"))


def test_bad_key_is_rejected_and_never_shown(simulator: Any) -> None:
    bad = "bad-FAKEKEY-sync-998877"
    with XAI(bad, base_url=simulator.base_url) as client:
        assert bad not in repr(client)
        with pytest.raises(AuthenticationError) as info:
            client.chat_completion(messages("tokens=2"))
        with pytest.raises(AuthenticationError) as stream_info:
            list(client.stream_chat_completion(messages("tokens=2")))
    for error in (info.value, stream_info.value):
        assert bad not in f"{error} {error!r} {error.user_message()}"


def test_missing_key(simulator: Any) -> None:
    with XAI(None, base_url=simulator.base_url) as client, pytest.raises(MissingAPIKeyError):
        client.chat_completion(messages("tokens=1"))
    assert simulator.requests == []


def test_dropped_stream_raises_after_the_chunks(xai: XAI) -> None:
    received: list[str] = []
    with pytest.raises(StreamInterruptedError) as info:
        received.extend(xai.stream_chat_completion(messages("tokens=10 drop_after=3")))
    assert info.value.partial.split() == words(3)
    assert len(received) >= 3


def test_stall_hits_the_timeout(simulator: Any) -> None:
    client = XAI(KEY, base_url=simulator.base_url, timeout_seconds=0.5)
    with client, pytest.raises(StreamTimeoutError) as info:
        list(client.stream_chat_completion(messages("tokens=10 stall_after=2")))
    assert info.value.partial.split() == words(2)

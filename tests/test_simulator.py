"""The Grok API simulator, spoken to over real HTTP with plain httpx (docs/simulator.md)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

import httpx
import pytest

from grok_lsp.simulator import RequestRecord, Simulator
from grok_lsp.simulator.answers import read_prompt
from tests.waiting import until_sync

KEY = {"Authorization": "Bearer test-key-0123456789"}
PYTHON_SELECTION = """Explain this.
File: `src/shop/cart.py`

## Selected code

```python
10 | def total(items):
11 |     subtotal = sum(i.price for i in items)
12 |
13 |     return subtotal
```
"""


# How a user turn opens for each task: the simulator reads the task from these words.
OPENINGS = {
    "explain": "Explain the selected code.",
    "tests": "Write tests for the selected code.",
    "refactor": "Refactor the selected code.",
    "fix": "Fix the selected code.",
    "document": "Document the selected code.",
    "ask": "Answer the user's question about their code.",
}


def messages(task: str, user: str, *history: dict[str, str]) -> list[dict[str, str]]:
    system = {"role": "system", "content": "You are a coding assistant."}
    return [system, *history, {"role": "user", "content": f"{OPENINGS[task]}\n{user}"}]


def selection(code: str, language: str, path: str, instruction: str = "") -> str:
    numbered = "\n".join(f"{n} | {line}" for n, line in enumerate(code.split("\n"), start=1))
    return f"{instruction}\nFile: `{path}`\n\n## Selected code\n\n```{language}\n{numbered}\n```\n"


def post(
    sim: Simulator, body: dict[str, Any], *, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.post(
        f"{sim.base_url}/chat/completions", json=body, headers={**KEY, **(headers or {})}
    )


def data_lines(response: httpx.Response) -> list[str]:
    """The `data:` payloads of an SSE body, in order (comments and blank lines skipped)."""
    payloads = []
    for line in response.text.splitlines():
        if line.startswith("data:"):
            payloads.append(line.removeprefix("data:").removeprefix(" "))
    return payloads


def chunks(response: httpx.Response) -> list[dict[str, Any]]:
    payloads = data_lines(response)
    assert payloads[-1] == "[DONE]"
    return [json.loads(p) for p in payloads[:-1]]


def content(events: list[dict[str, Any]]) -> str:
    return "".join(
        c["delta"].get("content", "") for e in events for c in e["choices"] if c["delta"]
    )


def stream(sim: Simulator, msgs: list[dict[str, str]], **extra: Any) -> httpx.Response:
    headers = extra.pop("headers", None)
    body = {"model": "grok-4.3", "messages": msgs, "stream": True, **extra}
    response = post(sim, body, headers=headers)
    assert response.status_code == 200, response.text
    return response


def test_streamed_explanation_quotes_the_code_and_ends_with_done(simulator: Simulator) -> None:
    response = stream(simulator, messages("explain", PYTHON_SELECTION))

    assert response.headers["content-type"].startswith("text/event-stream")
    events = chunks(response)
    text = content(events)
    assert "`src/shop/cart.py`" in text
    assert "def total(items):" in text
    assert "10 |" not in text
    assert events[0]["object"] == "chat.completion.chunk"
    assert events[0]["choices"][0]["delta"]["role"] == "assistant"
    assert events[-1]["choices"][0]["finish_reason"] == "stop"
    # One word (with its whitespace) per chunk.
    pieces = [e["choices"][0]["delta"]["content"] for e in events[:-1]]
    assert all(len(piece.split()) == 1 for piece in pieces)
    [record] = simulator.requests
    assert record.completed
    assert not record.disconnected
    assert record.chunks_sent == len(pieces)


def test_the_same_request_gets_the_same_answer(simulator: Simulator) -> None:
    first = content(chunks(stream(simulator, messages("tests", PYTHON_SELECTION))))
    second = content(chunks(stream(simulator, messages("tests", PYTHON_SELECTION))))
    assert first == second
    assert "Tests" in first


def test_follow_up_without_code_counts_earlier_turns(simulator: Simulator) -> None:
    history = [
        {"role": "user", "content": PYTHON_SELECTION},
        {"role": "assistant", "content": "It sums prices."},
        {"role": "user", "content": "And taxes?"},
        {"role": "assistant", "content": "None."},
    ]
    msgs = messages("ask", "Why no discount?", *history)
    text = content(chunks(stream(simulator, msgs)))
    assert "2 earlier turns" in text


def test_refactor_applies_every_rename_as_a_whole_word(simulator: Simulator) -> None:
    code = "def load(path):\n    loader = load_all(path)\n    return load(loader)"
    user = selection(code, "python", "io.py", "Please rename load to read and rename path to p.")
    text = content(chunks(stream(simulator, messages("refactor", user))))

    expected = "def read(p):\n    loader = load_all(p)\n    return read(loader)"
    assert text == f"Here is the refactored code for `io.py`:\n\n```python\n{expected}\n```\n"


@pytest.mark.parametrize(
    ("language", "path", "code", "expected"),
    [
        (
            "python",
            "a.py",
            "class Cart:\n    async def add(self):\n        pass",
            "# Cart: documented by grok-sim.\nclass Cart:\n"
            "    # add: documented by grok-sim.\n    async def add(self):\n        pass",
        ),
        (
            "lua",
            "a.lua",
            "local function go()\nend",
            "-- go: documented by grok-sim.\nlocal function go()\nend",
        ),
        (
            "lua",
            "a.lua",
            "function go()\nend",
            "-- go: documented by grok-sim.\nfunction go()\nend",
        ),
        (
            "typescript",
            "a.ts",
            "export function go(): void {}",
            "// go: documented by grok-sim.\nexport function go(): void {}",
        ),
        (
            "",
            "lib.rs",
            "  pub fn go() {}",
            "  // go: documented by grok-sim.\n  pub fn go() {}",
        ),
    ],
)
def test_document_comments_every_definition(
    simulator: Simulator, language: str, path: str, code: str, expected: str
) -> None:
    text = content(chunks(stream(simulator, messages("document", selection(code, language, path)))))
    assert f"```{language}\n{expected}\n```" in text


def test_line_number_prefixes_are_stripped_even_on_empty_lines() -> None:
    prompt = read_prompt(messages("explain", PYTHON_SELECTION))
    assert prompt.selection is not None
    assert prompt.selection.code.split("\n") == [
        "def total(items):",
        "    subtotal = sum(i.price for i in items)",
        "",
        "    return subtotal",
    ]
    assert prompt.path == "src/shop/cart.py"
    assert prompt.task == "explain"


def test_header_control_replaces_the_answer(simulator: Simulator) -> None:
    response = stream(simulator, messages("explain", "hi"), headers={"x-sim": "tokens=4"})
    events = chunks(response)
    assert [e["choices"][0]["delta"].get("content") for e in events[:-1]] == [
        "w0 ",
        "w1 ",
        "w2 ",
        "w3",
    ]
    assert simulator.requests[0].control is not None
    assert simulator.requests[0].control.tokens == 4


def test_marker_control_in_the_document_streams_reasoning_first(simulator: Simulator) -> None:
    code = "x = 1  # [[sim reasoning=3 tokens=2]]"
    events = chunks(stream(simulator, messages("explain", selection(code, "python", "a.py"))))
    deltas = [e["choices"][0]["delta"] for e in events[:-1]]
    assert [d.get("reasoning_content") for d in deltas[:3]] == [
        "thinking0 ",
        "thinking1 ",
        "thinking2",
    ]
    assert [d.get("content") for d in deltas[3:]] == ["w0 ", "w1"]


def test_header_wins_over_marker(simulator: Simulator) -> None:
    response = stream(
        simulator, messages("ask", "hello [[sim tokens=5]]"), headers={"x-sim": "tokens=1"}
    )
    assert content(chunks(response)) == "w0"


def test_an_unknown_control_is_a_loud_400(simulator: Simulator) -> None:
    response = post(
        simulator,
        {"model": "grok-4.3", "messages": messages("ask", "hi")},
        headers={"x-sim": "tokesn=3"},
    )
    assert response.status_code == 400
    assert "tokesn=3" in response.json()["error"]


@pytest.mark.parametrize(
    ("shape", "read_message"),
    [
        ("flat", lambda r: r.json()["error"]),
        ("nested", lambda r: r.json()["error"]["message"]),
        ("text", lambda r: r.text),
    ],
)
def test_simulated_errors_in_each_shape_with_retry_after(
    simulator: Simulator, shape: str, read_message: Any
) -> None:
    response = post(
        simulator,
        {"model": "grok-4.3", "messages": messages("ask", "hi"), "stream": True},
        headers={"x-sim": f"status=429 retry_after=2 error_shape={shape}"},
    )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert "429" in read_message(response)
    if shape == "flat":
        assert response.json()["code"] == "Some resource has been exhausted"


def test_fail_times_fails_only_the_first_requests_of_a_scenario(simulator: Simulator) -> None:
    body = {"model": "grok-4.3", "messages": messages("ask", "hi")}
    control = {"x-sim": "fail_times=2 key=flaky status=500"}
    statuses = [post(simulator, body, headers=control).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    other = post(simulator, body, headers={"x-sim": "fail_times=1 key=other"})
    assert other.status_code == 503  # no status given: the service is "unavailable"
    assert [r.status for r in simulator.requests] == [500, 500, 200, 503]


def test_drop_after_interrupts_the_body(simulator: Simulator) -> None:
    received: list[str] = []
    body = {"model": "grok-4.3", "messages": messages("ask", "hi"), "stream": True}
    with (
        pytest.raises(httpx.RemoteProtocolError),
        httpx.stream(
            "POST",
            f"{simulator.base_url}/chat/completions",
            json=body,
            headers={**KEY, "x-sim": "drop_after=3 tokens=10"},
        ) as response,
    ):
        received.extend(line for line in response.iter_lines() if line)
    assert len(received) == 3
    assert "[DONE]" not in "".join(received)
    [record] = simulator.requests
    assert record.chunks_sent == 3
    assert not record.completed


def test_end_after_ends_cleanly_without_done(simulator: Simulator) -> None:
    response = stream(simulator, messages("ask", "hi"), headers={"x-sim": "end_after=2 tokens=5"})
    payloads = data_lines(response)
    assert [json.loads(p)["choices"][0]["delta"]["content"] for p in payloads] == ["w0 ", "w1 "]
    assert not simulator.requests[0].completed


@pytest.mark.parametrize("control", ["stall_after=2", "forever=1 tps=50"])
def test_a_client_leaving_mid_stream_is_recorded(simulator: Simulator, control: str) -> None:
    body = {"model": "grok-4.3", "messages": messages("ask", "hi"), "stream": True}
    with httpx.stream(
        "POST",
        f"{simulator.base_url}/chat/completions",
        json=body,
        headers={**KEY, "x-sim": control},
    ) as response:
        received = 0
        for line in response.iter_lines():
            received += line.startswith("data:")
            if received == 2:
                break
    left_at = time.monotonic()

    until_sync(lambda: simulator.requests[0].disconnected, "the disconnect noted")
    record = simulator.requests[0]
    assert not record.completed
    assert record.ended_at is not None
    assert record.ended_at - left_at < 5  # generous: noticed at once, not at a cap


def test_stopping_cuts_a_stalled_stream_and_leaves_no_thread() -> None:
    before = set(threading.enumerate())
    sim = Simulator().start()
    errors: list[Exception] = []

    def read_stalled_stream() -> None:
        body = {"model": "grok-4.3", "messages": messages("ask", "hi"), "stream": True}
        try:
            with httpx.stream(
                "POST",
                f"{sim.base_url}/chat/completions",
                json=body,
                headers={**KEY, "x-sim": "stall_after=1"},
            ) as response:
                for _ in response.iter_lines():
                    pass
        except httpx.HTTPError as exc:
            errors.append(exc)

    reader = threading.Thread(target=read_stalled_stream)
    reader.start()
    until_sync(lambda: bool(sim.requests) and sim.requests[0].chunks_sent == 1, "one chunk sent")
    sim.stop()
    reader.join(10)

    assert not reader.is_alive()
    assert [type(e) for e in errors] == [httpx.RemoteProtocolError]
    assert set(threading.enumerate()) <= before


def test_usage_is_reported_only_when_asked(simulator: Simulator) -> None:
    msgs = messages("ask", "hi")
    without = chunks(stream(simulator, msgs))
    assert all("usage" not in e for e in without)

    events = chunks(stream(simulator, msgs, stream_options={"include_usage": True}))
    last = events[-1]
    assert last["choices"] == []
    assert last["usage"]["completion_tokens"] == len(events) - 2
    # The input as the model sees it: each message after its role marker, one per line.
    seen = "\n".join(f"<|{m['role']}|>{m['content']}" for m in msgs)
    assert last["usage"]["prompt_tokens"] == (len(seen) + 3) // 4


def test_usage_control_overrides_stream_options(simulator: Simulator) -> None:
    every = chunks(stream(simulator, messages("ask", "hi"), headers={"x-sim": "usage=every"}))
    assert all("usage" in e for e in every)
    none = chunks(
        stream(
            simulator,
            messages("ask", "hi"),
            stream_options={"include_usage": True},
            headers={"x-sim": "usage=none"},
        )
    )
    assert all("usage" not in e for e in none)


def test_reasoning_tokens_and_cached_tokens_of_a_conversation(simulator: Simulator) -> None:
    options = {"include_usage": True}
    first_msgs = messages("ask", "first question")
    conv = {"x-grok-conv-id": "conv-1", "x-sim": "reasoning=4"}
    first = chunks(stream(simulator, first_msgs, stream_options=options, headers=conv))[-1]
    history = [first_msgs[1], {"role": "assistant", "content": "A."}]
    second_msgs = messages("ask", "second question", *history)
    second = chunks(stream(simulator, second_msgs, stream_options=options, headers=conv))[-1]
    elsewhere = chunks(
        stream(
            simulator,
            second_msgs,
            stream_options=options,
            headers={"x-grok-conv-id": "conv-2"},
        )
    )[-1]

    assert first["usage"]["completion_tokens_details"]["reasoning_tokens"] == 4
    assert first["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    cached = second["usage"]["prompt_tokens_details"]["cached_tokens"]
    assert cached == first["usage"]["prompt_tokens"] > 0  # all of the previous request
    assert elsewhere["usage"]["prompt_tokens_details"]["cached_tokens"] == 0


def test_the_cache_serves_only_the_prefix_shared_with_the_previous_request(
    simulator: Simulator,
) -> None:
    options = {"include_usage": True}
    conv = {"x-grok-conv-id": "conv-prefix"}
    shared = "You are a coding assistant. " * 20  # 560 characters: 140 tokens
    first = [{"role": "system", "content": shared + "Explain."}, {"role": "user", "content": "a"}]
    second = [{"role": "system", "content": shared + "Refactor."}, {"role": "user", "content": "a"}]
    chunks(stream(simulator, first, stream_options=options, headers=conv))
    usage = chunks(stream(simulator, second, stream_options=options, headers=conv))[-1]["usage"]
    cached = usage["prompt_tokens_details"]["cached_tokens"]
    # `<|system|>` (10 characters) and the shared text repeat; the rest does not.
    assert cached == (10 + len(shared) + 3) // 4
    assert cached < usage["prompt_tokens"]


def test_max_completion_tokens_stops_with_finish_reason_length(simulator: Simulator) -> None:
    events = chunks(
        stream(
            simulator,
            messages("explain", PYTHON_SELECTION),
            max_completion_tokens=3,
            stream_options={"include_usage": True},
        )
    )
    assert len([e for e in events if e["choices"] and e["choices"][0]["delta"]]) == 3
    assert events[-2]["choices"][0]["finish_reason"] == "length"
    assert events[-1]["usage"]["completion_tokens"] == 3


def test_forever_still_stops_at_max_tokens(simulator: Simulator) -> None:
    response = stream(
        simulator, messages("ask", "hi"), max_tokens=50, headers={"x-sim": "forever=1"}
    )
    events = chunks(response)
    assert content(events).split() == [f"w{n}" for n in range(50)]
    assert events[-1]["choices"][0]["finish_reason"] == "length"


def test_a_whole_completion(simulator: Simulator) -> None:
    response = post(
        simulator,
        {"model": "grok-4.3", "messages": messages("explain", PYTHON_SELECTION)},
        headers={"x-sim": "reasoning=2"},
    )
    completion = response.json()
    assert completion["object"] == "chat.completion"
    message = completion["choices"][0]["message"]
    assert "def total(items):" in message["content"]
    assert message["reasoning_content"] == "thinking0 thinking1"
    assert completion["choices"][0]["finish_reason"] == "stop"
    assert completion["usage"]["completion_tokens_details"]["reasoning_tokens"] == 2


def test_wire_format_controls(simulator: Simulator) -> None:
    response = stream(
        simulator,
        messages("ask", "hi"),
        headers={"x-sim": "tokens=3 malformed_after=1 keepalive=1 nospace=1"},
    )
    lines = response.text.split("\n")
    assert ": keep-alive" in lines
    data = [line for line in lines if line.startswith("data")]
    assert all(line.startswith("data:") and not line.startswith("data: ") for line in data)
    with pytest.raises(json.JSONDecodeError):
        json.loads(data[1].removeprefix("data:"))
    assert data[-1] == "data:[DONE]"


def test_huge_sends_one_chunk_of_that_many_bytes(simulator: Simulator) -> None:
    events = chunks(stream(simulator, messages("ask", "hi"), headers={"x-sim": "huge=200000"}))
    assert len(events[0]["choices"][0]["delta"]["content"]) == 200_000


def test_keys(simulator: Simulator) -> None:
    body = {"model": "grok-4.3", "messages": messages("ask", "hi")}
    missing = httpx.post(f"{simulator.base_url}/chat/completions", json=body)
    assert missing.status_code == 401
    bad = post(simulator, body, headers={"Authorization": "Bearer bad-key-42"})
    assert bad.status_code == 400
    assert "Incorrect API key provided: bad-key-42" in bad.json()["error"]


def test_unknown_model_is_404(simulator: Simulator) -> None:
    response = post(simulator, {"model": "grok-99", "messages": messages("ask", "hi")})
    assert response.status_code == 404
    assert "grok-99" in response.json()["error"]


def test_models_and_api_key_endpoints(simulator: Simulator) -> None:
    models = httpx.get(f"{simulator.base_url}/models", headers=KEY).json()
    assert models["object"] == "list"
    assert "grok-4.3" in [m["id"] for m in models["data"]]
    assert {m["object"] for m in models["data"]} == {"model"}

    priced = httpx.get(f"{simulator.base_url}/language-models", headers=KEY).json()["models"]
    assert all(m["prompt_text_token_price"] > 0 for m in priced)

    key = httpx.get(f"{simulator.base_url}/api-key", headers=KEY).json()
    assert key["redacted_api_key"] == "test...6789"
    assert httpx.get(f"{simulator.base_url}/models").status_code == 401


def test_requests_are_recorded_without_the_key(simulator: Simulator) -> None:
    post(simulator, {"model": "grok-4.3", "messages": messages("ask", "hi")})
    over_http = httpx.get(simulator.base_url.removesuffix("/v1") + "/_sim/requests").json()
    records: list[RequestRecord] = simulator.requests

    assert [r["path"] for r in over_http] == ["/v1/chat/completions"]
    assert over_http[0]["headers"]["authorization"] == "Bearer <redacted>"
    assert "test-key" not in json.dumps(over_http)
    assert records[0].body["messages"][-1]["content"] == messages("ask", "hi")[-1]["content"]
    assert records[0].method == "POST"
    assert records[0].status == 200


def test_a_non_streamed_answer_can_be_dropped(simulator: Simulator) -> None:
    body = {"model": "grok-4.3", "messages": messages("ask", "hi")}
    with pytest.raises(httpx.RemoteProtocolError):
        post(simulator, body, headers={"x-sim": "drop_after=0"})
    assert not simulator.requests[0].completed


def test_delay_and_tps_pace_the_stream(simulator: Simulator) -> None:
    stream(simulator, messages("ask", "hi"), headers={"x-sim": "delay=0.2 tps=20 tokens=5"})
    [record] = simulator.requests
    assert record.first_chunk_at is not None
    assert record.ended_at is not None
    # Lower bounds only: the simulator must wait at least this long, however slow the machine.
    assert record.first_chunk_at - record.started_at >= 0.2
    assert record.ended_at - record.first_chunk_at >= 4 / 20


def test_defaults_apply_under_each_requests_own_controls() -> None:
    with Simulator(defaults="tokens=3") as sim:
        plain = content(chunks(stream(sim, messages("ask", "hi"))))
        overridden = content(
            chunks(stream(sim, messages("ask", "hi"), headers={"x-sim": "tokens=1"}))
        )
    assert plain == "w0 w1 w2"
    assert overridden == "w0"


def test_a_typo_in_defaults_fails_at_once() -> None:
    with pytest.raises(ValueError, match="tokesn"):
        Simulator(defaults="tokesn=3")


# -- the Responses API ------------------------------------------------------------------


def respond(sim: Simulator, body: dict[str, Any], control: str = "") -> httpx.Response:
    headers = {**KEY, **({"x-sim": control} if control else {})}
    return httpx.post(
        f"{sim.base_url}/responses", json={"model": "grok-4.3", **body}, headers=headers
    )


def sse_events(response: httpx.Response) -> list[dict[str, Any]]:
    """The `data:` payloads as JSON; each comes after an `event:` line naming its type."""
    lines = response.text.splitlines()
    events = []
    for before, line in itertools.pairwise(lines):
        if line.startswith("data: ") and line != "data: [DONE]":
            event = json.loads(line.removeprefix("data: "))
            assert before == f"event: {event['type']}"
            events.append(event)
    return events


def test_a_streamed_response_ends_with_every_output_item_in_order(simulator: Simulator) -> None:
    opening = OPENINGS["explain"]
    body = {
        "input": [{"role": "user", "content": f"{opening}\n{PYTHON_SELECTION}"}],
        "stream": True,
        "include": ["reasoning.encrypted_content"],
        "store": False,
    }
    response = respond(simulator, body, "reasoning=2")
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response)
    kinds = [e["type"] for e in events]
    assert kinds[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert kinds[-1] == "response.completed" and "data: [DONE]" not in response.text
    summary = [e["delta"] for e in events if e["type"] == "response.reasoning_summary_text.delta"]
    text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert summary == ["thinking0 ", "thinking1"]
    assert "`src/shop/cart.py`" in text and "def total(items):" in text
    final = events[-1]["response"]
    reasoning, message = final["output"]  # the reasoning item right before its message
    assert reasoning["type"] == "reasoning" and reasoning["encrypted_content"]
    assert message["content"][0]["text"] == text
    usage = final["usage"]
    deltas = kinds.count("response.output_text.delta")
    assert usage["output_tokens"] == deltas + 2  # reasoning counts as output
    assert usage["output_tokens_details"]["reasoning_tokens"] == 2
    assert [e["sequence_number"] for e in events] == list(range(1, len(events) + 1))


def test_without_include_the_reasoning_is_not_encrypted_back(simulator: Simulator) -> None:
    payload = respond(simulator, {"input": "hi"}, "reasoning=2").json()
    assert payload["status"] == "completed"
    assert "encrypted_content" not in payload["output"][0]


def test_reasoning_that_was_not_sealed_here_is_refused(simulator: Simulator) -> None:
    forged = {"id": "rs_x", "type": "reasoning", "summary": [], "encrypted_content": "Zm9v"}
    response = respond(simulator, {"input": [forged, {"role": "user", "content": "hi"}]})
    assert response.status_code == 400
    assert "Could not decrypt" in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"input": []}, "`input`"),
        ({"input": [{"role": "robot", "content": "x"}]}, "role"),
        ({"input": [{"type": "image_generation_call"}]}, "not supported"),
        ({"input": "hi", "max_output_tokens": 0}, "max_output_tokens"),
        ({"input": "hi", "reasoning": {"effort": "extreme"}}, "reasoning.effort"),
    ],
)
def test_bad_response_requests_are_answered_400(
    simulator: Simulator, body: dict[str, Any], words: str
) -> None:
    response = respond(simulator, body)
    assert response.status_code == 400 and words in response.json()["error"]


def test_the_responses_cache_is_keyed_by_prompt_cache_key(simulator: Simulator) -> None:
    first = [{"role": "system", "content": "S" * 400}, {"role": "user", "content": "one"}]
    second = [*first, {"role": "assistant", "content": "A."}, {"role": "user", "content": "two"}]
    before = respond(simulator, {"input": first, "prompt_cache_key": "k1"}).json()["usage"]
    after = respond(simulator, {"input": second, "prompt_cache_key": "k1"}).json()["usage"]
    other = respond(simulator, {"input": second, "prompt_cache_key": "k2"}).json()["usage"]
    assert before["input_tokens_details"]["cached_tokens"] == 0
    assert after["input_tokens_details"]["cached_tokens"] == before["input_tokens"]
    assert other["input_tokens_details"]["cached_tokens"] == 0

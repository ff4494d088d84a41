"""The simulator's grok.com endpoints, read as raw NDJSON (docs/simulator.md)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from grok_lsp.grokweb.payload import request_body
from grok_lsp.simulator.grokcom import split_prompt

NEW = "/rest/app-chat/conversations/new"
PROMPT = (
    "System: Persona.\nUser: Explain the code.\nFile: `pkg/calc.py` (python), lines 1-1 of 1."
    "\n\nSelected code:\n```python\n1 | x = 1\n```\n\nRequest: Explain.\nAssistant:"
)


def post(
    simulator: Any, path: str, message: str = PROMPT, *, cookie: str | None = "sso=abc", **body: Any
) -> httpx.Response:
    headers = {"Cookie": cookie} if cookie else {}
    payload = {**request_body("grok-3", message), **body}
    return httpx.post(f"{simulator.root_url}{path}", json=payload, headers=headers, timeout=10)


def results(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line)["result"] for line in response.text.splitlines() if line]


def test_a_new_conversation_streams_id_tokens_final_message_and_title(simulator: Any) -> None:
    lines = results(post(simulator, NEW))
    conversation_id = lines[0]["conversation"]["conversationId"]
    assert conversation_id
    assert lines[1]["response"]["userResponse"]["sender"] == "human"
    tokens = [r["response"]["token"] for r in lines if "token" in r.get("response", {})]
    final = lines[-2]["response"]["modelResponse"]
    assert "".join(tokens) == final["message"]
    assert "`pkg/calc.py`" in final["message"] and "x = 1" in final["message"]
    assert lines[-1] == {"title": {"newTitle": "Explain: calc.py"}}


def test_a_continued_conversation_has_flat_results_and_no_title(simulator: Any) -> None:
    conversation_id = results(post(simulator, NEW))[0]["conversation"]["conversationId"]
    path = f"/rest/app-chat/conversations/{conversation_id}/responses"
    lines = results(post(simulator, path, "System: Persona.\nUser: And then?\nAssistant:"))
    assert "conversation" not in lines[0] and all("title" not in r for r in lines)
    text = "".join(r["token"] for r in lines if "token" in r)
    assert "follow-up about `pkg/calc.py`" in text and "1 earlier turn" in text
    assert lines[-1]["modelResponse"]["message"] == text


def test_an_unknown_conversation_is_not_found(simulator: Any) -> None:
    response = post(simulator, "/rest/app-chat/conversations/nope/responses")
    assert response.status_code == 404
    assert response.json() == {"error": {"message": "Conversation not found."}}


def test_is_reasoning_streams_thinking_tokens_first(simulator: Any) -> None:
    lines = results(post(simulator, NEW, isReasoning=True))
    pieces = [r["response"] for r in lines if "token" in r.get("response", {})]
    assert [p["token"] for p in pieces[:3]] == ["thinking0 ", "thinking1 ", "thinking2"]
    assert [p["isThinking"] for p in pieces[:4]] == [True, True, True, False]


def test_images_stream_previews_then_final_urls(simulator: Any) -> None:
    lines = results(post(simulator, NEW, f"{PROMPT[:-11]} [[sim images=1]]\nAssistant:"))
    previews = [
        r["response"]["streamingImageGenerationResponse"]
        for r in lines
        if "streamingImageGenerationResponse" in r.get("response", {})
    ]
    assert [p["progress"] for p in previews] == [50, 100]
    assert previews[0]["imageUrl"].endswith("/preview.jpg")
    final = lines[-2]["response"]["modelResponse"]["generatedImageUrls"]
    assert len(final) == 1 and final[0].endswith("/image.jpg")


@pytest.mark.parametrize("cookie", [None, "other=1", "sso=bad-session"])
def test_the_sso_cookie_is_checked(simulator: Any, cookie: str | None) -> None:
    response = post(simulator, NEW, cookie=cookie)
    assert response.status_code == 401


def test_requests_are_recorded_without_cookie_values(simulator: Any) -> None:
    post(simulator, NEW, cookie="sso=very-secret; cf_clearance=also-secret")
    record = simulator.requests[-1]
    assert record.path == NEW and record.status == 200 and record.completed
    assert record.headers["cookie"] == "sso=<redacted>; cf_clearance=<redacted>"
    assert record.body["message"] == PROMPT


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"modelName": "grok-4"}, "modelName"),
        ({"message": ""}, "message"),
        ({"isReasoning": "yes"}, "isReasoning"),
    ],
)
def test_malformed_requests_are_refused(simulator: Any, body: dict[str, Any], says: str) -> None:
    response = post(simulator, NEW, **body)
    assert response.status_code == 400
    assert says in response.json()["error"]["message"]


def test_controls_work_here_too(simulator: Any) -> None:
    assert post(simulator, NEW, "hi [[sim status=429]]").status_code == 429
    assert post(simulator, NEW, "hi [[sim nonsense=1]]").status_code == 400


def test_clearing_forgets_the_conversations(simulator: Any) -> None:
    conversation_id = results(post(simulator, NEW))[0]["conversation"]["conversationId"]
    simulator.clear()
    path = f"/rest/app-chat/conversations/{conversation_id}/responses"
    assert post(simulator, path).status_code == 404


def test_the_prompt_is_split_back_into_messages() -> None:
    assert split_prompt("plain text") == [{"role": "user", "content": "plain text"}]
    assert split_prompt("System: a\nb\nUser: c\nAssistant: d\nUser: e\nAssistant:") == [
        {"role": "system", "content": "a\nb"},
        {"role": "user", "content": "c"},
        {"role": "assistant", "content": "d"},
        {"role": "user", "content": "e"},
    ]

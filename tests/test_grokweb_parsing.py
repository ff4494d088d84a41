"""grok.com's NDJSON answer, its request body, cookies and model names (no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from grok_lsp.grokweb import GrokWebSignInError, grok_com_model
from grok_lsp.grokweb.models import is_reasoning, model_name
from grok_lsp.grokweb.payload import flatten, follow_up_message, parse_cookies, request_body
from grok_lsp.grokweb.stream import AnswerStreamParser
from grok_lsp.xai.events import (
    ContentDelta,
    ConversationStarted,
    Finished,
    ReasoningDelta,
    StreamEvent,
    TitleChanged,
)


def line(result: dict[str, Any]) -> str:
    return json.dumps({"result": result})


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def feed_all(parser: AnswerStreamParser, lines: list[str]) -> list[StreamEvent]:
    return [event for text in lines for event in parser.feed(text)] + parser.finish()


def test_a_new_conversation_gives_its_id_tokens_and_title() -> None:
    events = feed_all(
        AnswerStreamParser(),
        [
            line({"conversation": {"conversationId": "c-1", "title": "New conversation"}}),
            line({"response": {"userResponse": {"message": "the question", "sender": "human"}}}),
            line({"response": {"token": "Hello ", "isThinking": False}}),
            line({"response": {"token": "world", "isThinking": False}}),
            line({"response": {"modelResponse": {"message": "Hello world"}}}),
            line({"title": {"newTitle": "Greeting"}}),
        ],
    )
    assert events == [
        ConversationStarted("c-1"),
        ContentDelta("Hello "),
        ContentDelta("world"),
        TitleChanged("Greeting"),
        Finished("stop"),
    ]


def test_a_continued_conversation_puts_tokens_straight_in_result() -> None:
    parser = AnswerStreamParser()
    events = feed_all(parser, [line({"token": "Yes", "isThinking": False}), line({"token": "!"})])
    assert events == [ContentDelta("Yes"), ContentDelta("!"), Finished("stop")]
    assert parser.text == "Yes!"
    assert parser.conversation_id is None


def test_lines_that_do_not_parse_are_skipped() -> None:
    events = feed_all(
        AnswerStreamParser(),
        [
            "",
            "{this is not json",
            "[1, 2]",
            json.dumps({"error": "no result here"}),
            line({"response": "not an object"}),
            line({"response": {"token": 7}}),
            line({"response": {"token": "kept"}}),
        ],
    )
    assert events == [ContentDelta("kept"), Finished("stop")]


def test_thinking_tokens_are_reasoning_and_say_how_long_they_took() -> None:
    clock = Clock()
    parser = AnswerStreamParser(clock)
    assert parser.feed(line({"response": {"token": "hmm ", "isThinking": True}})) == [
        ReasoningDelta("hmm ")
    ]
    clock.now += 2.46
    assert parser.feed(line({"response": {"token": "so", "isThinking": True}})) == [
        ReasoningDelta("so")
    ]
    clock.now += 0.5
    assert parser.feed(line({"response": {"token": "Answer", "isThinking": False}})) == [
        ReasoningDelta("\nThought for 3.0s\n"),
        ContentDelta("Answer"),
    ]
    assert parser.text == "Answer"  # the thinking is not part of the answer


def test_a_stream_that_ends_while_thinking_still_reports_the_time() -> None:
    clock = Clock()
    parser = AnswerStreamParser(clock)
    parser.feed(line({"token": "hmm", "isThinking": True}))
    clock.now += 1.25
    assert parser.finish() == [ReasoningDelta("\nThought for 1.2s\n"), Finished("stop")]


def test_images_become_markdown_links_on_the_assets_host_once_each() -> None:
    preview = "users/u/generated/img-1/preview.jpg"
    events = feed_all(
        AnswerStreamParser(),
        [
            line({"response": {"token": "Here:"}}),
            line({"response": {"streamingImageGenerationResponse": {"imageUrl": preview}}}),
            line({"response": {"streamingImageGenerationResponse": {"imageUrl": preview}}}),
            line(
                {
                    "response": {
                        "modelResponse": {
                            "generatedImageUrls": [
                                "users/u/generated/img-1/image.jpg",
                                "https://elsewhere.example/img.png",
                            ]
                        }
                    }
                }
            ),
        ],
    )
    texts = [e.text for e in events if isinstance(e, ContentDelta)]
    assert texts == [
        "Here:",
        f"\n\n![Image preview](https://assets.grok.com/{preview})\n\n",
        "\n\n![Generated image](https://assets.grok.com/users/u/generated/img-1/image.jpg)\n\n",
        "\n\n![Generated image](https://elsewhere.example/img.png)\n\n",
    ]


def test_only_the_first_conversation_id_counts_and_blank_titles_are_ignored() -> None:
    events = feed_all(
        AnswerStreamParser(),
        [
            line({"conversation": {"conversationId": "first"}}),
            line({"conversation": {"conversationId": "second"}}),
            line({"title": {"newTitle": "  "}}),
        ],
    )
    assert events == [ConversationStarted("first"), Finished("stop")]


def test_a_new_conversation_sends_the_whole_prompt_as_one_text() -> None:
    messages = [
        {"role": "system", "content": "Be brief.\nTask: ask"},
        {"role": "user", "content": "What is x?"},
        {"role": "assistant", "content": "A name."},
        {"role": "user", "content": "And y?"},
    ]
    assert flatten(messages) == (
        "System: Be brief.\nTask: ask\nUser: What is x?\nAssistant: A name.\nUser: And y?\n"
        "Assistant:"
    )
    assert flatten([{"role": "user", "content": "Just this"}]) == "Just this"
    # a continued conversation: this request's instructions and the new message, no history
    assert follow_up_message(messages) == "System: Be brief.\nTask: ask\nUser: And y?\nAssistant:"


def test_the_body_is_the_web_apps() -> None:
    body = request_body("grok-3-thinking", "hello")
    assert body == {
        "temporary": False,
        "modelName": "grok-3",
        "message": "hello",
        "fileAttachments": [],
        "imageAttachments": [],
        "disableSearch": False,
        "enableImageGeneration": True,
        "returnImageBytes": False,
        "returnRawGrokInXaiRequest": False,
        "enableImageStreaming": True,
        "imageGenerationCount": 2,
        "forceConcise": False,
        "toolOverrides": {},
        "enableSideBySide": True,
        "isPreset": False,
        "sendFinalMetadata": True,
        "customInstructions": "",
        "deepsearchPreset": "",
        "isReasoning": True,
    }
    assert request_body("grok-2", "x")["modelName"] == "grok-latest"
    assert request_body("grok-3", "x")["isReasoning"] is False


@pytest.mark.parametrize(
    ("requested", "model", "name", "reasoning"),
    [
        ("grok-3", "grok-3", "grok-3", False),
        ("grok-3-thinking", "grok-3-thinking", "grok-3", True),
        ("grok-3-r1", "grok-3-thinking", "grok-3", True),
        ("grok-2", "grok-2", "grok-latest", False),
        ("grok-4.3", "grok-3", "grok-3", False),  # the xAI default is not a grok.com model
        ("grok-code-fast-1", "grok-3", "grok-3", False),
    ],
)
def test_models(requested: str, model: str, name: str, reasoning: bool) -> None:
    assert grok_com_model(requested) == model
    assert model_name(model) == name
    assert is_reasoning(model) is reasoning


def test_cookies_are_read_from_a_cookie_header() -> None:
    cookies = parse_cookies(" Cookie: sso=abc123; sso-rw = def456 ;; cf_clearance=zzzz; ")
    assert cookies.header == "sso=abc123; sso-rw=def456; cf_clearance=zzzz"
    assert "abc123" not in repr(cookies)


@pytest.mark.parametrize("text", [None, "", "   ", "other=1", "sso=", "sso-rw=abc; x=1"])
def test_no_sso_cookie_asks_the_user_to_sign_in(text: str | None) -> None:
    with pytest.raises(GrokWebSignInError) as raised:
        parse_cookies(text)
    message = raised.value.user_message()
    assert "grokWebCookies" in message
    assert "https://grok.com" in message
    assert "abc" not in message

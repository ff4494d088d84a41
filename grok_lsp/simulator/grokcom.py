"""grok.com's conversation endpoints: start a conversation, continue it (docs/simulator.md).

The prompt arrives as one text (`System: ...\\nUser: ...`); the simulator splits it back
into messages and answers it like a chat completion. It keeps each conversation's turns,
as grok.com does, so a follow-up sent alone still knows the file and the earlier turns.
"""

from __future__ import annotations

import posixpath
import re
import time
from itertools import islice
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from grok_lsp.simulator import answers
from grok_lsp.simulator.controls import Control
from grok_lsp.simulator.errors import error_response
from grok_lsp.simulator.ndjson import ConversationStream
from grok_lsp.simulator.recorder import RequestRecord
from grok_lsp.simulator.state import SimulatorState
from grok_lsp.simulator.streaming import FOREVER_LIMIT_CHUNKS, Answer, DroppableStreamingResponse

CONVERSATIONS_PATH = "/rest/app-chat/conversations"
MODEL_NAMES = frozenset({"grok-3", "grok-latest"})
THINKING_WORDS = 3  # thinking tokens sent for `isReasoning` when no `reasoning=` says otherwise

_ROLE = re.compile(r"^(System|User|Assistant): ?", re.MULTILINE)


def split_prompt(text: str) -> list[dict[str, str]]:
    """`Role: content` lines back into messages; a text without roles is one user message."""
    found = list(_ROLE.finditer(text))
    if not found or found[0].start() != 0:
        return [{"role": "user", "content": text}]
    messages = []
    for match, following in zip(found, [*found[1:], None], strict=True):
        end = following.start() if following else len(text)
        content = text[match.end() : end].removesuffix("\n")
        messages.append({"role": match.group(1).lower(), "content": content})
    if messages[-1] == {"role": "assistant", "content": ""}:
        messages.pop()  # the trailing `Assistant:` that asks for the answer
    return messages


def last_user_message(body: Any) -> str | None:
    """Where a `[[sim ...]]` marker is read: the newest user part of `message`."""
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str):
        return None
    users = [m["content"] for m in split_prompt(message) if m["role"] == "user"]
    return users[-1] if users else None


def check_session_cookie(request: Request) -> Response | None:
    """grok.com answers 401 without a valid `sso` session cookie (`bad...` plays invalid)."""
    sso = request.cookies.get("sso", "")
    if not sso or sso.startswith("bad"):
        return error_response(401, "Unauthenticated: the sso cookie is missing or invalid.")
    return None


def _title(prompt: answers.Prompt) -> str:
    subject = posixpath.basename(prompt.path) if prompt.path else "a question"
    return f"{prompt.task.replace('-', ' ').capitalize()}: {subject}"


CHALLENGE_PAGE = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
    '<div id="challenge-body-text">grok.com needs to review the security of your connection '
    'before proceeding.</div><script src="/cdn-cgi/challenge-platform/h/g/orchestrate/'
    'chl_page/v1"></script></body></html>'
)


def challenge_page(status: int) -> Response:
    """What Cloudflare sends a client it wants to check: an HTML page, not grok.com's NDJSON."""
    headers = {"cf-mitigated": "challenge"} if status >= 400 else {}
    return HTMLResponse(CHALLENGE_PAGE, status_code=status, headers=headers)


class GrokComEndpoints:
    def __init__(self, state: SimulatorState) -> None:
        self.state = state

    async def new_conversation(
        self, request: Request, record: RequestRecord, control: Control
    ) -> Response:
        if control.challenge is not None:
            return challenge_page(int(control.challenge))
        checked = self._checked(record.body)
        if isinstance(checked, Response):
            return checked
        messages = split_prompt(checked)
        conversation_id = self.state.start_grok_conversation()
        return self._stream(record, control, conversation_id, messages, new=True)

    async def responses(
        self, request: Request, record: RequestRecord, control: Control
    ) -> Response:
        if control.challenge is not None:
            return challenge_page(int(control.challenge))
        checked = self._checked(record.body)
        if isinstance(checked, Response):
            return checked
        conversation_id = request.path_params["conversation_id"]
        history = self.state.grok_history(conversation_id)
        if history is None:
            return error_response(404, "Conversation not found.", shape="nested")
        sent = split_prompt(checked)
        # This request's instructions, then what the conversation already holds, then the new turn.
        system = [m for m in sent if m["role"] == "system"]
        messages = [*system, *history, sent[-1]]
        return self._stream(record, control, conversation_id, messages, new=False)

    def _checked(self, body: Any) -> str | Response:
        """The request's `message`, or the 400 that a malformed body gets."""
        if not isinstance(body, dict):
            return error_response(400, "The request body must be a JSON object.", shape="nested")
        message = body.get("message")
        if not isinstance(message, str) or not message.strip():
            return error_response(400, "`message` is required.", shape="nested")
        if body.get("modelName") not in MODEL_NAMES:
            names = ", ".join(sorted(MODEL_NAMES))
            return error_response(400, f"`modelName` must be one of {names}.", shape="nested")
        if not isinstance(body.get("isReasoning", False), bool):
            return error_response(400, "`isReasoning` must be a boolean.", shape="nested")
        return message

    def _stream(
        self,
        record: RequestRecord,
        control: Control,
        conversation_id: str,
        messages: list[dict[str, str]],
        *,
        new: bool,
    ) -> Response:
        body = record.body
        prompt = answers.read_prompt(messages)
        text = answers.answer_text(prompt)
        if control.huge is not None:
            pieces: Any = iter(["x" * control.huge])
        elif control.forever:
            pieces = islice(answers.numbered_words("w", None), FOREVER_LIMIT_CHUNKS)
        elif control.tokens is not None:
            pieces = answers.numbered_words("w", control.tokens)
        else:
            pieces = iter(answers.words(text))
        self.state.add_grok_turn(conversation_id, prompt.last_user, text)
        thinking = control.reasoning or (THINKING_WORDS if body.get("isReasoning") else 0)
        answer = Answer(
            id=self.state.next_id().replace("chatcmpl", "response"),
            model=body["modelName"],
            created=int(time.time()),
            pieces=pieces,
            reasoning=thinking,
            limit=None,
            prompt_tokens=0,
            cached_tokens=0,
        )
        events = ConversationStream(
            answer,
            control,
            conversation_id=conversation_id,
            title=_title(prompt) if new else None,
            question=prompt.last_user,
            recorder=self.state.recorder,
            record=record,
            closing=self.state.closing,
        ).events()
        return DroppableStreamingResponse(events, media_type="application/x-ndjson")

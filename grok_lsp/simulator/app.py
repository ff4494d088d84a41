"""The simulator's routes: the xAI API, grok.com's conversation endpoints, `/_sim/requests`."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from grok_lsp.simulator import answers, responses
from grok_lsp.simulator.catalog import CREATED, KNOWN_MODEL_NAMES, MODELS
from grok_lsp.simulator.controls import Control, ControlError, parse_control
from grok_lsp.simulator.errors import error_response, simulated_message
from grok_lsp.simulator.grokcom import (
    CONVERSATIONS_PATH,
    GrokComEndpoints,
    check_session_cookie,
    last_user_message,
)
from grok_lsp.simulator.recorder import RequestRecord
from grok_lsp.simulator.state import SimulatorState
from grok_lsp.simulator.streaming import (
    FOREVER_LIMIT_CHUNKS,
    Answer,
    CompletionStream,
    ConnectionDropped,
    DroppableStreamingResponse,
)
from grok_lsp.simulator.text import EMPTY_MESSAGE, is_empty_message, message_text

Handler = Callable[[Request, RequestRecord, Control], Awaitable[Response]]
# Answers a request whose credentials are missing or wrong; None lets it through.
Authenticate = Callable[[Request], Response | None]
# The text that may carry a `[[sim ...]]` marker, read from the JSON body.
ControlText = Callable[[Any], str | None]


def _key(request: Request) -> str | None:
    authorization = request.headers.get("authorization", "").strip()
    key = authorization.removeprefix("Bearer ").strip()
    return key or None


def _check_key(request: Request) -> Response | None:
    key = _key(request)
    if key is None:
        message = "No API key provided. Send it as `Authorization: Bearer <key>`."
        return error_response(401, message)
    if key.startswith("bad"):
        message = (
            f"Incorrect API key provided: {key}. "
            "You can obtain an API key from https://console.x.ai."
        )
        return error_response(400, message)
    return None


def _last_user_text(body: Any) -> str | None:
    """The newest user message of a chat completion's `messages` or a response's `input`."""
    if not isinstance(body, dict):
        return None
    items = body.get("messages", body.get("input"))
    if isinstance(items, str):
        return items
    if not isinstance(items, list):
        return None
    users = [m for m in items if isinstance(m, dict) and m.get("role") == "user"]
    return message_text(users[-1]) if users else None


async def _json_body(request: Request) -> tuple[Any, bool]:
    """The parsed body and whether it was valid JSON (an empty body counts as none)."""
    raw = await request.body()
    if not raw:
        return None, True
    try:
        return json.loads(raw), True
    except ValueError:
        return None, False


def known_model(body: dict[str, Any]) -> str | Response:
    """The request's model, or the API's error when it names none or one it does not have."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return error_response(400, "`model` is required.")
    if model not in KNOWN_MODEL_NAMES:
        message = f"The model {model} does not exist or your team does not have access to it."
        return error_response(404, message)
    return model


class SimulatorApp:
    """Checks every API request the same way (control, key, simulated failure), then answers."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state

    def api(
        self,
        handler: Handler,
        *,
        authenticate: Authenticate = _check_key,
        control_text: ControlText = _last_user_text,
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            body, valid = await _json_body(request)
            record = self.state.recorder.start(
                request.method, request.url.path, request.headers, body
            )
            checks = (authenticate, control_text)
            response, control = await self._answer(request, record, body, valid, handler, checks)
            self.state.recorder.answered(record, response.status_code, control)
            if not isinstance(response, DroppableStreamingResponse):
                self.state.recorder.ended(record)
            return response

        return endpoint

    async def _answer(
        self,
        request: Request,
        record: RequestRecord,
        body: Any,
        valid: bool,
        handler: Handler,
        checks: tuple[Authenticate, ControlText],
    ) -> tuple[Response, Control | None]:
        authenticate, control_text = checks
        try:
            control = parse_control(
                request.headers.get("x-sim"), control_text(body), self.state.defaults
            )
        except ControlError as exc:
            return error_response(400, str(exc)), None
        refused = authenticate(request)
        if refused is not None:
            return refused, control
        if not valid:
            return error_response(400, "The request body is not valid JSON."), control
        effective = self._effective(control)
        if effective.status is not None:
            message = simulated_message(effective.status)
            failure = error_response(
                effective.status,
                message,
                shape=effective.error_shape,
                retry_after=effective.retry_after,
            )
            return failure, control
        return await handler(request, record, effective), control

    def _effective(self, control: Control) -> Control:
        """Applies `fail_times`: the first N requests of a scenario fail, later ones succeed."""
        if control.fail_times is None:
            return control
        if self.state.attempt(control.key) >= control.fail_times:
            return control.without_failures()
        return control if control.fails else attrs.evolve(control, status=503)

    async def chat_completions(
        self, request: Request, record: RequestRecord, control: Control
    ) -> Response:
        body = record.body
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return error_response(400, "`messages` must be a list of messages.")
        if any(is_empty_message(message) for message in body["messages"]):
            return error_response(400, EMPTY_MESSAGE)
        model = known_model(body)
        if isinstance(model, Response):
            return model
        limit = body.get("max_completion_tokens", body.get("max_tokens"))
        if limit is not None and (type(limit) is not int or limit < 1):
            return error_response(400, "`max_completion_tokens` must be a positive integer.")
        stream = body.get("stream") is True
        answer = self._plan(request, record, model, control, limit, stream)
        if not stream:
            await asyncio.sleep(control.delay)
            return self._whole(answer, control, record)
        options = body.get("stream_options")
        events = CompletionStream(
            answer,
            control,
            include_usage=isinstance(options, dict) and options.get("include_usage") is True,
            recorder=self.state.recorder,
            record=record,
            closing=self.state.closing,
        ).events()
        return DroppableStreamingResponse(events, media_type="text/event-stream")

    def _pieces(
        self,
        record: RequestRecord,
        messages: list[Any],
        control: Control,
        limit: int | None,
        stream: bool,
    ) -> tuple[Iterator[str], int | None]:
        """The answer's pieces (and the limit, which an endless answer imposes)."""
        prompt = answers.read_prompt(messages)
        record.task = prompt.task
        if control.huge is not None:
            return iter(["x" * control.huge]), limit
        if control.forever and stream:
            limit = min(limit or FOREVER_LIMIT_CHUNKS, FOREVER_LIMIT_CHUNKS)
            return answers.numbered_words("w", None), limit
        if control.tokens is not None:
            return answers.numbered_words("w", control.tokens), limit
        return iter(answers.words(answers.answer_text(prompt))), limit

    def _plan(
        self,
        request: Request,
        record: RequestRecord,
        model: str,
        control: Control,
        limit: int | None,
        stream: bool,
    ) -> Answer:
        body = record.body
        messages = body["messages"]
        serialized = answers.serialized_input(messages)
        prompt_tokens = (len(serialized) + 3) // 4
        pieces, limit = self._pieces(record, messages, control, limit, stream)
        conversation = request.headers.get("x-grok-conv-id")
        return Answer(
            id=self.state.next_id(),
            model=model,
            created=int(time.time()),
            pieces=pieces,
            reasoning=control.reasoning,
            limit=limit,
            prompt_tokens=prompt_tokens,
            cached_tokens=self.state.cached_tokens(conversation, serialized),
        )

    def _whole(self, answer: Answer, control: Control, record: RequestRecord) -> Response:
        return self._whole_json(answer.whole(with_usage=control.usage != "none"), control, record)

    def _whole_json(
        self, completion: dict[str, Any], control: Control, record: RequestRecord
    ) -> Response:
        """A whole JSON answer; `drop_after` cuts it in half, as a dropped connection would."""
        if control.drop_after is None:
            self.state.recorder.ended(record, completed=True)
            return JSONResponse(completion)
        data = json.dumps(completion).encode()

        async def cut() -> AsyncGenerator[bytes, None]:
            try:
                yield data[: len(data) // 2]
                raise ConnectionDropped
            finally:
                self.state.recorder.ended(record)

        return DroppableStreamingResponse(cut(), media_type="application/json")

    async def responses(
        self, request: Request, record: RequestRecord, control: Control
    ) -> Response:
        body = record.body
        if not isinstance(body, dict):
            return error_response(400, "The request body must be a JSON object.")
        model = known_model(body)
        if isinstance(model, Response):
            return model
        limit = body.get("max_output_tokens")
        if limit is not None and (type(limit) is not int or limit < 1):
            return error_response(400, "`max_output_tokens` must be a positive integer.")
        reasoning = body.get("reasoning")
        effort = reasoning.get("effort") if isinstance(reasoning, dict) else None
        if effort is not None and effort not in responses.EFFORTS:
            return error_response(400, f"`reasoning.effort` must be one of {responses.EFFORTS}.")
        try:
            items = responses.read_input(body.get("input"), self.state.seal)
        except responses.InvalidInput as exc:
            return error_response(400, str(exc))
        record.reasoning_returned = responses.returned_reasoning(items)
        stream = body.get("stream") is True
        messages = responses.messages_of(items)
        pieces, limit = self._pieces(record, messages, control, limit, stream)
        serialized = answers.serialized_input(items)
        include = body.get("include")
        planned = responses.PlannedResponse(
            id=self.state.next_id().removeprefix("chatcmpl-"),
            model=model,
            created=int(time.time()),
            pieces=pieces,
            reasoning=0 if effort == "none" else control.reasoning,
            summarized=not control.silent,
            encrypted=isinstance(include, list) and responses.ENCRYPTED in include,
            limit=limit,
            input_tokens=(len(serialized) + 3) // 4,
            cached_tokens=self.state.cached_tokens(body.get("prompt_cache_key"), serialized),
            seal=self.state.seal,
        )
        if not stream:
            await asyncio.sleep(control.delay)
            return self._whole_json(planned.whole(control.usage != "none"), control, record)
        events = responses.ResponseStream(
            planned,
            control,
            recorder=self.state.recorder,
            record=record,
            closing=self.state.closing,
        ).events()
        return DroppableStreamingResponse(events, media_type="text/event-stream")

    async def models(self, request: Request, record: RequestRecord, control: Control) -> Response:
        return JSONResponse({"object": "list", "data": [m.to_openai() for m in MODELS]})

    async def language_models(
        self, request: Request, record: RequestRecord, control: Control
    ) -> Response:
        return JSONResponse({"models": [m.to_language_model() for m in MODELS]})

    async def api_key(self, request: Request, record: RequestRecord, control: Control) -> Response:
        key = _key(request) or ""
        redacted = f"{key[:4]}...{key[-4:]}" if len(key) >= 16 else "****"
        return JSONResponse(
            {
                "redacted_api_key": redacted,
                "user_id": "grok-sim-user",
                "name": "grok-sim key",
                "create_time": "2025-01-01T00:00:00Z",
                "modify_time": "2025-01-01T00:00:00Z",
                "modified_by": "grok-sim-user",
                "team_id": "grok-sim-team",
                "acls": ["api-key:model:*", "api-key:endpoint:*"],
                "api_key_id": "grok-sim-key",
                "team_blocked": False,
                "api_key_blocked": False,
                "api_key_disabled": False,
                "created": CREATED,
            }
        )

    async def not_found(
        self, request: Request, record: RequestRecord, control: Control
    ) -> Response:
        return error_response(404, f"No such endpoint: {request.method} {request.url.path}")

    async def recorded(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.state.clear()
            return Response(status_code=204)
        return JSONResponse([record.to_json() for record in self.state.recorder.snapshot()])


def create_app(state: SimulatorState) -> Starlette:
    sim = SimulatorApp(state)
    grok_com = GrokComEndpoints(state)
    grok_com_checks: dict[str, Any] = {
        "authenticate": check_session_cookie,
        "control_text": last_user_message,
    }
    every_method = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(
        routes=[
            Route(
                f"{CONVERSATIONS_PATH}/new",
                sim.api(grok_com.new_conversation, **grok_com_checks),
                methods=["POST"],
            ),
            Route(
                f"{CONVERSATIONS_PATH}/{{conversation_id}}/responses",
                sim.api(grok_com.responses, **grok_com_checks),
                methods=["POST"],
            ),
            Route("/v1/chat/completions", sim.api(sim.chat_completions), methods=["POST"]),
            Route("/v1/responses", sim.api(sim.responses), methods=["POST"]),
            Route("/v1/models", sim.api(sim.models), methods=["GET"]),
            Route("/v1/language-models", sim.api(sim.language_models), methods=["GET"]),
            Route("/v1/api-key", sim.api(sim.api_key), methods=["GET"]),
            Route("/_sim/requests", sim.recorded, methods=["GET", "DELETE"]),
            Route("/{path:path}", sim.api(sim.not_found), methods=every_method),
        ]
    )

"""The asynchronous xAI client the language server uses."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from types import TracebackType
from typing import Any, Protocol

import httpx
from httpx_sse import EventSource, SSEError

from grok_lsp.endpoints import DEFAULT_BASE_URL
from grok_lsp.xai import _parse, responses
from grok_lsp.xai._requests import (
    CHAT_PATH,
    RESPONSES_PATH,
    body_error,
    build_headers,
    chat_body,
    connect_error,
    endpoint_url,
    is_retryable,
    require_key,
    retry_delay,
    status_error,
)
from grok_lsp.xai.errors import GrokError, MalformedResponseError, StreamInterruptedError
from grok_lsp.xai.events import ChatRequest, ChatResult, StreamEvent
from grok_lsp.xai.responses import ResponseStreamParser, responses_body

API_NAMES = ("responses", "chat-completions")


class EventParser(Protocol):
    """What reads one API's stream: events per SSE data field, the text so far, the end seen."""

    done: bool

    @property
    def text(self) -> str: ...

    def feed(self, data: str) -> list[StreamEvent]: ...


log = logging.getLogger(__name__)


class AsyncXAI:
    """xAI's REST API over httpx: answers (Responses API, or chat completions), models, key info.

    `api` says which endpoint `stream_chat` and `chat` use: `"responses"` (xAI's current API,
    the default) or `"chat-completions"` (deprecated by xAI; for gateways that only speak it).
    Failures before the first byte of a successful response (connect errors, 429, 5xx)
    are retried; once a stream has started nothing is retried, so no text is repeated.
    """

    def __init__(
        self,
        api_key: str | None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout_seconds: float = 120.0,
        connect_timeout: float = 10.0,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        retry_after_cap: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        api: str = "responses",
    ) -> None:
        if api not in API_NAMES:
            raise ValueError(f"api must be one of {API_NAMES}, not {api!r}")
        self.api = api
        self._api_key = api_key
        self.base_url = base_url
        self.timeout_seconds = timeout_seconds
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        # The read timeout is the longest silence between chunks; a stream has no overall limit.
        timeout = httpx.Timeout(timeout_seconds, connect=connect_timeout)
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        key = "set" if self._api_key else "missing"
        return f"AsyncXAI(base_url={self.base_url!r}, api={self.api!r}, api_key={key})"

    async def __aenter__(self) -> AsyncXAI:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """The answer's events as they arrive, from the endpoint `api` names."""
        if self.api == "responses":
            return self.stream_response(request)
        return self.stream_chat_completion(request)

    def stream_response(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """Responses API events: thinking, reasoning summary, text, then output items, usage
        and finish from the final `response.completed` / `response.incomplete` event.

        A body that ends without a terminal event is a dropped stream (StreamInterruptedError
        with `.partial`); `response.failed` and `error` raise ResponseFailedError. Cancelling
        the consuming task closes the connection.
        """
        body = responses_body(request, stream=True)
        return self._stream_events(RESPONSES_PATH, body, ResponseStreamParser())

    def stream_chat_completion(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """Chat completion events as they arrive: per chunk reasoning, content, finish, usage.

        Ends normally at `data: [DONE]`; raises StreamInterruptedError (with `.partial`)
        if the body ends before it. Cancelling the consuming task closes the connection.
        """
        body = chat_body(request, stream=True)
        return self._stream_events(
            CHAT_PATH, body, _parse.StreamParser(), conversation_id=request.conversation_id
        )

    async def _stream_events(
        self,
        path: str,
        body: dict[str, Any],
        parser: EventParser,
        conversation_id: str | None = None,
    ) -> AsyncGenerator[StreamEvent, None]:
        """One SSE body read through `parser`; a body that ends before `parser.done` was cut."""
        async with self._open(
            "POST", path, body, conversation_id=conversation_id, stream=True
        ) as response:
            try:
                async for sse in EventSource(response).aiter_sse():
                    for event in parser.feed(sse.data):
                        yield event
                    if parser.done:
                        return
            except httpx.TransportError as exc:
                raise body_error(exc, self.timeout_seconds, parser.text) from exc
            except SSEError as exc:
                raise MalformedResponseError(str(exc), partial=parser.text) from exc
        raise StreamInterruptedError(
            "The Grok API ended the stream before it was complete.", partial=parser.text
        )

    async def chat(self, request: ChatRequest) -> ChatResult:
        """One whole (non-streamed) answer, from the endpoint `api` names."""
        if self.api == "responses":
            body = responses_body(request, stream=False)
            async with self._open("POST", RESPONSES_PATH, body) as response:
                payload = await self._read_json(response)
            return responses.parse_response(payload, request.model)[0]
        body = chat_body(request, stream=False)
        async with self._open(
            "POST", CHAT_PATH, body, conversation_id=request.conversation_id
        ) as response:
            payload = await self._read_json(response)
        return _parse.parse_completion(payload, request.model)

    async def list_models(self) -> list[str]:
        """Ids of the models this key may use (`GET /models`)."""
        return _parse.model_ids(await self._get("models"))

    async def language_models(self) -> list[dict[str, Any]]:
        """Models with prices (`GET /language-models`); an absent endpoint raises status 404."""
        return _parse.language_models(await self._get("language-models"))

    async def api_key_info(self) -> dict[str, Any]:
        """The key's (redacted) description (`GET /api-key`)."""
        return _parse.json_object(await self._get("api-key"))

    async def _get(self, path: str) -> Any:
        async with self._open("GET", path) as response:
            return await self._read_json(response)

    async def _read_json(self, response: httpx.Response) -> Any:
        try:
            await response.aread()
        except httpx.TransportError as exc:
            raise body_error(exc, self.timeout_seconds, "") from exc
        return _parse.load_json(response.text)

    @contextlib.asynccontextmanager
    async def _open(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        conversation_id: str | None = None,
        stream: bool = False,
    ) -> AsyncIterator[httpx.Response]:
        """A successful response with its body unread, after retries; closed on exit."""
        key = require_key(self._api_key)
        headers = build_headers(key, conversation_id=conversation_id, stream=stream)
        request = self._http.build_request(
            method, endpoint_url(self.base_url, path), headers=headers, json=body
        )
        attempt = 0
        while True:
            try:
                response = await self._http.send(request, stream=True)
            except httpx.TransportError as exc:
                error = connect_error(exc, self.timeout_seconds)
            else:
                if response.is_success:
                    try:
                        yield response
                    finally:
                        await response.aclose()
                    return
                error = await self._status_error(response, path, key)
            if attempt >= self.max_retries or not is_retryable(error):
                raise error
            delay = retry_delay(
                attempt,
                error,
                base=self.backoff_base,
                cap=self.backoff_cap,
                retry_after_cap=self.retry_after_cap,
            )
            attempt += 1
            log.info("Grok API: %s; retry %d in %.2f s", error.message, attempt, delay)
            await asyncio.sleep(delay)

    async def _status_error(self, response: httpx.Response, path: str, key: str) -> GrokError:
        try:
            await response.aread()
        except httpx.TransportError as exc:
            return connect_error(exc, self.timeout_seconds)
        finally:
            await response.aclose()
        return status_error(
            response.status_code, response.text, response.headers, secret=key, path=path
        )

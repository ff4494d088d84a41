"""The synchronous client of the seed module (`grock.py`'s `XAI`), on httpx."""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Any

import httpx
from httpx_sse import EventSource, SSEError

from grok_lsp.endpoints import DEFAULT_BASE_URL, DEFAULT_MODEL
from grok_lsp.xai import _parse
from grok_lsp.xai._requests import (
    CHAT_PATH,
    body_error,
    build_headers,
    chat_body,
    connect_error,
    endpoint_url,
    require_key,
    status_error,
)
from grok_lsp.xai.errors import MalformedResponseError, StreamInterruptedError
from grok_lsp.xai.events import ChatRequest


class XAI:
    """Blocking access to xAI's chat completions; errors are those of `grok_lsp.xai.errors`."""

    def __init__(
        self,
        api_key: str | None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout_seconds: float = 120.0,
        connect_timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._api_key = api_key
        self.base_url = base_url
        self.timeout_seconds = timeout_seconds
        timeout = httpx.Timeout(timeout_seconds, connect=connect_timeout)
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        key = "set" if self._api_key else "missing"
        return f"XAI(base_url={self.base_url!r}, api_key={key})"

    def __enter__(self) -> XAI:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send_request(
        self, method: str, endpoint: str, data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One request to `<base_url>/<endpoint>`; the JSON object it answered."""
        key = require_key(self._api_key)
        try:
            response = self._http.request(
                method, endpoint_url(self.base_url, endpoint), headers=build_headers(key), json=data
            )
        except httpx.TransportError as exc:
            raise connect_error(exc, self.timeout_seconds) from exc
        if not response.is_success:
            raise status_error(
                response.status_code, response.text, response.headers, secret=key, path=endpoint
            )
        return _parse.json_object(_parse.load_json(response.text))

    def chat_completion(
        self,
        messages: list[dict[str, str]],
        model: str = DEFAULT_MODEL,
        stream: bool = False,
        temperature: float = 0,
    ) -> dict[str, Any]:
        """The `chat.completion` object; with `stream=True` it is reassembled from the chunks."""
        request = ChatRequest(messages=messages, model=model, temperature=temperature)
        if not stream:
            return self._send_request("POST", CHAT_PATH, chat_body(request, stream=False))
        parser = _parse.StreamParser()
        for _ in self._chunks(request, parser):
            pass
        return _parse.completion_from_stream(parser)

    def stream_chat_completion(
        self, messages: list[dict[str, str]], model: str = DEFAULT_MODEL, temperature: float = 0
    ) -> Iterator[str]:
        """Each streamed chunk's JSON text, in order (never the `[DONE]` marker)."""
        request = ChatRequest(messages=messages, model=model, temperature=temperature)
        yield from self._chunks(request, _parse.StreamParser())

    def _chunks(self, request: ChatRequest, parser: _parse.StreamParser) -> Iterator[str]:
        key = require_key(self._api_key)
        url = endpoint_url(self.base_url, CHAT_PATH)
        headers = build_headers(key, stream=True)
        try:
            with self._http.stream(
                "POST", url, headers=headers, json=chat_body(request, stream=True)
            ) as response:
                if not response.is_success:
                    response.read()
                    raise status_error(
                        response.status_code,
                        response.text,
                        response.headers,
                        secret=key,
                        path=CHAT_PATH,
                    )
                yield from self._data(response, parser)
        except httpx.TransportError as exc:
            raise connect_error(exc, self.timeout_seconds) from exc
        if not parser.done:
            raise StreamInterruptedError(
                "The Grok API ended the stream before it was complete.", partial=parser.text
            )

    def _data(self, response: httpx.Response, parser: _parse.StreamParser) -> Iterator[str]:
        try:
            for sse in EventSource(response).iter_sse():
                parser.feed(sse.data)
                if parser.done:
                    return
                if sse.data.strip():
                    yield sse.data
        except httpx.TransportError as exc:
            raise body_error(exc, self.timeout_seconds, parser.text) from exc
        except SSEError as exc:
            raise MalformedResponseError(str(exc), partial=parser.text) from exc

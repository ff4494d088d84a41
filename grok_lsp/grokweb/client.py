"""The grok.com session backend: the same stream-event interface as the xAI client."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import AsyncGenerator, Callable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from grok_lsp import __version__
from grok_lsp.endpoints import is_loopback_host
from grok_lsp.grokweb.errors import (
    ConversationNotFoundError,
    body_error,
    connect_error,
    status_error,
)
from grok_lsp.grokweb.models import grok_com_model
from grok_lsp.grokweb.payload import (
    NEW_CONVERSATION_PATH,
    SessionCookies,
    flatten,
    follow_up_message,
    parse_cookies,
    request_body,
    responses_path,
)
from grok_lsp.grokweb.stream import AnswerStreamParser
from grok_lsp.xai.errors import GrokError
from grok_lsp.xai.events import ChatRequest, StreamEvent

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://grok.com"
BASE_URL_ENV = "GROK_WEB_BASE_URL"


def grok_web_base_url(
    environ: Mapping[str, str] = os.environ, *, allow_insecure: bool = False
) -> str:
    """`GROK_WEB_BASE_URL` (the simulator in tests) or grok.com.

    The cookies are a whole signed-in session: plain http is allowed only to this machine.
    """
    url = (environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme == "https" or allow_insecure:
        return url
    if parts.scheme != "http" or not is_loopback_host(parts.hostname or ""):
        raise GrokError(
            f"Refusing to send the grok.com cookies to {url!r}.",
            hint=f"Set {BASE_URL_ENV} to an https URL (or a loopback http one).",
        )
    return url


def _is_html(response: httpx.Response) -> bool:
    """grok.com streams NDJSON; an HTML page in its place is a bot-protection challenge."""
    return str(response.headers.get("content-type", "")).lower().startswith("text/html")


class GrokWeb:
    """grok.com's web chat with the user's session cookies (experimental, unofficial).

    A request without a stored grok.com conversation starts one with the whole prompt;
    a request with one sends only the new message, since grok.com keeps the history.
    Nothing is retried: grok.com limits messages per account.
    """

    def __init__(
        self,
        cookies: str | None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout_seconds: float = 120.0,
        connect_timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cookie_text = cookies
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self._clock = clock
        # The read timeout is the longest silence between lines; a stream has no overall limit.
        timeout = httpx.Timeout(timeout_seconds, connect=connect_timeout)
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        cookies = "set" if self._cookie_text else "missing"
        return f"GrokWeb(base_url={self.base_url!r}, cookies={cookies})"

    async def __aenter__(self) -> GrokWeb:
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

    async def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """Events as the answer arrives; cancelling the consuming task closes the connection."""
        cookies = parse_cookies(self._cookie_text)  # before any network: sign-in guidance
        model = grok_com_model(request.model)
        known = request.provider_conversation_id
        try:
            if known:
                response = await self._send(
                    responses_path(known), model, follow_up_message(request.messages), cookies
                )
            else:
                response = await self._new_conversation(model, request, cookies)
        except ConversationNotFoundError:
            # Deleted on grok.com: nothing was streamed yet, so start afresh with the history.
            log.info("grok.com conversation not found; starting a new one")
            response = await self._new_conversation(model, request, cookies)
        parser = AnswerStreamParser(self._clock)
        try:
            async for line in response.aiter_lines():
                for event in parser.feed(line):
                    yield event
        except httpx.TransportError as exc:
            raise body_error(exc, self.timeout_seconds, parser.text) from exc
        finally:
            await response.aclose()
        for event in parser.finish():
            yield event

    async def _new_conversation(
        self, model: str, request: ChatRequest, cookies: SessionCookies
    ) -> httpx.Response:
        return await self._send(NEW_CONVERSATION_PATH, model, flatten(request.messages), cookies)

    async def _send(
        self, path: str, model: str, message: str, cookies: SessionCookies
    ) -> httpx.Response:
        """A successful response with its body unread (the caller closes it)."""
        request = self._http.build_request(
            "POST",
            f"{self.base_url}/{path}",
            headers=self._headers(cookies),
            json=request_body(model, message),
        )
        try:
            response = await self._http.send(request, stream=True)
        except httpx.TransportError as exc:
            raise connect_error(exc, self.timeout_seconds) from None
        if response.is_success and not _is_html(response):
            return response
        try:
            await response.aread()
        except httpx.TransportError as exc:
            raise connect_error(exc, self.timeout_seconds) from None
        finally:
            await response.aclose()
        raise status_error(
            response.status_code,
            response.text,
            response.headers,
            (cookies.header, *cookies.values),
        )

    def _headers(self, cookies: SessionCookies) -> dict[str, Any]:
        return {
            "Cookie": cookies.header,
            "Content-Type": "application/json",
            "Accept": "*/*",
            "Origin": self.base_url,
            "Referer": f"{self.base_url}/",
            "User-Agent": f"grok-lsp/{__version__}",
            # grok.com's web app names every request; a fresh id each time, as it does.
            "x-xai-request-id": str(uuid.uuid4()),
        }

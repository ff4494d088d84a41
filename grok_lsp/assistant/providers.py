"""The two providers behind one interface, and the one check before the key is sent."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from grok_lsp.endpoints import is_loopback_host
from grok_lsp.settings import Settings
from grok_lsp.xai.errors import GrokError
from grok_lsp.xai.events import ChatRequest, StreamEvent


class Provider(Protocol):
    """Anything that streams an answer: the xAI API client or the grok.com backend."""

    def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class ModelSource(Protocol):
    """A provider that can list its models and their prices (the xAI API can)."""

    async def list_models(self) -> list[str]: ...

    async def language_models(self) -> list[dict[str, Any]]: ...


class InsecureBaseURLError(GrokError):
    action = "Open Settings"
    hint = "Use https, or set allowInsecureBaseUrl if you really mean to send the key in clear."


def check_base_url(settings: Settings) -> str:
    """The key may travel over plain http only to this machine, unless explicitly allowed."""
    url = settings.effective_base_url()
    parts = urlsplit(url)
    if parts.scheme == "https" or settings.allow_insecure_base_url:
        return url
    if parts.scheme != "http":
        raise GrokError(f"The base URL {url!r} is not an http(s) URL.", hint="Fix baseUrl.")
    host = parts.hostname or ""
    if not is_loopback_host(host):
        raise InsecureBaseURLError(f"Refusing to send the API key over plain http to {host}.")
    return url


def make_provider(settings: Settings) -> Provider:
    """The provider the settings ask for (imported lazily: startup does not need it)."""
    if settings.provider == "grok-web":
        from grok_lsp.grokweb import GrokWeb, grok_web_base_url

        return GrokWeb(
            settings.effective_grok_web_cookies(),
            grok_web_base_url(allow_insecure=settings.allow_insecure_base_url),
            timeout_seconds=settings.timeout_seconds,
        )
    from grok_lsp.xai import AsyncXAI

    return AsyncXAI(
        settings.effective_api_key(),
        check_base_url(settings),
        timeout_seconds=settings.timeout_seconds,
        api=settings.api,
    )

"""xAI's REST API: an async client for the language server and the seed's sync `XAI`."""

from typing import TYPE_CHECKING, Any

from grok_lsp.xai.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    GrokError,
    InvalidRequestError,
    MalformedResponseError,
    MissingAPIKeyError,
    ModelNotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseFailedError,
    ServiceUnavailableError,
    StreamInterruptedError,
    StreamTimeoutError,
)
from grok_lsp.xai.events import (
    ChatRequest,
    ChatResult,
    ContentDelta,
    ConversationStarted,
    Finished,
    OutputItems,
    ReasoningDelta,
    StreamEvent,
    ThinkingStarted,
    TitleChanged,
    Usage,
    UsageReport,
)

if TYPE_CHECKING:
    from grok_lsp.endpoints import DEFAULT_BASE_URL, DEFAULT_MODEL
    from grok_lsp.xai.async_client import AsyncXAI
    from grok_lsp.xai.sync_client import XAI

_LAZY = {
    "AsyncXAI": "grok_lsp.xai.async_client",
    "XAI": "grok_lsp.xai.sync_client",
    "DEFAULT_BASE_URL": "grok_lsp.endpoints",
    "DEFAULT_MODEL": "grok_lsp.endpoints",
}


def __getattr__(name: str) -> Any:
    # The clients import httpx (~70 ms): `initialize` must not wait for it.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "XAI",
    "APIConnectionError",
    "APIStatusError",
    "AsyncXAI",
    "AuthenticationError",
    "ChatRequest",
    "ChatResult",
    "ContentDelta",
    "ConversationStarted",
    "Finished",
    "GrokError",
    "InvalidRequestError",
    "MalformedResponseError",
    "MissingAPIKeyError",
    "ModelNotFoundError",
    "OutputItems",
    "PermissionDeniedError",
    "RateLimitError",
    "ReasoningDelta",
    "ResponseFailedError",
    "ServiceUnavailableError",
    "StreamEvent",
    "StreamInterruptedError",
    "StreamTimeoutError",
    "ThinkingStarted",
    "TitleChanged",
    "Usage",
    "UsageReport",
]

"""xAI's REST API: an async client for the language server and the seed's sync `XAI`."""

from grok_lsp.xai._requests import DEFAULT_BASE_URL, DEFAULT_MODEL
from grok_lsp.xai.async_client import AsyncXAI
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
    ReasoningDelta,
    StreamEvent,
    TitleChanged,
    Usage,
    UsageReport,
)
from grok_lsp.xai.sync_client import XAI

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
    "PermissionDeniedError",
    "RateLimitError",
    "ReasoningDelta",
    "ServiceUnavailableError",
    "StreamEvent",
    "StreamInterruptedError",
    "StreamTimeoutError",
    "TitleChanged",
    "Usage",
    "UsageReport",
]

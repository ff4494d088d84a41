"""Request building and error parsing shared by the sync and async clients (no I/O here)."""

from __future__ import annotations

import email.utils
import json
import random
import re
import time
from typing import Any

import httpx

from grok_lsp import __version__
from grok_lsp.xai.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    GrokError,
    InvalidRequestError,
    MissingAPIKeyError,
    ModelNotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServiceUnavailableError,
    StreamInterruptedError,
    StreamTimeoutError,
)
from grok_lsp.xai.events import ChatRequest

USER_AGENT = f"grok-lsp/{__version__}"
CHAT_PATH = "chat/completions"
RESPONSES_PATH = "responses"
# Endpoints that name a model: a 404 there means the model is unknown.
MODEL_PATHS = frozenset({CHAT_PATH, RESPONSES_PATH})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_MESSAGE_CHARS = 500
REDACTED = "<redacted>"

# A 400 about the key is an authentication problem, not a malformed request.
_KEY_PROBLEM = re.compile(r"api[ _-]?key|authoriz|bearer", re.IGNORECASE)


def require_key(api_key: str | None) -> str:
    if not api_key:
        raise MissingAPIKeyError("No xAI API key is configured.")
    return api_key


def endpoint_url(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}/{path.lstrip('/')}"


def build_headers(
    api_key: str, *, conversation_id: str | None = None, stream: bool = False
) -> dict[str, str]:
    headers = {
        "Authorization": f"Bearer {api_key}",
        "User-Agent": USER_AGENT,
        "Accept": "text/event-stream" if stream else "application/json",
    }
    if conversation_id:
        headers["x-grok-conv-id"] = conversation_id
    return headers


def chat_body(request: ChatRequest, *, stream: bool) -> dict[str, Any]:
    # Chat completions cannot take reasoning items back: answers go as plain text.
    messages = [{k: v for k, v in m.items() if k != "items"} for m in request.messages]
    body: dict[str, Any] = {"model": request.model, "messages": messages, "stream": stream}
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if stream:
        body["stream_options"] = {"include_usage": True}
    if request.max_tokens is not None:
        body["max_completion_tokens"] = request.max_tokens
    if request.reasoning_effort is not None:
        body["reasoning_effort"] = request.reasoning_effort
    return body


def redact(text: str, secret: str | None) -> str:
    return text.replace(secret, REDACTED) if secret else text


def truncate(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def api_message(text: str) -> str:
    """The API's own words from `{"code","error"}`, `{"error":{"message"}}`, or the raw text."""
    try:
        payload = json.loads(text)
    except ValueError:
        return text
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, str):
            return error
        message = error.get("message") if isinstance(error, dict) else None
        if isinstance(message, str):
            return message
    return text


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds from now; it may be a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def status_error(
    status: int, text: str, headers: httpx.Headers, *, secret: str | None, path: str
) -> APIStatusError:
    path = path.strip("/")
    message = truncate(redact(api_message(text), secret)) or f"HTTP {status}"
    retry_after = parse_retry_after(headers.get("retry-after"))
    if status == 401 or (status == 400 and _KEY_PROBLEM.search(message)):
        cls: type[APIStatusError] = AuthenticationError
    elif status == 403:
        cls = PermissionDeniedError
    elif status == 404 and path in MODEL_PATHS:
        cls = ModelNotFoundError
    elif status == 404:
        # Optional endpoints (language-models) may be absent behind proxies and gateways.
        return APIStatusError(
            message,
            status=status,
            hint=f"The endpoint /{path} is not available at this base URL.",
        )
    elif status in (400, 422):
        cls = InvalidRequestError
    elif status == 429:
        cls = RateLimitError
    elif status >= 500:
        cls = ServiceUnavailableError
    else:
        cls = APIStatusError
    return cls(message, status=status, retry_after=retry_after)


def is_retryable(error: GrokError) -> bool:
    if isinstance(error, APIStatusError):
        return error.status in RETRYABLE_STATUSES
    return isinstance(error, APIConnectionError)


def connect_error(exc: httpx.TransportError, timeout_seconds: float) -> GrokError:
    """An error raised before the response headers arrived."""
    if isinstance(exc, httpx.ReadTimeout):
        return StreamTimeoutError(f"The Grok API sent nothing for {timeout_seconds:g} s.")
    return APIConnectionError(f"Could not reach the Grok API: {str(exc) or type(exc).__name__}.")


def body_error(exc: httpx.TransportError, timeout_seconds: float, partial: str) -> GrokError:
    """An error raised while the response body was being read."""
    if isinstance(exc, httpx.TimeoutException):
        return StreamTimeoutError(
            f"The Grok API went silent for {timeout_seconds:g} s mid-answer.", partial=partial
        )
    return StreamInterruptedError(
        f"The connection to the Grok API dropped mid-answer ({type(exc).__name__}).",
        partial=partial,
    )


def retry_delay(
    attempt: int, error: GrokError, *, base: float, cap: float, retry_after_cap: float
) -> float:
    """Seconds before retry number `attempt + 1`: the server's Retry-After, else full jitter."""
    retry_after = error.retry_after if isinstance(error, APIStatusError) else None
    if retry_after is not None:
        return min(retry_after, retry_after_cap)
    return random.uniform(0.0, min(cap, base * 2**attempt))

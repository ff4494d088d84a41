"""One exception hierarchy for everything that can go wrong talking to Grok.

Every error has a `message` (what happened, in the API's own words when it gave any)
and a `hint` (what the user can do). Neither ever contains the API key. `summary()` says
what happened in a few words of ours, and `action` names the one editor action that fixes
it (the team's neutral button titles below), for messages a user can act on.
"""

from __future__ import annotations

# Button titles of window/showMessageRequest; the editor plugins map them to their commands.
SET_API_KEY = "Set API Key"
OPEN_SETTINGS = "Open Settings"
SIGN_IN = "Sign in to grok.com"
RETRY = "Retry"


class GrokError(Exception):
    """Base class: something went wrong while asking Grok."""

    hint: str = ""
    # The editor action that fixes the problem (one of the titles above), if any.
    action: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def user_message(self) -> str:
        """One line for the user: what happened, then what to do."""
        return f"{self.message} {self.hint}".strip()

    def summary(self) -> str:
        """What happened, in a few words that can follow "Grok: "."""
        return self.message.rstrip(".")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class MissingAPIKeyError(GrokError):
    action = SET_API_KEY
    hint = (
        "Set the XAI_API_KEY environment variable (or your editor's Grok API key setting); "
        "keys are created at https://console.x.ai."
    )


class APIConnectionError(GrokError):
    """The API could not be reached (refused, DNS, TLS, connect timeout)."""

    action = RETRY
    hint = "Check your network connection and the base URL (XAI_BASE_URL / baseUrl)."


class StreamTimeoutError(GrokError):
    """The API went silent for longer than `timeoutSeconds`; what arrived is kept in `partial`."""

    action = RETRY
    hint = "The service may be overloaded; try again, or raise timeoutSeconds."

    def __init__(self, message: str, *, partial: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.partial = partial


class StreamInterruptedError(GrokError):
    """The stream ended before `data: [DONE]`; what arrived is kept in `partial`."""

    action = RETRY
    hint = "The connection dropped mid-answer; the partial answer was kept. Try again."

    def __init__(self, message: str, *, partial: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.partial = partial


class MalformedResponseError(GrokError):
    """The API sent something unreadable; text that arrived before it is kept in `partial`."""

    action = RETRY
    hint = "The API sent something grok-lsp cannot read; try again."

    def __init__(self, message: str, *, partial: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.partial = partial


class ResponseFailedError(GrokError):
    """The API started an answer, then reported it failed (`response.failed` or `error`)."""

    hint = "The Grok API gave up on this answer; the partial answer was kept. Try again."

    def __init__(self, message: str, *, partial: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.partial = partial


class APIStatusError(GrokError):
    """The API answered with an HTTP error status."""

    hint = "Try again later."

    def __init__(
        self,
        message: str,
        *,
        status: int,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.retry_after = retry_after
        if self.action is None and (status in (408, 429) or status >= 500):
            self.action = RETRY  # a transient failure: the same request may work again

    def user_message(self) -> str:
        return f"xAI API error {self.status}: {self.message} {self.hint}".strip()

    def summary(self) -> str:
        return f"the API answered HTTP {self.status}"


class AuthenticationError(APIStatusError):
    action = SET_API_KEY
    hint = (
        "The API key was rejected. Set a valid key in XAI_API_KEY (or the editor's API "
        "key setting); keys are managed at https://console.x.ai."
    )

    def summary(self) -> str:
        return f"the API key was rejected (HTTP {self.status})"


class PermissionDeniedError(APIStatusError):
    action = SET_API_KEY
    hint = "The key lacks permission for this model or endpoint; check its ACLs at https://console.x.ai."

    def summary(self) -> str:
        return f"the API key lacks permission for this model or endpoint (HTTP {self.status})"


class ModelNotFoundError(APIStatusError):
    action = OPEN_SETTINGS
    hint = (
        "The model is unknown or not available to this key; run `grok-lsp models` to list models."
    )

    def summary(self) -> str:
        return f"the model is unknown or not available to this key (HTTP {self.status})"


class InvalidRequestError(APIStatusError):
    action = OPEN_SETTINGS
    hint = "A request field was invalid; check the settings named in the message."

    def summary(self) -> str:
        return f"the API found the request invalid (HTTP {self.status})"


class RateLimitError(APIStatusError):
    hint = "Rate limit reached or credits exhausted; wait a moment or check your team's credits."

    def summary(self) -> str:
        return f"rate limit reached (HTTP {self.status})"


class ServiceUnavailableError(APIStatusError):
    hint = "The service is having trouble; try again shortly."

    def summary(self) -> str:
        return f"the API is having trouble (HTTP {self.status})"

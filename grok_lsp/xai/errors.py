"""One exception hierarchy for everything that can go wrong talking to Grok.

Every error has a `message` (what happened, in the API's own words when it gave any)
and a `hint` (what the user can do). Neither ever contains the API key.
"""

from __future__ import annotations


class GrokError(Exception):
    """Base class: something went wrong while asking Grok."""

    hint: str = ""
    # A page that fixes the problem, offered as a button: (button title, URL).
    fix_link: tuple[str, str] | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def user_message(self) -> str:
        """One line for the user: what happened, then what to do."""
        return f"{self.message} {self.hint}".strip()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class MissingAPIKeyError(GrokError):
    fix_link = ("Open xAI console", "https://console.x.ai")
    hint = (
        "Set the XAI_API_KEY environment variable (or your editor's Grok API key setting); "
        "keys are created at https://console.x.ai."
    )


class APIConnectionError(GrokError):
    """The API could not be reached (refused, DNS, TLS, connect timeout)."""

    hint = "Check your network connection and the base URL (XAI_BASE_URL / baseUrl)."


class StreamTimeoutError(GrokError):
    """The API went silent for longer than `timeoutSeconds`; what arrived is kept in `partial`."""

    hint = "The service may be overloaded; try again, or raise timeoutSeconds."

    def __init__(self, message: str, *, partial: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.partial = partial


class StreamInterruptedError(GrokError):
    """The stream ended before `data: [DONE]`; what arrived is kept in `partial`."""

    hint = "The connection dropped mid-answer; the partial answer was kept. Try again."

    def __init__(self, message: str, *, partial: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.partial = partial


class MalformedResponseError(GrokError):
    """The API sent something unreadable; text that arrived before it is kept in `partial`."""

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

    def user_message(self) -> str:
        return f"Grok API error {self.status}: {self.message} {self.hint}".strip()


class AuthenticationError(APIStatusError):
    hint = (
        "The API key was rejected. Set a valid key in XAI_API_KEY (or the editor's Grok API "
        "key setting); keys are managed at https://console.x.ai."
    )


class PermissionDeniedError(APIStatusError):
    hint = "The key lacks permission for this model or endpoint; check its ACLs at https://console.x.ai."


class ModelNotFoundError(APIStatusError):
    hint = (
        "The model is unknown or not available to this key; run `grok-lsp models` to list models."
    )


class InvalidRequestError(APIStatusError):
    hint = "A request field was invalid; check the settings named in the message."


class RateLimitError(APIStatusError):
    hint = "Rate limit reached or credits exhausted; wait a moment or check your team's credits."


class ServiceUnavailableError(APIStatusError):
    hint = "The Grok service is having trouble; try again shortly."

"""grok.com failures, mapped into the one hierarchy of grok_lsp.xai.errors.

Messages never contain the cookies: every text from the service is redacted first.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from grok_lsp.xai._requests import api_message, parse_retry_after, redact, truncate
from grok_lsp.xai.errors import (
    SIGN_IN,
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    GrokError,
    RateLimitError,
    ServiceUnavailableError,
    StreamInterruptedError,
    StreamTimeoutError,
)

SIGN_IN_URL = "https://grok.com"


class GrokWebSignInError(GrokError):
    """No usable grok.com session: the user has to sign in and copy the cookies."""

    action = SIGN_IN

    hint = (
        f"Sign in at {SIGN_IN_URL} in your browser, copy the Cookie header of a grok.com "
        "request (it must contain sso=...) and put it in GROK_WEB_COOKIES in the server's "
        "environment (or the grokWebCookies setting)."
    )


class GrokWebCookiesRejectedError(GrokWebSignInError, AuthenticationError):
    """grok.com answered 401/403: the session expired or the cookies are not valid."""

    hint = (
        f"The session has probably expired: sign in at {SIGN_IN_URL} again and copy fresh "
        "cookies into GROK_WEB_COOKIES (or the grokWebCookies setting)."
    )

    def user_message(self) -> str:
        # Not "xAI API error 401": the API key is not involved, the cookies are.
        return f"{self.message} {self.hint}"

    def summary(self) -> str:
        return f"grok.com rejected the session cookies (HTTP {self.status})"


class GrokWebChallengeError(GrokError):
    """grok.com answered with a bot-protection challenge page (Cloudflare), not with Grok."""

    fix_link = ("Open grok.com", SIGN_IN_URL)
    hint = (
        "This is not an expired session: grok.com wants a browser to pass a bot check. Open "
        f"{SIGN_IN_URL} in the browser you copied the cookies from, let the check pass, then "
        "copy all of its cookies again (cf_clearance included) into grokWebCookies. If it keeps "
        'happening, use provider "xai" with an API key.'
    )


# Cloudflare's signs of a challenge: the header, and the words of its interstitial page.
_CHALLENGE_MARKERS = ("challenge-platform", "cf-chl", "Just a moment...", "cf_chl_opt")


def challenge_error(status: int, headers: httpx.Headers, text: str) -> GrokWebChallengeError | None:
    """The error for a bot-protection challenge, or None when the answer is not one.

    A challenge is marked by Cloudflare's `cf-mitigated: challenge` header, or is an HTML
    page: where grok.com streams NDJSON (a success status), or with the challenge's markers.
    """
    mitigated = headers.get("cf-mitigated", "").lower() == "challenge"
    html = headers.get("content-type", "").lower().startswith("text/html")
    page = html and (status < 300 or any(marker in text for marker in _CHALLENGE_MARKERS))
    if not (mitigated or page):
        return None
    return GrokWebChallengeError(
        f"grok.com answered with a bot-protection challenge page (HTTP {status}), not with Grok."
    )


class ConversationNotFoundError(APIStatusError):
    """The stored grok.com conversation is gone (deleted, or made by another account)."""

    hint = "Reset the document's conversation (grok.conversation.reset) to start a new one."

    def summary(self) -> str:
        return f"the grok.com conversation of this file is gone (HTTP {self.status})"


def status_error(
    status: int, text: str, headers: httpx.Headers, secrets: Iterable[str]
) -> GrokError:
    message = api_message(text)
    for secret in secrets:
        message = redact(message, secret)
    message = truncate(message) or f"HTTP {status}"
    challenge = challenge_error(status, headers, text)
    if challenge is not None:  # Cloudflare answers 403 (or 503): not the cookies' fault
        return challenge
    if status in (401, 403):
        return GrokWebCookiesRejectedError(
            f"grok.com rejected the session cookies (HTTP {status}).", status=status
        )
    if status == 404:
        return ConversationNotFoundError(message, status=status)
    retry_after = parse_retry_after(headers.get("retry-after"))
    if status == 429:
        return RateLimitError(
            message,
            status=status,
            retry_after=retry_after,
            hint="grok.com limits how many messages an account may send; wait a while.",
        )
    if status >= 500:
        return ServiceUnavailableError(message, status=status, retry_after=retry_after)
    return APIStatusError(
        message,
        status=status,
        hint="grok.com refused the request; the experimental grok-web provider may be out of "
        "date with grok.com.",
    )


_CONNECTION_HINT = "Check your network connection and GROK_WEB_BASE_URL."


def connect_error(exc: httpx.TransportError, timeout_seconds: float) -> GrokError:
    """A failure before the response headers arrived."""
    if isinstance(exc, httpx.ReadTimeout):
        return StreamTimeoutError(f"grok.com sent nothing for {timeout_seconds:g} s.")
    detail = str(exc) or type(exc).__name__
    return APIConnectionError(f"Could not reach grok.com: {detail}.", hint=_CONNECTION_HINT)


def body_error(exc: httpx.TransportError, timeout_seconds: float, partial: str) -> GrokError:
    """A failure while the answer streamed; what arrived is kept in `partial`."""
    if isinstance(exc, httpx.TimeoutException):
        return StreamTimeoutError(
            f"grok.com went silent for {timeout_seconds:g} s mid-answer.", partial=partial
        )
    return StreamInterruptedError(
        f"The connection to grok.com dropped mid-answer ({type(exc).__name__}).", partial=partial
    )

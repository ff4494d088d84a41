"""The experimental grok.com provider: chats with the user's signed-in session cookies."""

from grok_lsp.grokweb.client import BASE_URL_ENV, DEFAULT_BASE_URL, GrokWeb, grok_web_base_url
from grok_lsp.grokweb.errors import (
    ConversationNotFoundError,
    GrokWebChallengeError,
    GrokWebCookiesRejectedError,
    GrokWebSignInError,
)
from grok_lsp.grokweb.models import DEFAULT_MODEL, MODEL_ALIASES, MODELS, grok_com_model
from grok_lsp.grokweb.stream import AnswerStreamParser

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "MODELS",
    "MODEL_ALIASES",
    "AnswerStreamParser",
    "ConversationNotFoundError",
    "GrokWeb",
    "GrokWebChallengeError",
    "GrokWebCookiesRejectedError",
    "GrokWebSignInError",
    "grok_com_model",
    "grok_web_base_url",
]

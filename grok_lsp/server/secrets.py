"""Keeps the API key and cookies out of every log line, whatever library writes it."""

from __future__ import annotations

import logging
import os

from grok_lsp.settings import Settings

REDACTED = "<redacted>"
# The settings that hold secrets (camelCase, as clients send them).
SECRET_SETTINGS = ("apiKey", "grokWebCookies")


class Secrets(logging.Filter):
    """A logging filter that replaces every known secret in a record's final text."""

    def __init__(self) -> None:
        super().__init__()
        self._values: set[str] = set()
        self.add(os.environ.get("XAI_API_KEY"))
        self.add(os.environ.get("GROK_WEB_COOKIES"))

    def add(self, value: str | None) -> None:
        if value and len(value) >= 4:
            self._values.add(value)

    def learn(self, value: object, depth: int = 3) -> None:
        """The secrets in a settings object from the client, found before anything logs it."""
        if depth < 0:
            return
        if isinstance(value, dict):
            for name in SECRET_SETTINGS:
                if isinstance(value.get(name), str):
                    self.add(value[name])
            for inner in value.values():
                if isinstance(inner, (dict, list, tuple)):
                    self.learn(inner, depth - 1)
        elif isinstance(value, (list, tuple)):
            for inner in value:
                self.learn(inner, depth - 1)

    def update(self, settings: Settings) -> None:
        self.add(settings.api_key)
        self.add(settings.grok_web_cookies)

    def redact(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self._values:
            message = record.getMessage()
            redacted = self.redact(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True

    def install(self) -> None:
        for handler in logging.getLogger().handlers:
            handler.addFilter(self)

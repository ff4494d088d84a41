"""Keeps the API key and cookies out of every log line, whatever library writes it."""

from __future__ import annotations

import logging
import os

from grok_lsp.settings import Settings

REDACTED = "<redacted>"


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

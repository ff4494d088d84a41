"""Per-request control of the simulator: the `x-sim` header and the `[[sim ...]]` marker."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

MARKER = re.compile(r"\[\[sim(?:\s+([^\]]*))?\]\]")


class ControlError(ValueError):
    """A control could not be read; answered 400 so a typo in a test fails loudly."""


@attrs.frozen
class Control:
    """What one request asked the simulator to do; `None` means "not asked"."""

    delay: float = 0.0
    tps: float | None = None
    tokens: int | None = None
    reasoning: int = 0
    status: int | None = None
    error_shape: str = "flat"
    retry_after: float | None = None
    fail_times: int | None = None
    key: str = ""
    drop_after: int | None = None
    end_after: int | None = None
    stall_after: int | None = None
    malformed_after: int | None = None
    keepalive: bool = False
    nospace: bool = False
    usage: str | None = None
    huge: int | None = None
    forever: bool = False
    images: int = 0  # grok.com only: generated images after the answer
    fail_after: int | None = None  # Responses API: `response.failed` after N text deltas
    done: bool = False  # Responses API: a `data: [DONE]` after the terminal event
    silent: bool = False  # Responses API: reasoning without a summary (thinking silently)
    challenge: str | None = None  # grok.com: a bot-protection page, `403` (Cloudflare) or `200`

    def without_failures(self) -> Control:
        """The same request answered normally (a `fail_times` scenario that has recovered)."""
        return attrs.evolve(
            self,
            status=None,
            drop_after=None,
            end_after=None,
            stall_after=None,
            malformed_after=None,
            fail_after=None,
        )

    @property
    def fails(self) -> bool:
        return any(
            value is not None
            for value in (
                self.status,
                self.drop_after,
                self.end_after,
                self.stall_after,
                self.malformed_after,
                self.fail_after,
            )
        )


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:  # also rejects NaN
        raise ValueError("must be a non-negative number")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("must be positive")
    return value


def _status(text: str) -> int:
    value = int(text)
    if not 400 <= value <= 599:
        raise ValueError("must be an HTTP error status (400-599)")
    return value


def _flag(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be 1 or 0")


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return text

    return parse


_PARSERS: dict[str, Callable[[str], Any]] = {
    "delay": _seconds,
    "tps": _rate,
    "tokens": _count,
    "reasoning": _count,
    "status": _status,
    "error_shape": _choice("flat", "nested", "text"),
    "retry_after": _seconds,
    "fail_times": _count,
    "key": str,
    "drop_after": _count,
    "end_after": _count,
    "stall_after": _count,
    "malformed_after": _count,
    "keepalive": _flag,
    "nospace": _flag,
    "usage": _choice("last", "every", "none"),
    "huge": _count,
    "forever": _flag,
    "images": _count,
    "fail_after": _count,
    "done": _flag,
    "silent": _flag,
    "challenge": _choice("403", "200"),
}


def _parse_pairs(text: str, values: dict[str, Any]) -> None:
    for pair in text.split():
        name, sep, raw = pair.partition("=")
        if not sep or name not in _PARSERS:
            raise ControlError(f"unknown sim control {pair!r}")
        try:
            values[name] = _PARSERS[name](raw)
        except ValueError as exc:
            raise ControlError(f"sim control {name}={raw!r}: {exc}") from None


def parse_control(header: str | None, last_user_message: str | None, defaults: str = "") -> Control:
    """Defaults, then markers in the message, then the header: the last one given wins."""
    values: dict[str, Any] = {}
    _parse_pairs(defaults, values)
    for match in MARKER.finditer(last_user_message or ""):
        _parse_pairs(match.group(1) or "", values)
    _parse_pairs(header or "", values)
    return Control(**values)

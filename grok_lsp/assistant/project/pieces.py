"""What project context a request carries, and how it reads in the prompt and transcript."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal

import attrs

Why = Literal["rules", "reference", "related"]
CONTEXT_LISTING = "Project context sent with this request:"


def estimate_tokens(text: str) -> int:
    """About four characters a token, as the rest of the prompt is budgeted."""
    return math.ceil(len(text) / 4)


@attrs.frozen
class ContextPiece:
    """One thing sent: a file (or part of one) and why; `path` relative to the workspace root."""

    why: Why
    path: str
    text: str
    first_line: int = 0  # 1-based, inclusive; 0 when the piece is not a range of a file
    last_line: int = 0
    language: str = ""
    detail: str = ""  # e.g. "#file:lib/util.py", "`helper` is used by the selection"
    note: str = ""  # e.g. that the text was cut to the budget

    def where(self) -> str:
        if not self.first_line:
            return f"`{self.path}`"
        if self.first_line == self.last_line:
            return f"`{self.path}` line {self.first_line}"
        lines = f" lines {self.first_line}-{self.last_line}"
        return f"`{self.path}`{lines}"

    def listing(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        note = f"; {self.note}" if self.note else ""
        return f"- {self.where()} ({self.why}{detail}{note})"


@attrs.frozen
class ProjectContext:
    """Rules go before the first turn; references and related definitions in the user turn."""

    rules: tuple[ContextPiece, ...] = ()
    references: tuple[ContextPiece, ...] = ()
    related: tuple[ContextPiece, ...] = ()
    problems: tuple[str, ...] = ()  # references that were not sent, for the user to see

    @property
    def pieces(self) -> tuple[ContextPiece, ...]:
        return (*self.rules, *self.references, *self.related)


def fence(code: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
    return "`" * (longest + 1)


def numbered(text: str, first_line: int, language: str) -> str:
    """Lines prefixed `N | ` as the selection is, in a fence longer than any inside."""
    lines = text.splitlines() or [""]
    body = "".join(f"{first_line + index} | {line}\n" for index, line in enumerate(lines))
    marks = fence(body)
    return f"{marks}{language}\n{body}{marks}"


def rules_text(pieces: Sequence[ContextPiece]) -> str:
    """The rules as one block for the unmoving part of the prompt; '' when there are none."""
    if not pieces:
        return ""
    parts = ["The project's rules for AI assistants (nearest folder first); follow them:"]
    for piece in pieces:
        note = f" ({piece.note})" if piece.note else ""
        parts.append(f"From `{piece.path}`{note}:\n{piece.text.strip()}")
    return "\n\n".join(parts)


def user_turn_text(context: ProjectContext) -> str:
    """The references and related definitions, then the list of everything sent."""
    parts: list[str] = []
    for piece in context.references:
        note = f" ({piece.note})" if piece.note else ""
        if piece.first_line:
            parts.append(
                f"Referenced {piece.where()} ({piece.detail}){note}:\n"
                + numbered(piece.text, piece.first_line, piece.language)
            )
        else:
            marks = fence(piece.text)
            parts.append(
                f"Referenced {piece.path} ({piece.detail}){note}:\n"
                f"{marks}{piece.language}\n{piece.text.rstrip()}\n{marks}"
            )
    for piece in context.related:
        parts.append(
            f"Related definition from {piece.where()} ({piece.detail}):\n"
            + numbered(piece.text, piece.first_line, piece.language)
        )
    if context.pieces:
        parts.append(
            f"{CONTEXT_LISTING}\n" + "\n".join(piece.listing() for piece in context.pieces)
        )
    return "\n\n".join(parts)

"""The things a user can ask Grok to do with a selection."""

from __future__ import annotations

from typing import Literal

import attrs

from grok_lsp.settings import UserAction

ResultKind = Literal["explain", "edit"]

# One system prompt for every action: the API's prompt cache serves a conversation only
# while its beginning stays the same, so what differs per action travels in the user turn.
SYSTEM_PROMPT = (
    "You are Grok, an expert software engineer working inside the user's code editor. "
    "Each user message says what to do, then names the file and gives the selected code "
    "with line numbers and any diagnostics. The conversation's first message carries the "
    "whole file, numbered; later ones give what changed in it since, as a unified diff "
    "(a very large file comes as the lines around the selection instead). "
    "Answer explanations and questions "
    "in concise Markdown. When a message asks for replacement code, reply with one short "
    "sentence saying what you changed, then the complete replacement in exactly one fenced "
    "code block."
)
EDIT_RULES = (
    "Reply with one short sentence saying what you changed, then the complete replacement "
    "for the selected code in exactly one fenced code block. The block replaces the "
    "selection verbatim: no line numbers, no surrounding context, same indentation style."
)
ANSWER_RULES = "Answer in concise Markdown."


@attrs.frozen
class Action:
    """One kind of request: its command, how it is shown, and what it asks and produces.

    `task` opens the user turn (what to do and how to answer); `instruction` is the default
    request, replaced by the user's own words where a command takes them.
    """

    id: str
    title: str
    command: str
    result: ResultKind
    task: str
    instruction: str
    reasoning_effort: str | None = None  # a user action's own; else the setting's


def _builtin(id: str, title: str, result: ResultKind, task: str, instruction: str) -> Action:
    rules = EDIT_RULES if result == "edit" else ANSWER_RULES
    return Action(id, f"Grok: {title}", f"grok.{id}", result, f"{task}\n{rules}", instruction)


EXPLAIN = _builtin(
    "explain", "Explain", "explain",
    "Explain what the selected code does, how, and anything surprising about it.",
    "Explain the selected code.",
)  # fmt: skip
REFACTOR = _builtin(
    "refactor", "Refactor", "edit",
    "Refactor the selected code for clarity and correctness without changing its behaviour.",
    "Refactor the selected code.",
)  # fmt: skip
FIX = _builtin(
    "fix", "Fix", "edit",
    "Fix the problems in the selected code, starting with the diagnostics listed.",
    "Fix the selected code.",
)  # fmt: skip
DOCUMENT = _builtin(
    "document", "Document", "edit",
    "Add docstrings or comments in the language's usual style; do not change the code itself.",
    "Document the selected code.",
)  # fmt: skip
TESTS = _builtin(
    "tests", "Tests", "explain",
    "Write unit tests for the selected code using the project's apparent test framework.",
    "Write tests for the selected code.",
)  # fmt: skip
ASK = _builtin(
    "ask", "Ask", "explain",
    "Answer the user's question about their code, using the conversation so far.",
    "",
)  # fmt: skip

BUILTIN_ACTIONS: dict[str, Action] = {a.id: a for a in (EXPLAIN, REFACTOR, FIX, DOCUMENT, TESTS)}


def user_defined(action: UserAction) -> Action:
    """A user action from settings; its prompt template is filled in by `render_template`."""
    rules = EDIT_RULES if action.result == "edit" else ANSWER_RULES
    title = action.title if action.title.startswith("Grok: ") else f"Grok: {action.title}"
    return Action(
        action.id,
        title,
        "grok.action",
        action.result,
        rules,
        action.prompt,
        action.reasoning_effort,
    )


def render_template(template: str, values: dict[str, str]) -> str:
    """Fill `{selection}`, `{language}`, `{path}`, `{input}`; other braces are left alone."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template

"""Deterministic answer text: a pure function of the chat messages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from itertools import count
from typing import Any

import attrs

from grok_lsp.simulator.text import message_text

EXPLAIN_TASKS = {"explain": "Explanation", "tests": "Tests", "ask": "Answer"}
EDIT_TASKS = {
    "refactor": "refactored",
    "fix": "fixed",
    "document": "documented",
    "edit-custom": "edited",
}

# A model reads what to do from the user turn; so does the simulator, from its first words.
_TASKS = (
    ("complete", re.compile(r"^Complete the code at the cursor", re.IGNORECASE)),
    ("explain", re.compile(r"^Explain\b", re.IGNORECASE)),
    ("refactor", re.compile(r"^Refactor\b", re.IGNORECASE)),
    ("fix", re.compile(r"^Fix\b", re.IGNORECASE)),
    ("document", re.compile(r"^(?:Document|Add docstrings)\b", re.IGNORECASE)),
    ("tests", re.compile(r"^Write (?:unit )?tests\b", re.IGNORECASE)),
    ("ask", re.compile(r"^Answer the user's question\b", re.IGNORECASE)),
)
# A request for code that replaces the selection, whatever its wording otherwise.
_WANTS_REPLACEMENT = re.compile(r"\breplacement for the selected code\b", re.IGNORECASE)
_FILE = re.compile(r"^File: `([^`]+)`", re.MULTILINE)
_HEADING = re.compile(r"^\s*#*\s*Selected code\b.*$", re.MULTILINE)
# A diff of the file (what changed since the model last saw it) may hold any text, a
# "Selected code" line too: the selection is never inside one.
_DIFF_BLOCK = re.compile(r"^(`{3,}|~{3,})diff\n.*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([^\s`]*)")
_LINE_NUMBER = re.compile(r"^\s*\d+ \|(?: |$)")
_RENAME = re.compile(
    r"\brename\s+[`'\"]?([A-Za-z_$][\w$]*)[`'\"]?\s+to\s+[`'\"]?([A-Za-z_$][\w$]*)"
)
_DEFINITION = re.compile(
    r"^(\s*)(?:(?:export|default|async|local|pub(?:\([\w:]+\))?|public|private|protected|static)\s+)*"
    r"(?:def|class|function|fn)\s+([A-Za-z_$][\w$]*)"
)
_WORD = re.compile(r"\s*\S+\s*")

_HASH_LANGUAGES = {"python", "ruby", "shell", "shellscript", "bash", "sh", "zsh", "yaml"}
_HASH_LANGUAGES |= {"toml", "perl", "r", "py", "rb", "yml", "pl"}
_DASH_LANGUAGES = {"lua", "sql", "haskell", "hs"}
_EXTENSIONS = {
    "py": "python",
    "rb": "ruby",
    "sh": "shell",
    "bash": "shell",
    "zsh": "shell",
    "yaml": "yaml",
    "yml": "yaml",
    "toml": "toml",
    "pl": "perl",
    "pm": "perl",
    "r": "r",
    "lua": "lua",
    "sql": "sql",
    "hs": "haskell",
}


@attrs.frozen
class Selection:
    code: str
    language: str


@attrs.frozen
class Prompt:
    """What the simulator reads from a request's messages."""

    task: str
    last_user: str
    selection: Selection | None
    path: str | None
    earlier_turns: int


def serialized_input(items: Sequence[Any]) -> str:
    """The input as a model sees it, in order: what its tokens are counted and cached on."""
    parts = []
    for item in items:
        if isinstance(item, dict) and "role" in item and "content" in item:
            parts.append(f"<|{item['role']}|>{message_text(item)}")
        else:  # a reasoning item or other structured item: its exact JSON
            parts.append(json.dumps(item, sort_keys=True, ensure_ascii=False))
    return "\n".join(parts)


def _without_diffs(text: str) -> str:
    return _DIFF_BLOCK.sub("", text)


def _selection(text: str) -> Selection | None:
    text = _without_diffs(text)
    heading = _HEADING.search(text)
    if heading is None:
        return None
    lines = text[heading.end() :].splitlines()
    opened = next((i for i, line in enumerate(lines) if _FENCE.match(line)), None)
    if opened is None:
        return None
    fence = _FENCE.match(lines[opened])
    assert fence is not None
    marker, info = fence.group(1), fence.group(2)
    body: list[str] = []
    for line in lines[opened + 1 :]:
        stripped = line.strip()
        if stripped.startswith(marker) and set(stripped) == {marker[0]}:
            break
        body.append(_LINE_NUMBER.sub("", line, count=1))
    return Selection("\n".join(body), info.lower())


def task_of(user_turn: str) -> str:
    """What the user turn asks for, read from its words as a model would."""
    opening = user_turn.lstrip()
    for task, pattern in _TASKS:
        if pattern.match(opening):
            return task
    if _WANTS_REPLACEMENT.search(user_turn):
        return "edit-custom"
    if _HEADING.search(_without_diffs(user_turn)):
        return "explain-custom"
    return "ask"


def read_prompt(messages: Sequence[Any]) -> Prompt:
    users = [message_text(m) for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    last_user = users[-1] if users else ""
    texts = [last_user, *(message_text(m) for m in reversed(messages))]
    path = next((found.group(1) for t in texts if (found := _FILE.search(t))), None)
    answers = [m for m in messages if isinstance(m, dict) and m.get("role") == "assistant"]
    return Prompt(
        task=task_of(last_user),
        last_user=last_user,
        selection=_selection(last_user),
        path=path,
        earlier_turns=len(answers),  # one answer per earlier exchange
    )


def _language(prompt: Prompt) -> str:
    if prompt.selection and prompt.selection.language:
        return prompt.selection.language
    extension = (prompt.path or "").rpartition(".")[2].lower()
    return _EXTENSIONS.get(extension, "")


def comment_prefix(language: str) -> str:
    if language in _HASH_LANGUAGES:
        return "#"
    if language in _DASH_LANGUAGES:
        return "--"
    return "//"


def apply_renames(code: str, instructions: str) -> str:
    for old, new in _RENAME.findall(instructions):
        code = re.sub(rf"(?<![\w$]){re.escape(old)}(?![\w$])", new, code)
    return code


def document(code: str, language: str) -> str:
    prefix = comment_prefix(language)
    out: list[str] = []
    for line in code.split("\n"):
        found = _DEFINITION.match(line)
        if found:
            out.append(f"{found.group(1)}{prefix} {found.group(2)}: documented by grok-sim.")
        out.append(line)
    return "\n".join(out)


def _counted(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _file_phrase(prompt: Prompt) -> str:
    return f"`{prompt.path}`" if prompt.path else "the selection"


def _explanation(prompt: Prompt) -> str:
    title = EXPLAIN_TASKS.get(prompt.task, "Explanation")
    if prompt.selection is None:
        return (
            f"## {title}\n\nA follow-up about {_file_phrase(prompt)}: this question was "
            f"sent with {_counted(prompt.earlier_turns, 'earlier turn')}.\n"
        )
    lines = prompt.selection.code.split("\n")
    first = next((line for line in lines if line.strip()), "")
    return (
        f"## {title} of {_file_phrase(prompt)}\n\n"
        f"The selected code has {_counted(len(lines), 'line')} and begins with:\n\n"
        f"```{prompt.selection.language}\n{first}\n```\n\n"
        f"This is the grok-sim answer for the `{prompt.task}` task.\n"
    )


def _edit(prompt: Prompt) -> str:
    code = prompt.selection.code if prompt.selection else ""
    language = _language(prompt)
    code = apply_renames(code, prompt.last_user)
    if prompt.task == "document":
        code = document(code, language)
    verb = EDIT_TASKS[prompt.task]
    fence_language = prompt.selection.language if prompt.selection else language
    return (
        f"Here is the {verb} code for {_file_phrase(prompt)}:\n\n```{fence_language}\n{code}\n```\n"
    )


COMPLETION = "sim_completion()"


def _completion(prompt: Prompt) -> str:
    """Echo the cursor's line as a model might, then a fixed insertion, fenced."""
    before, cursor, _ = prompt.last_user.rpartition("<CURSOR>")  # the file comes last
    line = before.rsplit("\n", 1)[-1] if cursor else ""
    return f"```{_language(prompt)}\n{line}{COMPLETION}\n```\n"


def answer_text(prompt: Prompt) -> str:
    if prompt.task == "complete":
        return _completion(prompt)
    if prompt.task in EDIT_TASKS:
        return _edit(prompt)
    return _explanation(prompt)


def words(text: str) -> list[str]:
    """One streamed chunk per word, each with its following whitespace."""
    return _WORD.findall(text)


def numbered_words(prefix: str, limit: int | None) -> Iterator[str]:
    """`w0 w1 ...`: exactly `limit` words, or endless when `limit` is None."""
    numbers = count() if limit is None else iter(range(limit))
    for number in numbers:
        yield f"{prefix}{number}" if number == (limit or 0) - 1 else f"{prefix}{number} "

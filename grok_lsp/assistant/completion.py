"""Ghost-text completion: a prompt around the cursor and a clean text to insert."""

from __future__ import annotations

from collections import OrderedDict

import attrs

from grok_lsp.assistant.edits import extract_code

CURSOR = "<CURSOR>"
PREFIX_CHARS = 4000
SUFFIX_CHARS = 1000
MAX_COMPLETION_TOKENS = 128

SYSTEM_PROMPT = "You are Grok, completing code in the user's editor."
TASK = (
    f"Complete the code at the cursor, marked {CURSOR} in the file below. Reply with only "
    "the text to insert at the cursor: no explanation, no repetition of the code before or "
    "after it."
)


@attrs.frozen
class CompletionContext:
    path: str
    language_id: str
    prefix: str
    suffix: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.language_id, self.prefix[-1000:], self.suffix[:200])


def completion_context(path: str, language_id: str, text: str, offset: int) -> CompletionContext:
    """The code around the cursor, within a budget: more before it than after."""
    return CompletionContext(
        path,
        language_id,
        text[max(0, offset - PREFIX_CHARS) : offset],
        text[offset : offset + SUFFIX_CHARS],
    )


def completion_messages(context: CompletionContext) -> list[dict[str, str]]:
    fence = "````"
    user = (
        f"{TASK}\n\nFile: `{context.path}` ({context.language_id})\n"
        f"{fence}{context.language_id}\n{context.prefix}{CURSOR}{context.suffix}\n{fence}"
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def clean_completion(answer: str, context: CompletionContext) -> str:
    """Only the text to insert: fences stripped, any echo of the code around it removed."""
    text = extract_code(answer, context.language_id)
    text = answer if text is None else text
    text = text.replace(CURSOR, "")
    current_line = context.prefix.rsplit("\n", 1)[-1]
    if current_line.strip() and text.startswith(current_line):
        text = text[len(current_line) :]
    elif current_line and text.startswith(current_line.lstrip()) and current_line.strip():
        text = text[len(current_line.lstrip()) :]
    suffix = context.suffix
    for size in range(min(len(text), len(suffix)), 0, -1):
        if text.endswith(suffix[:size]) and suffix[:size].strip():
            text = text[:-size]
            break
    if suffix.startswith(("\n", "\r")) or not suffix:
        text = text.rstrip("\r\n")  # the line break after the cursor is already there
    return text


class CompletionCache:
    """Recent completions by the text around the cursor: retyping the same spot is free."""

    def __init__(self, size: int = 256) -> None:
        self._entries: OrderedDict[tuple[str, ...], str] = OrderedDict()
        self._size = size

    def get(self, key: tuple[str, ...]) -> str | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: tuple[str, ...], value: str) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

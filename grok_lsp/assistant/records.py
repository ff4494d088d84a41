"""Files the assistant writes under its state dir: transcripts and suggestion previews.

Run on the store's thread (`Assistant.in_store`): they read the store and touch the disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from grok_lsp.assistant.conversations import ConversationStore, Turn
from grok_lsp.assistant.transcript import transcript_markdown, turn_section, write_transcript

# The lines of an answer in a transcript: its heading's, and the one just after its end.
Lines = tuple[int, int]


def newest_answer_lines(markdown: str, turns: Sequence[Turn]) -> Lines | None:
    """Where the transcript's newest answer is, from its heading to the line after it."""
    answers = [turn for turn in turns if turn.role == "assistant"]
    if not answers:
        return None
    section = turn_section(answers[-1])
    at = markdown.rfind(section)
    if at < 0:
        return None
    first = markdown.count("\n", 0, at)
    return first, first + section.count("\n")


def write_conversation_transcript(
    store: ConversationStore, state_dir: Path, uri: str
) -> tuple[Path, Lines | None]:
    history = store.history(uri)
    markdown = transcript_markdown(uri, store.title(uri), history.turns, history.compaction)
    return write_transcript(state_dir, uri, markdown), newest_answer_lines(markdown, history.turns)


def write_preview(state_dir: Path, suggestion_id: str, diff: str) -> Path:
    folder = state_dir / "previews"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{suggestion_id}.diff"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(diff, encoding="utf-8")
    temporary.replace(path)
    return path

"""A document's conversation as a Markdown file the editor can open beside the code."""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from grok_lsp.assistant.conversations import Compaction, Turn

_HEADINGS = {"user": "You", "assistant": "Grok"}


def transcript_markdown(
    uri: str, title: str | None, turns: Sequence[Turn], compaction: Compaction | None = None
) -> str:
    """`# Grok conversation: <file name>`, then a `## You` or `## Grok` section per turn.

    A compaction's summary comes right after the turns it replaces in what Grok is sent.
    """
    parts = [f"# Grok conversation: {file_name(uri)}\n"]
    if title:
        parts.append(f"_{title}_\n")
    covers = compaction.covers if compaction else -1
    for index, turn in enumerate(turns):
        if index == covers:
            parts.append(summary_section(compaction))
        parts.append(turn_section(turn))
    if compaction is not None and covers >= len(turns):
        parts.append(summary_section(compaction))
    if not turns:
        parts.append("Nothing asked yet.\n")
    return "\n".join(parts)


def summary_section(compaction: Compaction | None) -> str:
    """What Grok is sent instead of the turns above it."""
    summary = compaction.summary.strip() if compaction else ""
    return f"## Summary (Grok is sent this instead of the turns above)\n\n{summary}\n"


def turn_section(turn: Turn) -> str:
    """One turn of the transcript: its `## You` or `## Grok` heading, then its text."""
    heading = _HEADINGS.get(turn.role, turn.role.capitalize())
    suffix = "" if turn.complete else " (incomplete)"
    return f"## {heading}{suffix}\n\n{turn.content.strip()}\n"


def write_transcript(state_dir: Path, uri: str, markdown: str) -> Path:
    """Write `<state_dir>/transcripts/<file name>-<hash of uri>.md` atomically; return its path.

    The hash keeps apart same-named files of different folders. Raises OSError
    when the file cannot be written.
    """
    folder = state_dir / "transcripts"
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(uri.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    safe_name = re.sub(r"[^\w.-]+", "_", file_name(uri))[:80]
    path = folder / f"{safe_name}-{digest}.md"
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(markdown)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def file_name(uri: str) -> str:
    """The last part of the URI's path, e.g. `app.py` for `file:///src/app.py`."""
    path = unquote(urlsplit(uri).path).rstrip("/")
    return posixpath.basename(path) or uri

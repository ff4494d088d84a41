"""`#file:PATH`, `#file:PATH:L1-L2`, `#open` and `#diff` in what the user typed."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping

import attrs

from grok_lsp.assistant.project.index import ProjectIndex
from grok_lsp.assistant.project.languages import EXTENSIONS
from grok_lsp.assistant.project.pieces import ContextPiece, estimate_tokens
from grok_lsp.assistant.project.related import relative
from grok_lsp.assistant.project.resolve import inside

# `#` at the start or after a non-word character; `#file:` needs a path, the rest a word end.
_REFERENCE = re.compile(r"(?<![\w#])#(?:file:(\S+)|(open|diff)(?![\w:/-]|\.\w))")
_LINES = re.compile(r"^(.*?):(\d+)(?:-(\d+))?$")
# Punctuation that ends a sentence (or quotes a reference) is not part of it.
_TRAILING = ".,;:!?)]}'\"`>"
_LEADING = "([{'\"`<"
DIFF_TIMEOUT_SECONDS = 10
# --relative (with the "." pathspec): only the workspace's files, named from its root.
GIT_DIFF = ("git", "diff", "HEAD", "--no-color", "--no-ext-diff", "--relative")


@attrs.frozen
class Reference:
    kind: str  # "file", "open" or "diff"
    text: str  # as the user wrote it, without the trailing punctuation
    path: str = ""
    first_line: int | None = None  # 1-based, inclusive
    last_line: int | None = None


def find_references(text: str) -> list[Reference]:
    """Each reference once, in the order written; anything else after `#` is plain text."""
    found: list[Reference] = []
    for match in _REFERENCE.finditer(text):
        if match.group(2):
            found.append(Reference(match.group(2), f"#{match.group(2)}"))
            continue
        raw = match.group(1).rstrip(_TRAILING)
        lines = _LINES.match(raw)
        path = raw
        first = last = None
        if lines:
            path, first = lines.group(1), int(lines.group(2))
            last = int(lines.group(3)) if lines.group(3) else first
        path = path.lstrip(_LEADING)
        if path:
            found.append(Reference("file", f"#file:{raw}", path, first, last))
    unique: dict[Reference, None] = dict.fromkeys(found)
    return list(unique)


@attrs.frozen
class Resolved:
    pieces: list[ContextPiece]
    problems: list[str]


def resolve_references(
    references: list[Reference],
    index: ProjectIndex,
    root: str,
    budget_tokens: int,
    *,
    document_path: str = "",
    open_texts: Mapping[str, str] | None = None,
) -> Resolved:
    """Read what the references name; a bad one becomes a problem, never an error."""
    open_texts = open_texts or {}
    pieces: list[ContextPiece] = []
    problems: list[str] = []
    left = budget_tokens
    for reference in references:
        if reference.kind == "file":
            made, problem = _file(reference, index, root, open_texts, left)
            if made is None and problem is None:
                problem = f"{reference.text}: the context budget is used up, so it was not sent"
            new = [made] if made else []
        elif reference.kind == "open":
            new = [
                piece
                for path, text in sorted(open_texts.items())
                if path != document_path
                for piece in [_whole(text, relative(path, root), "#open", left)]
                if piece is not None
            ]
            problem = None
        else:
            made, problem = _diff(root, left)
            new = [made] if made else []
        if problem:
            problems.append(problem)
        for piece in new:
            left -= estimate_tokens(piece.text)
        pieces.extend(new)
    return Resolved(pieces, problems)


def _language(path: str) -> str:
    return EXTENSIONS.get(os.path.splitext(path)[1].lower(), "")


def _file(
    reference: Reference, index: ProjectIndex, root: str, open_texts: Mapping[str, str], left: int
) -> tuple[ContextPiece | None, str | None]:
    real_root = os.path.realpath(root)
    path = os.path.realpath(os.path.join(real_root, reference.path))
    if not inside(path, real_root):  # also a link inside that points out
        return None, f"{reference.text}: the path is outside the workspace, so it was not sent"
    # The editor names open documents by the path it was given, links unresolved.
    text = open_texts.get(
        path, open_texts.get(os.path.normpath(os.path.join(root, reference.path)))
    )
    if text is None:
        if os.path.isdir(path):
            return None, f"{reference.text}: that is a folder, not a file; it was not sent"
        if not os.path.exists(path):
            return None, f"{reference.text}: no such file in the workspace, so it was not sent"
        text = index.read_text(path)
        if text is None:
            return None, f"{reference.text}: the file cannot be read as text, so it was not sent"
    name = relative(path, real_root)
    lines = text.splitlines()
    first, last = reference.first_line, reference.last_line
    if first is None or last is None:
        return _whole(text, name, reference.text, left), None
    if first < 1 or last < first:
        return None, f"{reference.text}: lines must be 1-based with the first before the last"
    if first > len(lines):
        return None, f"{reference.text}: `{name}` has only {len(lines)} lines, so it was not sent"
    last = min(last, len(lines))
    part = "\n".join(lines[first - 1 : last])
    return _fit(part, name, reference.text, first, last, left), None


def _whole(text: str, name: str, detail: str, left: int) -> ContextPiece | None:
    lines = text.splitlines() or [""]
    return _fit("\n".join(lines), name, detail, 1, len(lines), left)


def _fit(
    text: str, name: str, detail: str, first: int, last: int, left: int
) -> ContextPiece | None:
    """The lines that fit the budget, with a note when some were cut; None when none fit."""
    kept = text.splitlines() or [""]
    note = ""
    if estimate_tokens(text) > left:
        size, count = 0, 0
        for line in kept:
            size += len(line) + 1
            if estimate_tokens("x" * size) > left:
                break
            count += 1
        if count == 0:
            return None
        note = (
            f"cut to the context budget: lines {first}-{first + count - 1} of {first}-{last} sent"
        )
        kept, last = kept[:count], first + count - 1
    return ContextPiece(
        "reference", name, "\n".join(kept), first, last, _language(name), detail, note
    )


def _diff(root: str, left: int) -> tuple[ContextPiece | None, str | None]:
    """Tracked files' changes against HEAD, as `git diff HEAD` shows them."""
    try:
        done = subprocess.run(
            [*GIT_DIFF, "--", "."],
            cwd=root,
            capture_output=True,
            timeout=DIFF_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"#diff: git could not be run ({type(error).__name__}), so no diff was sent"
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = reason[0] if reason else f"exit status {done.returncode}"
        return None, f"#diff: git diff failed ({detail}), so no diff was sent"
    text = done.stdout.decode("utf-8", "replace") or "(no changes against HEAD)\n"
    note = ""
    if estimate_tokens(text) > left:
        text = text[: max(left, 0) * 4]
        text = text[: text.rfind("\n") + 1] if "\n" in text else ""
        note = "cut to the context budget"
    return ContextPiece(
        "reference", "git diff HEAD", text, language="diff", detail="#diff", note=note
    ), None

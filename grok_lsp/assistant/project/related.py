"""The definitions a selection uses that live outside what the prompt already shows."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence

import attrs

from grok_lsp.assistant.project.index import ParsedFile, ProjectIndex
from grok_lsp.assistant.project.outline import Definition, Outline, names_used
from grok_lsp.assistant.project.pieces import ContextPiece, estimate_tokens
from grok_lsp.assistant.project.resolve import go_package_files, resolve

FENCE_LANGUAGES = {"tsx": "tsx", "typescript": "typescript", "javascript": "javascript"}


@attrs.frozen
class _Candidate:
    distance: int  # 0: the same document, 1: a file it imports, 2: its Go package
    file: ParsedFile
    definition: Definition

    @property
    def size(self) -> int:
        return self.definition.end_line - self.definition.start_line + 1


def related_definitions(
    index: ProjectIndex,
    document: ParsedFile,
    root: str,
    selection: tuple[int, int],
    shown: tuple[int, int],
    budget_tokens: int,
    open_texts: Mapping[str, str] | None = None,
    already_sent: Sequence[ContextPiece] = (),
) -> list[ContextPiece]:
    """Definitions of names used on the `selection` lines (0-based, inclusive).

    From the same document when they lie outside the `shown` lines, and from the
    workspace files it imports; nearest and smallest first, while the budget lasts.
    """
    tree = index.tree(document) if document.outline is not None else None
    if document.outline is None or tree is None:
        return []
    used = names_used(tree, *selection)
    candidates = [
        _Candidate(0, document, d)
        for d in document.outline.definitions
        if d.name in used and (d.end_line < shown[0] or d.start_line > shown[1])
    ]
    for distance, parsed, outline, names in _imported(index, document, root, used, open_texts):
        candidates.extend(
            _Candidate(distance, parsed, d)
            for d in outline.definitions
            if d.name in names and not d.member
        )
    candidates.sort(key=lambda c: (c.distance, c.size, c.file.path, c.definition.start_line))
    pieces: list[ContextPiece] = []
    lines: dict[str, list[str]] = {}  # split once per file, only for what is sent
    seen: set[tuple[str, int]] = set()
    left = budget_tokens
    for candidate in candidates:
        key = (candidate.file.path, candidate.definition.start_line)
        if key in seen:
            continue
        seen.add(key)
        if candidate.file.path not in lines:
            lines[candidate.file.path] = candidate.file.lines()
        piece = _piece(candidate, lines[candidate.file.path], root)
        if any(_covers(sent, piece) for sent in already_sent):
            continue
        cost = estimate_tokens(piece.text)
        if cost <= left:
            pieces.append(piece)
            left -= cost
    return pieces


def _imported(
    index: ProjectIndex,
    document: ParsedFile,
    root: str,
    used: set[str],
    open_texts: Mapping[str, str] | None,
) -> Iterator[tuple[int, ParsedFile, Outline, set[str]]]:
    """(distance, imported file, its outline, names to look for there)."""
    outline = document.outline
    assert outline is not None
    for imp in outline.imports:
        wildcard = imp.original == "*"
        if not wildcard and imp.bound not in used:
            continue
        for path, original in resolve(outline.grammar, document.path, root, imp, index.read_text):
            parsed = index.file(path, open_texts)
            if parsed is None or parsed.outline is None or parsed.path == document.path:
                continue
            names = used if original in (None, "*") else {original}
            yield 1, parsed, parsed.outline, names
    if outline.grammar == "go":  # a Go package is all the files of its folder
        folder = os.path.dirname(document.path)
        for path in go_package_files(folder, root, leave_out=document.path):
            parsed = index.file(path, open_texts)
            if parsed is not None and parsed.outline is not None:
                yield 2, parsed, parsed.outline, used


def _piece(candidate: _Candidate, lines: list[str], root: str) -> ContextPiece:
    definition = candidate.definition
    text = "\n".join(lines[definition.start_line : definition.end_line + 1])
    grammar = candidate.file.outline.grammar if candidate.file.outline else ""
    where = ("elsewhere in this file", "in a file it imports", "in its Go package")[
        candidate.distance
    ]
    return ContextPiece(
        why="related",
        path=relative(candidate.file.path, root),
        text=text,
        first_line=definition.start_line + 1,
        last_line=definition.end_line + 1,
        language=FENCE_LANGUAGES.get(grammar, grammar),
        detail=f"`{definition.name}` is used by the selection, defined {where}",
    )


def _covers(sent: ContextPiece, piece: ContextPiece) -> bool:
    """A reference that already shows these lines of the same file."""
    return (
        sent.path == piece.path
        and sent.first_line > 0
        and sent.first_line <= piece.first_line
        and piece.last_line <= sent.last_line
    )


def relative(path: str, root: str) -> str:
    """The path from the workspace root, with forward slashes; never an absolute path."""
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        return os.path.basename(path)
    if rel.startswith(".."):
        return os.path.basename(path)
    return rel.replace(os.sep, "/")

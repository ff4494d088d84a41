"""The workspace files context is read from, kept parsed between requests.

Each file is read and parsed once, then again only when its size or modification
time changes (one `stat` per request and file touched), so building context for a
selection costs the files it imports, not the size of the workspace.
"""

from __future__ import annotations

import os
import stat
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

import attrs

from grok_lsp.assistant.project.languages import Parsers, grammar_for
from grok_lsp.assistant.project.outline import Outline, outline

if TYPE_CHECKING:
    from tree_sitter import Tree

# Larger files are generated or vendored, not what a selection calls into.
MAX_FILE_BYTES = 1_000_000
# How many files and open documents stay parsed: a long session must not grow without end.
MAX_FILES = 4096
MAX_DOCUMENTS = 64
# Syntax trees take tens of times their text's size; only the documents asked about
# last keep theirs (the others keep their outline and are parsed again when asked).
MAX_TREES = 4
# Characters of file text kept in each table of files read from disk: up to 4,096 files of
# up to 1 MB each must not all stay in memory (the oldest are read again when needed).
MAX_FILE_CHARS = 32_000_000

K = TypeVar("K")
V = TypeVar("V")


class _Recent(OrderedDict[K, V]):
    """A dict that forgets its least recently used entries beyond `limit` entries, or
    beyond `max_size` in all as `size` measures each value (the newest always stays)."""

    def __init__(
        self, limit: int, max_size: int = 0, size: Callable[[V], int] | None = None
    ) -> None:
        super().__init__()
        self.limit = limit
        self.max_size = max_size
        self._measure = size
        self.size = 0

    def used(self, key: K) -> V | None:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def keep(self, key: K, value: V) -> None:
        self.drop(key)
        self[key] = value
        self.size += self._size_of(value)
        while len(self) > self.limit or (self.max_size and self.size > self.max_size):
            if len(self) == 1:
                break
            _key, old = self.popitem(last=False)
            self.size -= self._size_of(old)

    def drop(self, key: K) -> None:
        old = self.pop(key, None)
        if old is not None:
            self.size -= self._size_of(old)

    def _size_of(self, value: V) -> int:
        return self._measure(value) if self._measure is not None else 0


@attrs.frozen
class ParsedFile:
    """A file's text and outline; never its syntax tree, which is many times bigger."""

    path: str
    text: str
    outline: Outline | None  # None: a language without a parser
    language_id: str = ""

    def lines(self) -> list[str]:
        return self.text.splitlines()


class ProjectIndex:
    """Parsed files by absolute path; safe to use from one worker thread at a time per call."""

    def __init__(self, parsers: Parsers | None = None) -> None:
        self.parsers = parsers or Parsers()
        self._lock = threading.Lock()
        self._files: _Recent[str, tuple[tuple[int, int], ParsedFile]] = _Recent(
            MAX_FILES, MAX_FILE_CHARS, lambda entry: len(entry[1].text)
        )
        self._texts: _Recent[str, tuple[tuple[int, int], str | None]] = _Recent(
            MAX_FILES, MAX_FILE_CHARS, lambda entry: len(entry[1] or "")
        )
        self._open: _Recent[str, tuple[int, ParsedFile]] = _Recent(MAX_DOCUMENTS)
        self._trees: _Recent[str, tuple[str, Tree]] = _Recent(MAX_TREES)

    def read_text(self, path: str) -> str | None:
        """A small text file's content, or None when it is missing, too big or not text."""
        stamp = _stamp(path)
        if stamp is None:
            return None
        with self._lock:
            cached = self._texts.used(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        text = _read(path) if stamp[1] <= MAX_FILE_BYTES else None
        with self._lock:
            self._texts.keep(path, (stamp, text))
        return text

    def file(self, path: str, open_texts: Mapping[str, str] | None = None) -> ParsedFile | None:
        """The file as the editor holds it when open, else as on disk; parsed when it can be."""
        if open_texts is not None and path in open_texts:
            return self.document(path, open_texts[path], "")
        stamp = _stamp(path)
        if stamp is None:
            return None
        with self._lock:
            cached = self._files.used(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        text = _read(path) if stamp[1] <= MAX_FILE_BYTES else None
        if text is None:
            return None
        parsed, _tree = self._parse(path, text, "")
        with self._lock:
            self._files.keep(path, (stamp, parsed))
        return parsed

    def document(self, path: str, text: str, language_id: str) -> ParsedFile:
        """An open document's text, parsed again only when it changed."""
        key = hash(text)
        with self._lock:
            cached = self._open.used(path)
        if cached is not None and cached[0] == key and cached[1].text == text:
            return cached[1]
        parsed, tree = self._parse(path, text, language_id)
        with self._lock:
            self._open.keep(path, (key, parsed))
            if tree is not None:
                self._trees.keep(path, (text, tree))
        return parsed

    def tree(self, document: ParsedFile) -> Tree | None:
        """The syntax tree of a document `document` returned, parsed again if it was let go."""
        with self._lock:
            cached = self._trees.used(document.path)
        if cached is not None and cached[0] == document.text:
            return cached[1]
        _parsed, tree = self._parse(document.path, document.text, document.language_id)
        if tree is not None:
            with self._lock:
                self._trees.keep(document.path, (document.text, tree))
        return tree

    def forget(self, path: str) -> None:
        """Drop what is known of a file (closed, deleted or renamed)."""
        with self._lock:
            self._files.drop(path)
            self._texts.drop(path)
            self._open.drop(path)
            self._trees.drop(path)

    def _parse(self, path: str, text: str, language_id: str) -> tuple[ParsedFile, Tree | None]:
        grammar = grammar_for(language_id, path)
        parser = self.parsers.get(grammar) if grammar else None
        if grammar is None or parser is None:
            return ParsedFile(path, text, None, language_id), None
        tree = parser.parse(text.encode("utf-8", "surrogatepass"))
        return ParsedFile(path, text, outline(grammar, tree), language_id), tree


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return status.st_mtime_ns, status.st_size


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError):
        return None

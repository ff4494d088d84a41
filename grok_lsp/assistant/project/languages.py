"""Which parser reads which file: tree-sitter grammars shipped compiled in their wheels.

tree-sitter is optional at run time (the VS Code extension carries only pure-Python
packages): without it every language gets no related definitions, never a crash.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tree_sitter import Parser

logger = logging.getLogger(__name__)

# Language ids an editor sends -> our grammar names; others get no related definitions.
LANGUAGE_IDS = {
    "python": "python",
    "typescript": "typescript",
    "typescriptreact": "tsx",
    "javascript": "javascript",
    "javascriptreact": "javascript",
    "go": "go",
    "rust": "rust",
}
EXTENSIONS = {
    ".py": "python",
    ".pyi": "python",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".go": "go",
    ".rs": "rust",
}
# grammar -> (module, function returning the compiled language)
_GRAMMARS = {
    "python": ("tree_sitter_python", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "javascript": ("tree_sitter_javascript", "language"),
    "go": ("tree_sitter_go", "language"),
    "rust": ("tree_sitter_rust", "language"),
}


def grammar_for(language_id: str, path: str = "") -> str | None:
    """The grammar for an editor's language id, else for the file's extension."""
    grammar = LANGUAGE_IDS.get(language_id.lower())
    if grammar is None and path:
        grammar = EXTENSIONS.get(os.path.splitext(path)[1].lower())
    return grammar


class Parsers:
    """One parser per grammar, made on first use; a missing package is logged once."""

    def __init__(self) -> None:
        self._parsers: dict[str, Parser | None] = {}
        self._warned = False

    def get(self, grammar: str) -> Parser | None:
        if grammar not in self._parsers:
            self._parsers[grammar] = self._load(grammar)
        return self._parsers[grammar]

    def _load(self, grammar: str) -> Parser | None:
        module_name, function = _GRAMMARS[grammar]
        try:
            from tree_sitter import Language, Parser

            module: Any = importlib.import_module(module_name)
            return Parser(Language(getattr(module, function)()))
        except (ImportError, AttributeError, ValueError, TypeError) as error:
            if not self._warned:
                self._warned = True
                logger.warning(
                    "related definitions are off: the %s parser cannot be loaded (%s); "
                    "install grok-lsp with its dependencies to get them",
                    grammar,
                    error,
                )
            return None

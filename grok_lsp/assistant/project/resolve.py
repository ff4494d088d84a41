"""Where an import's module lives in the workspace, per language's own rules.

Only files inside the workspace root are returned: installed packages and the
standard library are not the project's code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from grok_lsp.assistant.project.outline import Import

# (file, name looked up there): None means "any name the selection uses" (a module import).
Target = tuple[str, str | None]
ReadText = Callable[[str], str | None]


def inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _first_file(candidates: Iterator[str] | list[str], root: str) -> str | None:
    for candidate in candidates:
        if inside(candidate, root) and os.path.isfile(candidate):
            return candidate
    return None


# --- Python ---------------------------------------------------------------------------


def _python_module(base: str, parts: list[str], root: str) -> str | None:
    folder = os.path.join(base, *parts)
    names = [folder + ".py", folder + ".pyi", os.path.join(folder, "__init__.py")]
    return _first_file(names if parts else [os.path.join(base, "__init__.py")], root)


def _python(importer: str, root: str, imp: Import) -> list[Target]:
    level = len(imp.target) - len(imp.target.lstrip("."))
    parts = [p for p in imp.target.lstrip(".").split(".") if p]
    if level:
        base = os.path.dirname(importer)
        for _ in range(level - 1):
            base = os.path.dirname(base)
        bases = [base]
    else:  # the root, a src/ layout, or a script beside its helper
        bases = list(dict.fromkeys([root, os.path.join(root, "src"), os.path.dirname(importer)]))
    for base in bases:
        if imp.original not in (None, "*"):
            submodule = _python_module(base, [*parts, imp.original], root)
            if submodule:  # `from pkg import util` names a module, not a definition
                return [(submodule, None)]
        found = _python_module(base, parts, root)
        if found:
            return [(found, imp.original)]
    return []


# --- TypeScript and JavaScript -----------------------------------------------------------

_SCRIPT_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs")


def _script(importer: str, root: str, imp: Import) -> list[Target]:
    if not imp.target.startswith("."):  # packages from node_modules are not the project's
        return []
    path = os.path.normpath(os.path.join(os.path.dirname(importer), imp.target))
    stem, extension = os.path.splitext(path)
    candidates = [path] if extension in _SCRIPT_EXTENSIONS else []
    if extension in (".js", ".jsx", ".mjs", ".cjs"):  # TypeScript's ESM imports name the output
        candidates += [stem + ".ts", stem + ".tsx", stem + ".mts", stem + ".cts"]
    candidates += [path + e for e in _SCRIPT_EXTENSIONS]
    candidates += [os.path.join(path, "index" + e) for e in _SCRIPT_EXTENSIONS]
    found = _first_file(candidates, root)
    if found is None:
        return []
    return [(found, None if imp.original == "default" else imp.original)]


# --- Go ----------------------------------------------------------------------------------


def go_module(importer: str, root: str, read: ReadText) -> tuple[str, str] | None:
    """(folder of go.mod, module path) for the importer, looked up to the root."""
    folder = os.path.dirname(importer)
    while inside(folder, root):
        text = read(os.path.join(folder, "go.mod"))
        if text is not None:
            for line in text.splitlines():
                words = line.split()
                if len(words) >= 2 and words[0] == "module":
                    return folder, words[1].strip('"')
            return None
        if folder == root:
            break
        folder = os.path.dirname(folder)
    return None


def go_package_files(folder: str, root: str, leave_out: str = "") -> list[str]:
    if not inside(folder, root):
        return []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [
        os.path.join(folder, name)
        for name in names
        if name.endswith(".go")
        and not name.endswith("_test.go")
        and os.path.join(folder, name) != leave_out
    ]


def _go(importer: str, root: str, imp: Import, read: ReadText) -> list[Target]:
    module = go_module(importer, root, read)
    if module is None:
        return []
    folder, name = module
    if imp.target != name and not imp.target.startswith(name + "/"):
        return []
    package = os.path.join(folder, *imp.target[len(name) :].split("/"))
    return [(path, imp.original) for path in go_package_files(package, root)]


# --- Rust --------------------------------------------------------------------------------


def _crate_source(importer: str, root: str) -> str | None:
    folder = os.path.dirname(importer)
    while inside(folder, root):
        if os.path.isfile(os.path.join(folder, "Cargo.toml")):
            return os.path.join(folder, "src")
        if folder == root:
            break
        folder = os.path.dirname(folder)
    return None


def _module_folder(path: str) -> str:
    """Where a Rust file's submodules live: beside main.rs/lib.rs/mod.rs, else in <stem>/."""
    name = os.path.basename(path)
    if name in ("main.rs", "lib.rs", "mod.rs"):
        return os.path.dirname(path)
    return os.path.splitext(path)[0]


def _rust_module(folder: str, name: str, root: str) -> str | None:
    return _first_file(
        [os.path.join(folder, name + ".rs"), os.path.join(folder, name, "mod.rs")], root
    )


def _rust(importer: str, root: str, imp: Import) -> list[Target]:
    segments = [s for s in imp.target.split("::") if s]
    if not segments:
        return []
    folder = _module_folder(importer)
    current: str | None = importer
    head, rest = segments[0], segments[1:]
    if head == "crate":
        source = _crate_source(importer, root)
        if source is None:
            return []
        folder = source
        current = _first_file(
            [os.path.join(source, "lib.rs"), os.path.join(source, "main.rs")], root
        )
    elif head == "super":
        folder = os.path.dirname(_module_folder(importer))
        current = _first_file(
            [
                folder + ".rs",
                os.path.join(folder, "mod.rs"),
                os.path.join(folder, "lib.rs"),
                os.path.join(folder, "main.rs"),
            ],
            root,
        )
    elif head != "self":
        rest = segments  # a module declared beside this file (`mod util;` then `use util::x`)
    for segment in rest:
        found = _rust_module(folder, segment, root)
        if found is None:
            break  # the rest names items inside the current module
        current, folder = found, _module_folder(found)
    if current is None:
        return []
    if imp.original not in (None, "*"):
        submodule = _rust_module(folder, imp.original, root)
        if submodule:
            return [(submodule, None)]
    return [(current, imp.original)]


def resolve(grammar: str, importer: str, root: str, imp: Import, read: ReadText) -> list[Target]:
    """The workspace files an import brings in, with the name to look for in each."""
    if grammar == "python":
        return _python(importer, root, imp)
    if grammar in ("typescript", "tsx", "javascript"):
        return _script(importer, root, imp)
    if grammar == "go":
        return _go(importer, root, imp, read)
    if grammar == "rust":
        return _rust(importer, root, imp)
    return []

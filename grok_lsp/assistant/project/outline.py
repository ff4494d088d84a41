"""What a parsed file defines and imports, and which names a range of it uses.

Read from tree-sitter syntax trees (never from regular expressions): top-level
definitions (and the methods of top-level classes and impls), the imports with the
name each one binds, and the identifiers inside a range of lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from tree_sitter import Node, Tree


@attrs.frozen
class Definition:
    name: str
    start_line: int  # 0-based, inclusive
    end_line: int  # 0-based, inclusive
    member: bool = False  # a method inside a class or impl, not a top-level name


@attrs.frozen
class Import:
    """`bound` is the name the importing file uses; `original` the name in the target.

    `original` is None when the module itself is bound (`import util`), "*" for a
    wildcard, and "" for what Go and Rust see without naming it (the same package).
    """

    bound: str
    target: str  # the module as written: "pkg.mod", "..pkg", "./util", "crate::a::b"
    original: str | None = None


@attrs.frozen
class Outline:
    grammar: str
    definitions: tuple[Definition, ...]
    imports: tuple[Import, ...]
    line_count: int


IDENTIFIERS = frozenset(
    {
        "identifier",
        "type_identifier",
        "field_identifier",
        "property_identifier",
        "package_identifier",
        "shorthand_property_identifier",
        "shorthand_property_identifier_pattern",
    }
)


def text_of(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


_COMMENTS = frozenset({"comment", "line_comment", "block_comment"})


def _definition(name_node: Node | None, span: Node, member: bool = False) -> Definition | None:
    name = text_of(name_node)
    if not name:
        return None
    return Definition(name, _documented_start(span), span.end_point.row, member)


def _documented_start(node: Node) -> int:
    """The first line of the comments right above a definition (Go's and Rust's doc comments)."""
    start = node.start_point.row
    before = node.prev_sibling
    while before is not None and before.type in _COMMENTS and before.end_point.row >= start - 1:
        start = before.start_point.row
        before = before.prev_sibling
    return start


# --- Python ---------------------------------------------------------------------------


def _python(root: Node) -> tuple[list[Definition], list[Import]]:
    definitions: list[Definition] = []
    imports: list[Import] = []
    for node in root.named_children:
        inner = (
            node.child_by_field_name("definition") if node.type == "decorated_definition" else node
        )
        if inner is None:
            continue
        if inner.type in ("function_definition", "class_definition"):
            found = _definition(inner.child_by_field_name("name"), node)
            if found:
                definitions.append(found)
            if inner.type == "class_definition":
                definitions.extend(_python_methods(inner))
        elif inner.type == "expression_statement":
            for assignment in inner.named_children:
                left = assignment.child_by_field_name("left")
                if (
                    assignment.type == "assignment"
                    and left is not None
                    and left.type == "identifier"
                ):
                    found = _definition(left, node)
                    if found:
                        definitions.append(found)
        elif inner.type == "import_statement":
            for name in inner.children_by_field_name("name"):
                if name.type == "aliased_import":
                    module = text_of(name.child_by_field_name("name"))
                    imports.append(Import(text_of(name.child_by_field_name("alias")), module))
                else:
                    module = text_of(name)
                    imports.append(Import(module.split(".")[0], module))
        elif inner.type == "import_from_statement":
            module = text_of(inner.child_by_field_name("module_name"))
            if any(child.type == "wildcard_import" for child in inner.named_children):
                imports.append(Import("", module, "*"))
            for name in inner.children_by_field_name("name"):
                if name.type == "aliased_import":
                    original = text_of(name.child_by_field_name("name"))
                    bound = text_of(name.child_by_field_name("alias"))
                else:
                    original = bound = text_of(name)
                imports.append(Import(bound, module, original))
    return definitions, imports


def _python_methods(cls: Node) -> Iterator[Definition]:
    body = cls.child_by_field_name("body")
    for node in body.named_children if body is not None else ():
        inner = (
            node.child_by_field_name("definition") if node.type == "decorated_definition" else node
        )
        if inner is not None and inner.type == "function_definition":
            found = _definition(inner.child_by_field_name("name"), node, member=True)
            if found:
                yield found


# --- TypeScript and JavaScript -----------------------------------------------------------

_TS_NAMED = {
    "function_declaration",
    "generator_function_declaration",
    "class_declaration",
    "abstract_class_declaration",
    "interface_declaration",
    "type_alias_declaration",
    "enum_declaration",
}


def _string_value(node: Node | None) -> str:
    return text_of(node)[1:-1] if node is not None else ""


def _script(root: Node) -> tuple[list[Definition], list[Import]]:
    definitions: list[Definition] = []
    imports: list[Import] = []
    for node in root.named_children:
        declaration = node
        if node.type == "export_statement":
            declaration = node.child_by_field_name("declaration") or node
        if declaration.type in _TS_NAMED:
            found = _definition(declaration.child_by_field_name("name"), node)
            if found:
                definitions.append(found)
            if "class" in declaration.type:
                definitions.extend(_script_methods(declaration))
        elif declaration.type in ("lexical_declaration", "variable_declaration"):
            declarators = [c for c in declaration.named_children if c.type == "variable_declarator"]
            for declarator in declarators:
                span = node if len(declarators) == 1 else declarator
                name = declarator.child_by_field_name("name")
                if name is not None and name.type == "identifier":
                    found = _definition(name, span)
                    if found:
                        definitions.append(found)
                imports.extend(_required(declarator))
        elif declaration.type == "import_statement":
            imports.extend(_es_import(declaration))
    return definitions, imports


def _script_methods(cls: Node) -> Iterator[Definition]:
    body = cls.child_by_field_name("body")
    for node in body.named_children if body is not None else ():
        if node.type in ("method_definition", "public_field_definition"):
            found = _definition(node.child_by_field_name("name"), node, member=True)
            if found:
                yield found


def _es_import(statement: Node) -> Iterator[Import]:
    source = _string_value(statement.child_by_field_name("source"))
    for clause in statement.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                yield Import(text_of(part), source, "default")
            elif part.type == "namespace_import":
                names = [c for c in part.named_children if c.type == "identifier"]
                if names:
                    yield Import(text_of(names[0]), source)
            elif part.type == "named_imports":
                for specifier in part.named_children:
                    if specifier.type != "import_specifier":
                        continue
                    original = text_of(specifier.child_by_field_name("name"))
                    alias = specifier.child_by_field_name("alias")
                    yield Import(text_of(alias) if alias else original, source, original)


def _required(declarator: Node) -> Iterator[Import]:
    """`const x = require("./x")` and `const { a, b } = require("./x")`."""
    value = declarator.child_by_field_name("value")
    if value is None or value.type != "call_expression":
        return
    if text_of(value.child_by_field_name("function")) != "require":
        return
    arguments = value.child_by_field_name("arguments")
    strings = [c for c in arguments.named_children if c.type == "string"] if arguments else []
    if not strings:
        return
    source = _string_value(strings[0])
    name = declarator.child_by_field_name("name")
    if name is None:
        return
    if name.type == "identifier":
        yield Import(text_of(name), source)
    elif name.type == "object_pattern":
        for part in name.named_children:
            if part.type == "shorthand_property_identifier_pattern":
                yield Import(text_of(part), source, text_of(part))


# --- Go ----------------------------------------------------------------------------------


def _go(root: Node) -> tuple[list[Definition], list[Import]]:
    definitions: list[Definition] = []
    imports: list[Import] = []
    for node in root.named_children:
        if node.type in ("function_declaration", "method_declaration"):
            found = _definition(node.child_by_field_name("name"), node)
            if found:
                definitions.append(found)
        elif node.type in ("type_declaration", "const_declaration", "var_declaration"):
            specs = [c for c in node.named_children if c.type.endswith("_spec")]
            for spec in specs:
                span = node if len(specs) == 1 else spec
                for name in spec.children_by_field_name("name"):
                    found = _definition(name, span)
                    if found:
                        definitions.append(found)
        elif node.type == "import_declaration":
            for spec in _go_import_specs(node):
                path = _string_value(spec.child_by_field_name("path"))
                alias = text_of(spec.child_by_field_name("name"))
                bound = alias or path.rsplit("/", 1)[-1]
                imports.append(
                    Import("" if alias == "." else bound, path, "*" if alias == "." else None)
                )
    return definitions, imports


def _go_import_specs(node: Node) -> Iterator[Node]:
    for child in node.named_children:
        if child.type == "import_spec":
            yield child
        elif child.type == "import_spec_list":
            yield from (c for c in child.named_children if c.type == "import_spec")


# --- Rust --------------------------------------------------------------------------------

_RUST_NAMED = {
    "function_item",
    "struct_item",
    "enum_item",
    "union_item",
    "trait_item",
    "type_item",
    "const_item",
    "static_item",
    "macro_definition",
}


def _rust(root: Node) -> tuple[list[Definition], list[Import]]:
    definitions: list[Definition] = []
    imports: list[Import] = []
    for node in root.named_children:
        if node.type in _RUST_NAMED:
            found = _definition(node.child_by_field_name("name"), node)
            if found:
                definitions.append(found)
        elif node.type == "impl_item":
            kind = node.child_by_field_name("type")
            if kind is not None and kind.type == "generic_type":
                kind = kind.child_by_field_name("type")
            found = _definition(kind, node)
            if found:
                definitions.append(found)
            body = node.child_by_field_name("body")
            for item in body.named_children if body is not None else ():
                if item.type == "function_item":
                    method = _definition(item.child_by_field_name("name"), item, member=True)
                    if method:
                        definitions.append(method)
        elif node.type == "mod_item" and node.child_by_field_name("body") is None:
            name = text_of(node.child_by_field_name("name"))
            imports.append(Import(name, f"self::{name}"))
        elif node.type == "use_declaration":
            argument = node.child_by_field_name("argument")
            if argument is not None:
                imports.extend(_rust_use(argument, []))
    return definitions, imports


def _path_segments(node: Node | None) -> list[str]:
    if node is None:
        return []
    if node.type == "scoped_identifier":
        return [
            *_path_segments(node.child_by_field_name("path")),
            text_of(node.child_by_field_name("name")),
        ]
    return [text_of(node)]


def _rust_use(node: Node, prefix: list[str]) -> Iterator[Import]:
    if node.type in ("identifier", "scoped_identifier", "self", "crate", "super"):
        segments = [*prefix, *_path_segments(node)]
        if segments[-1] == "self":  # `use a::b::{self}` binds b
            segments = segments[:-1]
        if len(segments) >= 2:
            yield Import(segments[-1], "::".join(segments[:-1]), segments[-1])
    elif node.type == "use_as_clause":
        segments = [*prefix, *_path_segments(node.child_by_field_name("path"))]
        alias = text_of(node.child_by_field_name("alias"))
        if len(segments) >= 2:
            yield Import(alias, "::".join(segments[:-1]), segments[-1])
    elif node.type == "scoped_use_list":
        inner = [*prefix, *_path_segments(node.child_by_field_name("path"))]
        listed = node.child_by_field_name("list")
        for item in listed.named_children if listed is not None else ():
            yield from _rust_use(item, inner)
    elif node.type == "use_list":
        for item in node.named_children:
            yield from _rust_use(item, prefix)
    elif node.type == "use_wildcard":
        scoped = [c for c in node.named_children]
        segments = [*prefix, *(_path_segments(scoped[0]) if scoped else [])]
        if segments:
            yield Import("", "::".join(segments), "*")


_READERS: dict[str, Callable[[Node], tuple[list[Definition], list[Import]]]] = {
    "python": _python,
    "typescript": _script,
    "tsx": _script,
    "javascript": _script,
    "go": _go,
    "rust": _rust,
}


def outline(grammar: str, tree: Tree) -> Outline:
    definitions, imports = _READERS[grammar](tree.root_node)
    return Outline(grammar, tuple(definitions), tuple(imports), tree.root_node.end_point.row + 1)


def names_used(tree: Tree, first_line: int, last_line: int) -> set[str]:
    """The identifiers written on lines `first_line`..`last_line` (0-based, inclusive)."""
    names: set[str] = set()
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.end_point.row < first_line or node.start_point.row > last_line:
            continue
        if node.type in IDENTIFIERS and first_line <= node.start_point.row <= last_line:
            names.add(text_of(node))
        stack.extend(node.children)
    return names

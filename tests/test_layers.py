"""The package's imports point one way (cli -> server -> assistant -> providers), in no circle.

Read from the source with `ast`, as import-linter would: every `import` of a grok_lsp
module, at module level or inside a function; those under `if TYPE_CHECKING:` only
count for the layers (they never run, so they cannot make a cycle at import time).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "grok_lsp"

# Higher imports lower (or its own rank), never the other way.
RANKS = {
    "__main__": 5,
    "cli": 5,
    "tools": 4,  # grok-lsp ask / models / doctor: drive the assistant, never the server
    "demo": 4,
    "server": 3,
    "assistant": 2,
    "settings": 1.5,
    "xai": 1,
    "grokweb": 1,
    "simulator": 1,
    "endpoints": 0,  # the default model and base URL, the loopback check
    "": 0,  # grok_lsp/__init__.py: the version
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, typing_only: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.body:
                yield from _imports_of(child, True)
            for child in node.orelse:
                yield from _imports_of(child, typing_only)
        else:
            yield from _imports_of(node, typing_only)


def _imports_of(node: ast.AST, typing_only: bool) -> Iterator[tuple[ast.AST, bool]]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node, typing_only
    else:
        yield from _imports(node, typing_only)


def imported(module: str) -> dict[str, bool]:
    """The grok_lsp modules `module` imports, each with whether only for type checking."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: dict[str, bool] = {}
    for node, typing_only in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t if t in MODULES else base for t in targets]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != module:
                found[target] = found.get(target, True) and typing_only
    return found


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_every_package_has_a_rank() -> None:
    assert {layer(module) for module in MODULES} <= set(RANKS)


def test_no_module_imports_in_a_circle() -> None:
    runtime = {
        module: {target for target, typing_only in imported(module).items() if not typing_only}
        for module in MODULES
    }
    assert cycles(runtime) == []


def test_imports_point_from_the_editor_towards_the_providers() -> None:
    wrong = [
        f"{module} -> {target}"
        for module in sorted(MODULES)
        for target in imported(module)
        if RANKS[layer(target)] > RANKS[layer(module)]
    ]
    assert wrong == []


def test_only_the_entry_points_start_the_server() -> None:
    importers = {
        module
        for module in MODULES
        for target in imported(module)
        if layer(target) == "server" and layer(module) != "server"
    }
    assert importers <= {"grok_lsp.cli"}


STORE_NAMES = {"store", "in_store", "state_dir", "ConversationStore"}


def store_uses(module: str) -> list[str]:
    """Where a module names the conversation store or the state dir itself."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    return [
        f"{module}:{node.lineno}"
        for node in ast.walk(tree)
        if (isinstance(node, ast.Attribute) and node.attr in STORE_NAMES)
        or (isinstance(node, ast.Name) and node.id in STORE_NAMES)
        or (isinstance(node, ast.alias) and node.name.rpartition(".")[2] in STORE_NAMES)
    ]


def test_the_server_reaches_the_store_only_through_the_assistant() -> None:
    server = [module for module in sorted(MODULES) if layer(module) == "server"]
    assert [use for module in server for use in store_uses(module)] == []


# What only `Assistant.run` does: build the prompt and its context, talk to the provider.
ROAD_NAMES = {"ChatRequest", "stream_chat", "build_prompt", "prepare", "apply_to_request", "gather"}


def road_uses(module: str, function: str | None = None) -> list[str]:
    """Where a module (or one of its functions) builds a prompt or asks a provider itself."""
    tree: ast.AST = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    if function is not None:
        tree = next(
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and node.name == function
        )
    return [
        f"{module}:{node.lineno}"
        for node in ast.walk(tree)
        if (isinstance(node, ast.Attribute) and node.attr in ROAD_NAMES)
        or (isinstance(node, ast.Name) and node.id in ROAD_NAMES)
        or (isinstance(node, ast.alias) and node.name.rpartition(".")[2] in ROAD_NAMES)
    ]


def test_the_server_and_grok_lsp_ask_reach_the_model_only_through_assistant_run() -> None:
    server = [module for module in sorted(MODULES) if layer(module) == "server"]
    assert [use for module in server for use in road_uses(module)] == []
    assert road_uses("grok_lsp.tools", "ask") == []


def test_the_checker_sees_a_circle_and_an_upward_import() -> None:
    # The checks above would pass on an empty graph: prove they read what they should.
    assert cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    assert "grok_lsp.server.app" in imported("grok_lsp.server.wiring")
    assert imported("grok_lsp.server.loop_monitor") == {"grok_lsp.server.app": True}
    assert store_uses("grok_lsp.assistant.answering")  # the assistant does use the store
    assert road_uses("grok_lsp.assistant.answering")  # and builds prompts, asks providers
    assert road_uses("grok_lsp.tools", "_check_answers")  # `doctor` probes the API itself

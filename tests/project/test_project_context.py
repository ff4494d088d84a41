"""Project context built from real sample projects: rules, `#` references, related definitions."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grok_lsp.assistant.project import (
    ProjectContext,
    ProjectContextBuilder,
    SelectionLines,
    estimate_tokens,
    rules_text,
    user_turn_text,
)
from grok_lsp.assistant.project.references import Reference, find_references
from grok_lsp.settings import ContextSettings, parse_settings

WORKSPACES = Path(__file__).parent / "workspaces"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A writable copy of the Python sample project."""
    return Path(shutil.copytree(WORKSPACES / "python", tmp_path / "python"))


def build(
    root: Path,
    relative: str,
    language_id: str,
    lines: tuple[int, int] | None = None,
    question: str = "",
    settings: ContextSettings | None = None,
    builder: ProjectContextBuilder | None = None,
    open_texts: dict[str, str] | None = None,
) -> ProjectContext:
    path = root / relative
    selection = SelectionLines(lines[0], lines[1], lines[0], lines[1]) if lines else None
    return (builder or ProjectContextBuilder()).build(
        settings or ContextSettings(),
        document_path=str(path),
        document_text=path.read_text(),
        language_id=language_id,
        root=str(root),
        request_text=question,
        selection=selection,
        open_texts=open_texts,
    )


def related(context: ProjectContext) -> dict[str, tuple[str, int, int]]:
    """Related definitions by name: (path, first line, last line)."""
    return {
        piece.detail.split("`")[1]: (piece.path, piece.first_line, piece.last_line)
        for piece in context.related
    }


# --- related definitions, one real project per language -----------------------------------


def test_python_selection_gets_the_helpers_it_imports_from_other_files() -> None:
    context = build(WORKSPACES / "python", "shop/orders/pricing.py", "python", (5, 9))
    found = related(context)
    assert found["best_discount"] == ("shop/discounts.py", 6, 10)
    assert found["clamp"] == ("shop/util.py", 1, 2)
    body = next(p.text for p in context.related if p.path == "shop/discounts.py")
    assert "return None" in body and "CODES = " not in body  # the definition, not the file


def test_typescript_named_and_namespace_imports_are_followed() -> None:
    context = build(WORKSPACES / "typescript", "src/cart.ts", "typescript", (3, 5))
    found = related(context)
    assert found["formatPrice"] == ("src/format.ts", 3, 5)
    assert found["withTax"] == ("src/tax.ts", 3, 5)  # `./tax.js` names the compiled file
    assert "CURRENCY" not in found  # used by the helper, not by the selection


def test_javascript_require_is_followed() -> None:
    context = build(WORKSPACES / "typescript", "lib/greet.js", "javascript", (2, 4))
    assert related(context) == {"shout": ("lib/helpers.js", 1, 3)}


def test_go_package_import_and_same_package_files() -> None:
    from_main = build(WORKSPACES / "go", "main.go", "go", (8, 10))
    assert related(from_main)["Total"] == ("pricing/total.go", 3, 6)  # with its doc comment
    in_package = build(WORKSPACES / "go", "pricing/total.go", "go", (3, 5))
    found = related(in_package)
    assert found["sum"] == ("pricing/sum.go", 6, 12)
    assert found["Fee"] == ("pricing/sum.go", 3, 4)


def test_rust_modules_and_use_paths_are_followed() -> None:
    context = build(WORKSPACES / "rust", "src/main.rs", "rust", (5, 8))
    paths = {(p.path, p.first_line) for p in context.related}
    assert ("src/pricing.rs", 3) in paths  # use crate::pricing::total
    assert ("src/cart.rs", 1) in paths and ("src/cart.rs", 5) in paths  # struct and its impl
    nested = build(WORKSPACES / "rust", "src/pricing.rs", "rust", (2, 4))
    assert related(nested) == {"FEE": ("src/pricing/fees.rs", 1, 2)}


def test_same_document_definitions_only_beyond_the_shown_lines(tmp_path: Path) -> None:
    lines = (
        ["def helper():\n", "    return 42\n"]
        + ["\n"] * 40
        + ["def main():\n", "    return helper()\n"]
    )
    (tmp_path / "app.py").write_text("".join(lines))
    builder = ProjectContextBuilder()
    far = build(tmp_path, "app.py", "python", (42, 43), builder=builder)
    assert related(far) == {"helper": ("app.py", 1, 2)}
    path = tmp_path / "app.py"
    near = builder.build(
        ContextSettings(),
        document_path=str(path),
        document_text=path.read_text(),
        language_id="python",
        root=str(tmp_path),
        selection=SelectionLines(42, 43, 0, 43),  # the prompt already shows lines 1-44
    )
    assert near.related == ()


def test_related_definitions_respect_the_budget_smallest_first() -> None:
    full = build(WORKSPACES / "python", "shop/orders/pricing.py", "python", (5, 9))
    rules_cost = sum(estimate_tokens(p.text) for p in full.rules)
    clamp = next(p for p in full.related if p.path == "shop/util.py")
    discount = next(p for p in full.related if p.path == "shop/discounts.py")
    assert estimate_tokens(clamp.text) < estimate_tokens(discount.text)
    # Room for the smaller definition only: it is sent, the bigger one is left out.
    tight = ContextSettings(budget_tokens=rules_cost + estimate_tokens(discount.text) - 1)
    context = build(
        WORKSPACES / "python", "shop/orders/pricing.py", "python", (5, 9), settings=tight
    )
    assert list(related(context)) == ["clamp"]
    off = build(
        WORKSPACES / "python",
        "shop/orders/pricing.py",
        "python",
        (5, 9),
        settings=ContextSettings(related=False),
    )
    assert off.related == ()


def test_other_languages_get_no_related_definitions(tmp_path: Path) -> None:
    (tmp_path / "a.rb").write_text("def helper\n  42\nend\n\n\n\ndef main\n  helper\nend\n")
    assert build(tmp_path, "a.rb", "ruby", (6, 8)).related == ()


def test_without_tree_sitter_the_server_side_builder_sends_no_related_definitions() -> None:
    """The VS Code extension's bundled server has no tree-sitter: none, logged once, no crash."""
    script = (
        "import sys, logging\n"
        "sys.modules['tree_sitter'] = None\n"  # makes `import tree_sitter` fail
        "logging.basicConfig(level=logging.WARNING)\n"
        "from tests.project.test_project_context import build, WORKSPACES\n"
        "a = build(WORKSPACES / 'python', 'shop/orders/pricing.py', 'python', (5, 9))\n"
        "b = build(WORKSPACES / 'go', 'main.go', 'go', (8, 10))\n"
        "print(len(a.related), len(b.related), len(a.rules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert done.stdout.split() == ["0", "0", "2"]
    assert done.stderr.count("related definitions are off") == 2  # once per builder's parsers


def test_an_edited_file_is_parsed_again_and_an_unchanged_one_is_not(project: Path) -> None:
    builder = ProjectContextBuilder()
    first = build(project, "shop/orders/pricing.py", "python", (5, 9), builder=builder)
    util = str(project / "shop" / "util.py")
    before = builder.index.file(util)
    assert builder.index.file(util) is before  # kept between requests
    (project / "shop" / "util.py").write_text(
        "# clamp keeps a value between two bounds\n\n\ndef clamp(value, low, high):\n"
        "    return max(low, min(value, high))\n"
    )
    second = build(project, "shop/orders/pricing.py", "python", (5, 9), builder=builder)
    assert related(first)["clamp"] == ("shop/util.py", 1, 2)
    assert related(second)["clamp"] == ("shop/util.py", 4, 5)


def test_an_open_documents_unsaved_text_wins_over_the_disk(project: Path) -> None:
    util = str(project / "shop" / "util.py")
    unsaved = "\n\ndef clamp(value, low, high):\n    return value  # not saved yet\n"
    context = build(project, "shop/orders/pricing.py", "python", (5, 9), open_texts={util: unsaved})
    piece = next(p for p in context.related if p.path == "shop/util.py")
    assert "not saved yet" in piece.text and piece.first_line == 3


# --- rules files ------------------------------------------------------------------------


def test_rules_files_nearest_first_up_to_the_root_not_beyond_nor_sideways(project: Path) -> None:
    (project.parent / "AGENTS.md").write_text("outside the workspace\n")
    (project / "other").mkdir()
    (project / "other" / "AGENTS.md").write_text("a sibling folder's rules\n")
    context = build(project, "shop/orders/pricing.py", "python", (5, 9))
    assert [p.path for p in context.rules] == ["shop/AGENTS.md", "AGENTS.md"]
    text = rules_text(context.rules)
    assert text.index("returns None for unknown codes") < text.index("integer cents")
    assert "outside the workspace" not in text and "sibling" not in text


def test_configured_rules_files_are_looked_up_the_same_way(project: Path) -> None:
    (project / ".cursorrules").write_text("Prefer small functions.\n")
    (project / "shop" / ".github").mkdir()
    (project / "shop" / ".github" / "copilot-instructions.md").write_text("Write tests.\n")
    settings = ContextSettings(rules_files=(".cursorrules", ".github/copilot-instructions.md"))
    context = build(project, "shop/orders/pricing.py", "python", settings=settings)
    assert [p.path for p in context.rules] == [
        "shop/AGENTS.md",
        "shop/.github/copilot-instructions.md",
        "AGENTS.md",
        ".cursorrules",
    ]


def test_an_edited_rules_file_is_sent_with_its_new_text(project: Path) -> None:
    builder = ProjectContextBuilder()
    before = rules_text(build(project, "shop/util.py", "python", builder=builder).rules)
    (project / "AGENTS.md").write_text("Money is kept in Decimal now.\n")
    after = rules_text(build(project, "shop/util.py", "python", builder=builder).rules)
    assert "integer cents" in before
    assert "Decimal" in after and "integer cents" not in after


def test_a_big_rules_file_is_cut_to_the_budget_with_a_note(project: Path) -> None:
    (project / "AGENTS.md").write_text("".join(f"rule {n}\n" for n in range(2000)))
    context = build(
        project,
        "shop/util.py",
        "python",
        settings=ContextSettings(budget_tokens=100),
    )
    cut = context.rules[-1]
    assert cut.path == "AGENTS.md" and "cut to the context budget" in cut.note
    assert "rule 0" in cut.text and "rule 1999" not in cut.text


def test_rules_file_settings_are_checked() -> None:
    _, problems = parse_settings({"context": {"rulesFiles": ["../../etc/passwd"]}})
    assert problems and "context.rulesFiles" in problems[0]
    settings, problems = parse_settings({"context": {"related": False, "budgetTokens": 500}})
    assert problems == [] and settings.context == ContextSettings(related=False, budget_tokens=500)


# --- `#` references ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("why? #file:lib/util.py?", [Reference("file", "#file:lib/util.py", "lib/util.py")]),
        (
            "see #file:a/b.go:3-9.",
            [Reference("file", "#file:a/b.go:3-9", "a/b.go", 3, 9)],
        ),
        ("(#file:x.ts:7)", [Reference("file", "#file:x.ts:7", "x.ts", 7, 7)]),
        ("with #open and #diff!", [Reference("open", "#open"), Reference("diff", "#diff")]),
        (
            "what changed in #diff? see #open.",
            [Reference("diff", "#diff"), Reference("open", "#open")],
        ),
        ("#open.py #diff/x #open:1", []),
        ("issue #12, #opened, #differ, a#open, #file: alone, ##open", []),
        ("#open #open", [Reference("open", "#open")]),
    ],
)
def test_references_are_found_as_written(text: str, expected: list[Reference]) -> None:
    assert find_references(text) == expected


def test_file_references_whole_and_by_lines(project: Path) -> None:
    context = build(
        project,
        "shop/util.py",
        "python",
        question="#file:shop/discounts.py:6-10 and #file:shop/util.py",
    )
    first, second = context.references
    assert (first.path, first.first_line, first.last_line) == ("shop/discounts.py", 6, 10)
    assert first.text.startswith("def best_discount(code):")
    assert (second.path, second.first_line, second.last_line) == ("shop/util.py", 1, 2)
    text = user_turn_text(context)
    assert "6 | def best_discount(code):" in text
    assert "- `shop/discounts.py` lines 6-10 (reference: #file:shop/discounts.py:6-10)" in text
    assert str(project) not in text  # paths relative to the root, never absolute


def test_bad_references_are_named_and_the_rest_goes_ahead(project: Path) -> None:
    (project / "bin.dat").write_bytes(b"\xff\xfe\x00binary")
    (project.parent / "secret.txt").write_text("outside\n")
    os.symlink(project.parent / "secret.txt", project / "link.txt")
    question = (
        "#file:missing.py #file:../secret.txt #file:link.txt #file:bin.dat #file:shop "
        "#file:shop/util.py:50-60 #file:shop/util.py"
    )
    context = build(project, "shop/util.py", "python", question=question)
    assert [p.path for p in context.references] == ["shop/util.py"]
    problems = "\n".join(context.problems)
    for name in ("missing.py", "../secret.txt", "link.txt", "bin.dat", "#file:shop:", "50-60"):
        assert name in problems
    assert len(context.problems) == 6
    assert "outside" not in user_turn_text(context)


def test_a_big_referenced_file_is_cut_with_a_note(project: Path) -> None:
    (project / "big.py").write_text("".join(f"x{n} = {n}\n" for n in range(5000)))
    context = build(
        project,
        "shop/util.py",
        "python",
        question="#file:big.py",
        settings=ContextSettings(budget_tokens=200),
    )
    (piece,) = context.references
    assert "cut to the context budget" in piece.note and piece.first_line == 1
    assert piece.last_line < 5000 and "x4999" not in piece.text
    assert "cut to the context budget" in user_turn_text(context)


def test_open_sends_the_other_open_documents_as_the_editor_holds_them(project: Path) -> None:
    here = str(project / "shop" / "util.py")
    other = str(project / "shop" / "discounts.py")
    context = build(
        project,
        "shop/util.py",
        "python",
        question="look at #open",
        open_texts={here: "this document\n", other: "CODES = {}  # unsaved\n"},
    )
    assert [(p.path, p.text) for p in context.references] == [
        ("shop/discounts.py", "CODES = {}  # unsaved")
    ]


def test_diff_sends_tracked_changes_against_head(project: Path) -> None:
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    (project / "shop" / "util.py").write_text("def clamp(value, low, high):\n    return low\n")
    (project / "untracked.py").write_text("not tracked\n")
    context = build(project, "shop/util.py", "python", question="what changed? #diff")
    (piece,) = context.references
    assert "-    return max(low, min(value, high))" in piece.text
    assert "+    return low" in piece.text and "not tracked" not in piece.text
    # A workspace inside a bigger repository: its own changes only, named from its root.
    (project / "AGENTS.md").write_text("changed outside the inner workspace\n")
    inner = build(project / "shop", "util.py", "python", question="#diff")
    (piece,) = inner.references
    assert "+++ b/util.py" in piece.text and "changed outside" not in piece.text


def test_diff_outside_a_git_repository_is_a_message(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    env_free = tmp_path / "nogit"
    env_free.mkdir()
    (env_free / "a.py").write_text("x = 1\n")
    context = build(env_free, "a.py", "python", question="#diff")
    assert context.references == ()
    assert context.problems and context.problems[0].startswith("#diff:")


def test_the_index_keeps_a_bounded_number_of_documents_and_files(tmp_path: Path) -> None:
    from grok_lsp.assistant.project import index as index_module

    index = index_module.ProjectIndex()
    for number in range(index_module.MAX_DOCUMENTS + 5):
        index.document(str(tmp_path / f"d{number}.py"), f"x = {number}\n", "python")
    assert len(index._open) == index_module.MAX_DOCUMENTS
    newest = index.document(str(tmp_path / "d0.py"), "x = 0\n", "python")
    assert newest.outline is not None and newest.outline.definitions[0].name == "x"


def test_only_the_latest_documents_keep_a_syntax_tree_and_the_others_still_get_context(
    tmp_path: Path,
) -> None:
    from grok_lsp.assistant.project import index as index_module

    builder = ProjectContextBuilder()
    pricing = WORKSPACES / "python" / "shop/orders/pricing.py"
    first = build(
        WORKSPACES / "python", "shop/orders/pricing.py", "python", (5, 9), builder=builder
    )
    for number in range(index_module.MAX_TREES + 3):
        builder.index.document(str(tmp_path / f"d{number}.py"), f"x = {number}\n", "python")
    assert len(builder.index._trees) == index_module.MAX_TREES
    assert str(pricing) not in builder.index._trees  # let go: kept as text and outline only
    again = build(
        WORKSPACES / "python", "shop/orders/pricing.py", "python", (5, 9), builder=builder
    )
    assert related(again) == related(first)
    assert related(again)["best_discount"] == ("shop/discounts.py", 6, 10)
    assert not any(hasattr(parsed, "tree") for _key, parsed in builder.index._open.values())


def test_files_read_from_disk_keep_a_bounded_amount_of_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grok_lsp.assistant.project import index as index_module

    monkeypatch.setattr(index_module, "MAX_FILE_CHARS", 2_500)
    index = index_module.ProjectIndex()
    paths = []
    for number in range(5):
        path = tmp_path / f"m{number}.py"
        path.write_text(f"def f{number}():\n    return {number}\n" + "# padding\n" * 96)
        paths.append(str(path))
        assert index.file(str(path)) is not None
        assert index.read_text(str(path)) == path.read_text()
    for table in (index._files, index._texts):
        assert len(table) == 2 and table.size <= 2_500
        assert table.size == sum(len(path_text) for path_text in map(_read, table))
    again = index.file(paths[0])  # let go, read again
    assert again is not None and again.outline is not None
    assert again.outline.definitions[0].name == "f0"
    index.forget(paths[0])
    assert paths[0] not in index._files and index._files.size <= 2_500


def _read(path: str) -> str:
    return Path(path).read_text()

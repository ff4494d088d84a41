"""The conversation as a Markdown file the user can read beside the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from grok_lsp.assistant.conversations import Compaction, Turn
from grok_lsp.assistant.transcript import file_name, transcript_markdown, write_transcript


def test_the_transcript_reads_as_a_dialogue() -> None:
    turns = [
        Turn("user", "Explain this.\n"),
        Turn("assistant", "It adds two numbers."),
        Turn("user", "Shorter?"),
        Turn("assistant", "It ad", complete=False),
    ]
    assert transcript_markdown("file:///src/app.py", "Adding", turns) == (
        "# Grok conversation: app.py\n"
        "\n_Adding_\n"
        "\n## You\n\nExplain this.\n"
        "\n## Grok\n\nIt adds two numbers.\n"
        "\n## You\n\nShorter?\n"
        "\n## Grok (incomplete)\n\nIt ad\n"
    )


def test_an_empty_conversation_says_so() -> None:
    assert transcript_markdown("untitled:Untitled-1", None, []) == (
        "# Grok conversation: Untitled-1\n\nNothing asked yet.\n"
    )


@pytest.mark.parametrize(
    ("uri", "name"),
    [
        ("file:///src/app.py", "app.py"),
        ("file:///src/my%20file.py", "my file.py"),
        ("file:///c%3A/Users/me/x.ts", "x.ts"),
        ("untitled:Untitled-1", "Untitled-1"),
        ("file:///", "file:///"),
    ],
)
def test_file_name(uri: str, name: str) -> None:
    assert file_name(uri) == name


def test_transcripts_are_written_under_the_state_dir_one_per_document(tmp_path: Path) -> None:
    first = write_transcript(tmp_path, "file:///a/app.py", "# one\n")
    second = write_transcript(tmp_path, "file:///b/app.py", "# two\n")
    again = write_transcript(tmp_path, "file:///a/app.py", "# one, updated\n")

    assert first.parent == tmp_path / "transcripts"
    assert first.name.startswith("app.py-")
    assert first.suffix == ".md"
    assert first != second
    assert again == first
    assert first.read_text(encoding="utf-8") == "# one, updated\n"
    assert second.read_text(encoding="utf-8") == "# two\n"
    # Written through a temporary file that does not stay behind.
    assert sorted(path.name for path in first.parent.iterdir()) == sorted([first.name, second.name])


def test_odd_characters_in_the_name_make_a_safe_file_name(tmp_path: Path) -> None:
    path = write_transcript(tmp_path, "file:///src/what%3F%20%2A.py", "x")
    assert path.parent == tmp_path / "transcripts"
    assert path.name.startswith("what_.py-")


def test_an_unwritable_state_dir_raises_os_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("in the way")
    with pytest.raises(NotADirectoryError):
        write_transcript(tmp_path / "file", "file:///a.py", "x")


def test_a_compaction_summary_shows_where_it_replaces_the_older_turns() -> None:
    turns = [Turn("user", "q1"), Turn("assistant", "a1"), Turn("user", "q2")]
    summary = "Summary of our earlier conversation:\n- ask: q1"
    markdown = transcript_markdown("file:///a.py", None, turns, Compaction(2, summary))
    assert markdown == (
        "# Grok conversation: a.py\n"
        "\n## You\n\nq1\n"
        "\n## Grok\n\na1\n"
        "\n## Summary (Grok is sent this instead of the turns above)\n\n"
        f"{summary}\n"
        "\n## You\n\nq2\n"
    )
    # A summary that covers every stored turn comes last.
    whole = transcript_markdown("file:///a.py", None, turns[:2], Compaction(2, summary))
    assert whole.endswith(
        f"## Grok\n\na1\n\n## Summary (Grok is sent this instead of the turns above)\n\n{summary}\n"
    )

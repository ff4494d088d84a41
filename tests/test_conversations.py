"""Conversations survive restarts, renames and crashes; a broken disk never breaks the server."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import grok_lsp
from grok_lsp.assistant.conversations import (
    FILE_NAME,
    Compaction,
    ConversationStore,
    History,
    Turn,
)

URI = "file:///project/app.py"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConversationStore]:
    store = ConversationStore.open(tmp_path)
    yield store
    store.close()


def contents(store: ConversationStore, uri: str = URI) -> list[str]:
    return [turn.content for turn in store.turns(uri)]


def test_turns_survive_a_restart_in_order_with_all_their_fields(tmp_path: Path) -> None:
    store = ConversationStore.open(tmp_path)
    question = Turn("user", "What does this do?", action="explain", created_at=50.0)
    answer = Turn(
        "assistant",
        "It adds. 😀",
        complete=False,
        action="explain",
        model="grok-4",
        usage={"promptTokens": 12, "completionTokens": 3},
        created_at=10.0,  # an earlier clock: order is the order of appending, not time
    )
    store.append(URI, question)
    store.append(URI, answer)
    conversation_id = store.conversation_id(URI)
    store.set_title(URI, "Adding numbers")
    store.close()

    reopened = ConversationStore.open(tmp_path)
    assert reopened.turns(URI) == [question, answer]
    assert reopened.conversation_id(URI) == conversation_id
    assert reopened.title(URI) == "Adding numbers"
    assert reopened.warnings == []
    assert reopened.path == tmp_path / FILE_NAME
    reopened.close()


def test_each_document_has_its_own_conversation(store: ConversationStore) -> None:
    store.append(URI, Turn("user", "one"))
    store.append("file:///other.py", Turn("user", "two"))
    store.append(URI, Turn("user", "three"))
    assert contents(store) == ["one", "three"]
    assert contents(store, "file:///other.py") == ["two"]
    assert store.conversation_id(URI) != store.conversation_id("file:///other.py")
    assert store.turns("file:///never-used.py") == []
    assert store.title("file:///never-used.py") is None


def test_the_conversation_id_is_stable_and_random(store: ConversationStore) -> None:
    first = store.conversation_id(URI)
    assert store.conversation_id(URI) == first
    assert len(first) == 32
    assert int(first, 16) >= 0


def test_reset_forgets_everything_and_starts_a_new_conversation(
    store: ConversationStore,
) -> None:
    store.append(URI, Turn("user", "old question"))
    store.set_title(URI, "Old")
    store.set_provider_conversation(URI, "grok-web", "web-123")
    before = store.conversation_id(URI)
    store.reset(URI)
    assert store.turns(URI) == []
    assert store.title(URI) is None
    assert store.provider_conversation(URI, "grok-web") is None
    assert store.conversation_id(URI) != before
    store.reset("file:///never-used.py")  # nothing to forget is fine


def test_provider_conversation_ids_are_per_provider(store: ConversationStore) -> None:
    assert store.provider_conversation(URI, "grok-web") is None
    store.set_provider_conversation(URI, "grok-web", "web-1")
    store.set_provider_conversation(URI, "other", "o-1")
    store.set_provider_conversation(URI, "grok-web", "web-2")
    assert store.provider_conversation(URI, "grok-web") == "web-2"
    assert store.provider_conversation(URI, "other") == "o-1"
    assert store.provider_conversation("file:///b.py", "grok-web") is None


def test_a_renamed_file_keeps_its_conversation(store: ConversationStore) -> None:
    store.append(URI, Turn("user", "about app"))
    store.set_provider_conversation(URI, "grok-web", "web-1")
    conversation_id = store.conversation_id(URI)
    store.append("file:///project/main.py", Turn("user", "about the old main"))

    store.rename(URI, "file:///project/main.py")

    assert contents(store, "file:///project/main.py") == ["about app"]
    assert store.conversation_id("file:///project/main.py") == conversation_id
    assert store.provider_conversation("file:///project/main.py", "grok-web") == "web-1"
    assert store.turns(URI) == []


def test_renaming_to_itself_or_without_a_conversation_changes_nothing(
    store: ConversationStore,
) -> None:
    store.append(URI, Turn("user", "kept"))
    store.rename(URI, URI)
    store.rename("file:///project/none.py", URI)
    assert contents(store) == ["kept"]


def test_a_renamed_folder_takes_its_files_conversations(store: ConversationStore) -> None:
    store.append("file:///project/src/a.py", Turn("user", "a"))
    store.append("file:///project/src/pkg/b.py", Turn("user", "b"))
    store.append("file:///project/srcs/c.py", Turn("user", "c"))
    store.rename("file:///project/src", "file:///project/lib")
    assert contents(store, "file:///project/lib/a.py") == ["a"]
    assert contents(store, "file:///project/lib/pkg/b.py") == ["b"]
    assert contents(store, "file:///project/srcs/c.py") == ["c"]  # not under the folder


def test_the_store_can_live_in_memory_only() -> None:
    store = ConversationStore.open(None)
    store.append(URI, Turn("user", "hello"))
    assert contents(store) == ["hello"]
    assert store.path is None
    assert store.warnings == []
    store.close()


def test_threads_appending_at_once_lose_nothing(store: ConversationStore) -> None:
    def talk(name: str) -> None:
        for index in range(25):
            store.append(URI, Turn("user", f"{name} {index}"))

    threads = [threading.Thread(target=talk, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    turns = contents(store)
    assert len(turns) == 100
    for name in ("t0", "t1", "t2", "t3"):
        assert [t for t in turns if t.startswith(name + " ")] == [f"{name} {i}" for i in range(25)]


@pytest.mark.parametrize("damage", ["not a database", "truncated"])
def test_a_damaged_file_is_moved_aside_and_the_store_starts_afresh(
    tmp_path: Path, damage: str
) -> None:
    path = tmp_path / FILE_NAME
    if damage == "not a database":
        path.write_bytes(b"this is not a database\n" * 200)
    else:
        store = ConversationStore.open(tmp_path)
        for index in range(200):
            store.append(URI, Turn("user", f"turn {index} " + "x" * 500))
        store.close()
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    damaged = path.read_bytes()

    store = ConversationStore.open(tmp_path)

    assert len(store.warnings) == 1
    assert "damaged" in store.warnings[0]
    (aside,) = tmp_path.glob(f"{FILE_NAME}.corrupt-*")
    assert aside.name in store.warnings[0]
    assert aside.read_bytes() == damaged
    assert store.path == path
    store.append(URI, Turn("user", "a fresh start"))
    store.close()
    reopened = ConversationStore.open(tmp_path)
    assert contents(reopened) == ["a fresh start"]
    assert reopened.warnings == []
    reopened.close()


def test_a_state_dir_that_cannot_be_created_keeps_conversations_in_memory(
    tmp_path: Path,
) -> None:
    # Tests run as root, where permissions do not stop writes; a file in the path does.
    (tmp_path / "file").write_text("in the way")
    store = ConversationStore.open(tmp_path / "file" / "state")
    assert store.path is None
    assert len(store.warnings) == 1
    assert "in memory" in store.warnings[0]
    store.append(URI, Turn("user", "still works"))
    assert contents(store) == ["still works"]
    store.close()


def test_a_write_failure_later_switches_to_memory_keeping_the_conversations(
    store: ConversationStore,
) -> None:
    store.append(URI, Turn("user", "saved before the disk filled up"))
    store.set_provider_conversation(URI, "grok-web", "web-1")
    # Make the file "full" (SQLITE_FULL) by capping its size at what it has now.
    pages = store._connection.execute("PRAGMA page_count").fetchone()[0]
    store._connection.execute(f"PRAGMA max_page_count = {pages}")

    store.append(URI, Turn("user", "x" * 100_000))
    store.append(URI, Turn("user", "after"))

    assert store.path is None
    assert len(store.warnings) == 1
    assert "full" in store.warnings[0]
    assert contents(store) == ["saved before the disk filled up", "x" * 100_000, "after"]
    assert store.provider_conversation(URI, "grok-web") == "web-1"


def test_a_query_bug_is_not_mistaken_for_a_disk_failure(store: ConversationStore) -> None:
    with pytest.raises(sqlite3.ProgrammingError):
        store.append(URI, Turn("user", object()))  # type: ignore[arg-type]
    assert store.path is not None
    assert store.warnings == []


CHILD = """
import sys
from pathlib import Path
from grok_lsp.assistant.conversations import ConversationStore, Turn

store = ConversationStore.open(Path(sys.argv[1]))
assert store.path is not None, store.warnings
index = 0
while True:
    store.append("file:///project/app.py", Turn("user", f"turn {index}"))
    print(index, flush=True)
    index += 1
"""


def test_every_committed_turn_survives_a_kill(tmp_path: Path) -> None:
    environment = dict(os.environ, PYTHONPATH=str(Path(grok_lsp.__file__).parent.parent))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    assert child.stdout is not None
    committed = [child.stdout.readline() for _ in range(40)]
    child.send_signal(signal.SIGKILL)
    committed += child.stdout.readlines()
    child.wait()
    assert child.returncode == -signal.SIGKILL
    printed = [int(line) for line in committed if line.strip()]
    assert printed == list(range(len(printed)))
    assert len(printed) >= 40

    store = ConversationStore.open(tmp_path)
    turns = contents(store)
    assert store.warnings == []
    # Each printed turn is there, in order; at most the one in flight may follow.
    assert turns[: len(printed)] == [f"turn {index}" for index in printed]
    assert len(turns) - len(printed) <= 1
    store.close()


def test_asking_for_an_id_writes_nothing_until_the_first_exchange(tmp_path: Path) -> None:
    store = ConversationStore.open(tmp_path)
    conversation = store.conversation_id("file:///new.py")
    with sqlite3.connect(tmp_path / FILE_NAME) as other:
        assert other.execute("SELECT count(*) FROM conversations").fetchone() == (0,)
    store.append("file:///new.py", Turn("user", "q"), Turn("assistant", "a"))
    assert store.conversation_id("file:///new.py") == conversation  # the id sent stays the id
    store.close()
    reopened = ConversationStore.open(tmp_path)
    assert reopened.conversation_id("file:///new.py") == conversation
    assert [t.content for t in reopened.turns("file:///new.py")] == ["q", "a"]
    reopened.close()


# The schema of conversations.sqlite3 as the previous version wrote it (no items, no compactions).
_OLD_SCHEMA = """
CREATE TABLE conversations (uri TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT);
CREATE TABLE turns (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, conversation TEXT NOT NULL, role TEXT NOT NULL,
    content TEXT NOT NULL, complete INTEGER NOT NULL, action TEXT NOT NULL, model TEXT NOT NULL,
    usage TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE provider_conversations (
    conversation TEXT NOT NULL, provider TEXT NOT NULL, provider_id TEXT NOT NULL,
    PRIMARY KEY (conversation, provider)
);
"""


def test_a_conversation_stored_by_the_previous_version_still_loads_and_grows(
    tmp_path: Path,
) -> None:
    old = sqlite3.connect(tmp_path / FILE_NAME)
    old.executescript(_OLD_SCHEMA)
    old.execute("INSERT INTO conversations VALUES (?, 'c0ffee', 'Old title')", (URI,))
    old.executemany(
        "INSERT INTO turns (conversation, role, content, complete, action, model, usage, "
        "created_at) VALUES ('c0ffee', ?, ?, 1, 'explain', 'grok-4', '{}', 1.0)",
        [("user", "Explain the selected code."), ("assistant", "It adds.")],
    )
    old.commit()
    old.close()

    store = ConversationStore.open(tmp_path)
    assert store.warnings == []
    assert store.conversation_id(URI) == "c0ffee"
    history = store.history(URI)
    assert [(t.role, t.content, t.items) for t in history.turns] == [
        ("user", "Explain the selected code.", []),
        ("assistant", "It adds.", []),
    ]
    assert history.compaction is None
    assert history.seen is None  # no text the model saw: the next request sends the file
    store.append(URI, Turn("user", "And?"), Turn("assistant", "More.", items=[{"type": "x"}]))
    store.close()
    reopened = ConversationStore.open(tmp_path)
    contents = [t.content for t in reopened.turns(URI)]
    assert contents == ["Explain the selected code.", "It adds.", "And?", "More."]
    assert reopened.turns(URI)[-1].items == [{"type": "x"}]
    reopened.close()


def test_output_items_and_compactions_survive_a_restart_and_go_with_a_reset(
    tmp_path: Path,
) -> None:
    items = [
        {"id": "rs_1", "type": "reasoning", "summary": [], "encrypted_content": "b64=="},
        {"id": "msg_1", "type": "message", "role": "assistant", "content": []},
    ]
    store = ConversationStore.open(tmp_path)
    store.append(URI, Turn("user", "q1"), Turn("assistant", "a1", items=items))
    store.append(
        URI, Turn("user", "q2"), Turn("assistant", "a2"), compaction=Compaction(2, "Summary: q1")
    )
    store.close()

    reopened = ConversationStore.open(tmp_path)
    history = reopened.history(URI)
    assert history.turns[1].items == items  # exactly as received, in order
    assert history.compaction == Compaction(2, "Summary: q1")
    reopened.append(URI, Turn("user", "q3"), compaction=Compaction(4, "Summary: q1 q2"))
    assert reopened.history(URI).compaction == Compaction(4, "Summary: q1 q2")  # the newest
    reopened.reset(URI)
    assert reopened.history(URI) == History([], None)
    reopened.close()


def test_the_text_the_model_last_saw_survives_a_restart_a_rename_and_goes_with_a_reset(
    tmp_path: Path,
) -> None:
    store = ConversationStore.open(tmp_path)
    store.append(URI, Turn("user", "q1"), Turn("assistant", "a1"), seen="x = 1\n")
    store.append(URI, Turn("user", "q2"), Turn("assistant", "a2"))  # unchanged by default
    assert store.history(URI).seen == "x = 1\n"
    store.close()

    reopened = ConversationStore.open(tmp_path)
    assert reopened.history(URI).seen == "x = 1\n"
    reopened.append(URI, Turn("user", "q3"), seen="x = 2\n")
    renamed = "file:///project/renamed.py"
    reopened.rename(URI, renamed)
    assert reopened.history(renamed).seen == "x = 2\n"
    assert reopened.history(URI).seen is None
    reopened.append(renamed, Turn("user", "q4"), seen=None)  # the model lost the file
    assert reopened.history(renamed).seen is None
    reopened.append(renamed, Turn("user", "q5"), seen="y\n")
    reopened.reset(renamed)
    assert reopened.history(renamed) == History([], None, None)
    reopened.close()


def test_a_store_written_before_the_seen_text_opens_and_keeps_it_from_then_on(
    tmp_path: Path,
) -> None:
    store = ConversationStore.open(tmp_path)
    store.append(URI, Turn("user", "q1"), Turn("assistant", "a1"))
    store.close()
    raw = sqlite3.connect(tmp_path / FILE_NAME)
    raw.execute("DROP TABLE seen_documents")  # as the previous version wrote the file
    raw.commit()
    raw.close()

    reopened = ConversationStore.open(tmp_path)
    assert reopened.warnings == []
    assert reopened.history(URI) == History(reopened.turns(URI), None, None)
    reopened.append(URI, Turn("user", "q2"), seen="z\n")
    assert reopened.history(URI).seen == "z\n"
    reopened.close()


def test_an_exchange_goes_to_the_conversation_it_was_built_on() -> None:
    store = ConversationStore.open(None)
    exchange = (Turn("user", "q"), Turn("assistant", "a"))
    first = store.conversation_id("file:///a.py")  # not written yet
    store.rename("file:///a.py", "file:///b.py")  # while its first request runs
    store.append("file:///a.py", *exchange, seen="text", built_on=first)
    assert store.turns("file:///a.py") == []
    assert store.history("file:///b.py") == History(list(exchange), None, "text")

    store.reset("file:///b.py")  # while the next request runs
    summary = Compaction(covers=2, summary="older")
    store.append("file:///b.py", *exchange, compaction=summary, seen="text 2", built_on=first)
    # The new conversation holds the turns, but neither the old one's summary nor its seen text.
    assert store.history("file:///b.py") == History(list(exchange), None, None)
    assert store.conversation_id("file:///b.py") != first


def test_a_provider_conversation_is_forgotten_when_it_may_lack_an_exchange() -> None:
    store = ConversationStore.open(None)
    uri, exchange = "file:///a.py", (Turn("user", "q"), Turn("assistant", "a"))
    store.set_provider_conversation(uri, "grok-web", "g1")
    store.append(uri, *exchange, held_by="grok-web")
    assert store.provider_conversation(uri, "grok-web") == "g1"
    store.append(uri, *exchange)  # said nothing of it: kept
    assert store.provider_conversation(uri, "grok-web") == "g1"
    store.append(uri, *exchange, held_by="xai")  # made through the xAI API
    assert store.provider_conversation(uri, "grok-web") is None
    store.set_provider_conversation(uri, "grok-web", "g2")
    store.append(uri, *exchange, held_by=None)  # failed: maybe never reached grok.com
    assert store.provider_conversation(uri, "grok-web") is None

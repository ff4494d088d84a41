"""Each document's conversation, kept across server restarts (SPEC section 6).

One SQLite file under the state dir, in WAL mode with full sync: every write is
one transaction, so a crash or a kill leaves either all of a write or none of
it. Losing the file must never cost the user their session, so a damaged file
is moved aside, and a state dir that cannot be written (read-only, full) makes
the store carry on in memory; both leave a message in `warnings` for the server
to show. The server calls the store from a worker thread, hence the lock.
"""

from __future__ import annotations

import contextlib
import enum
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs

FILE_NAME = "conversations.sqlite3"

_SCHEMA = """
BEGIN;
CREATE TABLE IF NOT EXISTS conversations (
    uri TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT
);
CREATE TABLE IF NOT EXISTS turns (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation TEXT NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    complete INTEGER NOT NULL,
    action TEXT NOT NULL,
    model TEXT NOT NULL,
    usage TEXT NOT NULL,
    created_at REAL NOT NULL,
    items TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS turns_in_order ON turns (conversation, seq);
CREATE TABLE IF NOT EXISTS compactions (
    conversation TEXT NOT NULL,
    covers INTEGER NOT NULL,
    summary TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS provider_conversations (
    conversation TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    PRIMARY KEY (conversation, provider)
);
-- The document's text as the model last saw it (whole, or brought up to date by a diff).
-- Files written before it lack the table; their conversations then send the whole file.
CREATE TABLE IF NOT EXISTS seen_documents (
    conversation TEXT PRIMARY KEY,
    text TEXT NOT NULL
);
COMMIT;
"""
# Files written before answers kept the API's output items lack the column: add it.
_ADD_ITEMS = "ALTER TABLE turns ADD COLUMN items TEXT NOT NULL DEFAULT '[]'"

T = TypeVar("T")


class Unchanged(enum.Enum):
    """`append` leaves the text the model last saw as it is."""

    UNCHANGED = enum.auto()


UNCHANGED = Unchanged.UNCHANGED


@attrs.frozen
class Turn:
    """One message of a conversation: the user's (`"user"`) or Grok's (`"assistant"`).

    `complete` is False for an answer that was cancelled or failed midway. `items` are the
    API's output items of an answer (reasoning with its encrypted content, then the message),
    exactly as received: they go back in their place with every later turn.
    """

    role: str
    content: str
    complete: bool = True
    action: str = ""
    model: str = ""
    usage: dict[str, int] = attrs.Factory(dict)
    created_at: float = attrs.Factory(time.time)
    items: list[dict[str, Any]] = attrs.Factory(list)


@attrs.frozen
class Compaction:
    """The first `covers` turns of a conversation, replaced by `summary` in what is sent."""

    covers: int
    summary: str


@attrs.frozen
class History:
    """What a new request builds on: every turn, the latest compaction of the oldest, and
    the document's text as the model last saw it (None: it has not seen the whole file)."""

    turns: list[Turn]
    compaction: Compaction | None = None
    seen: str | None = None


class DamagedFileError(Exception):
    """The file opens but SQLite's integrity check finds it damaged."""


class ConversationStore:
    """The conversations of all documents, by URI. Methods never raise for I/O failures."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self.path = path  # None while the conversations live in memory only
        self.warnings: list[str] = []
        # Ids handed out before the conversation's first turn: written with that turn, so
        # asking never waits for a disk write before the request goes out.
        self._pending_ids: dict[str, str] = {}

    @classmethod
    def open(cls, state_dir: Path | None) -> ConversationStore:
        """The store in `state_dir`, or in memory when it is None or unusable."""
        if state_dir is None:
            return cls(_in_memory(), None)
        path = state_dir / FILE_NAME
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
            return cls(_connect(path), path)
        except (OSError, sqlite3.DatabaseError, DamagedFileError) as error:
            if not _is_damage(error):
                return _unusable(path, error)
            damage = str(error)
        try:
            aside = _move_aside(path)
            store = cls(_connect(path), path)
        except (OSError, sqlite3.DatabaseError, DamagedFileError) as error:
            return _unusable(path, error)
        store.warnings.append(
            f"The conversations file {path} was damaged ({damage}); it was moved to "
            f"{aside.name} and the conversations start afresh."
        )
        return store

    def conversation_id(self, uri: str) -> str:
        """The document's stable conversation id (sent as `x-grok-conv-id`), made on first use."""

        def read(db: sqlite3.Connection) -> str:
            row = db.execute("SELECT id FROM conversations WHERE uri = ?", (uri,)).fetchone()
            if row is not None:
                return str(row[0])
            return self._pending_ids.setdefault(uri, uuid.uuid4().hex)

        return self._run(read)

    def turns(self, uri: str) -> list[Turn]:
        """The document's turns, oldest first."""
        return self._run(lambda db: _turns(db, uri))

    def history(self, uri: str) -> History:
        """The turns and the latest compaction, read together."""

        def read(db: sqlite3.Connection) -> History:
            row = db.execute(
                "SELECT covers, summary FROM compactions JOIN conversations "
                "ON compactions.conversation = conversations.id WHERE conversations.uri = ? "
                "ORDER BY covers DESC LIMIT 1",
                (uri,),
            ).fetchone()
            compaction = None if row is None else Compaction(int(row[0]), str(row[1]))
            return History(_turns(db, uri), compaction, _seen(db, uri))

        return self._run(read)

    def append(
        self,
        uri: str,
        *turns: Turn,
        compaction: Compaction | None = None,
        seen: str | Unchanged | None = UNCHANGED,
        built_on: str | None = None,
        held_by: str | Unchanged | None = UNCHANGED,
    ) -> None:
        """Add turns in order, in one transaction (an exchange is written whole or not at all).

        A `compaction` made for the request of these turns, and the document's text as the
        model knows it after that request (`seen`; None: it does not know the whole file),
        are written with them. `built_on` is the conversation id the request was built on:
        the turns go to that conversation, also when its file was renamed meanwhile; when it
        was reset since, they start the document's new one, without the compaction or `seen`
        (they describe the old one). `held_by` is the provider that
        keeps this exchange in its own conversation (None: none does): every other
        provider's conversation lacks it, so it is forgotten and the next request there
        starts afresh with the whole history.
        """

        def write(db: sqlite3.Connection) -> None:
            with _transaction(db):
                owner = uri if built_on is None else self._owner(db, built_on)
                same = owner is not None
                target = owner or uri
                conversation = _ensure_conversation(db, target, self._pending_ids.get(target))
                if same:
                    _write_exchange(db, conversation, turns, compaction, seen)
                else:  # reset meanwhile: the model of the new conversation saw no file
                    _write_exchange(db, conversation, turns, None, None)
                if held_by is not UNCHANGED:
                    db.execute(
                        "DELETE FROM provider_conversations WHERE conversation = ? "
                        "AND provider IS NOT ?",
                        (conversation, held_by),
                    )
            self._pending_ids.pop(target, None)

        self._run(write)

    def _owner(self, db: sqlite3.Connection, conversation: str) -> str | None:
        """The URI a conversation belongs to now (None: it was reset)."""
        row = db.execute("SELECT uri FROM conversations WHERE id = ?", (conversation,)).fetchone()
        if row is not None:
            return str(row[0])
        # Not written yet: its id waits under its URI (moved there by a rename).
        return next((uri for uri, id_ in self._pending_ids.items() if id_ == conversation), None)

    def reset(self, uri: str) -> None:
        """Forget the turns, title and provider ids; the next use gets a new conversation id."""

        def write(db: sqlite3.Connection) -> None:
            with _transaction(db):
                _forget(db, uri)
            self._pending_ids.pop(uri, None)

        self._run(write)

    def rename(self, old_uri: str, new_uri: str) -> None:
        """Follow a renamed file, or a folder (the files under it); the renamed ones win.

        Nothing happens when `old_uri` has no conversation.
        """
        if old_uri == new_uri:
            return
        folder = old_uri.rstrip("/") + "/"

        def write(db: sqlite3.Connection) -> None:
            with _transaction(db):
                moved = [
                    uri
                    for (uri,) in db.execute("SELECT uri FROM conversations").fetchall()
                    if uri == old_uri or uri.startswith(folder)
                ]
                targets = {uri: new_uri + uri[len(old_uri) :] for uri in moved}
                for target in targets.values():
                    _forget(db, target)
                for uri, target in targets.items():
                    db.execute("UPDATE conversations SET uri = ? WHERE uri = ?", (target, uri))
            if old_uri in self._pending_ids:
                self._pending_ids[new_uri] = self._pending_ids.pop(old_uri)

        self._run(write)

    def title(self, uri: str) -> str | None:
        row = self._run(
            lambda db: db.execute(
                "SELECT title FROM conversations WHERE uri = ?", (uri,)
            ).fetchone()
        )
        return None if row is None else row[0]

    def set_title(self, uri: str, title: str) -> None:
        def write(db: sqlite3.Connection) -> None:
            with _transaction(db):
                _ensure_conversation(db, uri, self._pending_ids.get(uri))
                db.execute("UPDATE conversations SET title = ? WHERE uri = ?", (title, uri))
            self._pending_ids.pop(uri, None)

        self._run(write)

    def provider_conversation(self, uri: str, provider: str) -> str | None:
        """The provider's own id for this conversation (grok.com keeps conversations)."""
        row = self._run(
            lambda db: db.execute(
                "SELECT provider_id FROM provider_conversations JOIN conversations "
                "ON provider_conversations.conversation = conversations.id "
                "WHERE conversations.uri = ? AND provider = ?",
                (uri, provider),
            ).fetchone()
        )
        return None if row is None else str(row[0])

    def request_ids(self, uri: str, provider: str) -> tuple[str, str | None]:
        """`conversation_id` and `provider_conversation` together: one trip to the store."""
        return self.conversation_id(uri), self.provider_conversation(uri, provider)

    def set_provider_conversation(self, uri: str, provider: str, conversation_id: str) -> None:
        def write(db: sqlite3.Connection) -> None:
            with _transaction(db):
                db.execute(
                    "INSERT OR REPLACE INTO provider_conversations VALUES (?, ?, ?)",
                    (
                        _ensure_conversation(db, uri, self._pending_ids.get(uri)),
                        provider,
                        conversation_id,
                    ),
                )
            self._pending_ids.pop(uri, None)

        self._run(write)

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._connection.close()

    def _run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            try:
                return operation(self._connection)
            except sqlite3.DatabaseError as error:
                if self.path is None or not _is_storage_failure(error):
                    raise
                self._keep_in_memory(error)
                return operation(self._connection)

    def _keep_in_memory(self, error: sqlite3.DatabaseError) -> None:
        """Carry on in memory with what the file holds: the user keeps the session."""
        self.warnings.append(
            f"Could not save conversations to {self.path} ({error}); until the server "
            "restarts they are kept in memory only."
        )
        self._connection = _copy_to_memory(self._connection)
        self.path = None


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise DamagedFileError("; ".join(problems[:3]))
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        _create_schema(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def _create_schema(connection: sqlite3.Connection) -> None:
    connection.executescript(_SCHEMA)
    columns = {row[1] for row in connection.execute("PRAGMA table_info(turns)")}
    if "items" not in columns:
        connection.execute(_ADD_ITEMS)


def _turns(db: sqlite3.Connection, uri: str) -> list[Turn]:
    rows = db.execute(
        "SELECT role, content, complete, action, model, usage, created_at, items FROM turns "
        "JOIN conversations ON turns.conversation = conversations.id "
        "WHERE conversations.uri = ? ORDER BY seq",
        (uri,),
    ).fetchall()
    return [
        Turn(
            role,
            content,
            bool(complete),
            action,
            model,
            json.loads(usage),
            created_at,
            _items(items),
        )
        for role, content, complete, action, model, usage, created_at, items in rows
    ]


def _seen(db: sqlite3.Connection, uri: str) -> str | None:
    row = db.execute(
        "SELECT text FROM seen_documents JOIN conversations "
        "ON seen_documents.conversation = conversations.id WHERE conversations.uri = ?",
        (uri,),
    ).fetchone()
    return None if row is None else str(row[0])


def _items(text: str) -> list[dict[str, Any]]:
    try:
        items = json.loads(text)
    except ValueError:
        return []
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _in_memory() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    _create_schema(connection)
    return connection


def _copy_to_memory(connection: sqlite3.Connection) -> sqlite3.Connection:
    memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    with contextlib.suppress(sqlite3.Error):
        connection.backup(memory)
    with contextlib.suppress(sqlite3.Error):
        connection.close()
    _create_schema(memory)  # when the copy failed or the file was still empty
    return memory


def _unusable(path: Path, error: Exception) -> ConversationStore:
    store = ConversationStore(_in_memory(), None)
    store.warnings.append(
        f"Cannot keep conversations in {path.parent} ({error}); until the server restarts "
        "they are kept in memory only. Set GROK_LSP_STATE_DIR to a writable folder."
    )
    return store


def _is_damage(error: Exception) -> bool:
    # "file is not a database" and "database disk image is malformed" are plain DatabaseErrors.
    return isinstance(error, DamagedFileError) or type(error) is sqlite3.DatabaseError


def _is_storage_failure(error: sqlite3.DatabaseError) -> bool:
    """Disk full, read-only, I/O error, locked, damaged: the file failed, not the query."""
    return isinstance(error, sqlite3.OperationalError) or _is_damage(error)


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
        number += 1
    path.rename(aside)
    for suffix in ("-wal", "-shm"):  # a stale log would be replayed into the new file
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(aside.with_name(aside.name + suffix))
    return aside


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise


def _ensure_conversation(db: sqlite3.Connection, uri: str, new_id: str | None = None) -> str:
    row = db.execute("SELECT id FROM conversations WHERE uri = ?", (uri,)).fetchone()
    if row is None:
        # OR IGNORE: another server sharing the state dir may have just made it.
        db.execute(
            "INSERT OR IGNORE INTO conversations (uri, id) VALUES (?, ?)",
            (uri, new_id or uuid.uuid4().hex),
        )
        row = db.execute("SELECT id FROM conversations WHERE uri = ?", (uri,)).fetchone()
    return str(row[0])


def _write_exchange(
    db: sqlite3.Connection,
    conversation: str,
    turns: Sequence[Turn],
    compaction: Compaction | None,
    seen: str | Unchanged | None,
) -> None:
    if compaction is not None:
        db.execute(
            "INSERT INTO compactions VALUES (?, ?, ?, ?)",
            (conversation, compaction.covers, compaction.summary, time.time()),
        )
    db.executemany(
        "INSERT INTO turns (conversation, role, content, complete, action, model, "
        "usage, created_at, items) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                conversation,
                turn.role,
                turn.content,
                turn.complete,
                turn.action,
                turn.model,
                json.dumps(turn.usage),
                turn.created_at,
                json.dumps(turn.items),
            )
            for turn in turns
        ],
    )
    if seen is None:
        db.execute("DELETE FROM seen_documents WHERE conversation = ?", (conversation,))
    elif isinstance(seen, str):
        db.execute("INSERT OR REPLACE INTO seen_documents VALUES (?, ?)", (conversation, seen))


def _forget(db: sqlite3.Connection, uri: str) -> None:
    row = db.execute("SELECT id FROM conversations WHERE uri = ?", (uri,)).fetchone()
    if row is not None:
        db.execute("DELETE FROM turns WHERE conversation = ?", row)
        db.execute("DELETE FROM compactions WHERE conversation = ?", row)
        db.execute("DELETE FROM provider_conversations WHERE conversation = ?", row)
        db.execute("DELETE FROM seen_documents WHERE conversation = ?", row)
        db.execute("DELETE FROM conversations WHERE uri = ?", (uri,))

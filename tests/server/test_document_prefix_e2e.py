"""The document goes once, whole, then as diffs: each request begins with the previous one.

Real server over stdio, real simulator over HTTP on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from pygls.exceptions import JsonRpcException

from grok_lsp.assistant.context import CHANGES_INTRO, SUMMARY_INTRO, WHOLE_FILE_INTRO
from grok_lsp.assistant.conversations import FILE_NAME
from tests.server.conftest import StartEditor
from tests.server.harness import field as _field
from tests.server.harness import stop_editor
from tests.waiting import until

SOURCE = "".join(
    f"def f{n}(a, b):\n    total = a + b * {n}\n    return total\n\n\n" for n in range(8)
)


def lines(first: int, last: int) -> dict[str, Any]:
    """Whole lines `first`..`last` (0-based, inclusive)."""
    return {"start": {"line": first, "character": 0}, "end": {"line": last + 1, "character": 0}}


def user_turn(record: Any) -> str:
    return str(record.body["input"][-1]["content"])


async def test_turn_after_turn_the_request_begins_with_exactly_the_previous_one(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, SOURCE)
    results = [await editor.command("grok.explain", {"uri": uri, "range": lines(5, 7)})]
    refactor = {"uri": uri, "range": lines(10, 12), "instruction": "rename total to amount"}
    results.append(await editor.command("grok.refactor", refactor))
    assert "    amount = a + b * 2\n    return amount\n" in editor.texts[uri]  # applied
    results.append(await editor.command("grok.ask", {"uri": uri, "question": "Why * 2?"}))
    # The user types between two requests: a new line at the top of the file.
    editor.type_text(uri, 0, 0, "import math\n")
    results.append(await editor.command("grok.fix", {"uri": uri, "range": lines(16, 18)}))
    ask_lines = {"uri": uri, "range": lines(21, 23), "question": "Is f4 pure?"}
    results.append(await editor.command("grok.ask", ask_lines))
    results.append(await editor.command("grok.document", {"uri": uri, "range": lines(1, 3)}))

    requests = simulator.chats[-len(results) :]
    assert all(r.path == "/v1/responses" and r.status == 200 for r in requests)
    for before, after in itertools.pairwise(requests):
        sent = json.dumps(before.body["input"])
        again = json.dumps(after.body["input"][: len(before.body["input"])])
        assert again == sent  # byte for byte: nothing earlier rewritten
    usages = [_field(result, "usage") for result in results]
    for previous, usage in itertools.pairwise(usages):
        assert _field(usage, "cachedTokens") == _field(previous, "promptTokens") > 0

    turns = [user_turn(r) for r in requests]
    assert WHOLE_FILE_INTRO in turns[0]
    assert "1 | def f0(a, b):" in turns[0] and "36 | def f7(a, b):" in turns[0]
    assert all(WHOLE_FILE_INTRO not in turn for turn in turns[1:])
    assert "Context before" not in "".join(turns)
    # Nothing changed before the refactor.
    assert CHANGES_INTRO not in turns[1]
    # The question without a range is told of the applied refactor, as a diff.
    applied = turns[2].split(CHANGES_INTRO, 1)[1].split("Request: ", 1)
    assert "-    total = a + b * 2\n-    return total\n" in applied[0]
    assert "+    amount = a + b * 2\n+    return amount\n" in applied[0]
    assert "import math" not in applied[0] and applied[1] == "Why * 2?"
    # The fix, of the typed line only (the rest it knows), in today's numbering.
    changes = turns[3].split(CHANGES_INTRO, 1)[1].split("Selected code:", 1)[0]
    assert "+import math\n" in changes and "amount" not in changes
    assert "17 | def f3(a, b):" in turns[3]
    # Then nothing changed again.
    assert CHANGES_INTRO not in turns[4] and CHANGES_INTRO not in turns[5]
    # The simulator still reads the task and quotes the selection from the user turn alone.
    explained = _field(results[0], "text")
    assert "## Explanation of `calc.py`" in explained and "def f1(a, b):" in explained
    assert "## Answer of `calc.py`" in _field(results[4], "text")
    assert "def f4(a, b):" in _field(results[4], "text")
    assert "# f0: documented by grok-sim." in editor.texts[uri]


async def test_the_text_the_model_saw_survives_a_restart(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    uri = (workspace / "calc.py").as_uri()
    editor = await launch("vscode")
    editor.open(uri, SOURCE)
    await editor.command("grok.explain", {"uri": uri, "range": lines(0, 2)})
    assert WHOLE_FILE_INTRO in user_turn(simulator.chats[-1])
    await stop_editor(editor)

    # The same text after a restart: the model has it already, nothing is resent.
    again = await launch("vscode")
    again.open(uri, SOURCE)
    await again.command("grok.explain", {"uri": uri, "range": lines(5, 7)})
    turn = user_turn(simulator.chats[-1])
    assert WHOLE_FILE_INTRO not in turn and CHANGES_INTRO not in turn
    await stop_editor(again)

    # Changed while the server was away: only the change goes, as a diff.
    changed = SOURCE.replace("b * 3", "b * 33")
    third = await launch("vscode")
    third.open(uri, changed)
    await third.command("grok.explain", {"uri": uri, "range": lines(15, 17)})
    turn = user_turn(simulator.chats[-1])
    assert WHOLE_FILE_INTRO not in turn
    diff = turn.split(CHANGES_INTRO, 1)[1].split("Selected code:", 1)[0]
    assert "-    total = a + b * 3\n+    total = a + b * 33\n" in diff
    changed_lines = [line for line in diff.splitlines() if line.startswith(("+", "-"))]
    assert changed_lines == [  # nothing else changed
        "--- calc.py (as you last saw it)",
        "+++ calc.py (now)",
        "-    total = a + b * 3",
        "+    total = a + b * 33",
    ]

    # A reset starts over: the whole file again.
    await third.command("grok.conversation.reset", {"uri": uri})
    await third.command("grok.explain", {"uri": uri, "range": lines(15, 17)})
    assert WHOLE_FILE_INTRO in user_turn(simulator.chats[-1])


async def test_show_gives_the_compaction_summary_and_the_transcript_places_it(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode", {"maxContextTokens": 400})
    uri = (workspace / "small.py").as_uri()
    editor.open(uri, "def add(a, b):\n    return a + b\n")
    shown = await editor.command("grok.conversation.show", {"uri": uri})
    assert _field(shown, "compaction") is None
    for number in range(8):  # a bounded conversation: each turn costs over 100 tokens
        await editor.command(
            "grok.ask", {"uri": uri, "question": f"Question {number}: " + "why " * 40}
        )
    shown = await editor.command("grok.conversation.show", {"uri": uri})
    compaction = _field(shown, "compaction")
    assert compaction is not None, "eight turns of 100+ tokens did not compact a 400 budget"
    summary = _field(compaction, "summary")
    assert summary.startswith(SUMMARY_INTRO)
    assert "- ask (`small.py` (python), 2 lines.): Question" in summary
    assert 0 < _field(compaction, "turns") < len(_field(shown, "turns"))
    # The request that made it sent the summary in place of the turns it covers.
    assert any(
        m.get("content") == summary for m in simulator.chats[-1].body["input"] if "content" in m
    )
    transcript = Path(unquote(urlsplit(_field(shown, "transcript")).path)).read_text()
    assert f"## Summary (Grok is sent this instead of the turns above)\n\n{summary}\n" in transcript


async def test_a_store_from_before_the_seen_text_sends_the_file_once_then_diffs(
    launch: StartEditor, simulator: Any, workspace: Path, state_dir: Path
) -> None:
    uri = (workspace / "calc.py").as_uri()
    editor = await launch("vscode")
    editor.open(uri, SOURCE)
    await editor.command("grok.explain", {"uri": uri, "range": lines(0, 2)})
    await stop_editor(editor)
    # As the previous version left the file: the turns, but no text the model saw.
    with contextlib.closing(sqlite3.connect(state_dir / FILE_NAME)) as db:
        db.execute("DROP TABLE seen_documents")
        db.commit()

    again = await launch("vscode")
    again.open(uri, SOURCE)
    await again.command("grok.explain", {"uri": uri, "range": lines(5, 7)})
    request = simulator.chats[-1]
    assert WHOLE_FILE_INTRO in user_turn(request)
    assert len(request.body["input"]) == 4  # the stored exchange kept, before the new turn
    again.type_text(uri, 0, 0, "# header\n")
    await again.command("grok.explain", {"uri": uri, "range": lines(11, 13)})
    turn = user_turn(simulator.chats[-1])
    assert WHOLE_FILE_INTRO not in turn and "+# header" in turn


HELPER_FILE = (
    "def helper(x):\n    return x * 2\n\n\n"
    + "".join(f"FILLER_{n} = {n}  # {'pad ' * 12}\n" for n in range(40))
    + "\n\ndef main(y):\n    return helper(y) + 1\n"
)


async def test_a_definition_in_the_same_file_goes_again_only_when_the_file_is_not_sent_whole(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    path = workspace / "helpers.py"
    path.write_text(HELPER_FILE)
    main = HELPER_FILE.splitlines().index("def main(y):")
    selection = {"uri": path.as_uri(), "range": lines(main, main + 1)}

    whole = await launch("vscode", {"resultDisplay": "none"})
    whole.open(path.as_uri(), HELPER_FILE)
    await whole.command("grok.explain", selection)
    turn = user_turn(simulator.chats[-1])
    assert WHOLE_FILE_INTRO in turn and "(related: `helper`" not in turn
    assert turn.count("def helper(x):") == 1  # in the file, not again
    await stop_editor(whole)

    # A budget the file exceeds by a quarter: the lines around, and the helper as before.
    (workspace / "other").mkdir()
    other = workspace / "other" / "helpers.py"
    other.write_text(HELPER_FILE)
    cramped = await launch("vscode", {"resultDisplay": "none", "maxContextTokens": 1000})
    cramped.open(other.as_uri(), HELPER_FILE)
    await cramped.command("grok.explain", {**selection, "uri": other.as_uri()})
    turn = user_turn(simulator.chats[-1])
    assert WHOLE_FILE_INTRO not in turn and "Context before the selection" in turn
    assert "(related: `helper`" in turn and "def helper(x):" in turn


async def test_a_request_reset_under_it_leaves_no_seen_text_the_new_conversation_lacks(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, SOURCE)
    await editor.command("grok.explain", {"uri": uri, "range": lines(5, 7)})
    editor.type_text(uri, 0, 0, "import math\n")
    # A slow question carries that change as a diff; the user resets while it streams.
    slow = {"uri": uri, "question": "[[sim tps=20 tokens=400]] Why math?"}
    sent = len(simulator.chats)
    asked = asyncio.ensure_future(editor.command("grok.ask", slow))
    await until(
        lambda: len(simulator.chats) > sent and simulator.chats[-1].first_chunk_at is not None,
        "the question's first streamed chunk",
    )
    assert CHANGES_INTRO in user_turn(simulator.chats[-1])
    await editor.command("grok.conversation.reset", {"uri": uri})
    await editor.command("grok.cancel", {"uri": uri})
    with pytest.raises(JsonRpcException):
        await asked

    # The new conversation holds that turn, but its model never saw the file: it goes whole.
    await editor.command("grok.ask", {"uri": uri, "question": "What is f0?"})
    turn = user_turn(simulator.chats[-1])
    assert WHOLE_FILE_INTRO in turn and "1 | import math" in turn


async def test_two_requests_at_once_leave_the_seen_text_of_the_last_turn_in_the_history(
    launch: StartEditor, simulator: Any, workspace: Path
) -> None:
    editor = await launch("vscode")
    uri = (workspace / "calc.py").as_uri()
    editor.open(uri, SOURCE)
    await editor.command("grok.explain", {"uri": uri, "range": lines(5, 7)})
    editor.type_text(uri, 0, 0, "import math\n")
    sent = len(simulator.chats)
    slow = {"uri": uri, "question": "[[sim stall_after=3]] Slow?"}  # until cancelled
    asked = asyncio.ensure_future(editor.command("grok.ask", slow))
    await until(
        lambda: len(simulator.chats) > sent and simulator.chats[-1].first_chunk_at is not None,
        "the slow question's first streamed chunk",
    )
    # Built before the slow one is saved, saved before it: the history holds it first.
    editor.type_text(uri, 0, 0, "import os\n")
    # Another action: a newer request of the same action would replace the slow one.
    await editor.command("grok.explain", {"uri": uri, "range": lines(7, 9)})
    await editor.command("grok.cancel", {"uri": uri})  # the slow one ends, and is saved
    with pytest.raises(JsonRpcException):
        await asked
    slow_turn, fast_turn = (user_turn(r) for r in simulator.chats[-2:])  # in sending order
    assert "+import math" in slow_turn and "import os" not in slow_turn
    assert "+import os" in fast_turn and "+import math" in fast_turn

    await editor.command("grok.ask", {"uri": uri, "question": "Now?"})
    messages = simulator.chats[-1].body["input"]
    turns = [m["content"] for m in messages if m.get("role") == "user"]
    assert turns[-3:-1] == [fast_turn, slow_turn]  # in the order they were saved
    # The slow turn, last in the history, told of "import math" only: the next one says
    # what changed since then, so the model reading in order knows the file as it is.
    assert "+import os" in turns[-1] and "+import math" not in turns[-1]

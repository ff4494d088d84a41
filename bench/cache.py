"""#9: the prompt cache over a 12-turn conversation that mixes actions on one file.

The new design is measured through the real server: the first request carries the whole
document, later ones the selection and a diff of what changed. Today's design (before the
cache-stable layout, at bd6e8b0) is measured the same way, against the same simulator
and its prefix cache: the same requests on the same document text (read back from what
the new design sent: the whole file, then its diffs) and the same answers, laid out as
that version laid them out (a system prompt per action naming the task, the 30 lines
around the selection in every user turn, the previous answers as plain text without their
reasoning, the oldest exchanges dropped once the history passed its 12,000-token budget)
and sent to chat completions with the conversation's id.

The main case is a 120-line document (132 with the reasoning markers); a 600-line one
(660) shows how the ratios depend on the size of the file.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import attrs

from bench.direct import API_KEY, records
from bench.scenarios import Bench, Result, python_document
from grok_lsp.assistant.actions import ASK, BUILTIN_ACTIONS
from grok_lsp.assistant.context import (
    CHANGES_INTRO,
    WHOLE_FILE_INTRO,
    CodeSelection,
    build_prompt,
    estimate_tokens,
)
from grok_lsp.assistant.usage import Prices, prices_by_model, usage_from_lsp
from grok_lsp.xai._parse import parse_usage

MODEL = "grok-4.3"
# A small reasoning in every answer (a marker in each function of the document's context).
REASONING = 32
# (command, first line, last line, words): 12 turns, every kind of request, one file.
TURNS: list[tuple[str, int, int, str]] = [
    ("grok.explain", 11, 20, ""),
    ("grok.refactor", 11, 20, "rename value to amount"),
    ("grok.ask", 0, 0, "Why does it multiply before adding?"),
    ("grok.fix", 31, 40, ""),
    ("grok.document", 31, 40, ""),
    ("grok.explain", 51, 60, ""),
    ("grok.ask", 0, 0, "Could this overflow for large inputs?"),
    ("grok.refactor", 51, 60, "rename value to total"),
    ("grok.fix", 71, 80, ""),
    ("grok.ask", 51, 60, "Is this function pure?"),
    ("grok.document", 71, 80, ""),
    ("grok.explain", 91, 100, ""),
]

# Today's design: the persona, then the action's task and rules, then `Task: <id>`.
_PERSONA = (
    "You are Grok, an expert software engineer working inside the user's code editor. "
    "The user message gives the file, the selected code with line numbers, surrounding "
    "context and any diagnostics."
)
_EDIT_RULES = (
    "Reply with one short sentence saying what you changed, then the complete replacement "
    "for the selected code in exactly one fenced code block. The block replaces the "
    "selection verbatim: no line numbers, no surrounding context, same indentation style."
)
_OLD_TASKS = {
    "explain": "Explain what the selected code does, how, and anything surprising about it.",
    "refactor": "Refactor the selected code for clarity and correctness without changing "
    "its behaviour.",
    "fix": "Fix the problems in the selected code, starting with the diagnostics listed.",
    "document": "Add docstrings or comments in the language's usual style; do not change "
    "the code itself.",
    "ask": "Answer the user's question about their code, using the conversation so far.",
}
OLD_BUDGET = 12_000
OLD_CONTEXT_LINES = 30  # the `contextLines` default, then and now
MAIN_LINES = 120
LARGER_LINES = 600


def old_system_prompt(action: str) -> str:
    rules = (
        _EDIT_RULES if action in ("refactor", "fix", "document") else "Answer in concise Markdown."
    )
    return f"{_PERSONA}\n{_OLD_TASKS[action]}\n{rules}\nTask: {action}"


def old_user_turn(
    command: str, first: int, last: int, lines: list[str], instruction: str, path: str
) -> str:
    """Today's user turn: the file, the lines around the selection, the selection and the
    request (the task went in the system prompt); a question without a range, bare."""
    action = ASK if command == "grok.ask" else BUILTIN_ACTIONS[command.removeprefix("grok.")]
    selection = None
    if first or command != "grok.ask":
        text = "".join(lines[first : last + 1])
        selection = CodeSelection(path, "python", lines, first, last, text)
    prompt = build_prompt(
        action,
        selection,
        instruction,
        [],
        context_lines=OLD_CONTEXT_LINES,
        max_context_tokens=OLD_BUDGET,
    )
    rest = prompt.user_turn.split("\n\n", 1)[1]
    return rest if rest.startswith("File: ") else rest.removeprefix("Request: ")


_NUMBERED = re.compile(r"^(\d+) \| ?(.*)$")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


def _block_after(text: str, intro: str) -> list[str]:
    """The lines of the fenced block that follows `intro`."""
    after = text.split(intro + "\n", 1)[1].split("\n")
    opening = re.match(r"`{3,}", after[0])
    assert opening is not None, after[0]
    return after[1 : after.index(opening.group(0))]


def _patched(lines: list[str], diff: list[str]) -> list[str]:
    """`lines` with a unified diff (as difflib writes it) applied."""
    out: list[str] = []
    old = 0
    for line in diff:
        hunk = _HUNK.match(line)
        if hunk:
            start = int(hunk.group(1)) - (1 if hunk.group(2) != "0" else 0)
            out += lines[old:start]
            old = start
        elif line.startswith(("---", "+++")):
            continue
        elif line.startswith("+"):
            out.append(line[1:] + "\n")
        elif line.startswith("-"):
            old += 1
        elif line.startswith(" "):
            out.append(lines[old])
            old += 1
    return out + lines[old:]


def documents_seen(user_turns: list[str], selections: list[tuple[int, int]]) -> list[list[str]]:
    """The document's lines at each turn, as the new design told them to the model.

    Checked against every turn's selected code, so a wrong diff stops the benchmark.
    """
    lines: list[str] = []
    texts = []
    for turn, (first, last) in zip(user_turns, selections, strict=True):
        if WHOLE_FILE_INTRO in turn:
            numbered = _block_after(turn, WHOLE_FILE_INTRO)
            lines = [_NUMBERED.sub(r"\2", line) + "\n" for line in numbered]
        elif CHANGES_INTRO in turn:
            lines = _patched(lines, _block_after(turn, CHANGES_INTRO))
        if "Selected code:" in turn:
            selected = [
                _NUMBERED.sub(r"\2", line) + "\n" for line in _block_after(turn, "Selected code:")
            ]
            if lines[first : last + 1] != selected:
                raise RuntimeError(f"the diffs sent do not rebuild the document: {turn[:300]!r}")
        texts.append(list(lines))
    return texts


def old_messages(action: str, history: list[tuple[str, str]], user: str) -> list[dict[str, str]]:
    """Today's layout, with its trimming: the oldest exchanges dropped to fit the budget."""
    kept = list(history)
    budget = OLD_BUDGET - estimate_tokens(user)
    while kept and sum(estimate_tokens(q) + estimate_tokens(a) for q, a in kept) > budget:
        del kept[0]
    messages = [{"role": "system", "content": old_system_prompt(action)}]
    for question, answer in kept:
        messages += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
    return [*messages, {"role": "user", "content": user}]


def document(lines: int) -> str:
    """Plausible Python with a reasoning marker in every function (always in the context)."""
    text = python_document(lines).splitlines(keepends=True)
    return "".join(
        line + (f"    # [[sim reasoning={REASONING}]]\n" if line.startswith("def ") else "")
        for line in text
    )


def argument(uri: str, command: str, first: int, last: int, words: str) -> dict[str, Any]:
    argument: dict[str, Any] = {"uri": uri}
    if first or command != "grok.ask":
        argument["range"] = {
            "start": {"line": first, "character": 0},
            "end": {"line": last + 1, "character": 0},
        }
    if command == "grok.ask":
        argument["question"] = words
    elif words:
        argument["instruction"] = words
    return argument


async def prices(bench: Bench) -> Prices:
    root = bench.sim_url
    response = await bench.http.get(
        f"{root}/language-models", headers={"Authorization": f"Bearer {API_KEY}"}
    )
    response.raise_for_status()
    return prices_by_model(response.json()["models"])[MODEL]


@attrs.frozen
class Session:
    """One conversation measured both ways: per turn, the new design's usage (from the
    server) and today's design's (from the simulator)."""

    new: list[dict[str, int]]
    old: list[Any]

    @property
    def new_ratios(self) -> list[float]:
        return [u["cachedTokens"] / u["promptTokens"] for u in self.new]

    @property
    def old_ratios(self) -> list[float]:
        return [u.cached_tokens / u.prompt_tokens for u in self.old]

    def costs(self, price: Prices) -> tuple[float, float]:
        new = sum(price.cost_usd(usage_from_lsp(u)) for u in self.new)
        # Same answers, so the same output tokens: only the input differs.
        old = sum(
            price.cost_usd(
                usage_from_lsp(
                    {
                        "promptTokens": o.prompt_tokens,
                        "cachedTokens": o.cached_tokens,
                        "completionTokens": n["completionTokens"],
                    }
                )
            )
            for o, n in zip(self.old, self.new, strict=True)
        )
        return new, old


async def _session(bench: Bench, size: int, turns: list[tuple[str, int, int, str]]) -> Session:
    path = f"conversation_{size}.py"
    uri = f"file:///bench/{path}"
    new_usage: list[dict[str, int]] = []
    async with bench.server(resultDisplay="none") as client:
        await client.open(uri, document(size))
        for command, first, last, words in turns:
            future = client.command(command, argument(uri, command, first, last, words))
            await client.drain()
            result, _ = await future
            new_usage.append(result["usage"])
        sent = (await records(bench.http, bench.sim_url))[-len(turns) :]
    if any(r["path"] != "/v1/responses" for r in sent):
        raise RuntimeError("the server did not use the Responses API")
    user_turns = [r["body"]["input"][-1]["content"] for r in sent]
    # The answers as the next request sent them back; the last one is never sent again.
    answers = [
        "".join(
            part["text"]
            for item in (sent[i + 1]["body"]["input"] if i + 1 < len(sent) else [])
            if item.get("type") == "message" and item.get("role") == "assistant"
            for part in item["content"]
        )
        for i in range(len(sent))
    ]
    seen = documents_seen(user_turns, [(first, last) for _, first, last, _ in turns])
    old_turns = [
        old_user_turn(command, first, last, lines, turn.rsplit("\n\nRequest: ", 1)[1], path)
        for (command, first, last, _), lines, turn in zip(turns, seen, user_turns, strict=True)
    ]
    old_usage = await _todays_design(bench, turns, old_turns, answers)
    return Session(new_usage, old_usage)


def _ratios(prefix: str, ratios: list[float]) -> dict[str, float]:
    return {f"{prefix}cached_ratio_turn_{n}": round(r, 3) for n, r in enumerate(ratios, 1)}


async def conversation_cache(bench: Bench) -> Result:
    turns = TURNS if not bench.quick else TURNS[:5]
    price = await prices(bench)
    main = await _session(bench, MAIN_LINES, turns)
    larger = await _session(bench, LARGER_LINES, turns)
    new_cost, old_cost = main.costs(price)
    larger_new_cost, larger_old_cost = larger.costs(price)
    later = main.new_ratios[1:]
    ok = min(later) >= 0.9 and new_cost <= old_cost / 2
    big = f"{LARGER_LINES}_lines_"
    return Result(
        9,
        f"prompt cache over a {len(turns)}-turn conversation (explain, refactor, ask, fix, "
        "document on one file)",
        "cached / input >= 0.9 every turn after the first; session cost well under half "
        "of today's design",
        {
            "turns": len(turns),
            "document_lines": len(document(MAIN_LINES).splitlines()),
            **_ratios("", main.new_ratios),
            "cached_ratio_min_after_first": round(min(later), 3),
            **_ratios("todays_design_", main.old_ratios),
            "input_tokens": sum(u["promptTokens"] for u in main.new),
            "cached_tokens": sum(u["cachedTokens"] for u in main.new),
            "todays_design_input_tokens": sum(u.prompt_tokens for u in main.old),
            "todays_design_cached_tokens": sum(u.cached_tokens for u in main.old),
            "output_tokens": sum(u["completionTokens"] for u in main.new),
            "cost_usd": round(new_cost, 6),
            "todays_design_cost_usd": round(old_cost, 6),
            "cost_ratio": round(new_cost / old_cost, 3),
            # The same conversation on a larger file: how the ratios depend on its size.
            f"{big}document_lines": len(document(LARGER_LINES).splitlines()),
            **_ratios(big, larger.new_ratios),
            f"{big}cached_ratio_min_after_first": round(min(larger.new_ratios[1:]), 3),
            **_ratios(f"{big}todays_design_", larger.old_ratios),
            f"{big}cost_usd": round(larger_new_cost, 6),
            f"{big}todays_design_cost_usd": round(larger_old_cost, 6),
            f"{big}cost_ratio": round(larger_new_cost / larger_old_cost, 3),
        },
        ok,
        f"cached/input after turn 1: min {min(later):.2f} (today's design: min "
        f"{min(main.old_ratios[1:]):.2f}); cost ${new_cost:.4f} vs ${old_cost:.4f} "
        f"= {new_cost / old_cost:.2f}x; {LARGER_LINES}-line file: min "
        f"{min(larger.new_ratios[1:]):.2f}, cost {larger_new_cost / larger_old_cost:.2f}x",
    )


async def _todays_design(
    bench: Bench,
    turns: list[tuple[str, int, int, str]],
    user_turns: list[str],
    answers: list[str],
) -> list[Any]:
    """Each turn's request in today's layout, sent for its usage (its answer is not used)."""
    conversation = uuid.uuid4().hex
    history: list[tuple[str, str]] = []
    usages = []
    for (command, *_), user, answer in zip(turns, user_turns, answers, strict=True):
        action = command.removeprefix("grok.")
        response = await bench.http.post(
            f"{bench.sim_url}/chat/completions",
            json={
                "model": MODEL,
                "messages": old_messages(action, history, user),
                "max_completion_tokens": 1,  # only the input is compared
            },
            headers={"Authorization": f"Bearer {API_KEY}", "x-grok-conv-id": conversation},
        )
        response.raise_for_status()
        usage = parse_usage(response.json()["usage"])
        assert usage is not None
        usages.append(usage)
        history.append((user, answer))
    return usages

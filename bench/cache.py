"""#9: the prompt cache over a 12-turn conversation that mixes actions on one file.

The new design is measured through the real server. Today's design (before the
cache-stable layout, at bd6e8b0) is measured the same way, against the same simulator
and its prefix cache: the same user turns and the same answers, laid out as that version
laid them out (a system prompt per action naming the task, the previous answers as plain
text without their reasoning, the oldest exchanges dropped once the history passed its
12,000-token budget) and sent to chat completions with the conversation's id.
"""

from __future__ import annotations

import uuid
from typing import Any

from bench.direct import API_KEY, records
from bench.scenarios import Bench, Result, python_document
from grok_lsp.assistant.context import estimate_tokens
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


def old_system_prompt(action: str) -> str:
    rules = (
        _EDIT_RULES if action in ("refactor", "fix", "document") else "Answer in concise Markdown."
    )
    return f"{_PERSONA}\n{_OLD_TASKS[action]}\n{rules}\nTask: {action}"


def old_user_turn(new_turn: str) -> str:
    """Today's user turn: the new one without its opening task paragraph."""
    rest = new_turn.split("\n\n", 1)[1]
    return rest if rest.startswith("File: ") else rest.removeprefix("Request: ")


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


async def conversation_cache(bench: Bench) -> Result:
    turns = TURNS if not bench.quick else TURNS[:5]
    uri = "file:///bench/conversation.py"
    price = await prices(bench)
    new_usage: list[dict[str, int]] = []
    async with bench.server(resultDisplay="none") as client:
        await client.open(uri, document(120))
        for command, first, last, words in turns:
            future = client.command(command, argument(uri, command, first, last, words))
            await client.drain()
            result, _ = await future
            new_usage.append(result["usage"])
        sent = (await records(bench.http, bench.sim_url))[-len(turns) :]
    if any(r["path"] != "/v1/responses" for r in sent):
        raise RuntimeError("the server did not use the Responses API")
    user_turns = [r["body"]["input"][-1]["content"] for r in sent]
    answers = [
        "".join(
            part["text"]
            for item in (sent[i + 1]["body"]["input"] if i + 1 < len(sent) else [])
            if item.get("type") == "message" and item.get("role") == "assistant"
            for part in item["content"]
        )
        for i in range(len(sent))
    ]
    # The answers as the next request sent them back; the last one is never sent again.
    old_usage = await _todays_design(bench, turns, user_turns, answers)
    new_ratios = [u["cachedTokens"] / u["promptTokens"] for u in new_usage]
    old_ratios = [u.cached_tokens / u.prompt_tokens for u in old_usage]
    new_cost = sum(price.cost_usd(usage_from_lsp(u)) for u in new_usage)
    # Same answers, so the same output tokens: only the input differs.
    old_cost = sum(
        price.cost_usd(
            usage_from_lsp(
                {
                    "promptTokens": old.prompt_tokens,
                    "cachedTokens": old.cached_tokens,
                    "completionTokens": new["completionTokens"],
                }
            )
        )
        for old, new in zip(old_usage, new_usage, strict=True)
    )
    later = new_ratios[1:]
    ok = min(later) >= 0.9 and new_cost <= old_cost / 2
    return Result(
        9,
        f"prompt cache over a {len(turns)}-turn conversation (explain, refactor, ask, fix, "
        "document on one file)",
        "cached / input >= 0.9 every turn after the first; session cost well under half "
        "of today's design",
        {
            "turns": len(turns),
            **{f"cached_ratio_turn_{n}": round(r, 3) for n, r in enumerate(new_ratios, 1)},
            "cached_ratio_min_after_first": round(min(later), 3),
            **{
                f"todays_design_cached_ratio_turn_{n}": round(r, 3)
                for n, r in enumerate(old_ratios, 1)
            },
            "input_tokens": sum(u["promptTokens"] for u in new_usage),
            "cached_tokens": sum(u["cachedTokens"] for u in new_usage),
            "todays_design_input_tokens": sum(u.prompt_tokens for u in old_usage),
            "todays_design_cached_tokens": sum(u.cached_tokens for u in old_usage),
            "output_tokens": sum(u["completionTokens"] for u in new_usage),
            "cost_usd": round(new_cost, 6),
            "todays_design_cost_usd": round(old_cost, 6),
            "cost_ratio": round(new_cost / old_cost, 3),
        },
        ok,
        f"cached/input after turn 1: min {min(later):.2f} (today's design: min "
        f"{min(old_ratios[1:]):.2f}); cost ${new_cost:.4f} vs ${old_cost:.4f} "
        f"= {new_cost / old_cost:.2f}x",
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
    for (command, *_), new_turn, answer in zip(turns, user_turns, answers, strict=True):
        action = command.removeprefix("grok.")
        user = old_user_turn(new_turn)
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

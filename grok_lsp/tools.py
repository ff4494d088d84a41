"""The small command-line tools: ask, models, doctor. They share the server's assistant."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from grok_lsp import __version__
from grok_lsp.assistant.actions import ASK
from grok_lsp.assistant.answering import Assistant
from grok_lsp.assistant.context import CodeSelection
from grok_lsp.assistant.edits import split_lines
from grok_lsp.assistant.providers import check_base_url
from grok_lsp.assistant.requests import DocumentText, Request
from grok_lsp.settings import Settings
from grok_lsp.xai.errors import GrokError
from grok_lsp.xai.events import ContentDelta, ReasoningDelta, StreamEvent

# Enough for a reasoning model to think a little and say OK: a few hundredths of a cent.
DOCTOR_MAX_TOKENS = 200
_TARGET = re.compile(r"^(?P<path>.+?)(?::(?P<first>\d+)(?:-(?P<last>\d+))?)?$")
_LANGUAGES = {".py": "python", ".js": "javascript", ".ts": "typescript", ".rs": "rust",
              ".go": "go", ".lua": "lua", ".c": "c", ".cpp": "cpp", ".java": "java",
              ".rb": "ruby", ".sh": "shellscript", ".md": "markdown"}  # fmt: skip


def _fail(message: str) -> int:
    print(f"grok-lsp: {message}", file=sys.stderr)
    return 1


def parse_target(target: str) -> tuple[Path, int | None, int | None]:
    match = _TARGET.match(target)
    assert match is not None
    first = int(match["first"]) if match["first"] else None
    last = int(match["last"]) if match["last"] else first
    return Path(match["path"]), first, last


async def ask(target: str, question: str) -> int:
    """`grok-lsp ask PATH[:LINE[-LINE]] "question"`: the same conversation as the server."""
    path, first, last = parse_target(target)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return _fail(f"cannot read {path}: {error}")
    lines = split_lines(source)  # as the editor counts (str.splitlines breaks at \f too)
    start, end = (first or 1) - 1, (last or len(lines) or 1) - 1
    if first is not None and not (0 <= start <= end < max(len(lines), 1)):
        return _fail(f"lines {first}-{last} are outside {path} ({len(lines)} lines)")
    language_id = _LANGUAGES.get(path.suffix, path.suffix.lstrip(".") or "text")
    # Without lines the question is about the file, which the conversation carries whole.
    selection = None
    if first is not None:
        selection = CodeSelection(
            path=str(path),
            language_id=language_id,
            lines=lines,
            start_line=start,
            end_line=end,
            text="".join(lines[start : end + 1]),
        )
    document = DocumentText(
        uri=path.resolve().as_uri(),
        name=str(path),
        language_id=language_id,
        text=source,
        path=str(path),
    )
    # The workspace is the current folder, as for an editor opened there.
    request = Request(ASK, document, question, Settings(), selection, workspace_root=os.getcwd())
    assistant = Assistant.open()
    try:
        outcome = await assistant.run(request, Terminal())
    except GrokError as error:  # the provider's are in the outcome; this is anything before
        return _fail(error.user_message())
    finally:
        for warning in assistant.store_warnings():
            print(f"grok-lsp: {warning}", file=sys.stderr)
        await assistant.aclose()
    if outcome.failure is not None:
        return _fail(outcome.failure.user_message())
    sys.stdout.write("\n")
    return 0


class Terminal:
    """The answer streams to stdout, the reasoning and the problems to stderr."""

    def on_event(self, event: StreamEvent) -> None:
        if isinstance(event, ContentDelta):
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, ReasoningDelta):
            sys.stderr.write(event.text)

    def on_problems(self, problems: Sequence[str]) -> None:
        for problem in problems:
            print(f"grok-lsp: {problem}", file=sys.stderr)


async def models() -> int:
    from grok_lsp.xai import AsyncXAI

    settings = Settings()
    try:
        async with AsyncXAI(settings.effective_api_key(), check_base_url(settings)) as client:
            names = await client.list_models()
    except GrokError as error:
        return _fail(error.user_message())
    current = settings.resolve_model()
    for name in names:
        print(f"{name}{'  (current)' if name == current else ''}")
    return 0


async def doctor() -> int:
    """One line per check, and what to do about each failure."""
    import httpx

    from grok_lsp.xai import AsyncXAI

    settings = Settings()
    failures = 0

    def check(ok: bool, what: str, advice: str = "") -> None:
        nonlocal failures
        failures += not ok
        print(
            f"[{'ok  ' if ok else 'FAIL'}] {what}" + ("" if ok or not advice else f" -> {advice}")
        )

    check(True, f"grok-lsp {__version__}; model {settings.resolve_model()}")
    key = settings.effective_api_key()
    check(
        bool(key),
        "XAI_API_KEY is set",
        "export XAI_API_KEY=... (create one at https://console.x.ai)",
    )
    try:
        base_url = check_base_url(settings)
    except GrokError as error:
        check(False, "the base URL is usable", error.user_message())
        return 1
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            await http.get(f"{base_url}/models")
        check(True, f"{base_url} is reachable")
    except httpx.HTTPError as error:
        check(
            False,
            f"{base_url} is reachable",
            f"{type(error).__name__}; check the network and XAI_BASE_URL",
        )
        return 1
    if not key:
        return 1
    async with AsyncXAI(key, base_url, max_retries=0) as client:
        try:
            await client.api_key_info()
            names = await client.list_models()
            check(True, "the API key is accepted")
        except GrokError as error:
            check(False, "the API key is accepted", error.user_message())
            return 1
    model = settings.resolve_model()
    check(model in names, f"model {model} is available", "pick one from `grok-lsp models`")
    await _check_answers(settings, key, base_url, model, check)
    return 1 if failures else 0


API_ENDPOINTS = {"responses": "the Responses API (POST /responses)",
                 "chat-completions": "chat completions (POST /chat/completions)"}  # fmt: skip


async def _check_answers(
    settings: Settings, key: str, base_url: str, model: str, check: Callable[..., None]
) -> None:
    """A tiny real request on the API the server speaks: the endpoint answers this key."""
    from grok_lsp.xai import AsyncXAI, ChatRequest

    endpoint = API_ENDPOINTS[settings.api]
    request = ChatRequest(
        messages=[{"role": "user", "content": "Reply with the word OK."}],
        model=model,
        max_tokens=DOCTOR_MAX_TOKENS,
    )
    async with AsyncXAI(key, base_url, max_retries=0, api=settings.api) as client:
        try:
            await client.chat(request)  # stopping at the token limit still proves it answers
            check(True, f"{endpoint} answers; the server speaks it (setting `api`)")
        except GrokError as error:
            advice = error.user_message()
            if settings.api == "responses" and getattr(error, "status", None) == 404:
                advice += ' A gateway without it needs the setting `api: "chat-completions"`.'
            check(False, f"{endpoint} answers", advice)

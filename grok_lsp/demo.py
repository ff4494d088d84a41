"""`grok-lsp demo`: a newcomer's first minute, driven exactly as an editor would drive it."""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.workspace import TextDocument

from grok_lsp.assistant.project.pieces import CONTEXT_LISTING

SAMPLE = '''\
from pricing import apply_tax


def order_total(prices, tax_rate):
    """Sum the prices of an order and add tax."""
    total = 0
    for price in prices:
        total = total + price
    return apply_tax(total, tax_rate)


if __name__ == "__main__":
    print(order_total([9.99, 5.01], 0.2))
'''
# The sample project around sample.py: a helper in another file and the project's rules.
HELPER = '''\
def apply_tax(amount, tax_rate):
    """The amount with tax added, rounded to cents."""
    return round(amount * (1 + tax_rate), 2)
'''
RULES = """\
# Rules for AI assistants
Keep money rounded to cents; prefer small, pure functions.
"""
SELECTION = types.Range(
    start=types.Position(line=3, character=0), end=types.Position(line=9, character=0)
)
FOLLOW_UP = "What did you just change, and why? Does it still match #file:pricing.py?"

_TTY = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None


def _paint(code: str, text: str) -> str:
    return f"\033[{code}m{text}\033[0m" if _TTY else text


def heading(text: str) -> None:
    print("\n" + _paint("1;36", f"== {text} =="), flush=True)


def coloured_diff(before: str, after: str, name: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{name}", f"b/{name}"
    )
    colours = {"+": "32", "-": "31", "@": "36"}
    out = []
    for line in lines:
        colour = colours.get(line[:1]) if not line.startswith(("+++", "---")) else "1"
        out.append(_paint(colour, line.rstrip("\n")) if colour else line.rstrip("\n"))
    return "\n".join(out)


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (utf-16 positions, the demo's negotiated encoding) with pygls's codec."""
    document = TextDocument("file:///demo", text)  # pygls's default encoding: utf-16
    # The edits are computed against `text` and do not overlap: the last one first keeps
    # the positions of the others valid.
    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        document.apply_change(types.TextDocumentContentChangePartial(edit.range, edit.new_text))
    return document.source


class DemoEditor:
    """The smallest editor that shows everything: streamed text, progress, edits."""

    def __init__(self, client: LanguageClient, uri: str, text: str) -> None:
        self.client = client
        self.uri = uri
        self.text = text
        self.version = 1
        self.streaming_kind = ""

        @client.feature("grok/stream")
        def on_stream(params: Any) -> None:
            kind, delta = params.kind, params.delta
            if kind != self.streaming_kind:
                self.streaming_kind = kind
                if kind == "reasoning":
                    sys.stdout.write(_paint("2", "(thinking) "))
            sys.stdout.write(_paint("2", delta) if kind == "reasoning" else delta)
            sys.stdout.flush()

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        def on_apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            before = self.text
            for change in params.edit.document_changes or []:
                if isinstance(change, types.TextDocumentEdit):
                    edits = [e for e in change.edits if isinstance(e, types.TextEdit)]
                    self.text = apply_text_edits(self.text, edits)
            print(f"{params.label} — the edit the server applied:")
            print(coloured_diff(before, self.text, "sample.py"))
            return types.ApplyWorkspaceEditResult(applied=True)

        @client.feature(types.WINDOW_SHOW_MESSAGE)
        def on_message(params: types.ShowMessageParams) -> None:
            print(_paint("33", f"[{params.type.name}] {params.message}"), file=sys.stderr)

        @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def on_progress_create(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @client.feature(types.PROGRESS)
        def on_progress(params: types.ProgressParams) -> None:
            value = params.value
            if isinstance(value, dict) and value.get("kind") == "end":
                print("\n" + _paint("2", f"[progress] {value.get('message', '')}"), flush=True)

    async def command(self, name: str, argument: dict[str, Any]) -> Any:
        self.streaming_kind = ""
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=[argument])
        )


def _range_json(value: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }


@contextlib.contextmanager
def _backend() -> Iterator[tuple[dict[str, str], str]]:
    """The environment for the server: the real API with a key, else the simulator."""
    env = dict(os.environ)
    if env.get("XAI_API_KEY"):
        yield (
            env,
            f"grok-lsp demo: using the xAI API with your XAI_API_KEY ({env.get('XAI_BASE_URL', 'https://api.x.ai/v1')}).",
        )
        return
    from grok_lsp.simulator.runner import Simulator

    with Simulator(defaults="tps=60") as simulator:
        env.update(XAI_BASE_URL=simulator.base_url, XAI_API_KEY="demo-key-for-the-simulator")
        yield (
            env,
            (
                "grok-lsp demo: no XAI_API_KEY set, so this runs offline against the built-in Grok "
                f"API simulator at {simulator.base_url}."
            ),
        )


async def run_demo() -> int:
    with _backend() as (env, banner), tempfile.TemporaryDirectory(prefix="grok-demo-") as tmp:
        print(banner, flush=True)
        env["GROK_LSP_STATE_DIR"] = str(Path(tmp) / "state")
        sample = Path(tmp) / "sample.py"
        sample.write_text(SAMPLE, encoding="utf-8")
        (Path(tmp) / "pricing.py").write_text(HELPER, encoding="utf-8")
        (Path(tmp) / "AGENTS.md").write_text(RULES, encoding="utf-8")
        uri = sample.as_uri()
        client = LanguageClient("grok-lsp-demo", "1")
        await client.start_io(sys.executable, "-m", "grok_lsp", "serve", env=env)
        editor = DemoEditor(client, uri, SAMPLE)
        try:
            await _session(client, editor, uri, tmp)
        except Exception as error:
            print(f"\ngrok-lsp demo failed: {error}", file=sys.stderr)
            return 1
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.shutdown_async(None), 5)
                client.exit(None)
            await client.stop()
    return 0


async def _session(client: LanguageClient, editor: DemoEditor, uri: str, root: str) -> None:
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                window=types.WindowClientCapabilities(work_done_progress=True),
                workspace=types.WorkspaceClientCapabilities(apply_edit=True),
            ),
            root_uri=Path(root).as_uri(),
            initialization_options={"streamNotifications": True, "resultDisplay": "none"},
        )
    )
    client.initialized(types.InitializedParams())
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=SAMPLE
            )
        )
    )
    heading("The project: sample.py (lines 4-9 selected), pricing.py and AGENTS.md")
    print(SAMPLE.rstrip())

    heading("Code actions offered for the selection (listed with no network call)")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=SELECTION,
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    for action in actions or []:
        print(f"  • {action.title}")

    heading("Grok: Explain — streamed as it arrives")
    await editor.command("grok.explain", {"uri": uri, "range": _range_json(SELECTION)})

    heading("Grok: Refactor — “rename total to subtotal”")
    result = await editor.command(
        "grok.refactor",
        {"uri": uri, "range": _range_json(SELECTION), "instruction": "rename total to subtotal"},
    )
    applied = (
        result.get("applied") if isinstance(result, dict) else getattr(result, "applied", None)
    )
    print(f"applied: {applied}")

    heading(f"A follow-up question, answered from the conversation so far: “{FOLLOW_UP}”")
    await editor.command("grok.ask", {"uri": uri, "question": FOLLOW_UP})
    print()

    heading("What Grok was shown besides the selection (from grok.conversation.show)")
    shown = await editor.command("grok.conversation.show", {"uri": uri})
    turns = shown.get("turns", []) if isinstance(shown, dict) else getattr(shown, "turns", [])
    for number, turn in enumerate(turns, start=1):
        role = turn.get("role") if isinstance(turn, dict) else getattr(turn, "role", "")
        content = turn.get("content") if isinstance(turn, dict) else getattr(turn, "content", "")
        if role == "user":
            print(f"request {(number + 1) // 2}:")
            print(_context_listing(str(content)) or "  (nothing but the selection)")


def _context_listing(content: str) -> str:
    """The list of project context that a request's text ends with, indented."""
    _, found, listing = content.partition(CONTEXT_LISTING)
    if not found:
        return ""
    lines = [line for line in listing.splitlines() if line.startswith("- ")]
    return "\n".join(f"  {line}" for line in lines)

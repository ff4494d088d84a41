"""The tests' one LSP client: the real grok-lsp over stdio, driven by pytest-lsp's client.

`Editor` adds a document model that applies the server's edits and reports them back with
didChange, as an editor does. The test spawns the server itself, the way VS Code and
Neovim do (libuv: one socketpair per stdio stream), and connects pytest-lsp's client to it
with pygls's public `run_async` and `set_writer`: so the test holds the process (pid, exit
code), can end its stdin, and keeps every byte the server wrote to stdout and stderr,
without reaching into pytest-lsp. Where a test must send bytes that no LSP client would
(bad frames, half frames, huge frames, exit timing), it uses bench/lsp.py, the
repository's one hand-written framing client (see its docstring).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import threading
from pathlib import Path
from typing import Any, Union

import attrs
from cattrs import Converter
from lsprotocol import types
from pygls.exceptions import PyglsError
from pygls.io_ import run_async
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import register_lsp_features

from tests.positions import apply_edits, position_at

TEST_KEY = "xai-TESTKEY-0123456789abcdef"

PRESETS: dict[str, types.ClientCapabilities] = {
    "vscode": client_capabilities("visual-studio-code"),
    "neovim": client_capabilities("neovim@v0.11"),
    "minimal": types.ClientCapabilities(),
}
# A client that lets servers register inline completion later (as VS Code does).
PRESETS["dynamic-inline"] = attrs.evolve(
    PRESETS["vscode"],
    text_document=attrs.evolve(
        PRESETS["vscode"].text_document or types.TextDocumentClientCapabilities(),
        inline_completion=types.InlineCompletionClientCapabilities(dynamic_registration=True),
    ),
)
# Emacs 30's eglot 1.17 as it introduces itself (from its eglot-client-capabilities): no
# showMessage capability (it answers showMessageRequest all the same), showDocument, progress.
PRESETS["eglot"] = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(apply_edit=True, configuration=True),
    window=types.WindowClientCapabilities(
        work_done_progress=True, show_document=types.ShowDocumentClientCapabilities(support=True)
    ),
    general=types.GeneralClientCapabilities(position_encodings=["utf-32", "utf-8", "utf-16"]),
)

# clientInfo as each client sends it; `start_editor(client=...)` picks one (eglot: by default).
CLIENT_INFO: dict[str, types.ClientInfo] = {
    "vscode": types.ClientInfo(name="Visual Studio Code", version="1.96.0"),
    "code-server": types.ClientInfo(name="code-server", version="4.96.2"),
    "neovim": types.ClientInfo(name="Neovim", version="0.11.0"),
    "eglot": types.ClientInfo(name="Eglot", version="1.17.30"),
    "helix": types.ClientInfo(name="helix", version="25.1"),
}


def field(result: Any, name: str) -> Any:
    """A field of a command's result, whether the client gave it as a dict or an object."""
    return result[name] if isinstance(result, dict) else getattr(result, name)


class RecordingReader:
    """pygls's reader interface over the server's stdout, keeping every byte it reads."""

    def __init__(self, stream: asyncio.StreamReader, sink: bytearray) -> None:
        self.stream = stream
        self.sink = sink

    async def readline(self) -> bytes:
        data = await self.stream.readline()
        self.sink.extend(data)
        return data

    async def readexactly(self, n: int) -> bytes:
        data = await self.stream.readexactly(n)
        self.sink.extend(data)
        return data


class Editor:
    """Holds the server process, the open documents and everything the server sent."""

    def __init__(
        self,
        client: LanguageClient,
        process: asyncio.subprocess.Process,
        stdin: asyncio.StreamWriter,
        stdout: asyncio.StreamReader,
        stdout_end: asyncio.StreamWriter,
    ) -> None:
        self.client = client
        self.process = process
        self._stdin = stdin
        self._stdout = stdout
        self._stdout_end = stdout_end  # owns our end of the stdout socket: closed last
        self.stdout = bytearray()  # every byte the server wrote, as read
        self.stderr = bytearray()
        self._reading = threading.Event()  # pygls's loop ends when it is set
        self._tasks: list[asyncio.Task[Any]] = []
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.encoding = "utf-16"
        self.stream: list[dict[str, Any]] = []
        self.applied_edits: list[types.ApplyWorkspaceEditParams] = []
        self.refuse_edits = False
        self.edit_arrived = asyncio.Event()
        self.stopped = False
        self.offered_actions: list[str] = []
        self.registrations: list[str] = []
        self.capabilities = types.ServerCapabilities()
        self.choose: str | None = None  # the button to choose in showMessageRequest
        self.fail_message_requests = False  # answer showMessageRequest with an error

    def connect(self) -> None:
        """Read the server's output into the client; a server that dies fails pending requests."""
        assert self.process.stderr is not None
        self.client.protocol.set_writer(self._stdin)
        self._tasks = [
            asyncio.ensure_future(
                run_async(
                    stop_event=self._reading,
                    reader=RecordingReader(self._stdout, self.stdout),
                    protocol=self.client.protocol,
                    error_handler=self.client.report_server_error,
                )
            ),
            asyncio.ensure_future(self._copy_stderr(self.process.stderr)),
            asyncio.ensure_future(self._watch_exit()),
        ]

    async def _copy_stderr(self, stream: asyncio.StreamReader) -> None:
        while data := await stream.read(1 << 16):  # not by line: a line may be any length
            self.stderr.extend(data)
            sys.stderr.buffer.write(data)  # shown with the test's output when it fails

    async def _watch_exit(self) -> None:
        code = await self.process.wait()
        if not self.stopped:  # unasked: no request waits forever for an answer
            reason = f"the server exited with code {code}"
            self.client.report_server_error(ConnectionError(reason), PyglsError)

    async def close(self) -> None:
        """After shutdown/exit, or to end a server that does not answer any more."""
        self.stopped = True
        await self.client.stop()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.process.wait(), 10)
        if self.process.returncode is None:  # it does not end on its own
            self.process.kill()
            await self.process.wait()
        self._reading.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*self._tasks, return_exceptions=True), 5)
        for task in self._tasks:
            task.cancel()
        self._stdin.close()
        self._stdout_end.close()

    def close_stdin(self) -> None:
        """End the server's stdin, as an editor that goes away does."""
        self._stdin.close()

    def open(self, uri: str, text: str, language_id: str = "python") -> None:
        self.texts[uri] = text
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language_id, version=1, text=text
                )
            )
        )

    def type_text(self, uri: str, start: int, end: int, new_text: str) -> None:
        """Replace text[start:end] (code points) and tell the server incrementally."""
        text = self.texts[uri]
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                start=position_at(text, start, self.encoding),
                end=position_at(text, end, self.encoding),
            ),
            text=new_text,
        )
        self.texts[uri] = text[:start] + new_text + text[end:]
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=[change],
            )
        )

    def on_apply_edit(
        self, params: types.ApplyWorkspaceEditParams
    ) -> types.ApplyWorkspaceEditResult:
        self.applied_edits.append(params)
        self.edit_arrived.set()
        if self.refuse_edits:
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason="refused by test")
        for change in params.edit.document_changes or []:
            assert isinstance(change, types.TextDocumentEdit)
            uri = change.text_document.uri
            if change.text_document.version != self.versions[uri]:
                return types.ApplyWorkspaceEditResult(
                    applied=False, failure_reason="version mismatch"
                )
            edits = [e for e in change.edits if isinstance(e, types.TextEdit)]
            new_text = apply_edits(self.texts[uri], edits, self.encoding)
            self.texts[uri] = new_text
            self.versions[uri] += 1
            self.client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(
                        uri=uri, version=self.versions[uri]
                    ),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)],
                )
            )
        return types.ApplyWorkspaceEditResult(applied=True)

    async def command(self, name: str, *arguments: Any, token: str | None = None) -> Any:
        if token is not None:  # a token the client made up itself is one it knows
            self.client.progress_reports.setdefault(token, [])
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command=name, arguments=list(arguments), work_done_token=token
            )
        )

    def streamed(self, kind: str = "content") -> str:
        return "".join(item["delta"] for item in self.stream if item["kind"] == kind)

    def messages(self, kind: types.MessageType | None = None) -> list[str]:
        return [m.message for m in self.client.messages if kind is None or m.type == kind]


def converter() -> Converter:
    """pygls's converter, but a code action with a `command` object is not read as a bare
    Command (lsprotocol reads every one that has a `command` so)."""
    made: Converter = default_converter()  # type: ignore[no-untyped-call]

    def structure(value: Any, _: Any) -> types.Command | types.CodeAction:
        if isinstance(value.get("command"), str):
            return made.structure(value, types.Command)
        return made.structure(value, types.CodeAction)

    made.register_structure_hook(
        Union[types.Command, types.CodeAction],  # noqa: UP007 - the exact key lsprotocol uses
        structure,
    )
    return made


def server_env(base_url: str, state_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XAI_", "GROK_LSP_"))}
    env.update(XAI_BASE_URL=base_url, XAI_API_KEY=TEST_KEY, GROK_LSP_STATE_DIR=str(state_dir))
    env.update(extra)
    return env


async def spawn(
    command: list[str], env: dict[str, str]
) -> tuple[
    asyncio.subprocess.Process, asyncio.StreamWriter, asyncio.StreamReader, asyncio.StreamWriter
]:
    """The server with a socketpair for stdin and one for stdout, as libuv spawns it.

    Returns the process, the writer of its stdin, the reader of its stdout and the writer
    that owns our end of stdout's socket (dropping it would close the socket)."""
    ours_in, theirs_in = socket.socketpair()
    ours_out, theirs_out = socket.socketpair()
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=theirs_in.fileno(),
            stdout=theirs_out.fileno(),
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
    finally:
        theirs_in.close()
        theirs_out.close()
    _, stdin = await asyncio.open_connection(sock=ours_in)
    stdout, stdout_end = await asyncio.open_connection(sock=ours_out)
    return process, stdin, stdout, stdout_end


async def start_editor(
    env: dict[str, str],
    *,
    preset: str = "vscode",
    init_options: dict[str, Any] | None = None,
    root: Path | None = None,
    configuration: dict[str, Any] | None = None,
    client: str | None = None,
    server_command: list[str] | None = None,
) -> Editor:
    """A real grok-lsp started as `preset` would; `client` names its clientInfo (none: no name).

    `server_command` replaces `python -m grok_lsp`.
    """
    holder: dict[str, Editor] = {}
    if client is None and preset in ("eglot",):
        client = preset

    def factory() -> LanguageClient:
        client = LanguageClient(converter_factory=converter)
        register_lsp_features(client)  # pytest-lsp's own: configuration, messages, progress
        for section, values in (configuration or {}).items():
            client.set_configuration(values, section=section)

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            return holder["editor"].on_apply_edit(params)

        @client.feature("grok/stream")
        def stream(params: Any) -> None:
            holder["editor"].stream.append(
                {
                    "token": params.token,
                    "uri": params.uri,
                    "kind": params.kind,
                    "delta": params.delta,
                }
            )

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register_capability(params: types.RegistrationParams) -> None:
            holder["editor"].registrations.extend(r.method for r in params.registrations)

        @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
        def message_request(params: types.ShowMessageRequestParams) -> Any:
            editor = holder["editor"]
            if editor.fail_message_requests:
                raise RuntimeError("this test client cannot ask the user")
            editor.offered_actions.extend(a.title for a in params.actions or [])
            client.messages.append(
                types.ShowMessageParams(type=params.type, message=params.message)
            )
            chosen = [a for a in params.actions or [] if a.title == editor.choose]
            return chosen[0] if chosen else None

        return client

    client_info = CLIENT_INFO[client] if client is not None else None
    lsp_client = factory()
    command = server_command or [sys.executable, "-m", "grok_lsp"]
    process, stdin, stdout, stdout_end = await spawn(command, env)
    editor = holder["editor"] = Editor(lsp_client, process, stdin, stdout, stdout_end)
    editor.connect()
    options = {"streamNotifications": True, **(init_options or {})}
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=PRESETS[preset],
            client_info=client_info,
            initialization_options=options,
            root_uri=root.as_uri() if root else None,
        )
    )
    editor.encoding = str(result.capabilities.position_encoding or "utf-16")
    editor.capabilities = result.capabilities
    return editor


async def stop_editor(editor: Editor) -> None:
    if editor.stopped:
        return
    editor.stopped = True
    try:
        await asyncio.wait_for(editor.client.shutdown_session(), 10)
    finally:
        await editor.close()

"""What the server adapts to the client it talks to, known from `initialize`'s `clientInfo`.

Each quirk is handled here, by client name, with the reason; the rest of the server asks
a `Client` what to do instead of testing names itself.
"""

from __future__ import annotations

from typing import Literal

import attrs
from lsprotocol import types

from grok_lsp.settings import CommandResult

Family = Literal["vscode", "neovim", "eglot", "other"]

# clientInfo.name of VS Code and its forks (code-server reports the product it serves).
VSCODE_NAMES = ("visual studio code", "code - oss", "code-server", "vscodium", "cursor", "windsurf")

# Clients that wait on workspace/executeCommand, freezing the editor or timing out without
# cancelling, and so get {token, started: true} at once (SPEC section 4). By clientInfo.name,
# lowercase, as read from each client's source (the team's notes, /work/coord/clients.md):
# - "eglot" (Emacs 30, eglot 1.17): `eglot-execute` -> `jsonrpc-request` is synchronous (Emacs
#   is frozen) and gives up after `jsonrpc-default-request-timeout` (10 s); it never sends
#   $/cancelRequest, on timeout or C-g, so the edit landed after "Timed out".
# - "helix": `Client::command` -> `call_with_timeout`, the server's `timeout` (default 20 s in
#   helix-core syntax/config.rs), no $/cancelRequest; the result is discarded anyway.
# Not listed: Zed (120 s, then cancels), Sublime Text LSP (no timeout), Kate (no clientInfo),
# VS Code and Neovim (our plugins want the finished answer).
IMMEDIATE_CLIENTS = ("eglot", "helix")


@attrs.frozen
class Client:
    """The client of this session, as far as the server needs to know it."""

    name: str = ""
    family: Family = "other"

    @classmethod
    def from_info(cls, info: types.ClientInfo | None) -> Client:
        name = info.name if info is not None else ""
        lowered = name.strip().lower()
        family: Family = "other"
        if any(lowered.startswith(known) for known in VSCODE_NAMES):
            family = "vscode"
        elif lowered in ("neovim", "nvim"):
            family = "neovim"
        elif lowered == "eglot":
            family = "eglot"
        return cls(name, family)

    def default_command_result(self) -> CommandResult:
        """Plugins (VS Code, Neovim) and unknown clients want the finished answer."""
        return "immediate" if self.name.strip().lower() in IMMEDIATE_CLIENTS else "answer"

    def take_focus(self) -> bool | None:
        """`takeFocus` for window/showDocument; None leaves the field out.

        eglot tests the field for non-nil and reads JSON false as `:json-false`, which is
        non-nil: `false` would move the focus to the transcript, an absent field does not.
        """
        return None if self.family == "eglot" else False

    def set_key_advice(self) -> str:
        """How this client's user sets the API key."""
        if self.family == "vscode":
            return 'Run "Grok: Set API Key" and try again.'
        if self.family == "neovim":
            return "Run :GrokSetKey (or export XAI_API_KEY before starting Neovim) and try again."
        return (
            "Set XAI_API_KEY in the server's environment (or apiKey in the settings) and try again."
        )

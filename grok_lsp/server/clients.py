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

# Clients that wait on workspace/executeCommand, freezing the editor or timing out, and so
# get {token, started: true} at once (SPEC section 4). By clientInfo.name, lowercase:
# - "eglot": Emacs; `eglot-execute` is synchronous and gives up after 10 s without
#   $/cancelRequest (jsonrpc-default-request-timeout; /work/shared/notes/emacs-eglot.md).
IMMEDIATE_CLIENTS = ("eglot",)


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

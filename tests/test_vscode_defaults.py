"""The VS Code extension's setting defaults are the server's: untouched, it behaves as SPEC says.

The extension sends every `grok.*` server setting (SPEC section 3) as the user has it, so
a default in package.json that differs from the server's would override the server's.
Here, not in tests/vscode, so that a change of a server default meets this test at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from grok_lsp.settings import Settings, parse_settings

PACKAGE = Path(__file__).resolve().parents[1] / "editors" / "vscode" / "package.json"
# The extension's own settings, and the secrets, which it passes in the server's environment.
NOT_SENT = {"serverPath", "trace.server", "apiKey", "grokWebCookies"}


def package_defaults() -> dict[str, Any]:
    properties = json.loads(PACKAGE.read_text())["contributes"]["configuration"]["properties"]
    return {
        key.removeprefix("grok."): spec["default"]
        for key, spec in properties.items()
        if key.removeprefix("grok.") not in NOT_SENT
    }


def test_every_default_the_extension_sends_is_the_servers_own() -> None:
    sent = {**package_defaults(), "streamNotifications": True, "commandResult": "answer"}
    settings, problems = parse_settings(sent)
    assert problems == []
    expected = attrs.evolve(Settings(), stream_notifications=True, command_result="answer")
    assert settings == expected

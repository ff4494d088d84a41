"""Models: listed from the API, an unknown one named with the available ones, aliases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException

from tests.positions import WHOLE
from tests.server.conftest import StartEditor
from tests.server.harness import field as _field


async def test_models_lists_what_the_api_offers(launch: StartEditor) -> None:
    editor = await launch("minimal", {"model": "grok-3"})
    result = await editor.command("grok.models", {})
    assert "grok-4.3" in _field(result, "models") and "grok-3" in _field(result, "models")
    assert _field(result, "current") == "grok-3"


async def test_an_unknown_model_names_the_available_ones(
    launch: StartEditor, workspace: Path
) -> None:
    editor = await launch("vscode", {"model": "grok-99"})
    uri = (workspace / "m.py").as_uri()
    editor.open(uri, "x = 1\n")
    with pytest.raises(JsonRpcException) as raised:
        await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    assert "404" in str(raised.value) and "Available models:" in str(raised.value)
    assert "grok-4.3" in str(raised.value)


async def test_model_aliases_resolve(launch: StartEditor, simulator: Any, workspace: Path) -> None:
    editor = await launch(
        "minimal", {"model": "fast", "modelAliases": {"fast": "grok-code-fast-1"}}
    )
    uri = (workspace / "m.py").as_uri()
    editor.open(uri, "x = 1\n")
    result = await editor.command("grok.explain", {"uri": uri, "range": WHOLE})
    assert _field(result, "model") == "grok-code-fast-1"
    assert simulator.chats[-1].body["model"] == "grok-code-fast-1"

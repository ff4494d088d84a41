from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.server.harness import Editor, server_env, start_editor, stop_editor

StartEditor = Callable[..., Coroutine[Any, Any, Editor]]


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest_asyncio.fixture
async def launch(simulator: Any, state_dir: Path, workspace: Path) -> AsyncIterator[StartEditor]:
    """Start editors (each a real grok-lsp process) on the test's simulator and state dir."""
    editors: list[Editor] = []

    async def start(
        preset: str = "vscode",
        init_options: dict[str, Any] | None = None,
        configuration: dict[str, Any] | None = None,
        client: str | None = None,
        **env: str,
    ) -> Editor:
        editor = await start_editor(
            server_env(simulator.base_url, state_dir, **env),
            preset=preset,
            init_options=init_options,
            root=workspace,
            configuration=configuration,
            client=client,
        )
        editors.append(editor)
        return editor

    yield start
    for editor in editors:
        await stop_editor(editor)

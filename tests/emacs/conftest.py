"""Drive a real batch Emacs (eglot, built into Emacs 30) against grok-lsp and the simulator.

Each scenario is an Emacs Lisp body run by `emacs -Q --batch` with tests/emacs/grok-test.el
loaded; it returns an alist that is written as JSON, with every JSON-RPC message eglot
exchanged. `make test` installs Emacs (tests/emacs/install-emacs.sh); without it these tests fail.
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
from tests.editor_process import checked_editor, checkout_pythonpath, run_scenario, tail_of

HERE = Path(__file__).parent
HELPERS = HERE / "grok-test.el"
MINIMUM_VERSION = (30, 1)
SCENARIO_TIMEOUT_S = 90
TEST_KEY = "xai-test-key"
SERVER_CMD = [sys.executable, "-m", "grok_lsp"]


@pytest.fixture(scope="session")
def emacs() -> str:
    """An Emacs >= 30.1 (eglot 1.17) that starts; the tests fail (never skip) without one."""
    binary = shutil.which("emacs")
    if binary is None:
        pytest.fail("emacs not found: `make test` installs emacs-nox; or install Emacs >= 30")
    return checked_editor(
        binary,
        r"GNU Emacs (\d+)\.(\d+)",
        MINIMUM_VERSION,
        "these tests need Emacs 30.1 or newer (eglot 1.17)",
    )


class Session:
    """What one scenario saw: its result and the JSON-RPC messages, parsed."""

    def __init__(self, written: dict[str, Any]) -> None:
        self.result: dict[str, Any] = written.get("result") or {}
        self.messages: list[tuple[str, str, dict[str, Any]]] = [
            (m["origin"], m["kind"], json.loads(m["json"])) for m in written["messages"]
        ]

    def sent_by_server(self, method: str) -> list[dict[str, Any]]:
        """The params of every request or notification the server sent with `method`."""
        return [
            message.get("params") or {}
            for origin, _, message in self.messages
            if origin == "server" and message.get("method") == method
        ]

    def replies_to_client(self, method: str) -> list[dict[str, Any]]:
        """The server's replies (result or error) to eglot's requests of `method`."""
        asked = {
            message["id"]
            for origin, kind, message in self.messages
            if origin == "client" and kind == "request" and message.get("method") == method
        }
        return [
            message
            for origin, kind, message in self.messages
            if origin == "server" and kind == "reply" and message.get("id") in asked
        ]


Scenario = Callable[..., Session]


@pytest.fixture
def scenario(emacs: str, simulator: Simulator, tmp_path: Path) -> Scenario:
    """Run an Emacs Lisp scenario in batch Emacs; return what it saw.

    `files` are written under a project folder, the working directory; `options` is
    sent as initializationOptions. The body runs inside `(grok-test-run (lambda () ...))`
    and returns an alist.
    """
    project = tmp_path / "project"
    project.mkdir()

    def run(
        body: str,
        *,
        files: Mapping[str, str] = {},
        options: Mapping[str, Any] | None = None,
        preamble: str = "",
    ) -> Session:
        for name, text in files.items():
            (project / name).write_text(text, encoding="utf-8")
        script = tmp_path / "scenario.el"
        script.write_text(
            ";;; -*- lexical-binding: t; -*-\n"
            + textwrap.dedent(preamble).strip()
            + "\n(grok-test-run\n (lambda ()\n"
            + textwrap.indent(textwrap.dedent(body).strip(), "   ")
            + "))\n",
            encoding="utf-8",
        )
        result_file = tmp_path / "result.json"
        server_log = tmp_path / "server.log"
        environment = {
            **os.environ,
            "HOME": str(tmp_path / "home"),
            "XAI_API_KEY": TEST_KEY,
            "XAI_BASE_URL": simulator.base_url,
            "GROK_LSP_STATE_DIR": str(tmp_path / "state"),
            "PYTHONPATH": checkout_pythonpath(),
            "GROK_TEST_RESULT": str(result_file),
            "GROK_TEST_CMD": json.dumps([*SERVER_CMD, "--log-file", str(server_log), "serve"]),
            "GROK_TEST_OPTIONS": json.dumps(options or {}),
            # `grok-lsp` itself, for the README's configuration.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        }
        command = [emacs, "-Q", "--batch", "-l", str(HELPERS), "-l", str(script)]
        written = run_scenario(
            command,
            cwd=project,
            env=environment,
            result_file=result_file,
            timeout=SCENARIO_TIMEOUT_S,
            diagnostics=lambda _: f"server log: {tail_of(server_log)}",
        )
        return Session(written)

    return run

"""What the real-editor suites (tests/nvim, tests/emacs) share: the editor binary checked,
the checkout's server on PYTHONPATH, and one scenario run whose JSON result is read back."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent


def checked_editor(binary: str, version_pattern: str, minimum: tuple[int, int], need: str) -> str:
    """`binary` if it starts and is at least `minimum`; the test fails (never skips) otherwise."""
    try:
        done = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.fail(f"{binary} cannot start: {error}")
    found = re.search(version_pattern, done.stdout)
    if done.returncode != 0 or found is None:
        pytest.fail(f"{binary} cannot start: {done.stdout}{done.stderr}")
    if (int(found[1]), int(found[2])) < minimum:
        pytest.fail(f"{binary} is {found[0]}; {need}")
    return binary


def checkout_pythonpath() -> str:
    """The server under test is this checkout's, whatever is installed."""
    return os.pathsep.join([str(REPOSITORY), *filter(None, [os.environ.get("PYTHONPATH")])])


def tail_of(log: Path, size: int = 4000) -> str:
    """The end of a log the editor or the server wrote, for a failing test's message."""
    return log.read_text(encoding="utf-8", errors="replace")[-size:] if log.exists() else "(none)"


def run_scenario(
    command: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    result_file: Path,
    timeout: float,
    diagnostics: Callable[[dict[str, Any] | None], str],
) -> dict[str, Any]:
    """Run one editor scenario; return the JSON it wrote to `result_file`.

    The test fails with the editor's output and `diagnostics(result)` (logs the suite
    keeps) when the editor hangs, writes no result, or reports an error.
    """
    editor = Path(command[0]).name
    result_file.unlink(missing_ok=True)
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"{editor} did not finish the scenario in {timeout} s: {error}")
    if not result_file.exists():
        pytest.fail(
            f"{editor} exited {done.returncode} without a result\n"
            f"stdout: {done.stdout}\nstderr: {done.stderr}\n{diagnostics(None)}"
        )
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    if "error" in result:
        pytest.fail(
            f"scenario failed: {result['error']}\nstderr: {done.stderr[-3000:]}\n"
            f"{diagnostics(result)}"
        )
    return result

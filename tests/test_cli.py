"""The command line: demo, simulate, ask, models, doctor, --version, as a user runs them."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from grok_lsp import __version__
from tests.waiting import until

KEY = "xai-CLI-TEST-KEY-42"


def run(
    args: list[str], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grok_lsp", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("XAI_", "GROK_LSP_"))}
    clean["GROK_LSP_STATE_DIR"] = str(tmp_path / "state")
    clean["NO_COLOR"] = "1"
    return clean


def test_version(env: dict[str, str]) -> None:
    result = run(["--version"], env)
    assert result.returncode == 0 and result.stdout.strip() == f"grok-lsp {__version__}"


def test_demo_runs_offline_and_shows_every_step(env: dict[str, str]) -> None:
    result = run(["demo"], env, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "simulator" in lines[0] and "no XAI_API_KEY" in lines[0]
    assert (
        "Grok: Explain" in result.stdout and "def order_total(prices, tax_rate):" in result.stdout
    )
    assert "+    subtotal = 0" in result.stdout and "-    total = 0" in result.stdout
    assert "applied: True" in result.stdout
    assert "2 earlier turns" in result.stdout  # the follow-up was sent with the history
    # The sample project's rules, its helper (imported by the selection), and #file:.
    assert "- `AGENTS.md` lines 1-2 (rules)" in result.stdout
    assert "- `pricing.py` lines 1-3 (related: `apply_tax`" in result.stdout
    assert "- `pricing.py` lines 1-3 (reference: #file:pricing.py)" in result.stdout


def test_simulate_prints_its_url_and_serves(env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "grok_lsp", "simulate", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("Grok API simulator listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[-1]
        response = httpx.get(f"{url}/models", headers={"Authorization": "Bearer x"}, timeout=10)
        assert response.status_code == 200
        assert "grok-4.3" in [m["id"] for m in response.json()["data"]]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_doctor_is_green_against_the_simulator(env: dict[str, str], simulator: Any) -> None:
    env.update(XAI_BASE_URL=simulator.base_url, XAI_API_KEY=KEY)
    result = run(["doctor"], env)
    assert result.returncode == 0, result.stdout
    assert "[FAIL]" not in result.stdout and result.stdout.count("[ok  ]") == 6
    assert "[ok  ] the Responses API (POST /responses) answers" in result.stdout
    (answered,) = simulator.chats
    assert answered.path == "/v1/responses" and answered.body["store"] is False


def test_doctor_explains_a_bad_key_without_showing_it(env: dict[str, str], simulator: Any) -> None:
    bad = "bad-key-0123456789"
    env.update(XAI_BASE_URL=simulator.base_url, XAI_API_KEY=bad)
    result = run(["doctor"], env)
    assert result.returncode == 1
    assert "[FAIL] the API key is accepted -> " in result.stdout and "XAI_API_KEY" in result.stdout
    assert bad not in result.stdout + result.stderr


def test_doctor_without_a_key_says_how_to_set_it(env: dict[str, str], simulator: Any) -> None:
    env.update(XAI_BASE_URL=simulator.base_url)
    result = run(["doctor"], env)
    assert result.returncode == 1
    assert "[FAIL] XAI_API_KEY is set -> export XAI_API_KEY" in result.stdout
    assert "is reachable" in result.stdout


def test_models_lists_and_marks_the_current_one(env: dict[str, str], simulator: Any) -> None:
    env.update(XAI_BASE_URL=simulator.base_url, XAI_API_KEY=KEY)
    result = run(["models"], env)
    assert result.returncode == 0
    assert "grok-4.3  (current)" in result.stdout.splitlines()
    assert "grok-3" in result.stdout.splitlines()


def test_ask_streams_and_continues_the_file_conversation(
    env: dict[str, str], simulator: Any, tmp_path: Path
) -> None:
    env.update(XAI_BASE_URL=simulator.base_url, XAI_API_KEY=KEY)
    source = tmp_path / "calc.py"
    source.write_text("import math\n\ndef area(r):\n    return math.pi * r * r\n", encoding="utf-8")
    first = run(["ask", f"{source}:3-4", "What does this do?"], env)
    assert first.returncode == 0, first.stderr
    assert "def area(r):" in first.stdout
    user = simulator.chats[-1].messages[-1]["content"]
    assert "3 | def area(r):" in user and "1 | import math" in user  # the whole file, once
    constants = "".join(f"\nUNIT_{n} = {n}  # a constant of the module\n" for n in range(30))
    # The file grows by a function; a diff smaller than the file goes, not the file again.
    source.write_text(source.read_text() + constants)
    first = run(["ask", f"{source}:3-4", "And now?"], env)
    assert first.returncode == 0 and "UNIT_29" in simulator.chats[-1].messages[-1]["content"]
    source.write_text(source.read_text() + "\ndef square(s):\n    return s * s\n")
    second = run(["ask", str(source), "And for a square?"], env)
    assert second.returncode == 0
    messages = simulator.chats[-1].messages
    assert [m["role"] for m in messages] == ["system", *["user", "assistant"] * 2, "user"]
    # A question about the whole file: what changed in it, not the file again.
    follow_up = messages[-1]["content"]
    assert "+def square(s):" in follow_up and "import math" not in follow_up


def test_ask_counts_lines_as_the_editor_does(
    env: dict[str, str], simulator: Any, tmp_path: Path
) -> None:
    env.update(XAI_BASE_URL=simulator.base_url, XAI_API_KEY=KEY)
    source = tmp_path / "paged.py"
    # A form feed (a page break) is no line break for an editor; str.splitlines breaks there.
    source.write_text("x = 1\n\f\ndef f():\n    return 1\n", encoding="utf-8")
    result = run(["ask", f"{source}:3", "What is this?"], env)
    assert result.returncode == 0, result.stderr
    user = simulator.chats[-1].messages[-1]["content"]
    assert "lines 3-3 of 4" in user
    assert "Selected code:\n```python\n3 | def f():\n```" in user


def test_ask_reports_lines_outside_the_file(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "short.py"
    source.write_text("x = 1\n", encoding="utf-8")
    result = run(["ask", f"{source}:5-9", "?"], env)
    assert result.returncode == 1 and "outside" in result.stderr


async def test_serve_over_tcp_answers_initialize(env: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "tcp.log"
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "grok_lsp", "--log-level", "INFO", "--log-file", str(log)],
        *["serve", "--tcp", "--port", str(port)],
        env=env,
    )
    client = LanguageClient()
    try:
        # pygls serves one connection: connect once it says it listens, never to probe.
        await until(lambda: log.is_file() and "Serving on" in log.read_text(), "the TCP server", 20)
        await client.start_tcp("127.0.0.1", port)
        result = await asyncio.wait_for(
            client.initialize_session(
                types.InitializeParams(capabilities=types.ClientCapabilities())
            ),
            10,
        )
        assert result.server_info is not None and result.server_info.name == "grok-lsp"
        assert result.capabilities.execute_command_provider is not None
        assert "grok.explain" in result.capabilities.execute_command_provider.commands
        await asyncio.wait_for(client.shutdown_session(), 10)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
        await asyncio.wait_for(client.stop(), 10)


def test_ask_carries_project_context_from_the_current_folder(
    env: dict[str, str], simulator: Any, tmp_path: Path
) -> None:
    env.update(XAI_BASE_URL=simulator.base_url, XAI_API_KEY=KEY)
    (tmp_path / "AGENTS.md").write_text("Areas are in square metres.\n", encoding="utf-8")
    (tmp_path / "shapes.py").write_text("def square(x):\n    return x * x\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(
        "from shapes import square\n\n\ndef area(r):\n    return 3.14 * square(r)\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "grok_lsp", "ask", "app.py:4-5", "Why? See #file:gone.py"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "#file:gone.py: no such file in the workspace" in result.stderr
    sent = simulator.chats[-1].prompt_text()
    assert "Areas are in square metres." in sent
    assert "- `shapes.py` lines 1-2 (related: `square`" in sent
    assert str(tmp_path) not in sent

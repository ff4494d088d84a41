"""Scenario 9: the time project context adds to a request in a 2,000-file workspace.

What the server runs per request (rules files, a `#file:` reference, related
definitions from the files the selection imports), measured in-process on a
generated project: the first request parses what it needs, later ones reuse the
index and re-parse only what changed (the edited document, one touched helper).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from pathlib import Path

from bench.scenarios import Bench, Result, ms, percentile, verdict
from grok_lsp.assistant.project import ProjectContextBuilder, SelectionLines
from grok_lsp.settings import ContextSettings

PACKAGES, MODULES, FUNCTIONS = 40, 50, 8  # 2,000 modules of 8 functions each
TARGET_P50_MS = 20.0


def make_workspace(root: Path) -> Path:
    """`pkgNN/modMM.py`, each importing three others; returns the document under edit."""
    (root / "AGENTS.md").write_text("Keep functions small. Money in cents.\n")
    for package in range(PACKAGES):
        folder = root / f"pkg{package:02}"
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        for module in range(MODULES):
            imports = [
                f"from pkg{(package + step) % PACKAGES:02}.mod{(module + step) % MODULES:02} "
                f"import f{step}_{(module + step) % MODULES}\n"
                for step in (1, 2, 3)
            ]
            body = [
                f"def f{number}_{module}(value: int) -> int:\n"
                f'    """Function {number} of module {module}."""\n'
                f"    total = value * {number + 1}\n"
                f"    return total + {module}\n\n\n"
                for number in range(FUNCTIONS)
            ]
            (folder / f"mod{module:02}.py").write_text("".join(imports) + "\n\n" + "".join(body))
    document = root / "app.py"
    document.write_text(
        "from pkg01.mod01 import f1_1\nfrom pkg02.mod02 import f2_2\n"
        "from pkg03.mod03 import f3_3\nimport pkg04.mod04 as helpers\n\n\n"
        "def handler(value: int) -> int:\n"
        "    first = f1_1(value) + f2_2(value)\n"
        "    return first + f3_3(value) + helpers.f4_4(value)\n"
    )
    return document


def _build(builder: ProjectContextBuilder, root: Path, document: Path, text: str) -> int:
    context = builder.build(
        ContextSettings(),
        document_path=str(document),
        document_text=text,
        language_id="python",
        root=str(root),
        request_text="why is this slow? #file:pkg05/mod05.py:1-20",
        selection=SelectionLines(6, 8, 6, 8),
    )
    return len(context.pieces)


async def project_context(bench: Bench) -> Result:
    requests = bench.n(200, 40)
    root = bench.workdir / "context-workspace"
    root.mkdir()
    document = await asyncio.to_thread(make_workspace, root)
    files = sum(len(names) for _, _, names in os.walk(root))
    builder = ProjectContextBuilder()
    text = document.read_text()
    started = time.perf_counter()
    pieces = _build(builder, root, document, text)
    first = time.perf_counter() - started
    times: list[float] = []
    touched = root / "pkg02" / "mod02.py"
    for number in range(requests):
        text += f"# edit {number}\n"  # the user typed: the document is parsed again
        if number % 10 == 9:  # now and then a helper it imports is saved too
            touched.write_text(touched.read_text() + f"\n# saved {number}\n")
        started = time.perf_counter()
        _build(builder, root, document, text)
        times.append(time.perf_counter() - started)
    p50 = percentile(times, 50)
    return Result(
        10,
        f"project context for a selection, {files:,}-file workspace",
        f"p50 <= {TARGET_P50_MS:.0f} ms after the first request",
        {
            "files": files,
            "requests": requests,
            "pieces": pieces,
            "first_ms": ms(first),
            "p50_ms": ms(p50),
            "p99_ms": ms(percentile(times, 99)),
            "mean_ms": ms(statistics.fmean(times)),
        },
        ms(p50) <= TARGET_P50_MS,
        f"first {ms(first):.1f} ms, then p50 {ms(p50):.2f} ms, p99 "
        f"{ms(percentile(times, 99)):.2f} ms over {requests} requests "
        f"({pieces} pieces sent) {verdict(ms(p50) <= TARGET_P50_MS)}",
    )

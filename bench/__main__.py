"""`python -m bench [--quick] [--only 1,3] [--transport both] [--out PATH]`: run, print, write JSON.

Every scenario spawns its servers as editors do (socketpairs); those that measure the
stdio road (PIPES_TOO) run again with pipes, so the table shows both.
`python -m bench --markdown [PATH]` prints a run's JSON as docs/benchmarks.md's table.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

from bench.cache import conversation_cache
from bench.direct import forget, simulator
from bench.lsp import TRANSPORTS, Transport
from bench.project_context import project_context
from bench.scenarios import SCENARIOS, Bench, Result

# 9: the conversation's prompt cache (issue 14); 10: project context (issue 17).
ALL_SCENARIOS = [*SCENARIOS, conversation_cache, project_context]

DEFAULT_OUT = Path(__file__).parent / "results" / "latest.json"

# The scenarios whose figures go through the server's stdin and stdout: run over both.
PIPES_TOO = {1, 2, 3, 6, 7}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def table(results: list[Result]) -> str:
    rows = [("#", "what", "target", "measured", "verdict")]
    for result in results:
        verdict = "context" if result.passed is None else ("PASS" if result.passed else "FAIL")
        what = f"{result.what} [{result.transport}]"
        rows.append((str(result.id), what, result.target, result.summary, verdict))
    widths = [min(max(len(row[i]) for row in rows), 70) for i in range(5)]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell if len(cell) <= widths[i] else cell[: widths[i] - 1] + "…"
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(report: dict[str, Any]) -> str:
    """A run's results as a Markdown table, one row per scenario and transport."""
    lines = [
        "| # | what | transport | measured | target | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for result in report["results"]:
        passed = result["passed"]
        verdict = "context" if passed is None else ("pass" if passed else "fail")
        cells = [str(result["id"]), result["what"], result["transport"], result["summary"]]
        cells += [result["target"], verdict]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")


def runs(only: set[int] | None, transports: tuple[Transport, ...]) -> list[tuple[int, Transport]]:
    """(scenario number, transport) in the order run: all over the first, then the others."""
    numbers = [n for n in range(1, len(ALL_SCENARIOS) + 1) if only is None or n in only]
    first, *others = transports
    return [(n, first) for n in numbers] + [
        (n, transport) for transport in others for n in numbers if n in PIPES_TOO
    ]


async def run(
    quick: bool, only: set[int] | None, out: Path, transports: tuple[Transport, ...] = TRANSPORTS
) -> int:
    results: list[Result] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grok-bench-") as work:
        workdir = Path(work)
        async with (
            simulator(workdir / "simulator-stderr.log") as url,
            httpx.AsyncClient(timeout=120) as http,
        ):
            for index, transport in runs(only, transports):
                scenario = ALL_SCENARIOS[index - 1]
                bench = Bench(url, http, workdir, quick, transport)
                await forget(http, url)
                print(f"[{index}] {scenario.__name__} ({transport}) …", file=sys.stderr, flush=True)
                result = await scenario(bench)
                result.transport = transport
                print(f"    {result.summary}", file=sys.stderr, flush=True)
                for note in result.notes:
                    print(f"    {note}", file=sys.stderr, flush=True)
                results.append(result)
        server_log = (
            (workdir / "server-stderr.log").read_text(errors="replace")[-4000:]
            if (workdir / "server-stderr.log").exists()
            else ""
        )
    report = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "mode": "quick" if quick else "full",
        "seconds": round(time.monotonic() - started, 1),
        "machine": machine(),
        "results": [asdict(r) for r in results],
        "all_targets_met": all(r.passed is not False for r in results),
    }
    if server_log.strip():
        report["server_stderr_tail"] = server_log
    write_json(out, report)
    print(table(results))
    print(f"\n{report['mode']} run, {report['seconds']} s; JSON: {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: proves it runs")
    parser.add_argument("--only", help="comma-separated scenario numbers, e.g. 1,3")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the JSON goes")
    parser.add_argument(
        "--markdown",
        nargs="?",
        const=DEFAULT_OUT,
        type=Path,
        help="run nothing: print the table of this JSON (default: the last run's)",
    )
    parser.add_argument(
        "--transport",
        choices=["both", *TRANSPORTS],
        default="both",
        help="how servers are spawned: socketpair (as editors do), pipes, or both (default)",
    )
    args = parser.parse_args(argv)
    if args.markdown is not None:
        print(markdown(json.loads(args.markdown.read_text())))
        return 0
    only = {int(n) for n in args.only.split(",")} if args.only else None
    transports: tuple[Transport, ...] = (
        TRANSPORTS if args.transport == "both" else (args.transport,)
    )
    return asyncio.run(run(args.quick, only, args.out, transports))


if __name__ == "__main__":
    raise SystemExit(main())

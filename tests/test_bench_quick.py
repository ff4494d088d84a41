"""`python -m bench --quick` still runs end to end and writes every figure.

Timings are never asserted here (see docs/benchmarks.md): the numbers belong to `make bench`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# The JSON's contract: every scenario, each with every figure the table and the docs quote.
FIGURES: dict[int, set[str]] = {
    1: {"requests", "p50_ms", "p99_ms", "max_ms", "bare_pygls_p50_ms", "p50_vs_bare_pygls"},
    2: {
        "runs",
        "added_stream_p50_ms",
        "added_report_p50_ms",
        "added_direct_httpx_p50_ms",
        "ttft_server_p50_ms",
        "ttft_direct_httpx_p50_ms",
        "ttft_ratio",
    },
    3: {
        "tokens",
        "total_ms",
        "last_text_ms",
        "direct_httpx_ms",
        "total_ratio",
        "grok_stream_messages",
        "progress_reports",
        "progress_reports_allowed",
        "progress_min_gap_ms",
        "progress_bounded",
        "characters_lost",
    },
    4: {"runs", "grok_lsp_ms", "bare_pygls_ms", "ratio"},
    5: {
        "documents",
        "requests",
        "rss_initialized_mb",
        "rss_opened_mb",
        "rss_half_mb",
        "rss_end_mb",
        "growth_mb",
        "growth_second_half_mb",
    },
    6: {
        "complete_to_apply_edit_ms",
        "complete_to_applied_ms",
        "complete_to_applied_max_ms",
        "sim_stream_end_to_applied_ms",
        "command_total_ms",
    },
    7: {
        "requests",
        "wall_ms",
        "direct_httpx_wall_ms",
        "wall_ratio_vs_direct",
        "loop_lag_samples",
        "loop_lag_p99_ms",
        "loop_lag_max_ms",
        "probe_p50_ms",
        "probe_p99_ms",
        "idle_probe_p50_ms",
    },
    8: {"streaming_first_text_ms", "complete_only_first_text_ms", "speedup"},
    9: {
        "turns",
        "cached_ratio_turn_2",
        "cached_ratio_min_after_first",
        "todays_design_cached_ratio_turn_2",
        "input_tokens",
        "cached_tokens",
        "todays_design_input_tokens",
        "cost_usd",
        "todays_design_cost_usd",
        "cost_ratio",
    },
    10: {"files", "requests", "pieces", "first_ms", "p50_ms", "p99_ms"},
}


@pytest.mark.timeout(180)
def test_quick_benchmark_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XAI_", "GROK_LSP_"))}
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["mode"] == "quick"
    assert {"cpu", "cpus", "python", "platform"} <= set(report["machine"])
    results = {result["id"]: result for result in report["results"]}
    assert set(results) == set(FIGURES)
    for number, names in FIGURES.items():
        result = results[number]
        assert names <= set(result["figures"]), (number, names - set(result["figures"]))
        for name, value in result["figures"].items():
            assert isinstance(value, (int, float, bool)), (number, name, value)
        assert result["target"] and result["summary"]
        assert result["passed"] in (True, False, None)
    # The table names every scenario too.
    for number in FIGURES:
        assert any(line.startswith(f"{number} ") for line in run.stdout.splitlines())
    # docs/benchmarks.md's table is printed from the JSON: a row per result, in run order.
    table = subprocess.run(
        [sys.executable, "-m", "bench", "--markdown", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    rows = [line.split(" | ") for line in table[2:]]
    assert [(int(r[0].lstrip("| ")), r[2]) for r in rows] == [
        (r["id"], r["transport"]) for r in report["results"]
    ]

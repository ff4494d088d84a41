"""`#` references in :GrokAsk: completion of `#file:` paths, and the file reaching the model."""

from __future__ import annotations

from grok_lsp.simulator import Simulator

from .conftest import Scenario

SAMPLE = "from util import scale\n\n\ndef area(w, h):\n    return scale(w * h)\n"
UTIL = "def scale(value):\n    return value * 2  # doubled on purpose\n"


def test_grokask_completes_file_references_from_the_workspace_root(scenario: Scenario) -> None:
    result = scenario(
        """
        T.edit("sample.py")
        vim.fn.mkdir("lib", "p")
        vim.fn.writefile({ "x = 1" }, "lib/helpers.py")
        return {
          files = vim.fn.getcompletion("GrokAsk why #file:ut", "cmdline"),
          folder = vim.fn.getcompletion("GrokAsk why #file:l", "cmdline"),
          nested = vim.fn.getcompletion("GrokAsk #file:lib/", "cmdline"),
          words = vim.fn.getcompletion("GrokAsk see #", "cmdline"),
          plain = vim.fn.getcompletion("GrokAsk see ut", "cmdline"),
        }
        """,
        files={"sample.py": SAMPLE, "util.py": UTIL},
    )
    assert result["files"] == ["#file:util.py"]
    assert result["folder"] == ["#file:lib/"]
    assert result["nested"] == ["#file:lib/helpers.py"]
    assert result["words"] == ["#file:", "#open", "#diff"]
    assert result["plain"] == []


def test_grokask_sends_the_referenced_file(scenario: Scenario, simulator: Simulator) -> None:
    result = scenario(
        """
        local source = T.edit("sample.py")
        vim.cmd("4,5GrokAsk why is it doubled? #file:util.py")
        local view = T.finished_answer(source)
        return { state = view.state }
        """,
        files={"sample.py": SAMPLE, "util.py": UTIL},
    )
    assert result["state"] == "done"
    sent = simulator.chats[-1].prompt_text()
    assert "2 |     return value * 2  # doubled on purpose" in sent
    assert "`util.py` lines 1-2 (reference: #file:util.py)" in sent

"""The Neovim plugin, driven in a real headless Neovim against grok-lsp and the simulator."""

from __future__ import annotations

from grok_lsp.simulator import Simulator
from grok_lsp.simulator.answers import answer_text, read_prompt

from .conftest import Scenario

SAMPLE = '''\
def total(values):
    result = 0
    for value in values:
        result += value
    return result


def mean(values):
    return total(values) / len(values)
'''


def test_explain_streams_the_answer_into_a_markdown_window(
    scenario: Scenario, simulator: Simulator
) -> None:
    result = scenario(
        """
        local source = T.edit("sample.py")
        vim.cmd("1,5GrokExplain")
        local view = T.finished_answer(source)
        return {
          state = view.state,
          lines = T.lines(view.buf),
          content = view.content,
          filetype = vim.bo[view.buf].filetype,
          windows = T.windows_of(view.buf),
        }
        """,
        files={"sample.py": SAMPLE},
    )
    expected = answer_text(read_prompt(simulator.requests[-1].body["messages"]))
    assert result["state"] == "done"
    assert result["content"] == expected
    assert "\n".join(result["lines"]) == expected
    assert "def total(values):" in expected
    assert result["filetype"] == "markdown"
    assert result["windows"] == [{"floating": True}]

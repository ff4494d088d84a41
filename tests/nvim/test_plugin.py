"""The Neovim plugin, driven in a real headless Neovim against grok-lsp and the simulator."""

from __future__ import annotations

from grok_lsp.simulator import Simulator
from grok_lsp.simulator.answers import answer_text, read_prompt

from .conftest import Scenario

SAMPLE = """\
def total(values):
    result = 0
    for value in values:
        result += value
    return result


def mean(values):
    return total(values) / len(values)
"""


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


def test_refactor_changes_the_buffer_and_one_undo_restores_it(
    scenario: Scenario, simulator: Simulator
) -> None:
    result = scenario(
        """
        local source = T.edit("sample.py")
        -- Typed just before: the refactor must not be undone together with it.
        vim.api.nvim_feedkeys("Go# typed\27", "xt", false)
        local before = T.lines(source)
        local changes = vim.b[source].changedtick
        vim.cmd("1,5GrokRefactor rename result to acc")
        T.wait("the refactor to be applied", function()
          return vim.b[source].changedtick ~= changes
        end)
        T.idle()
        local after = T.lines(source)
        vim.cmd("silent normal! u")
        local undone = T.lines(source)
        vim.cmd("silent normal! u")
        return { before = before, after = after, undone = undone, typing_undone = T.lines(source) }
        """,
        files={"sample.py": SAMPLE},
    )
    original = SAMPLE.splitlines()
    typed = [*original, "# typed"]
    assert result["before"] == typed
    assert result["after"] == [
        "def total(values):",
        "    acc = 0",
        "    for value in values:",
        "        acc += value",
        "    return acc",
        *typed[5:],
    ]
    assert result["undone"] == typed
    assert result["typing_undone"] == original
    assert "rename result to acc" in simulator.requests[-1].body["messages"][-1]["content"]

"""Inline completion, edit previews, usage and cost, user actions: in a real headless Neovim."""

from __future__ import annotations

import re

import pytest

from grok_lsp.simulator import RequestRecord, Simulator

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
RENAMED = [
    "def total(values):",
    "    acc = 0",
    "    for value in values:",
    "        acc += value",
    "    return acc",
]
ACTIONS = [
    {
        "id": "shout",
        "title": "Shout",
        "prompt": "{input}: read this {language} from {path} aloud: {selection}",
    },
    {"id": "acc", "title": "Rename to acc", "prompt": "rename result to acc", "result": "edit"},
]


def chats(simulator: Simulator) -> list[RequestRecord]:
    return simulator.chats


def test_inline_completion_shows_ghost_text_and_the_accept_key_inserts_it(
    scenario: Scenario, simulator: Simulator
) -> None:
    result = scenario(
        """
        local source = T.edit("add.py")
        local client = T.client(source)
        vim.api.nvim_win_set_cursor(0, { 2, 0 })
        vim.cmd("startinsert!")
        local ns = vim.api.nvim_create_namespace("nvim.lsp.inline_completion")
        local mark = T.await("the ghost text", function()
          return vim.api.nvim_buf_get_extmarks(source, ns, 0, -1, { details = true })[1]
        end)
        local before = T.lines(source)
        -- <Tab> through the plugin's Insert-mode mapping, as typed.
        vim.api.nvim_feedkeys(vim.keycode("<Tab>"), "m", false)
        T.await("the completion to be inserted", function()
          return T.lines(source)[2] ~= before[2]
        end)
        local after = T.lines(source)
        local cursor = vim.api.nvim_win_get_cursor(0)
        local mode = vim.api.nvim_get_mode().mode
        local ghost_left = #vim.api.nvim_buf_get_extmarks(source, ns, 0, -1, {})
        vim.cmd("stopinsert")
        T.await("Normal mode", function()
          return vim.api.nvim_get_mode().mode == "n"
        end)
        return {
          init = client.config.init_options.inlineCompletion,
          provider = client.server_capabilities.inlineCompletionProvider ~= nil,
          enabled = vim.lsp.inline_completion.is_enabled({ bufnr = source }),
          mapping = vim.fn.maparg("<Tab>", "i", false, true).desc,
          mark = { row = mark[2], col = mark[3], virt_text = mark[4].virt_text },
          before = before,
          after = after,
          cursor = cursor,
          mode = mode,
          ghost_left = ghost_left,
        }
        """,
        files={"add.py": "def add(a, b):\n    return \n"},
        setup={"inline_completion": {"enabled": True}},
        asynchronous=True,
    )
    assert result["init"] == {"enabled": True, "debounceMs": 0}
    assert result["provider"] and result["enabled"]
    assert result["mapping"] == "Grok: accept the inline completion"
    assert result["mark"] == {
        "row": 1,
        "col": 11,
        "virt_text": [["sim_completion()", "ComplHint"]],
    }
    assert result["before"] == ["def add(a, b):", "    return "]
    assert result["after"] == ["def add(a, b):", "    return sim_completion()"]
    assert result["cursor"] == [2, len("    return sim_completion()")]
    assert result["mode"] == "i" and result["ghost_left"] == 0
    assert "    return <CURSOR>\n" in chats(simulator)[-1].messages[-1]["content"]


def test_checkhealth_reports_inline_completion(scenario: Scenario) -> None:
    result = scenario(
        """
        T.edit("add.py")
        vim.cmd("checkhealth grok")
        return { lines = T.lines(0) }
        """,
        files={"add.py": "x = 1\n"},
        setup={"inline_completion": {"enabled": True}},
    )
    report = "\n".join(result["lines"])
    assert "OK inline completion is on" in report, report
    assert "WARNING" not in report and "ERROR" not in report, report


def test_the_accept_key_falls_back_to_itself_without_ghost_text(scenario: Scenario) -> None:
    result = scenario(
        """
        local source = T.edit("notes.txt")
        vim.cmd("startinsert")
        T.await("Insert mode", function()
          return vim.api.nvim_get_mode().mode == "i"
        end)
        vim.api.nvim_feedkeys("x" .. vim.keycode("<Tab>") .. "y", "m", false)
        -- "y" is typed last: once it is there, whatever <Tab> did is in the line too.
        T.await("the keys to be typed", function()
          return T.lines(source)[1]:sub(-1) == "y"
        end)
        vim.cmd("stopinsert")
        return { lines = T.lines(source) }
        """,
        files={"notes.txt": ""},
        # A long wait on the server: no ghost text can arrive while the keys are typed.
        setup={"inline_completion": {"enabled": True, "debounce_ms": 5000}},
        asynchronous=True,
    )
    assert result["lines"] == ["x\ty"]


@pytest.mark.parametrize("how", ["GrokApply", "code action"])
def test_preview_shows_the_diff_and_applying_it_is_one_undo_step(
    scenario: Scenario, how: str
) -> None:
    result = scenario(
        """
        local source = T.edit("sample.py")
        local windows_before = #vim.api.nvim_list_wins()
        vim.cmd("1,5GrokRefactor rename result to acc")
        local preview = require("grok.preview")
        T.wait("the suggestion's diff", function()
          local _, shown = next(preview.shown)
          return shown and vim.fn.win_findbuf(shown.buf)[1]
        end)
        T.idle()
        local _, shown = next(preview.shown)
        local win = vim.fn.win_findbuf(shown.buf)[1]
        local diff = {
          lines = T.lines(shown.buf),
          filetype = vim.bo[shown.buf].filetype,
          modifiable = vim.bo[shown.buf].modifiable,
          floating = vim.api.nvim_win_get_config(win).relative ~= "",
          title = vim.api.nvim_win_get_config(win).title,
          attached = #vim.lsp.get_clients({ bufnr = shown.buf }),
        }
        local unchanged = T.lines(source)
        local windows = #vim.api.nvim_list_wins()
        local current = vim.api.nvim_get_current_buf() == source
        local titles = {}
        local changes = vim.b[source].changedtick
        vim.api.nvim_win_set_cursor(0, { 3, 0 })
        if vim.env.APPLY_WITH == "GrokApply" then
          vim.cmd("GrokApply")
        else
          vim.lsp.buf.code_action({
            filter = function(action)
              table.insert(titles, action.title)
              return action.title == "Grok: Apply suggestion"
            end,
            apply = true,
          })
        end
        T.wait("the suggestion to be applied", function()
          return vim.b[source].changedtick ~= changes
        end)
        T.wait("the diff to close", function()
          return next(preview.shown) == nil
        end)
        local applied = T.lines(source)
        vim.cmd("silent normal! u")
        return {
          diff = diff,
          unchanged = unchanged,
          windows_before = windows_before,
          windows = windows,
          current = current,
          titles = titles,
          applied = applied,
          windows_after = #vim.api.nvim_list_wins(),
          undone = T.lines(source),
        }
        """,
        files={"sample.py": SAMPLE},
        setup={"settings": {"editMode": "preview"}},
        env={"APPLY_WITH": how},
    )
    original = SAMPLE.splitlines()
    diff = result["diff"]
    assert "\n".join(diff["lines"]).startswith("--- a/sample.py\n+++ b/sample.py\n@@ -1,5 +1,5 @@")
    assert "-    result = 0" in diff["lines"] and "+    acc = 0" in diff["lines"]
    assert diff["filetype"] == "diff" and diff["modifiable"] is False
    assert diff["floating"] and "GrokApply" in diff["title"][0][0]
    assert diff["attached"] == 0
    # One float beside the code, not a split from the default showDocument handler.
    assert result["windows"] == result["windows_before"] + 1 and result["current"]
    assert result["unchanged"] == original
    if how == "code action":
        assert result["titles"][0] == "Grok: Apply suggestion"
    assert result["applied"] == [*RENAMED, *original[5:]]
    assert result["windows_after"] == result["windows_before"]
    assert result["undone"] == original


def test_grok_apply_without_a_suggestion_says_so(scenario: Scenario) -> None:
    result = scenario(
        """
        T.edit("sample.py")
        vim.cmd("GrokApply")
        T.wait("the message", function()
          return #T.notifications > 0
        end)
        return {}
        """,
        files={"sample.py": SAMPLE},
    )
    assert [n["message"] for n in result["notifications"]] == ["Grok: no suggestion to apply here"]


def test_usage_in_the_answer_window_the_statusline_and_grok_usage(scenario: Scenario) -> None:
    result = scenario(
        """
        local source = T.edit("sample.py")
        vim.cmd("1,5GrokExplain")
        T.finished_answer(source)
        vim.cmd("GrokExplain")
        local view = T.finished_answer(source)
        T.idle()
        T.wait("the footer", function()
          return view.summary ~= nil
        end)
        vim.cmd("GrokUsage")
        local report
        T.wait(":GrokUsage", function()
          for _, n in ipairs(T.notifications) do
            if n.message:match("usage this session") then
              report = n.message
              return true
            end
          end
        end)
        return {
          footer = vim.api.nvim_win_get_config(view.win).footer,
          summary = view.summary,
          statusline = require("grok").statusline(),
          statusline_without = require("grok").statusline({ usage = false }),
          report = report,
        }
        """,
        files={"sample.py": SAMPLE},
    )
    summary = re.fullmatch(r"([\d,]+) \+ ([\d,]+) tokens · \$(\d+\.\d{4})", result["summary"])
    assert summary, result["summary"]
    assert int(summary[1].replace(",", "")) > 0 and float(summary[3]) > 0
    assert result["footer"] == [[f" {result['summary']} "]]
    assert result["statusline"] == "Grok: " + result["summary"]
    assert result["statusline_without"] == ""
    lines = result["report"].splitlines()
    assert re.fullmatch(
        r"Grok usage this session: 2 requests · [\d,]+ prompt \+ [\d,]+ completion tokens"
        r"( \(.*\))? · \$\d+\.\d{4}",
        lines[0],
    ), lines
    assert lines[1].startswith("  grok-4.3: 2 requests")


def test_grok_action_runs_a_user_action_with_its_input(
    scenario: Scenario, simulator: Simulator
) -> None:
    result = scenario(
        """
        local source = T.edit("sample.py")
        local completion = vim.fn.getcompletion("GrokAction ", "cmdline")
        local partial = vim.fn.getcompletion("GrokAction s", "cmdline")
        local past_id = vim.fn.getcompletion("GrokAction shout ", "cmdline")
        vim.cmd("1,2GrokAction shout Slowly")
        local view = T.finished_answer(source)
        local explained = { title = view.title, state = view.state, content = view.content }
        local changes = vim.b[source].changedtick
        vim.cmd("1,5GrokAction acc")
        T.wait("the edit", function()
          return vim.b[source].changedtick ~= changes
        end)
        T.idle()
        return {
          completion = completion,
          partial = partial,
          past_id = past_id,
          explained = explained,
          lines = T.lines(source),
        }
        """,
        files={"sample.py": SAMPLE},
        setup={"settings": {"actions": ACTIONS}},
    )
    assert result["completion"] == ["acc", "shout"]
    assert result["partial"] == ["shout"]
    assert result["past_id"] == []
    explained = result["explained"]
    assert explained["title"] == "Grok: Shout" and explained["state"] == "done"
    assert "def total(values):" in explained["content"]
    shout, rename = chats(simulator)[-2:]
    prompt = shout.messages[-1]["content"]
    # {path} is relative to the workspace root; with none (no .git), just the file name.
    assert (
        "Slowly: read this python from sample.py aloud: def total(values):\n    result = 0"
        in prompt
    )
    assert "rename result to acc" in rename.messages[-1]["content"]
    assert result["lines"] == [*RENAMED, *SAMPLE.splitlines()[5:]]


def test_a_command_without_a_range_takes_the_block_at_the_cursor(
    scenario: Scenario, simulator: Simulator
) -> None:
    scenario(
        """
        local source = T.edit("sample.py")
        vim.api.nvim_win_set_cursor(0, { 9, 4 })
        vim.cmd("GrokExplain")
        T.finished_answer(source)
        return {}
        """,
        files={"sample.py": SAMPLE},
    )
    user = chats(simulator)[-1].messages[-1]["content"]
    selected = user[user.index("Selected code:") :]
    assert "def mean(values):" in selected and "return total(values) / len(values)" in selected
    assert "result = 0" not in selected


def test_grok_models_sets_a_model_or_an_alias_by_name(
    scenario: Scenario, simulator: Simulator
) -> None:
    result = scenario(
        """
        local source = T.edit("sample.py")
        local completion = vim.fn.getcompletion("GrokModels f", "cmdline")
        vim.cmd("GrokModels fast")
        vim.cmd("1,5GrokExplain")
        T.finished_answer(source)
        return { completion = completion, settings = T.client(source).settings.grok.model }
        """,
        files={"sample.py": SAMPLE},
        setup={"settings": {"modelAliases": {"fast": "grok-3"}}},
    )
    assert result["completion"] == ["fast"]
    assert result["settings"] == "fast"
    assert chats(simulator)[-1].body["model"] == "grok-3"

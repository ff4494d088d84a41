"""The Neovim plugin, driven in a real headless Neovim against grok-lsp and the simulator."""

from __future__ import annotations

import pytest

from grok_lsp.simulator import RequestRecord, Simulator
from grok_lsp.simulator.answers import answer_text, read_prompt
from tests.waiting import until_sync

from .conftest import TEST_KEY, Scenario

SLOW = "# [[sim tps=20 tokens=400]]\n"
SAMPLE = """\
def total(values):
    result = 0
    for value in values:
        result += value
    return result


def mean(values):
    return total(values) / len(values)
"""


def chats(simulator: Simulator) -> list[RequestRecord]:
    """The requests for an answer the simulator saw, oldest first."""
    return simulator.chats


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
    expected = answer_text(read_prompt(chats(simulator)[-1].messages))
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
        -- Changed just before, with no undo break yet (as by another plugin, or by typing
        -- while Grok answers): one undo must take back the refactor alone.
        vim.api.nvim_buf_set_lines(source, -1, -1, false, { "# typed" })
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
    assert "rename result to acc" in chats(simulator)[-1].messages[-1]["content"]


def _eventually_disconnected(simulator: Simulator, timeout_s: float = 10) -> RequestRecord:
    """The simulator notes the disconnect when it next writes: poll, bounded."""
    until_sync(
        lambda: chats(simulator)[-1].disconnected or chats(simulator)[-1].completed,
        "the stream's end noted",
        timeout_s,
    )
    return chats(simulator)[-1]


def test_follow_up_question_carries_the_history(scenario: Scenario, simulator: Simulator) -> None:
    result = scenario(
        """
        local source = T.edit("sample.py")
        vim.cmd("1,5GrokExplain")
        local explained = T.finished_answer(source).content
        vim.cmd("GrokAsk what does it return for an empty list?")
        local view = T.finished_answer(source)
        return { explained = explained, state = view.state, followup = view.content }
        """,
        files={"sample.py": SAMPLE},
    )
    messages = chats(simulator)[-1].messages
    turns = [(m["role"], m["content"]) for m in messages if m["role"] != "system"]
    assert [role for role, _ in turns] == ["user", "assistant", "user"]
    assert "def total(values):" in turns[0][1]
    assert turns[1][1] == result["explained"]
    assert "what does it return for an empty list?" in turns[2][1]
    assert result["state"] == "done"
    assert "sent with 1 earlier turn" in result["followup"]


@pytest.mark.parametrize("command", ["GrokCancel", "GrokCancel!"])
def test_cancel_stops_the_stream(scenario: Scenario, simulator: Simulator, command: str) -> None:
    result = scenario(
        """
        local source = T.edit("slow.py")
        vim.cmd("1,2GrokExplain")
        T.wait("the first words", function()
          local view = T.answer(source)
          return view and #view.content > 0
        end)
        T.wait("progress in the statusline", function()
          return require("grok").statusline() ~= ""
        end)
        local statusline = require("grok").statusline()
        local lsp_status = vim.lsp.status()
        vim.cmd(vim.env.CANCEL_COMMAND)
        local view = T.finished_answer(source)
        T.idle()
        return {
          state = view.state,
          words = #vim.split(vim.trim(view.content), "%s+"),
          statusline = statusline,
          lsp_status = lsp_status,
          statusline_after = require("grok").statusline(),
        }
        """,
        files={"slow.py": SLOW + SAMPLE},
        env={"CANCEL_COMMAND": command},
    )
    record = _eventually_disconnected(simulator)
    assert record.disconnected
    assert not record.completed
    assert result["state"] == "cancelled"
    assert 0 < result["words"] < 400
    assert result["statusline"].startswith("Grok: Explain")
    assert "Grok: Explain" in result["lsp_status"]
    assert result["statusline_after"] == ""
    # Cancelling is not a failure: nothing is shown as an error.
    assert [n for n in result["notifications"] if n["level"] >= 4] == []


def test_a_bad_key_is_reported_clearly_once(scenario: Scenario) -> None:
    bad_key = "bad-key-for-the-test"
    result = scenario(
        """
        local source = T.edit("sample.py")
        vim.cmd("1,5GrokExplain")
        local view = T.finished_answer(source)
        T.idle()
        return { state = view.state }
        """,
        files={"sample.py": SAMPLE},
        env={"XAI_API_KEY": bad_key},
    )
    errors = [n["message"] for n in result["notifications"] if n["level"] == 4]
    assert len(errors) == 1, result["notifications"]
    assert errors[0].count("Grok") == 1, errors[0]  # the advice names :GrokSetKey
    assert "key was rejected" in errors[0] and ":GrokSetKey" in errors[0]
    assert bad_key not in errors[0]
    assert result["state"] == "failed"


def test_checkhealth_reports_ok(scenario: Scenario) -> None:
    result = scenario(
        """
        T.edit("sample.py")
        vim.cmd("checkhealth grok")
        return { lines = T.lines(0) }
        """,
        files={"sample.py": SAMPLE},
    )
    report = "\n".join(result["lines"])
    assert "ERROR" not in report, report
    assert "WARNING" not in report, report
    for expected in ("grok-lsp 0.", "XAI_API_KEY is set", "is reachable", "model grok-4.3"):
        assert expected in report, report
    assert TEST_KEY not in report


def test_code_action_explain_opens_the_answer_window(
    scenario: Scenario, simulator: Simulator
) -> None:
    result = scenario(
        """
        local source = T.edit("sample.py")
        local titles
        vim.lsp.buf.code_action({
          range = { start = { 1, 0 }, ["end"] = { 5, 0 } },
          filter = function(action)
            titles = titles or {}
            table.insert(titles, action.title)
            return action.title == "Grok: Explain"
          end,
          apply = true,
        })
        local view = T.finished_answer(source)
        return { titles = titles, state = view.state, content = view.content, title = view.title }
        """,
        files={"sample.py": SAMPLE},
    )
    expected = answer_text(read_prompt(chats(simulator)[-1].messages))
    for title in ("Grok: Explain", "Grok: Refactor", "Grok: Fix", "Grok: Document", "Grok: Tests"):
        assert title in result["titles"]
    assert result["title"] == "Grok: Explain"
    assert result["state"] == "done"
    assert result["content"] == expected


def test_code_action_reaches_the_server_without_the_plugins_command_handlers(
    scenario: Scenario, simulator: Simulator
) -> None:
    """Neovim itself sends a code action's command with workspace/executeCommand when the
    server lists it in executeCommandProvider; the server then makes the progress token,
    and its grok/stream notifications must carry that token for the window to follow it."""
    result = scenario(
        """
        local source = T.edit("sample.py")
        local client = T.client(source)
        client.commands = {}
        local ended = {}
        vim.api.nvim_create_autocmd("LspProgress", {
          pattern = "end",
          callback = function(args)
            table.insert(ended, tostring(args.data.params.token))
          end,
        })
        vim.lsp.buf.code_action({
          range = { start = { 1, 0 }, ["end"] = { 5, 0 } },
          filter = function(action)
            return action.title == "Grok: Explain"
          end,
          apply = true,
        })
        T.wait("the progress to end", function()
          return #ended > 0
        end)
        local view = assert(T.answer(source), "no answer window")
        return {
          advertised = client.server_capabilities.executeCommandProvider.commands,
          progress_tokens = ended,
          stream_token = view.token,
          state = view.state,
          content = view.content,
        }
        """,
        files={"sample.py": SAMPLE},
    )
    expected = answer_text(read_prompt(chats(simulator)[-1].messages))
    assert "grok.explain" in result["advertised"]
    assert result["content"] == expected
    assert [result["stream_token"]] == result["progress_tokens"], (
        "grok/stream token differs from the work-done progress token the server created"
    )
    assert result["state"] == "done"


def test_reasoning_is_shown_dimmed_above_the_answer(scenario: Scenario) -> None:
    result = scenario(
        """
        local source = T.edit("thinking.py")
        vim.cmd("1,3GrokExplain")
        local view = T.finished_answer(source)
        local marks = vim.api.nvim_buf_get_extmarks(view.buf, -1, 0, -1, { details = true })
        local dimmed = {}
        for _, mark in ipairs(marks) do
          if mark[4].hl_group == "GrokReasoning" then
            table.insert(dimmed, { mark[2], mark[4].end_row })
          end
        end
        return {
          reasoning = view.reasoning,
          content = view.content,
          rows = view.reasoning_rows,
          lines = T.lines(view.buf),
          dimmed = dimmed,
        }
        """,
        files={"thinking.py": "# [[sim reasoning=6]]\n" + SAMPLE},
    )
    rows = result["rows"]
    assert result["reasoning"].split() and rows >= 1
    assert "\n".join(result["lines"][:rows]) == result["reasoning"]
    assert result["lines"][rows] == ""
    assert "\n".join(result["lines"][rows + 1 :]) == result["content"]
    assert "Explanation" in result["content"]
    assert result["dimmed"] == [[0, rows - 1]]


def test_models_conversation_and_reset(scenario: Scenario, simulator: Simulator) -> None:
    result = scenario(
        """
        local source = T.edit("sample.py")
        local offered
        vim.ui.select = function(items, _, on_choice)
          offered = items
          on_choice("grok-3")
        end
        vim.cmd("GrokModels")
        T.wait("the model list", function()
          return offered ~= nil
        end)
        vim.cmd("1,5GrokExplain")
        T.finished_answer(source)
        vim.cmd("GrokConversation")
        T.wait("the transcript to open", function()
          for _, buf in ipairs(vim.api.nvim_list_bufs()) do
            if vim.api.nvim_buf_get_name(buf):match("%.md$") and vim.fn.bufwinid(buf) ~= -1 then
              return true
            end
          end
        end)
        vim.cmd("GrokReset")
        T.wait("the reset", function()
          for _, n in ipairs(T.notifications) do
            if n.message:match("conversation reset") then
              return true
            end
          end
        end)
        vim.cmd("GrokAsk and now?")
        T.finished_answer(source)
        return { offered = offered }
        """,
        files={"sample.py": SAMPLE},
    )
    assert "grok-3" in result["offered"]
    explain, ask = chats(simulator)[-2:]
    assert explain.body["model"] == "grok-3"
    # After the reset the follow-up is the conversation's first turn.
    assert [m["role"] for m in ask.messages if m["role"] != "system"] == ["user"]


def test_checkhealth_shows_a_rejected_key_as_an_error(scenario: Scenario) -> None:
    result = scenario(
        """
        T.edit("sample.py")
        vim.cmd("checkhealth grok")
        return { lines = T.lines(0) }
        """,
        files={"sample.py": SAMPLE},
        env={"XAI_API_KEY": "bad-key-for-health"},
    )
    report = "\n".join(result["lines"])
    assert "ERROR the API key is accepted" in report, report
    assert "bad-key-for-health" not in report


def test_setup_configures_the_client_and_keymaps(scenario: Scenario) -> None:
    result = scenario(
        """
        local source = T.edit("notes.txt")
        local client = T.client(source)
        return {
          filetype = vim.bo[source].filetype,
          init_options = client.config.init_options,
          env_key = client.config.cmd_env.XAI_API_KEY,
          explain_n = vim.fn.maparg("<leader>ge", "n"),
          explain_x = vim.fn.maparg("<leader>ge", "x"),
        }
        """,
        files={"notes.txt": "plain text, any filetype\n"},
        setup={"settings": {"model": "grok-4"}, "keymaps": {"explain": "<leader>ge"}},
    )
    assert result["filetype"] == "text"
    assert result["init_options"] == {
        "model": "grok-4",
        "resultDisplay": "none",
        "streamNotifications": True,
    }
    assert result["env_key"] == TEST_KEY
    assert result["explain_n"] == result["explain_x"] == ":GrokExplain<CR>"

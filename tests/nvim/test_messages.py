"""Failures in Neovim (issue 15): the advice names :GrokSetKey, "Grok" is said once, and
the server's "Set API Key" button runs :GrokSetKey, which restarts grok-lsp with the key
in its environment so that the next request works."""

from __future__ import annotations

from .conftest import TEST_KEY, Scenario

SAMPLE = "def total(values):\n    return sum(values)\n"
BAD_KEY = "bad-key-for-the-test"  # the simulator answers 400 "Incorrect API key provided"
# Refused 4 times (the server's own retries included), then answered: the user's Retry works.
RATE_LIMITED = "# [[sim status=429 retry_after=0 fail_times=4 key=nvim-retry]]\n"


def test_set_api_key_button_runs_grok_set_key_and_the_next_request_works(
    scenario: Scenario,
) -> None:
    result = scenario(
        """
        T.choose = "Set API Key"
        local asked = {}
        vim.fn.inputsecret = function(prompt)
          table.insert(asked, prompt)
          return vim.env.GROK_TEST_GOOD_KEY
        end
        local source = T.edit("sample.py")
        local first_client = T.client(source).id
        vim.cmd("1,2GrokExplain")
        local failed = T.finished_answer(source).state
        T.wait("grok-lsp to restart with the key", function()
          local client = T.client(source)
          return client and client.id ~= first_client and client.initialized
        end, 30000)
        vim.cmd("1,2GrokExplain")
        local view = T.finished_answer(source)
        return { failed = failed, state = view.state, asked = asked, content = view.content }
        """,
        files={"sample.py": SAMPLE},
        env={"XAI_API_KEY": BAD_KEY, "GROK_TEST_GOOD_KEY": TEST_KEY},
    )
    errors = [n["message"] for n in result["notifications"] if n["level"] == 4]
    assert len(errors) == 1, result["notifications"]
    first_line = errors[0].split("\n")[0]
    assert "API key was rejected (HTTP 400)" in first_line and ":GrokSetKey" in first_line
    assert errors[0].count("Grok") == 1, errors[0]
    assert BAD_KEY not in errors[0]
    assert [o["title"] for o in result["selections"]] == ["Set API Key"]
    assert result["asked"] == ["xAI API key: "]
    assert result["failed"] == "failed"
    assert result["state"] == "done", result
    assert "grok-sim answer" in result["content"]


def test_a_dismissed_button_is_answered_and_nothing_runs(scenario: Scenario) -> None:
    result = scenario(
        """
        local asked = 0
        vim.fn.inputsecret = function()
          asked = asked + 1
          return ""
        end
        local source = T.edit("sample.py")
        local client = T.client(source).id
        vim.cmd("1,2GrokExplain")
        local view = T.finished_answer(source)
        T.wait("the button to be offered", function()
          return #T.selections > 0
        end)
        vim.cmd("1,2GrokExplain")
        local again = T.finished_answer(source)
        return {
          state = again.state,
          asked = asked,
          same_client = T.client(source).id == client,
        }
        """,
        files={"sample.py": SAMPLE},
        env={"XAI_API_KEY": BAD_KEY},
    )
    assert result["asked"] == 0 and result["same_client"] is True
    assert result["state"] == "failed"  # the server kept serving (and kept no waiting request)


def test_retry_after_a_rate_limit_shows_the_second_answer(scenario: Scenario) -> None:
    result = scenario(
        """
        T.choose = "Retry"
        local source = T.edit("sample.py")
        vim.cmd("2,3GrokExplain")
        local first = T.finished_answer(source)
        local failed = first.state
        T.wait("the retried answer", function()
          local view = T.answer(source)
          return view and view ~= first and view.state == "done"
        end, 30000)
        return { failed = failed, content = T.answer(source).content }
        """,
        files={"sample.py": RATE_LIMITED + SAMPLE},
    )
    assert result["failed"] == "failed"
    assert [o["title"] for o in result["selections"]] == ["Retry"]
    errors = [n["message"] for n in result["notifications"] if n["level"] == 4]
    assert len(errors) == 1 and "rate limit reached (HTTP 429)" in errors[0], errors
    assert "grok-sim answer" in result["content"]

"""Emacs's built-in eglot, driven in batch Emacs against the real grok-lsp and the simulator.

eglot runs `workspace/executeCommand` synchronously and gives up after
`jsonrpc-default-request-timeout` without cancelling; the scenarios lower that timeout
so that an answer slower than it stays quick to test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from grok_lsp.simulator import Simulator

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
RENAMED = SAMPLE.replace("result", "acc")
RENAME_ACTION = {
    "id": "acc",
    "title": "Rename result to acc",
    "prompt": "rename result to acc\n{selection}",
    "result": "edit",
}

# eglot 1.17 moves a shown document's point to its `selection`, but not the point of the
# window showing it (unless it takes the focus); the README's setup for the transcript
# makes the window follow, and reloads the rewritten transcript without asking.
README = Path(__file__).parent.parent.parent / "README.md"


def readme_elisp(first_line: str) -> str:
    """The README's Emacs Lisp block that starts with `first_line`, as a user would paste it."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"```elisp\n{first_line}") + len("```elisp\n")
    return text[start : text.index("```", start)]


def readme_transcript_setup() -> str:
    return readme_elisp(";; The transcript is rewritten after every answer")


def readme_commands() -> str:
    """`grok-refactor` (with an instruction) and `grok-cancel`."""
    return readme_elisp("(defun grok-refactor")


def transcript_lines(show: dict[str, Any]) -> list[str]:
    path = Path(unquote(urlparse(show["uri"]).path))
    return path.read_text(encoding="utf-8").split("\n")


def newest_answer(lines: list[str]) -> tuple[int, int]:
    """The 0-based lines of the transcript's newest `## Grok` heading and of its first text."""
    heading = max(i for i, line in enumerate(lines) if line == "## Grok")
    first = next(i for i in range(heading + 1, len(lines)) if lines[i].strip())
    return heading, first


def test_code_actions_are_listed_for_a_region_without_calling_the_api(
    scenario: Scenario, simulator: Simulator
) -> None:
    session = scenario(
        """
        (grok-test-edit "sample.py")
        (grok-test-region 1 5)
        `((titles . ,(vconcat (mapcar (lambda (action) (plist-get action :title))
                                      (grok-test-code-actions)))))
        """,
        files={"sample.py": SAMPLE},
        options={"actions": [RENAME_ACTION]},
    )
    titles = session.result["titles"]
    for title in ("Explain", "Refactor", "Fix", "Document", "Tests", "Rename result to acc"):
        assert f"Grok: {title}" in titles
    assert simulator.requests == []


def test_the_readme_configuration_starts_grok_lsp_with_its_actions(scenario: Scenario) -> None:
    session = scenario(
        """
        (grok-test-edit "sample.py" t)
        (grok-test-region 1 5)
        `((titles . ,(vconcat (mapcar (lambda (action) (plist-get action :title))
                                      (grok-test-code-actions))))
          (command . ,(vconcat (process-command
                                (jsonrpc--process (eglot-current-server))))))
        """,
        files={"sample.py": SAMPLE},
        preamble=readme_elisp("(with-eval-after-load 'eglot"),
    )
    assert session.result["command"] == ["grok-lsp"]
    assert "Grok: Rename result to acc" in session.result["titles"]
    assert "Grok: Explain" in session.result["titles"]


def test_explain_keeps_focus_in_the_code_and_moves_the_transcript_to_the_answer(
    scenario: Scenario,
) -> None:
    session = scenario(
        """
        (let ((source (grok-test-edit "sample.py")))
          (grok-test-region 1 5)
          (grok-test-choose-action "Grok: Explain")
          (let* ((shown (grok-test-wait "the transcript to be shown"
                          (lambda ()
                            (let ((show (car (last (grok-test-server-messages
                                                    "window/showDocument")))))
                              (and show
                                   (find-buffer-visiting
                                    (eglot-uri-to-path (plist-get show :uri))))))))
                 (window (grok-test-wait "the transcript's window"
                           (lambda () (get-buffer-window shown)))))
            (grok-test-settle)
            `((selected . ,(buffer-name (window-buffer (selected-window))))
              (source . ,(buffer-name source))
              (transcriptPointLine . ,(with-current-buffer shown
                                        (1- (line-number-at-pos (point)))))
              (windowCount . ,(length (window-list))))))
        """,
        files={"sample.py": SAMPLE},
    )
    [show] = session.sent_by_server("window/showDocument")
    # eglot reads JSON false as true: only an absent takeFocus keeps the focus.
    assert "takeFocus" not in show
    assert session.result["selected"] == session.result["source"]
    assert session.result["windowCount"] == 2
    heading, first = newest_answer(transcript_lines(show))
    assert heading <= show["selection"]["start"]["line"] <= first
    assert session.result["transcriptPointLine"] == show["selection"]["start"]["line"]


def test_with_the_readme_snippet_the_transcript_window_shows_the_newest_answer(
    scenario: Scenario,
) -> None:
    session = scenario(
        """
        (let ((source (grok-test-edit "sample.py")))
          (dolist (lines '((1 5) (8 9)))
            (with-current-buffer source
              (grok-test-region (car lines) (cadr lines))
              (let ((shown (length (grok-test-server-messages "window/showDocument"))))
                (grok-test-choose-action "Grok: Explain")
                (grok-test-wait "the transcript to be shown again"
                  (lambda () (> (length (grok-test-server-messages "window/showDocument"))
                                shown))))))
          (let* ((show (car (last (grok-test-server-messages "window/showDocument"))))
                 (line (or (plist-get (plist-get (plist-get show :selection) :start) :line)
                           (error "window/showDocument came without a selection")))
                 (shown (find-buffer-visiting (eglot-uri-to-path (plist-get show :uri))))
                 (window (grok-test-wait "the transcript's window"
                           (lambda () (get-buffer-window shown)))))
            (grok-test-wait "eglot to move the transcript's point to the selection"
              (lambda () (with-current-buffer shown
                           (= (1- (line-number-at-pos (point))) line))))
            (grok-test-wait "the transcript's window to follow"
              (lambda () (= (window-point window) (with-current-buffer shown (point)))))
            `((selected . ,(buffer-name (window-buffer (selected-window))))
              (source . ,(buffer-name source))
              (windowPointLine . ,(with-current-buffer shown
                                    (1- (line-number-at-pos (window-point window))))))))
        """,
        files={"sample.py": SAMPLE},
        preamble=readme_transcript_setup(),
    )
    shows = session.sent_by_server("window/showDocument")
    assert len(shows) == 2
    lines = transcript_lines(shows[-1])
    assert lines.count("## Grok") == 2
    heading, first = newest_answer(lines)
    assert "def mean(values):" in "\n".join(lines[heading:])
    assert heading <= shows[-1]["selection"]["start"]["line"] <= first
    assert session.result["windowPointLine"] == shows[-1]["selection"]["start"]["line"]
    assert session.result["selected"] == session.result["source"]


def test_a_refactor_with_an_instruction_lands_as_one_undo_step(scenario: Scenario) -> None:
    session = scenario(
        """
        (let ((source (grok-test-edit "sample.py")))
          (goto-char (point-max))
          (insert "# typed just before")
          (undo-boundary)  ; as the command loop puts after each command
          (grok-test-region 1 5)
          (grok-refactor (region-beginning) (region-end) "rename result to acc")
          (grok-test-wait "the refactor to be applied"
            (lambda () (grok-test-server-messages "workspace/applyEdit")))
          (grok-test-execute "grok.usage" nil)  ; a round trip: nothing else is pending
          (let ((after (grok-test-lines source)))
            (deactivate-mark)  ; as the command loop does after a change (else: undo in region)
            (undo-boundary)
            (let ((last-command nil)) (undo))
            `((after . ,after) (undone . ,(grok-test-lines source)))))
        """,
        files={"sample.py": SAMPLE},
        preamble=readme_commands(),
    )
    assert "\n".join(session.result["after"]) == RENAMED + "# typed just before"
    assert "\n".join(session.result["undone"]) == SAMPLE + "# typed just before"
    [edit] = session.sent_by_server("workspace/applyEdit")
    [change] = edit["edit"]["documentChanges"]
    assert change["textDocument"]["version"] is not None


def test_a_user_action_with_a_fixed_instruction_runs_from_the_code_action_menu(
    scenario: Scenario,
) -> None:
    session = scenario(
        """
        (let ((source (grok-test-edit "sample.py")))
          (grok-test-region 1 5)
          (grok-test-choose-action "Grok: Rename result to acc")
          (grok-test-wait "the action's edit to be applied"
            (lambda () (grok-test-server-messages "workspace/applyEdit")))
          `((after . ,(grok-test-lines source))))
        """,
        files={"sample.py": SAMPLE},
        options={"actions": [RENAME_ACTION]},
    )
    assert "\n".join(session.result["after"]) == RENAMED


def test_document_from_the_menu_adds_one_comment_above_a_top_level_function(
    scenario: Scenario,
) -> None:
    session = scenario(
        """
        (let ((source (grok-test-edit "sample.py")))
          (grok-test-region 1 5)
          (grok-test-choose-action "Grok: Document")
          (grok-test-wait "the documentation to be applied"
            (lambda () (grok-test-server-messages "workspace/applyEdit")))
          `((after . ,(grok-test-lines source))))
        """,
        files={"sample.py": SAMPLE},
    )
    assert "\n".join(session.result["after"]) == "# total: documented by grok-sim.\n" + SAMPLE


SLOW_SAMPLE = SAMPLE + "# [[sim delay=6]]\n"
STALLED_SAMPLE = SAMPLE + "# [[sim delay=60]]\n"
SHORT_TIMEOUT = "(setq jsonrpc-default-request-timeout 2.5)"


def test_an_answer_slower_than_eglot_timeout_neither_errors_nor_lands_twice(
    scenario: Scenario,
) -> None:
    session = scenario(
        """
        (let ((source (grok-test-edit "sample.py")))
          (grok-test-region 1 5)
          (let ((failure (condition-case err
                             (progn (grok-test-choose-action "Grok: Rename result to acc") nil)
                           (error (error-message-string err)))))
            (grok-test-wait "the edit of the slow answer"
              (lambda () (grok-test-server-messages "workspace/applyEdit")))
            (grok-test-execute "grok.usage" nil)  ; a round trip: nothing else is pending
            `((failure . ,failure) (after . ,(grok-test-lines source)))))
        """,
        files={"sample.py": SLOW_SAMPLE},
        options={"actions": [RENAME_ACTION]},
        preamble=SHORT_TIMEOUT,
    )
    assert session.result["failure"] is None
    assert "\n".join(session.result["after"]) == RENAMED + "# [[sim delay=6]]\n"
    assert len(session.sent_by_server("workspace/applyEdit")) == 1
    ends = [p["value"] for p in session.sent_by_server("$/progress") if p["value"]["kind"] == "end"]
    assert [end["message"].split(" ")[0] for end in ends] == ["Done"]


def test_grok_cancel_stops_a_running_request_and_nothing_lands(
    scenario: Scenario, simulator: Simulator
) -> None:
    session = scenario(
        """
        (let ((source (grok-test-edit "sample.py")))
          (grok-test-region 1 5)
          (let ((failure (condition-case err
                             (progn (grok-test-choose-action "Grok: Document") nil)
                           (error (error-message-string err)))))
            (grok-test-wait "the request to reach the API" #'grok-test-api-requests)
            (grok-cancel)
            (grok-test-wait "the progress to end"
              (lambda () (grok-test-progress-ends)))
            (grok-test-execute "grok.usage" nil)  ; a round trip: nothing else is pending
            `((failure . ,failure) (after . ,(grok-test-lines source)))))
        """,
        files={"sample.py": STALLED_SAMPLE},
        preamble=SHORT_TIMEOUT + "\n" + readme_commands(),
    )
    assert session.result["failure"] is None
    assert "\n".join(session.result["after"]) == STALLED_SAMPLE
    assert session.sent_by_server("workspace/applyEdit") == []
    ends = [p["value"] for p in session.sent_by_server("$/progress") if p["value"]["kind"] == "end"]
    assert [end["message"].split(" ")[0] for end in ends] == ["Cancelled"]
    [request] = [r for r in simulator.requests if r.method == "POST"]
    assert not request.completed
    assert request.chunks_sent == 0

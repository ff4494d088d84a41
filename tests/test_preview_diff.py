from __future__ import annotations

from grok_lsp.assistant.anchor import Anchor, Span
from grok_lsp.assistant.proposal import preview_diff


def test_hunks_carry_the_files_line_numbers() -> None:
    anchor = Anchor("def f(count):\n    return count\n", Span(9, 0, 11, 0))
    diff = preview_diff("file:///src/app.py", anchor, "def f(n):\n    return n\n")
    assert diff.startswith("--- a/app.py\n+++ b/app.py\n@@ -10,2 +10,2 @@\n")
    assert diff.endswith("-def f(count):\n-    return count\n+def f(n):\n+    return n\n")

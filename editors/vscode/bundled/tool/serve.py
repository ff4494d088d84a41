"""Runs the grok-lsp bundled with the VS Code extension (bundled/libs) on the user's Python.

As `python -m grok_lsp serve`, but run as a file: the workspace (the current directory)
never shadows the bundled package, and the bundled dependencies win over installed ones.
"""

import os
import runpy
import sys

# Any Python may run this file (the extension checks the version first, a user may not):
# no f-string here, which Python 2 could not even parse.
if sys.version_info < (3, 10):  # noqa: UP036
    sys.exit(
        "grok-lsp needs Python 3.10 or newer; this is Python {}.{} ({}).".format(  # noqa: UP032
            sys.version_info[0], sys.version_info[1], sys.executable
        )
    )

LIBS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs")
if not os.path.isdir(os.path.join(LIBS, "grok_lsp")):
    sys.exit("grok-lsp is missing from {}: reinstall the Grok extension.".format(LIBS))  # noqa: UP032
sys.path.insert(0, LIBS)
sys.argv[0] = "grok-lsp"
runpy.run_module("grok_lsp", run_name="__main__", alter_sys=True)

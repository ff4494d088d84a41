"""Import-time fixes for the HTTP stack the clients use."""

from __future__ import annotations

import importlib.util
import sys


def remember_missing_sniffio() -> None:
    """Make a missing `sniffio` fail fast on every later `import sniffio`.

    httpcore runs `try: import sniffio` for every lock and event of every request.
    Without the package installed (anyio no longer needs it), each such import searches
    all of sys.path again: ~9 searches per API request, hundreds of `stat` calls, about
    a millisecond of event loop per request. `None` in sys.modules is Python's own
    marker for "not importable": the same ImportError, at once.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]

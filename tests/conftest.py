from __future__ import annotations

from collections.abc import Iterator

import pytest

from grok_lsp.simulator import Simulator


@pytest.fixture(scope="session")
def _simulator_server() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


@pytest.fixture
def simulator(_simulator_server: Simulator) -> Simulator:
    """The Grok API simulator on loopback, with nothing recorded yet (docs/simulator.md)."""
    _simulator_server.clear()
    return _simulator_server

"""Secrets may go over plain http only to this machine: which hosts count as it."""

from __future__ import annotations

import pytest

from grok_lsp.endpoints import is_loopback_host
from grok_lsp.settings import Settings
from grok_lsp.xai import DEFAULT_BASE_URL, DEFAULT_MODEL


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.10", "::1"])
def test_this_machine_is_loopback(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.1", "api.x.ai", "localhost.example", ""])
def test_other_hosts_are_not(host: str) -> None:
    assert not is_loopback_host(host)


def test_settings_and_the_client_share_their_defaults() -> None:
    assert Settings().model == DEFAULT_MODEL
    assert Settings().effective_base_url(environ={}) == DEFAULT_BASE_URL

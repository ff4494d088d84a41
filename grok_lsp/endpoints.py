"""The defaults every part agrees on (settings, the xAI clients), and which hosts are this machine.

A leaf: imported before the server starts, it must not load the providers."""

from __future__ import annotations

import ipaddress

DEFAULT_BASE_URL = "https://api.x.ai/v1"
DEFAULT_MODEL = "grok-4.3"


def is_loopback_host(host: str) -> bool:
    """Whether a URL's host is this machine: only there may secrets travel over plain http."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

"""The language server put together: the state (server/app.py) and every feature module.

Features import the server class; only this module imports the features, so nothing
imports in a circle (as esbonio splits its server from its setup).
"""

from __future__ import annotations

from grok_lsp.server import (
    code_actions,
    commands,
    config,
    documents_sync,
    hover,
    loop_monitor,
)
from grok_lsp.server.app import GrokLanguageServer
from grok_lsp.server.secrets import Secrets


def create_server(secrets: Secrets | None = None) -> GrokLanguageServer:
    ls = GrokLanguageServer(secrets)
    config.register(ls)
    documents_sync.register(ls)
    code_actions.register(ls)
    commands.register(ls)
    hover.register(ls)
    if loop_monitor.enabled():
        loop_monitor.register(ls)
    return ls

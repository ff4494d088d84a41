"""Settings from initializationOptions, workspace/configuration and didChangeConfiguration."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from grok_lsp.server.clients import Client
from grok_lsp.server.messages import with_grok
from grok_lsp.settings import Settings, parse_settings

if TYPE_CHECKING:
    from grok_lsp.server.app import GrokLanguageServer

logger = logging.getLogger(__name__)

CONFIGURATION_WAIT_SECONDS = 5.0


def apply_settings(ls: GrokLanguageServer, raw: Any, base: Settings | None = None) -> None:
    """The newest object wins; each problem is shown once, by name, and the default used."""
    ls.settings, problems = parse_settings(raw, base or ls.settings)
    ls.secrets.update(ls.settings)
    if ls.initialized and ls.settings.inline_completion.enabled and not ls.inline_registered:
        from grok_lsp.server import inline

        ls.in_background(inline.enable_later(ls))
    for problem in problems:
        if problem not in ls.reported_problems:
            ls.reported_problems.add(problem)
            ls.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=with_grok(problem))
            )


async def settled_settings(ls: GrokLanguageServer) -> Settings:
    """The settings for a new request, once the first configuration pull has answered."""
    pulled = ls.configuration_pulled
    if pulled is not None and not pulled.done():
        # A client that never answers must not block requests for long.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(pulled), CONFIGURATION_WAIT_SECONDS)
    return ls.settings


def supports_configuration(ls: GrokLanguageServer) -> bool:
    workspace = ls.client_capabilities.workspace
    return bool(workspace and workspace.configuration)


async def pull_configuration(ls: GrokLanguageServer) -> None:
    if not supports_configuration(ls):
        return
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="grok")])
        )
    except Exception as error:  # a client that fails this request keeps the settings it gave
        logger.warning("workspace/configuration failed: %s", error)
        return
    if result and isinstance(result[0], dict):
        apply_settings(ls, result[0], ls.initial_settings)


def register(ls: GrokLanguageServer) -> None:
    @ls.feature(types.INITIALIZE)
    def initialize(ls: GrokLanguageServer, params: types.InitializeParams) -> None:
        ls.client = Client.from_info(params.client_info)
        apply_settings(ls, params.initialization_options or {}, Settings())
        ls.initial_settings = ls.settings
        if ls.settings.inline_completion.enabled:
            # Registered before pygls computes the capabilities: advertised only when enabled.
            from grok_lsp.server import inline

            inline.register(ls)

    @ls.feature(types.INITIALIZED)
    async def initialized(ls: GrokLanguageServer, params: types.InitializedParams) -> None:
        ls.initialized = True
        ls.configuration_pulled = asyncio.ensure_future(pull_configuration(ls))
        for warning in ls.assistant.store_warnings():
            ls.warn_once(warning)

    @ls.feature(types.SHUTDOWN)
    async def shutdown(ls: GrokLanguageServer, params: None) -> None:
        # Close the HTTP clients and the store (sqlite checkpoints its log on close).
        await ls.close_assistant()

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: GrokLanguageServer, params: types.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("grok"), dict):
            # The whole object is sent again: a key the user removed goes back to its default.
            apply_settings(ls, settings["grok"], ls.initial_settings)
        else:
            await pull_configuration(ls)

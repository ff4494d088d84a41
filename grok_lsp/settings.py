"""The one typed Settings object and how it is read from any source.

Settings arrive as camelCase JSON (initializationOptions, workspace/configuration,
didChangeConfiguration). A bad key or value never stops the server: it is reported by
name and the default is used.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import cattrs

from grok_lsp.endpoints import DEFAULT_BASE_URL, DEFAULT_MODEL

ResultDisplay = Literal["document", "message", "none"]
EditMode = Literal["apply", "preview"]
ProviderName = Literal["xai", "grok-web"]
ActionResult = Literal["explain", "edit"]
# "immediate": executeCommand answers {token, started} at once (SPEC section 4).
CommandResult = Literal["answer", "immediate"]
APIName = Literal["responses", "chat-completions"]
ReasoningEffort = Literal["none", "low", "medium", "high"]

# xAI advises allowing at least 900 s per request: a reasoning model may think that long.
DEFAULT_TIMEOUT_SECONDS = 900.0
# Context windows (tokens) from xAI's model pages; an unknown model gets the smallest.
CONTEXT_WINDOWS = {
    "grok-4.3": 1_000_000,
    "grok-4.20": 2_000_000,
    "grok-4-1-fast": 2_000_000,
    "grok-4-fast": 2_000_000,
    "grok-4": 256_000,
    "grok-code-fast-1": 256_000,
    "grok-3": 131_072,
    "grok-3-mini": 131_072,
}
FALLBACK_CONTEXT_WINDOW = 131_072
# History + context may use this share of the window: the rest is for the system prompt,
# the selection, the request and the answer (reasoning included).
CONTEXT_BUDGET_SHARE = 0.25
MAX_CONTEXT_BUDGET = 128_000  # more history than this costs more than it helps an editor turn


@attrs.frozen
class UserAction:
    """A user-defined action: a prompt template shown as `Grok: <title>`."""

    id: str
    title: str
    prompt: str
    result: ActionResult = "explain"
    reasoning_effort: ReasoningEffort | None = None


@attrs.frozen
class InlineCompletionSettings:
    enabled: bool = False
    model: str | None = None
    debounce_ms: int = 150


@attrs.frozen
class ContextSettings:
    """Project context (SPEC section 10): rules files, `#` references, related definitions."""

    # Looked up like AGENTS.md (always looked for): in the document's folder and each above it.
    rules_files: tuple[str, ...] = ()
    related: bool = True
    # Tokens (about four characters each) for rules, references and related definitions.
    budget_tokens: int = 6000


@attrs.frozen
class Settings:
    api_key: str | None = attrs.field(default=None, repr=False)
    base_url: str | None = None
    model: str = DEFAULT_MODEL
    model_aliases: dict[str, str] = attrs.field(factory=dict)
    api: APIName = "responses"
    reasoning_effort: ReasoningEffort | None = None
    temperature: float | None = None  # None: not sent, the API's defaults apply
    max_tokens: int | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    context_lines: int = 30
    max_context_tokens: int | None = None  # None: chosen from the model's context window
    progress_interval_ms: int = 50
    result_display: ResultDisplay = "document"
    edit_mode: EditMode = "apply"
    actions: tuple[UserAction, ...] = ()
    provider: ProviderName = "xai"
    grok_web_cookies: str | None = attrs.field(default=None, repr=False)
    inline_completion: InlineCompletionSettings = InlineCompletionSettings()
    context: ContextSettings = ContextSettings()
    # Opt-in for `grok/stream` notifications (initializationOptions).
    stream_notifications: bool = False
    # A plain-http base URL other than loopback would send the key in clear text.
    allow_insecure_base_url: bool = False
    # None: chosen from the client's clientInfo (grok_lsp/server/clients.py).
    command_result: CommandResult | None = None

    def effective_api_key(self, environ: Mapping[str, str] = os.environ) -> str | None:
        return self.api_key or environ.get("XAI_API_KEY") or None

    def effective_grok_web_cookies(self, environ: Mapping[str, str] = os.environ) -> str | None:
        # Editors that can (VS Code) pass secrets in the environment, where no trace shows them.
        return self.grok_web_cookies or environ.get("GROK_WEB_COOKIES") or None

    def effective_base_url(self, environ: Mapping[str, str] = os.environ) -> str:
        return (self.base_url or environ.get("XAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")

    def context_budget(self) -> int:
        """`maxContextTokens`, or a share of the model's context window when it is not set."""
        if self.max_context_tokens is not None:
            return self.max_context_tokens
        return context_budget_for(self.resolve_model())

    def resolve_model(self, name: str | None = None) -> str:
        wanted = name or self.model
        model = self.model_aliases.get(wanted, BUILTIN_ALIASES.get(wanted, wanted))
        if self.provider == "grok-web":
            from grok_lsp.grokweb.models import grok_com_model

            return grok_com_model(model)
        return model


def context_window(model: str) -> int:
    """The model's context window; dated or suffixed names (`grok-4-0709`) match their family."""
    best = max((name for name in CONTEXT_WINDOWS if model.startswith(name)), key=len, default=None)
    return CONTEXT_WINDOWS[best] if best is not None else FALLBACK_CONTEXT_WINDOW


def context_budget_for(model: str) -> int:
    return min(int(context_window(model) * CONTEXT_BUDGET_SHARE), MAX_CONTEXT_BUDGET)


for _cls in (UserAction, InlineCompletionSettings, ContextSettings, Settings):
    attrs.resolve_types(_cls)

BUILTIN_ALIASES = {
    "grok": DEFAULT_MODEL,
    "grok-latest": DEFAULT_MODEL,
    "grok-3-r1": "grok-3-thinking",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _strict_converter() -> cattrs.Converter:
    """A converter that refuses "12" for an int and 1 for a bool, instead of coercing."""
    converter = cattrs.Converter(forbid_extra_keys=True)

    def exact(kind: type, allowed: tuple[type, ...]) -> None:
        def structure(value: Any, _: Any) -> Any:
            if isinstance(value, bool) and bool not in allowed:
                raise TypeError(f"expected {kind.__name__}, got a boolean")
            if not isinstance(value, allowed):
                raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
            return kind(value)

        converter.register_structure_hook(kind, structure)

    exact(str, (str,))
    exact(int, (int,))
    exact(float, (int, float))
    exact(bool, (bool,))
    for cls in (UserAction, InlineCompletionSettings, ContextSettings):
        renames: dict[str, Any] = {
            f.name: cattrs.gen.override(rename=_camel(f.name)) for f in attrs.fields(cls)
        }
        converter.register_structure_hook(
            cls,
            cattrs.gen.make_dict_structure_fn(
                cls, converter, _cattrs_forbid_extra_keys=True, **renames
            ),
        )
    return converter


_CONVERTER = _strict_converter()
_DEFAULTS = Settings()
_FIELDS = {_camel(f.name): f for f in attrs.fields(Settings)}
_SECRET_KEYS = {"apiKey", "grokWebCookies"}


def _describe(error: BaseException) -> str:
    if isinstance(error, cattrs.BaseValidationError):
        messages = cattrs.transform_error(error)
        return "; ".join(messages)
    return str(error)


def parse_settings(raw: Any, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Read a camelCase settings object on top of `base`; return it and one problem per bad key.

    The problems name the key and never repeat a secret value.
    """
    settings = base or Settings()
    if raw is None:
        return settings, []
    if not isinstance(raw, Mapping):
        return settings, [f"grok settings must be an object, got {type(raw).__name__}"]
    changes: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        field = _FIELDS.get(key)
        if field is None:
            problems.append(f"unknown setting {key!r} ignored")
            continue
        if field.name == "actions" and value is not None:
            changes["actions"], action_problems = _parse_actions(value)
            problems.extend(action_problems)
            continue
        try:
            changes[field.name] = _structure_field(field, value)
        except Exception as error:  # cattrs raises several unrelated types for bad input
            detail = "wrong type" if key in _SECRET_KEYS else _describe(error)
            problems.append(f"setting {key!r} has a bad value ({detail}); using the default")
            changes[field.name] = getattr(_DEFAULTS, field.name)
    return attrs.evolve(settings, **changes), problems


def _structure_field(field: attrs.Attribute[Any], value: Any) -> Any:
    assert field.type is not None  # resolved by attrs.resolve_types above
    if value is None and field.default is None:
        return None
    if typing.get_origin(field.type) is Literal and value not in typing.get_args(field.type):
        choices = ", ".join(repr(choice) for choice in typing.get_args(field.type))
        raise ValueError(f"must be one of {choices}")
    result = _CONVERTER.structure(value, field.type)
    if isinstance(result, (int, float)) and not isinstance(result, bool):
        _check_range(field.name, result)
    if isinstance(result, ContextSettings):
        _check_context(result)
    return result


def _check_context(context: ContextSettings) -> None:
    if context.budget_tokens < 0:
        raise ValueError("context.budgetTokens must be at least 0")
    for name in context.rules_files:
        parts = name.replace("\\", "/").split("/")
        if not name or name.startswith(("/", "\\")) or ".." in parts or ":" in name:
            raise ValueError(f"context.rulesFiles: {name!r} must be a path inside a folder")


_MINIMUMS = {
    "temperature": 0.0,
    "max_tokens": 1,
    "timeout_seconds": 0.1,
    "context_lines": 0,
    "max_context_tokens": 256,
    "progress_interval_ms": 0,
}


def _check_range(name: str, value: float) -> None:
    minimum = _MINIMUMS.get(name)
    if minimum is not None and value < minimum:
        raise ValueError(f"must be at least {minimum}")


def _parse_actions(value: Any) -> tuple[tuple[UserAction, ...], list[str]]:
    if not isinstance(value, list):
        return (), ["setting 'actions' must be an array of {id, title, prompt, result}"]
    actions: list[UserAction] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, entry in enumerate(value):
        try:
            action = _CONVERTER.structure(entry, UserAction)
        except Exception as error:  # cattrs raises several unrelated types for bad input
            problems.append(f"actions[{index}] skipped: {_describe(error)}")
            continue
        if not action.id or action.id in seen:
            problems.append(f"actions[{index}] skipped: id must be unique and non-empty")
            continue
        seen.add(action.id)
        actions.append(action)
    return tuple(actions), problems

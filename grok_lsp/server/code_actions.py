"""`textDocument/codeAction`: the Grok actions, listed instantly with no network call."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from grok_lsp.assistant.actions import BUILTIN_ACTIONS, user_defined
from grok_lsp.server.app import GrokLanguageServer
from grok_lsp.server.documents import LSP_JSON

_KINDS: dict[str, types.CodeActionKind | None] = {
    "explain": None,
    "refactor": types.CodeActionKind.RefactorRewrite,
    "fix": types.CodeActionKind.QuickFix,
    "document": types.CodeActionKind.RefactorRewrite,
    "tests": None,
}


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (
        b.start.line,
        b.start.character,
    ) <= (a.end.line, a.end.character)


def _range_json(value: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }


def list_actions(ls: GrokLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    argument: dict[str, Any] = {"uri": uri, "range": _range_json(params.range)}
    overlapping = [d for d in params.context.diagnostics if _overlaps(d.range, params.range)]
    actions = []
    for action in BUILTIN_ACTIONS.values():
        arguments: dict[str, Any] = dict(argument)
        kind = _KINDS[action.id]
        diagnostics = None
        if action.id == "fix":
            if overlapping:
                arguments["diagnostics"] = LSP_JSON.unstructure(overlapping)
                diagnostics = overlapping
            else:
                kind = types.CodeActionKind.RefactorRewrite
        actions.append(
            types.CodeAction(
                title=action.title,
                kind=kind,
                diagnostics=diagnostics,
                command=types.Command(
                    title=action.title, command=action.command, arguments=[arguments]
                ),
            )
        )
    for configured in ls.settings.actions:
        action = user_defined(configured)
        arguments = {"id": configured.id, **argument}
        actions.append(
            types.CodeAction(
                title=action.title,
                # A client should ask for `input` before running it: the prompt uses {input}.
                data={"needsInput": True} if "{input}" in configured.prompt else None,
                kind=types.CodeActionKind.RefactorRewrite if action.result == "edit" else None,
                command=types.Command(
                    title=action.title, command="grok.action", arguments=[arguments]
                ),
            )
        )
    for suggestion in ls.anchored.suggestions():
        span = suggestion.anchor.span
        if suggestion.uri != uri or span is None:
            continue
        suggested = types.Range(
            start=types.Position(line=span.start_line, character=span.start_char),
            end=types.Position(line=span.end_line, character=span.end_char),
        )
        if _overlaps(suggested, params.range):
            title = "Grok: Apply suggestion"
            actions.insert(
                0,
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    is_preferred=True,
                    command=types.Command(
                        title=title,
                        command="grok.applySuggestion",
                        arguments=[{"uri": uri, "id": suggestion.id}],
                    ),
                ),
            )
    only = params.context.only
    if only:
        actions = [a for a in actions if a.kind and any(a.kind.startswith(o) for o in only)]
    return actions


def register(ls: GrokLanguageServer) -> None:
    @ls.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                types.CodeActionKind.RefactorRewrite,
            ],
            resolve_provider=True,
        ),
    )
    def code_action(
        ls: GrokLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        return list_actions(ls, params)

    @ls.feature(types.CODE_ACTION_RESOLVE)
    def resolve(ls: GrokLanguageServer, params: types.CodeAction) -> types.CodeAction:
        # Actions are complete when listed; resolving them must not cost anything either.
        return params

"""`workspace/executeCommand`: every grok.* command, from arguments to a delivered answer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcRequestCancelled

from grok_lsp.assistant.actions import ASK, BUILTIN_ACTIONS, Action, user_defined
from grok_lsp.assistant.anchor import Anchor, Span
from grok_lsp.assistant.context import CodeSelection, DiagnosticNote
from grok_lsp.assistant.requests import Request
from grok_lsp.assistant.usage import UsageTotals, usage_from_lsp
from grok_lsp.server import delivery

# At runtime: pygls reads the handlers' annotations to inject the server.
from grok_lsp.server.app import GrokLanguageServer
from grok_lsp.server.arguments import (
    ActionArgs,
    AskArgs,
    CancelArgs,
    DocumentArgs,
    FixArgs,
    NoArgs,
    RangeArgs,
    RefactorArgs,
    SuggestionArgs,
    parse,
)
from grok_lsp.server.config import settled_settings
from grok_lsp.server.documents import RequestFailed, open_document, select
from grok_lsp.server.messages import failure_advice
from grok_lsp.server.project_context import document_text, open_texts
from grok_lsp.server.pygls_overrides import WORK_DONE_TOKEN, forget_progress_token
from grok_lsp.server.running import RunningRequest
from grok_lsp.server.streaming import AnswerStream
from grok_lsp.xai.errors import RETRY, SIGN_IN, GrokError

logger = logging.getLogger(__name__)


def _diagnostic_notes(raw: list[dict[str, Any]] | None) -> list[DiagnosticNote]:
    notes = []
    severities = {1: "error", 2: "warning", 3: "information", 4: "hint"}
    for index, item in enumerate(raw or []):
        try:
            line = int(item["range"]["start"]["line"])
            message = str(item["message"])
        except (KeyError, TypeError, ValueError):
            raise JsonRpcInvalidParams(
                f"diagnostics[{index}]: expected an LSP Diagnostic with range and message"
            ) from None
        severity = severities.get(item.get("severity") or 1, "error")
        notes.append(DiagnosticNote(line, severity, message, str(item.get("source") or "")))
    return notes


@attrs.frozen
class ModelRequest:
    """What a command asked of the model, kept so that "Retry" can ask it again."""

    action: Action
    uri: str
    range: types.Range | None
    instruction: str
    diagnostics: tuple[DiagnosticNote, ...] = ()
    user_input: str = ""


async def run_request(
    ls: GrokLanguageServer,
    action: Action,
    uri: str,
    value: types.Range | None,
    instruction: str,
    diagnostics: list[DiagnosticNote] | None = None,
    user_input: str = "",
) -> dict[str, Any]:
    """The command's answer; or, for clients that wait on commands, `{token, started}` at once.

    With commandResult "immediate" the answer arrives through progress, the transcript
    and the edit, as always (SPEC section 4); bad arguments are still answered as errors.
    """
    request = ModelRequest(action, uri, value, instruction, tuple(diagnostics or ()), user_input)
    settings = await settled_settings(ls)
    token = WORK_DONE_TOKEN.get()
    if (settings.command_result or ls.client.default_command_result()) == "answer":
        return await answer_request(ls, request, token, ls.protocol.msg_id)
    document = open_document(ls.workspace.text_documents, uri)
    if value is not None:
        select(document, value, ls.workspace.root_path)  # raises InvalidParams for the reply
    # The request's own workDoneToken ends with its reply (LSP; Sublime Text drops later
    # reports on it): the rest of the work reports on a token of the server's.
    token = await create_progress_token(ls)
    ls.in_background(answer_in_background(ls, request, token))
    return {"token": token, "started": True}


async def create_progress_token(ls: GrokLanguageServer) -> str | None:
    """A fresh token the client agreed to (window/workDoneProgress/create), else None."""
    if not ls.client_supports_progress():
        return None
    token = ls.new_progress_token()
    try:
        await ls.work_done_progress.create_async(token)
    except JsonRpcException as error:  # no progress then, but the request goes on
        logger.info("The client refused progress token %s: %s", token, error.message)
        return None
    return token


async def answer_in_background(
    ls: GrokLanguageServer, request: ModelRequest, token: types.ProgressToken | None
) -> None:
    """A request whose command was answered already: its failure was shown, so only logged."""
    try:
        await answer_request(ls, request, token, None)
    except JsonRpcException as error:  # shown to the user already: one line, no traceback
        level = logging.INFO if isinstance(error, JsonRpcRequestCancelled) else logging.WARNING
        logger.log(
            level, "%s ended without an answer: %s", request.action.id, one_line(error.message)
        )


def one_line(text: str | None) -> str:
    return " / ".join((text or "").split("\n"))


async def answer_request(
    ls: GrokLanguageServer,
    request: ModelRequest,
    token: types.ProgressToken | None,
    msg_id: Any,
    *,
    retry: bool = True,
) -> dict[str, Any]:
    """LSP in, `Assistant.run`, LSP out; cancellable by all three paths."""
    action, uri = request.action, request.uri
    settings = await settled_settings(ls)
    document = open_document(ls.workspace.text_documents, uri)
    selection: CodeSelection | None = None
    anchor: Anchor | None = None
    if request.range is not None:
        selection, value = select(document, request.range, ls.workspace.root_path)
        anchor = Anchor(
            selection.text,
            Span(value.start.line, value.start.character, value.end.line, value.end.character),
        )
        ls.anchored.follow_request(uri, anchor)
    asked = Request(
        action,
        document_text(ls, uri, document),
        request.instruction,
        settings,
        selection,
        request.diagnostics,
        request.user_input,
        workspace_root=ls.workspace.root_path,
        open_texts=open_texts(ls),
        transcript=settings.result_display == "document" and ls.client_supports_show_document(),
    )
    stream = AnswerStream(
        ls,
        token=token,
        uri=uri,
        title=action.title,
        model=settings.resolve_model(),
        interval_ms=settings.progress_interval_ms,
        notify_stream=settings.stream_notifications,
    )
    task = asyncio.current_task()
    assert task is not None
    running = RunningRequest(task, uri, action.id, msg_id, token)
    ls.running.add(running)
    try:
        if token is None:
            stream.token = running.token = await create_progress_token(ls)
        stream.begin()
        outcome = await ls.assistant.run(asked, stream)
        if outcome.failure is not None:
            stream.end("failed", detail=ls.secrets.redact(outcome.failure.message))
            message = report_failure(ls, outcome.failure, request if retry else None)
            raise RequestFailed(message) from None
        answer, cost = outcome.answer, outcome.cost
        ls.record_usage(answer.model, answer.usage, cost)
        cut = not answer.complete  # stopped at maxTokens
        stream.end("done", answer.usage, detail="cut short at maxTokens" if cut else "", cost=cost)
        result: dict[str, Any] = {
            "text": answer.text,
            "model": answer.model,
            "usage": answer.usage.to_lsp(),
            "costUsd": cost,
        }
        result.update(await delivery.deliver(ls, uri, action, outcome, anchor, settings))
        return result
    except asyncio.CancelledError:
        stream.end("cancelled")
        # Answer the request ourselves: a cancelled handler task would leave it unanswered.
        raise JsonRpcRequestCancelled("Grok request cancelled") from None
    except Exception:
        stream.end("failed", detail="internal error")  # does nothing once it has ended
        raise
    finally:
        ls.running.remove(running)
        if anchor is not None:
            ls.anchored.release_request(uri, anchor)
        forget_progress_token(ls.work_done_progress, stream.token)


def report_failure(
    ls: GrokLanguageServer, error: GrokError, request: ModelRequest | None = None
) -> str:
    """Tell the user what happened and what to do, with a button when one fixes it.

    Returns the message, which the failed command's error repeats. `request` is asked
    again if the user chooses "Retry".
    """
    advice = failure_advice(error, ls.client)
    message = ls.secrets.redact(advice.message)
    action = advice.action
    if action == RETRY and request is None:
        action = None  # already the retry, or nothing to run again
    if action is not None and ls.client_supports_message_request():
        ls.in_background(offer_action(ls, message, action, request))
    else:
        ls.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=message)
        )
    return message


async def offer_action(
    ls: GrokLanguageServer, message: str, action: str, request: ModelRequest | None
) -> None:
    """An error with one button; the plugins act on the titles the server does not."""
    try:
        choice = await ls.window_show_message_request_async(
            types.ShowMessageRequestParams(
                type=types.MessageType.Error,
                message=message,
                actions=[types.MessageActionItem(title=action)],
            )
        )
    except JsonRpcException as error:  # the client cannot ask: it can still show the message
        logger.info("window/showMessageRequest failed (%s); showing the message", error.message)
        ls.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=message)
        )
        return
    if choice is None or choice.title != action:
        return
    if action == SIGN_IN:
        from grok_lsp.grokweb.errors import SIGN_IN_URL

        await ls.window_show_document_async(
            types.ShowDocumentParams(uri=SIGN_IN_URL, external=True)
        )
    elif action == RETRY and request is not None:
        logger.info("Retrying %s on %s as the user asked", request.action.id, request.uri)
        await retry_request(ls, request)


async def retry_request(ls: GrokLanguageServer, request: ModelRequest) -> None:
    """The same request once more; its answer arrives as an immediate command's would."""
    token = await create_progress_token(ls)
    try:
        await answer_request(ls, request, token, None, retry=False)
    except JsonRpcException as error:
        logger.warning("The retry of %s failed: %s", request.action.id, one_line(error.message))


def register(ls: GrokLanguageServer) -> None:
    def builtin(action: Action) -> None:
        @ls.command(action.command)
        async def command(ls: GrokLanguageServer, *args: Any) -> dict[str, Any]:
            if action.id == "refactor":
                refactor = parse(args, RefactorArgs)
                instruction = refactor.instruction or action.instruction
                return await run_request(
                    ls, action, refactor.uri, refactor.range.to_lsp(), instruction
                )
            if action.id == "fix":
                fix = parse(args, FixArgs)
                notes = _diagnostic_notes(fix.diagnostics)
                return await run_request(
                    ls, action, fix.uri, fix.range.to_lsp(), action.instruction, notes
                )
            plain = parse(args, RangeArgs)
            return await run_request(
                ls, action, plain.uri, plain.range.to_lsp(), action.instruction
            )

    for action in BUILTIN_ACTIONS.values():
        builtin(action)

    @ls.command("grok.ask")
    async def ask(ls: GrokLanguageServer, *args: Any) -> dict[str, Any]:
        request = parse(args, AskArgs)
        if not request.question.strip():
            raise JsonRpcInvalidParams("question: must not be empty")
        value = request.range.to_lsp() if request.range is not None else None
        return await run_request(ls, ASK, request.uri, value, request.question)

    @ls.command("grok.action")
    async def user_action(ls: GrokLanguageServer, *args: Any) -> dict[str, Any]:
        request = parse(args, ActionArgs)
        configured = {a.id: a for a in ls.settings.actions}
        if request.id not in configured:
            known = ", ".join(sorted(configured)) or "none are configured"
            raise JsonRpcInvalidParams(f"id: unknown action {request.id!r} (known: {known})")
        action = user_defined(configured[request.id])
        return await run_request(
            ls,
            action,
            request.uri,
            request.range.to_lsp(),
            action.instruction,
            user_input=request.input or "",
        )

    @ls.command("grok.conversation.show")
    async def show_conversation(ls: GrokLanguageServer, *args: Any) -> dict[str, Any]:
        request = parse(args, DocumentArgs)
        history = await ls.assistant.conversation(request.uri)
        turns, compaction = history.turns, history.compaction
        title = await ls.assistant.title(request.uri)
        transcript = await delivery.show_transcript(ls, request.uri)
        if transcript is None:
            written = await delivery.write_conversation_transcript(ls, request.uri)
            transcript = written.uri if written is not None else None
        catalog = await ls.assistant.known_catalog(ls.settings, wait=2.0)
        totals = UsageTotals()
        for turn in turns:
            if turn.role == "assistant":
                spent = usage_from_lsp(turn.usage)
                prices = catalog.prices.get(turn.model) if catalog else None
                totals.add(spent, prices.cost_usd(spent) if prices else None)
        return {
            "uri": request.uri,
            "title": title,
            "usage": totals.to_lsp(),
            "turns": [
                {"role": t.role, "content": t.content, "complete": t.complete} for t in turns
            ],
            "transcript": transcript,
            # What Grok is sent instead of the oldest turns, once the history was compacted.
            "compaction": None
            if compaction is None
            else {"turns": compaction.covers, "summary": compaction.summary},
        }

    @ls.command("grok.conversation.reset")
    async def reset_conversation(ls: GrokLanguageServer, *args: Any) -> dict[str, Any]:
        request = parse(args, DocumentArgs)
        await ls.assistant.reset(request.uri)
        ls.anchored.forget_explanation(request.uri)
        return {"uri": request.uri, "reset": True}

    @ls.feature(types.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    def progress_cancelled(
        ls: GrokLanguageServer, params: types.WorkDoneProgressCancelParams
    ) -> None:
        # pygls only cancels the token's future; the request behind it must stop too.
        ls.running.cancel_token(params.token)

    @ls.command("grok.cancel")
    async def cancel(ls: GrokLanguageServer, *args: Any) -> dict[str, Any]:
        request = parse(args, CancelArgs) if args else CancelArgs()
        return {"cancelled": ls.running.cancel_document(request.uri)}

    @ls.command("grok.models")
    async def models(ls: GrokLanguageServer, *args: Any) -> dict[str, Any]:
        if args:
            parse(args, NoArgs)
        settings = ls.settings
        try:
            catalog = await ls.assistant.catalog(settings)
        except GrokError as error:
            raise RequestFailed(report_failure(ls, error)) from None
        models = catalog.models
        if settings.provider == "grok-web":
            from grok_lsp.grokweb.models import MODELS

            models = list(MODELS)
        return {"models": models, "current": settings.resolve_model()}

    @ls.command("grok.usage")
    async def usage(ls: GrokLanguageServer, *args: Any) -> dict[str, Any]:
        if args:
            parse(args, NoArgs)
        return {
            "session": ls.session_usage.to_lsp(),
            "byModel": {model: totals.to_lsp() for model, totals in ls.usage_by_model.items()},
        }

    @ls.command("grok.discardSuggestion")
    async def discard_suggestion(ls: GrokLanguageServer, *args: Any) -> dict[str, Any]:
        request = parse(args, SuggestionArgs)
        if ls.anchored.take_suggestion(request.id, request.uri) is None:
            raise JsonRpcInvalidParams(f"id: no pending suggestion {request.id!r} for this file")
        return {"discarded": True}

    @ls.command("grok.applySuggestion")
    async def apply_suggestion(ls: GrokLanguageServer, *args: Any) -> dict[str, Any]:
        request = parse(args, SuggestionArgs)
        suggestion = ls.anchored.take_suggestion(request.id, request.uri)
        if suggestion is None:
            raise JsonRpcInvalidParams(f"id: no pending suggestion {request.id!r} for this file")
        applied, why_not = await delivery.apply_code(
            ls,
            suggestion.uri,
            suggestion.anchor,
            suggestion.code,
            suggestion.title,
            suggestion.is_diff,
        )
        if not applied:
            ls.warn_now(why_not)
        return {"applied": applied}

"""The one road every request travels: `Assistant.run(request, sink) -> Outcome`.

History and project context -> prompt -> provider stream (every event to the sink) ->
the turn saved -> cost -> proposed edit or transcript.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from grok_lsp.assistant import records
from grok_lsp.assistant.actions import Action, render_template
from grok_lsp.assistant.completion import (
    MAX_COMPLETION_TOKENS,
    CompletionCache,
    clean_completion,
    completion_context,
    completion_messages,
)
from grok_lsp.assistant.context import (
    CodeSelection,
    DiagnosticNote,
    OpenFile,
    Prompt,
    build_prompt,
    model_has_whole_file,
)
from grok_lsp.assistant.conversations import ConversationStore, History, Turn
from grok_lsp.assistant.edits import split_lines
from grok_lsp.assistant.project import (
    ProjectContext,
    ProjectContextBuilder,
    SelectionLines,
    apply_to_request,
)
from grok_lsp.assistant.proposal import NO_CODE_BLOCK, cut_short, propose_edit
from grok_lsp.assistant.providers import ModelSource, Provider, make_provider
from grok_lsp.assistant.records import Lines
from grok_lsp.assistant.requests import (
    Answer,
    CompletionRequest,
    Outcome,
    Request,
    Sink,
    Transcript,
)
from grok_lsp.assistant.state import state_dir
from grok_lsp.assistant.usage import ModelCatalog, prices_by_model
from grok_lsp.settings import Settings
from grok_lsp.xai.errors import GrokError, ModelNotFoundError
from grok_lsp.xai.events import (
    ChatRequest,
    ContentDelta,
    ConversationStarted,
    ReasoningDelta,
    StreamEvent,
    TitleChanged,
    Usage,
)

T = TypeVar("T")

PRICE_WAIT_SECONDS = 1.0  # how long a finished answer waits for the prices of its cost


# Above any refactor of a maximal (256,000-character) selection: a runaway stream stops here.
MAX_ANSWER_CHARS = 600_000


class AnswerTooLongError(GrokError):
    hint = "Set maxTokens to bound answers, or ask about a smaller part of the file."


class Assistant:
    """Use cases without any LSP: ask about code, keep each document's conversation."""

    def __init__(self, store: ConversationStore, state_dir: Path | None) -> None:
        self.store = store
        self.state_dir = state_dir
        # One writer thread keeps sqlite off the event loop and each document's turns in order.
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grok-store")
        self._providers: dict[tuple[Any, ...], Provider] = {}
        self._catalogs: dict[tuple[Any, ...], asyncio.Task[ModelCatalog]] = {}
        self.project = ProjectContextBuilder()  # rules, references, related definitions
        self.completions = CompletionCache()  # retyping the same spot asks nothing again

    @classmethod
    def open(cls) -> Assistant:
        """The assistant on the user's state dir (GROK_LSP_STATE_DIR, else the platform's)."""
        directory = state_dir()
        return cls(ConversationStore.open(directory), directory)

    async def in_store(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_thread, partial(function, *args))

    # -- the conversations' records, for callers that never open the store themselves --

    def store_warnings(self) -> list[str]:
        """What went wrong opening the store (it then carries on in memory)."""
        return list(self.store.warnings)

    async def title(self, uri: str) -> str | None:
        return await self.in_store(self.store.title, uri)

    async def reset(self, uri: str) -> None:
        await self.in_store(self.store.reset, uri)

    async def rename(self, old_uri: str, new_uri: str) -> None:
        await self.in_store(self.store.rename, old_uri, new_uri)

    async def write_transcript(self, uri: str) -> tuple[Path, Lines | None] | None:
        """The transcript, written (read and written in one trip); None without a state dir."""
        if self.state_dir is None:
            return None
        return await self.in_store(
            records.write_conversation_transcript, self.store, self.state_dir, uri
        )

    async def write_preview(self, suggestion_id: str, diff: str) -> Path | None:
        """A suggestion's diff as a file to show; None without a state dir."""
        if self.state_dir is None:
            return None
        return await self.in_store(records.write_preview, self.state_dir, suggestion_id, diff)

    def close_store(self) -> None:
        """Close the store at once, for a session that ends without `shutdown`."""
        self.store.close()

    def provider(self, settings: Settings) -> Provider:
        """Reuse one client (and its connection pool) per distinct connection setting."""
        key = self._connection(settings)
        provider = self._providers.get(key)
        if provider is None:
            provider = self._providers[key] = make_provider(settings)
        return provider

    def catalog(self, settings: Settings) -> asyncio.Task[ModelCatalog]:
        """The model list and prices, fetched once per ten minutes and shared by every caller."""
        key = self._connection(settings)
        task = self._catalogs.get(key)
        stale = (
            task is not None
            and task.done()
            and (task.cancelled() or task.exception() is not None or not task.result().fresh)
        )
        if task is None or stale:
            task = self._catalogs[key] = asyncio.ensure_future(self._fetch_catalog(settings))
        return task

    async def _fetch_catalog(self, settings: Settings) -> ModelCatalog:
        provider = self.provider(settings)
        if not isinstance(provider, ModelSource):
            return ModelCatalog(models=[], prices={})
        models = await provider.list_models()
        try:
            prices = prices_by_model(await provider.language_models())
        except GrokError:  # prices are optional: some endpoints do not offer them
            prices = {}
        return ModelCatalog(models=models, prices=prices)

    async def known_catalog(self, settings: Settings, wait: float) -> ModelCatalog | None:
        """The catalog if it arrives within `wait` seconds; None when it cannot be had."""
        task = self.catalog(settings)
        try:
            return await asyncio.wait_for(asyncio.shield(task), wait)
        except (GrokError, asyncio.TimeoutError):
            return None

    def _connection(self, settings: Settings) -> tuple[Any, ...]:
        return (
            settings.provider,
            settings.effective_api_key(),
            settings.effective_base_url(),
            settings.timeout_seconds,
            settings.effective_grok_web_cookies(),
            settings.allow_insecure_base_url,
            settings.api,
        )

    async def history(self, uri: str) -> list[Turn]:
        """Every turn, for showing the conversation."""
        return await self.in_store(self.store.turns, uri)

    async def conversation(self, uri: str) -> History:
        """What the next request builds on: the turns and their latest compaction."""
        return await self.in_store(self.store.history, uri)

    async def run(self, request: Request | CompletionRequest, sink: Sink) -> Outcome:
        """One request from start to end, the road every caller takes (server, CLI, tests).

        A `Request`: history, project context, prompt, the stream (every event to `sink`),
        the turn saved (also when cancelled or failed), the cost, then the proposed edit or
        the transcript. A `CompletionRequest`: ghost text, outside the conversation.
        A provider's failure comes back as `Outcome.failure`; cancelling raises.
        """
        if isinstance(request, CompletionRequest):
            return await self._complete(request, sink)
        settings, action, uri = request.settings, request.action, request.document.uri
        catalog = self.catalog(settings)  # prices for the cost; fetched alongside, cached
        history = await self.conversation(uri)
        document = _open_file(request)
        context = await self._project_context(request, document)
        if context.problems:
            sink.on_problems(context.problems)
        instruction, rules = apply_to_request(_instruction(request), context)
        prompt = self.prepare(
            action,
            request.selection,
            instruction,
            history,
            settings,
            request.diagnostics,
            rules,
            document,
        )
        answer = Answer(model=settings.resolve_model())
        try:
            await self._stream(uri, action, prompt, settings, sink.on_event, answer)
        except GrokError as error:
            if isinstance(error, ModelNotFoundError):
                await self._name_available_models(settings, error)
            return Outcome(answer, failure=error)
        if not catalog.done():  # started with the request, so it is rarely still running
            await asyncio.wait([catalog], timeout=PRICE_WAIT_SECONDS)
        outcome = Outcome(answer, cost=cost_of(catalog, answer.model, answer.usage))
        selection = request.selection
        if action.result == "edit" and not answer.complete:
            outcome.refusal = cut_short(settings.max_tokens)
        elif action.result == "edit" and selection is not None:
            outcome.edit = propose_edit(answer.text, selection.language_id, selection.text)
            if outcome.edit is None:  # shown in the transcript, to be read or used
                outcome.refusal = NO_CODE_BLOCK
                await self._write_transcript(request, outcome)
        else:
            await self._write_transcript(request, outcome)
        return outcome

    async def _project_context(self, request: Request, whole: OpenFile) -> ProjectContext:
        """Rules, `#` references and related definitions, for a document on disk."""
        document, selection, settings = request.document, request.selection, request.settings
        if document.path is None:
            return ProjectContext()
        lines = None
        if selection is not None:
            around = settings.context_lines
            shown = (max(selection.start_line - around, 0), selection.end_line + around)
            if model_has_whole_file(whole, settings.context_budget()):
                shown = (0, len(whole.lines))  # no definition of this file is news to it
            lines = SelectionLines(selection.start_line, selection.end_line, *shown)
        return await self.project.gather(
            settings.context,
            document_path=document.path,
            document_text=document.text,
            language_id=document.language_id,
            root=request.workspace_root,
            # `#` references are read from what the user wrote: the question, prompt or input.
            request_text=f"{request.instruction}\n{request.user_input}",
            selection=lines,
            open_texts=request.open_texts,
        )

    async def _name_available_models(self, settings: Settings, error: ModelNotFoundError) -> None:
        catalog = await self.known_catalog(settings, wait=5.0)
        if catalog is not None and catalog.models:
            error.message += f" Available models: {', '.join(catalog.models)}."

    async def _write_transcript(self, request: Request, outcome: Outcome) -> None:
        if not request.transcript:
            return
        try:
            written = await self.write_transcript(request.document.uri)
        except OSError as error:
            outcome.transcript_error = str(error.strerror)
            return
        if written is not None:  # None: no state dir
            path, lines = written
            outcome.transcript = Transcript(path.as_uri(), lines)

    async def _complete(self, request: CompletionRequest, sink: Sink) -> Outcome:
        settings, document = request.settings, request.document
        context = completion_context(
            document.name, document.language_id or "text", document.text, request.offset
        )
        model = settings.resolve_model(settings.inline_completion.model)
        answer = Answer(model=model)
        key = (model, *context.key)
        cached = self.completions.get(key)
        if cached is not None:
            return Outcome(answer, completion=cached)
        chat = ChatRequest(
            messages=completion_messages(context),
            model=model,
            temperature=settings.temperature,
            max_tokens=MAX_COMPLETION_TOKENS,
        )
        try:
            events = self.provider(settings).stream_chat(chat)
            async with contextlib.aclosing(events):
                async for event in events:
                    answer.take(event)
                    sink.on_event(event)
        except GrokError as error:
            return Outcome(answer, failure=error)
        answer.complete = not answer.cut
        text = clean_completion(answer.text, context)
        self.completions.put(key, text)
        return Outcome(answer, completion=text)

    def prepare(
        self,
        action: Action,
        selection: CodeSelection | None,
        instruction: str,
        history: History | Sequence[Turn],
        settings: Settings,
        diagnostics: Sequence[DiagnosticNote] = (),
        project_context: Sequence[str] = (),
        document: OpenFile | None = None,
    ) -> Prompt:
        """The request's messages; `document` defaults to the selection's whole document."""
        if document is None and selection is not None:
            document = OpenFile(selection.path, selection.language_id, selection.lines)
        return build_prompt(
            action,
            selection,
            instruction,
            history,
            context_lines=settings.context_lines,
            max_context_tokens=settings.context_budget(),
            diagnostics=diagnostics,
            project_context=project_context,
            document=document,
        )

    async def _stream(
        self,
        uri: str,
        action: Action,
        prompt: Prompt,
        settings: Settings,
        on_event: Callable[[StreamEvent], None],
        answer: Answer,
    ) -> None:
        """Stream the answer into `answer` and to `on_event`; the exchange is saved whatever
        happens: a failed or cancelled answer is kept, marked incomplete, so nothing is lost.
        """
        conversation_id, provider_conversation_id = await self.in_store(
            self.store.request_ids, uri, settings.provider
        )
        request = ChatRequest(
            messages=prompt.messages,
            model=answer.model,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            reasoning_effort=action.reasoning_effort or settings.reasoning_effort,
            conversation_id=conversation_id,
            provider_conversation_id=provider_conversation_id,
        )
        user_turn = Turn(role="user", content=prompt.user_turn, action=action.id)
        # Whether the provider surely holds the exchange: a failed or cancelled request may
        # never have reached grok.com, whose conversation then lacks this turn.
        held_by: str | None = None
        try:
            events = self.provider(settings).stream_chat(request)
            # aclosing: leaving early (cancel, too long) closes the HTTP stream at once.
            async with contextlib.aclosing(events):
                async for event in events:
                    if isinstance(event, (ConversationStarted, TitleChanged)):
                        await self._remember(uri, settings, event)
                    self._take(answer, event)
                    on_event(event)
            # An answer cut at maxTokens (or otherwise incomplete) is not the whole answer.
            answer.complete = not answer.cut
            held_by = settings.provider
        finally:
            saved = self._save(uri, user_turn, answer, action, prompt, conversation_id, held_by)
            await asyncio.shield(saved)

    async def _remember(
        self, uri: str, settings: Settings, event: ConversationStarted | TitleChanged
    ) -> None:
        """The only events that wait for the store; text never does."""
        if isinstance(event, ConversationStarted):
            await self.in_store(
                self.store.set_provider_conversation, uri, settings.provider, event.conversation_id
            )
        else:
            await self.in_store(self.store.set_title, uri, event.title)

    def _take(self, answer: Answer, event: StreamEvent) -> None:
        if isinstance(event, ReasoningDelta) and answer.thinking_since is None:
            answer.thinking_since = time.monotonic()
        elif (
            isinstance(event, ContentDelta)
            and answer.thinking_since is not None
            and answer.reasoning_seconds is None
        ):
            answer.reasoning_seconds = time.monotonic() - answer.thinking_since
        answer.take(event)
        if answer.size > MAX_ANSWER_CHARS:
            raise AnswerTooLongError(
                f"The answer passed {MAX_ANSWER_CHARS:,} characters; grok-lsp stopped reading it."
            )

    async def _save(
        self,
        uri: str,
        user_turn: Turn,
        answer: Answer,
        action: Action,
        prompt: Prompt,
        conversation_id: str,
        held_by: str | None,
    ) -> None:
        reply = Turn(
            role="assistant",
            content=answer.text,
            complete=answer.complete,
            action=action.id,
            model=answer.model,
            usage=answer.usage.to_lsp(),
            items=answer.items,
        )
        append = partial(
            self.store.append,
            compaction=prompt.compaction,
            seen=prompt.seen,
            built_on=conversation_id,
            held_by=held_by,
        )
        await self.in_store(append, uri, user_turn, reply)

    async def aclose(self) -> None:
        for task in self._catalogs.values():
            task.cancel()
        for provider in self._providers.values():
            await provider.aclose()
        self._providers.clear()
        self._store_thread.shutdown(wait=True)
        self.project.close()
        self.store.close()


def _open_file(request: Request) -> OpenFile:
    """The request's document as the prompt shows it, in the selection's lines when it has
    one (the same split, so the line numbers agree)."""
    document, selection = request.document, request.selection
    lines = selection.lines if selection is not None else split_lines(document.text)
    return OpenFile(document.name, document.language_id, lines)


def _instruction(request: Request) -> str:
    """A user action's prompt is a template: filled in from the selection and the input."""
    selection = request.selection
    if request.action.command != "grok.action" or selection is None:
        return request.instruction
    return render_template(
        request.instruction,
        {
            "selection": selection.text,
            "language": selection.language_id,
            "path": selection.path,
            "input": request.user_input,
        },
    )


def cost_of(catalog: asyncio.Task[ModelCatalog], model: str, usage: Usage) -> float | None:
    """The request's cost when the prices are known by now; never waits for them."""
    if not catalog.done() or catalog.cancelled() or catalog.exception() is not None:
        return None
    prices = catalog.result().prices.get(model)
    return prices.cost_usd(usage) if prices is not None else None

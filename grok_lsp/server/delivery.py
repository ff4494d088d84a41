"""Handing an outcome to the user: apply or preview the edit, show the explanation.

What the edit is (which code, where, or why not) is the assistant's (`assistant/proposal.py`);
here it meets the editor: positions in the client's encoding, the document's version,
`workspace/applyEdit`, `window/showDocument`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from grok_lsp.assistant.actions import Action
from grok_lsp.assistant.anchor import Anchor
from grok_lsp.assistant.edits import Position, split_lines
from grok_lsp.assistant.proposal import (
    NOTHING_CHANGED,
    EditRefused,
    edit_lines,
    preview_diff,
    why_not_applied,
)
from grok_lsp.assistant.requests import Outcome, ProposedEdit, Transcript
from grok_lsp.server.documents import LSP_JSON, find_document, offset_of, to_client, to_server
from grok_lsp.server.tracking import Suggestion
from grok_lsp.settings import Settings

if TYPE_CHECKING:
    from grok_lsp.server.app import GrokLanguageServer


def build_edit(
    ls: GrokLanguageServer, uri: str, anchor: Anchor, code: str, is_diff: bool = False
) -> tuple[types.WorkspaceEdit, int]:
    """A versioned edit that turns the anchored text into `code`, touching only changed lines."""
    document = find_document(ls.workspace.text_documents, uri)
    if document is None:
        raise EditRefused("the document was closed while Grok was answering")
    span = anchor.span
    if span is None:
        raise EditRefused("the selected code was edited while Grok was answering")
    source = document.source
    lines = split_lines(source)
    codec = document.position_codec
    start = to_server(codec, lines, types.Position(line=span.start_line, character=span.start_char))
    end = to_server(codec, lines, types.Position(line=span.end_line, character=span.end_char))
    replacements = edit_lines(
        source,
        offset_of(lines, start),
        offset_of(lines, end),
        Position(start.line, start.character),
        anchor.text,
        ProposedEdit(code, is_diff),
        document.language_id,
    )
    edits = [
        types.TextEdit(
            range=types.Range(
                start=to_client(codec, lines, r.start), end=to_client(codec, lines, r.end)
            ),
            new_text=r.new_text,
        )
        for r in replacements
    ]
    change = types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(
            uri=uri, version=document.version
        ),
        edits=list(edits),
    )
    return types.WorkspaceEdit(document_changes=[change]), len(edits)


async def apply_code(
    ls: GrokLanguageServer, uri: str, anchor: Anchor, code: str, label: str, is_diff: bool = False
) -> tuple[bool, str]:
    """Apply now; returns (applied, why not)."""
    try:
        edit, count = build_edit(ls, uri, anchor, code, is_diff)
    except EditRefused as refusal:
        return False, why_not_applied(refusal)
    if count == 0:
        return False, "the answer suggested no changes."
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=label)
    )
    if not result.applied:
        reason = result.failure_reason or "the editor refused it (the document may have changed)"
        return False, f"not applied: {reason}."
    return True, ""


async def deliver(
    ls: GrokLanguageServer,
    uri: str,
    action: Action,
    outcome: Outcome,
    anchor: Anchor | None,
    settings: Settings,
) -> dict[str, Any]:
    """The command result's delivery part, once the outcome is shown or applied."""
    if outcome.refusal is not None:  # an edit action that proposes nothing
        ls.warn_now(outcome.refusal)
        result: dict[str, Any] = {"applied": False}
        transcript = open_written_transcript(ls, outcome)
        if transcript is not None:
            result["transcript"] = transcript
        return result
    if outcome.edit is not None and anchor is not None:
        return await deliver_edit(ls, uri, action, outcome.edit, anchor, settings)
    transcript = deliver_explanation(ls, uri, outcome, anchor, settings)
    return {"transcript": transcript} if transcript is not None else {}


async def deliver_edit(
    ls: GrokLanguageServer,
    uri: str,
    action: Action,
    proposed: ProposedEdit,
    anchor: Anchor,
    settings: Settings,
) -> dict[str, Any]:
    code, is_diff = proposed.code, proposed.is_diff
    if settings.edit_mode == "preview":
        suggestion = Suggestion(uuid.uuid4().hex, uri, action.title, anchor, code, is_diff)
        ls.anchored.suggest(suggestion)
        preview = await show_preview(ls, suggestion)
        result: dict[str, Any] = {"applied": False, "suggestion": suggestion.id, "preview": preview}
        try:  # exactly what Apply would do now, for clients that show their own diff
            edit, _ = build_edit(ls, uri, anchor, code, is_diff)
            result["edit"] = LSP_JSON.unstructure(edit)
        except EditRefused:
            pass
        return result
    applied, why_not = await apply_code(ls, uri, anchor, code, action.title, is_diff)
    if not applied:
        ls.warn_now(why_not)
        if why_not.startswith(NOTHING_CHANGED):
            return await _with_answer_shown(ls, uri, settings, {"applied": False})
    return {"applied": applied}


async def _with_answer_shown(
    ls: GrokLanguageServer, uri: str, settings: Settings, result: dict[str, Any]
) -> dict[str, Any]:
    """An answer that could not become an edit is shown in the transcript, to be read or used."""
    if settings.result_display == "document":
        transcript = await show_transcript(ls, uri)
        if transcript is not None:
            result["transcript"] = transcript
    return result


def _selection_in_document(
    ls: GrokLanguageServer, uri: str, anchor: Anchor
) -> tuple[str, int, str | None] | None:
    """The document's text, the anchored selection's offset and the language, while it is there."""
    document = find_document(ls.workspace.text_documents, uri)
    span = anchor.span
    if document is None or span is None:
        return None
    source, lines, codec = document.source, split_lines(document.source), document.position_codec
    start = to_server(codec, lines, types.Position(line=span.start_line, character=span.start_char))
    offset = offset_of(lines, start)
    if source[offset : offset + len(anchor.text)] != anchor.text:
        return None
    return source, offset, document.language_id


async def show_preview(ls: GrokLanguageServer, suggestion: Suggestion) -> str | None:
    """Write the suggestion's diff under the state dir and show it beside the code."""
    diff = preview_diff(
        suggestion.uri,
        suggestion.anchor,
        suggestion.code,
        suggestion.is_diff,
        _selection_in_document(ls, suggestion.uri, suggestion.anchor),
    )
    try:
        path = await ls.assistant.write_preview(suggestion.id, diff)
    except OSError as error:
        ls.warn_once(f"could not write the suggestion's diff ({error.strerror})")
        return None
    if path is None:  # no state dir
        return None
    if ls.client_supports_show_document():
        ls.in_background(
            ls.window_show_document_async(
                types.ShowDocumentParams(uri=path.as_uri(), take_focus=ls.client.take_focus())
            )
        )
    return path.as_uri()


def deliver_explanation(
    ls: GrokLanguageServer, uri: str, outcome: Outcome, anchor: Anchor | None, settings: Settings
) -> str | None:
    """Show the explanation as configured; return the transcript's URI when it is shown."""
    text = outcome.answer.text
    if anchor is not None:
        ls.anchored.explain(uri, anchor, text)
    if settings.result_display == "none":
        return None
    transcript = open_written_transcript(ls, outcome)
    if transcript is not None:
        return transcript
    ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=text))
    return None


def open_written_transcript(ls: GrokLanguageServer, outcome: Outcome) -> str | None:
    """Open the transcript the assistant wrote for this outcome; warn if it could not."""
    if outcome.transcript_error is not None:
        ls.warn_once(
            f"could not write the transcript ({outcome.transcript_error}); showing it as a message"
        )
    if outcome.transcript is None:
        return None
    open_transcript(ls, outcome.transcript)
    return outcome.transcript.uri


def open_transcript(ls: GrokLanguageServer, transcript: Transcript) -> None:
    """Beside the code, scrolled to the newest answer."""
    answer = None
    if transcript.answer_lines is not None:
        first, after = transcript.answer_lines
        answer = types.Range(
            start=types.Position(line=first, character=0),
            end=types.Position(line=after, character=0),
        )
    ls.in_background(
        ls.window_show_document_async(
            types.ShowDocumentParams(
                uri=transcript.uri, take_focus=ls.client.take_focus(), selection=answer
            )
        )
    )


async def write_conversation_transcript(ls: GrokLanguageServer, uri: str) -> Transcript | None:
    """The transcript, written now; None without a state dir or when writing failed."""
    try:
        written = await ls.assistant.write_transcript(uri)
    except OSError as error:
        ls.warn_once(f"could not write the transcript ({error.strerror}); showing it as a message")
        return None
    if written is None:  # no state dir
        return None
    path, lines = written
    return Transcript(path.as_uri(), lines)


async def show_transcript(ls: GrokLanguageServer, uri: str) -> str | None:
    """Write the transcript and open it beside the code, scrolled to the newest answer."""
    if not ls.client_supports_show_document():
        return None
    transcript = await write_conversation_transcript(ls, uri)
    if transcript is None:
        return None
    open_transcript(ls, transcript)
    return transcript.uri

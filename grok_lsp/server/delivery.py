"""Handing a finished answer to the user: an edit of the document, or an explanation."""

from __future__ import annotations

import difflib
import re
import uuid
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from lsprotocol import types

from grok_lsp.assistant.actions import Action
from grok_lsp.assistant.anchor import Anchor
from grok_lsp.assistant.answering import Answer
from grok_lsp.assistant.edits import Position, choose_block, code_blocks, line_edits, split_lines
from grok_lsp.assistant.placement import NoSensibleEdit, place_code
from grok_lsp.server.documents import LSP_JSON, find_document, offset_of, to_client, to_server
from grok_lsp.server.tracking import Suggestion
from grok_lsp.settings import Settings

if TYPE_CHECKING:
    from grok_lsp.server.app import GrokLanguageServer


class EditRefused(Exception):
    """The document no longer holds the text the answer was computed for."""


class AnswerDoesNotFit(EditRefused):
    """The answer's code cannot be placed on the selection without guessing."""


NOTHING_CHANGED = "Nothing was changed"


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
    start_offset, end_offset = offset_of(lines, start), offset_of(lines, end)
    if source[start_offset:end_offset] != anchor.text:
        raise EditRefused("the selected code is no longer where it was")
    try:
        placement = place_code(
            source,
            start_offset,
            end_offset,
            code,
            is_diff=is_diff,
            language_id=document.language_id,
        )
    except NoSensibleEdit as reason:
        raise AnswerDoesNotFit(str(reason)) from None
    # The placement may start earlier on the selection's line, over its indentation.
    region = Position(start.line, start.character - (start_offset - placement.start))
    current, new_text = source[placement.start : placement.end], placement.text
    edits = [
        types.TextEdit(
            range=types.Range(
                start=to_client(codec, lines, r.start), end=to_client(codec, lines, r.end)
            ),
            new_text=r.new_text,
        )
        for r in line_edits(current, new_text, region)
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
    except AnswerDoesNotFit as does_not_fit:
        return False, f"{NOTHING_CHANGED}: {does_not_fit}. The answer is in the conversation."
    except EditRefused as refusal:
        return False, f"not applied: {refusal}. Run the request again."
    if count == 0:
        return False, "the answer suggested no changes."
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=label)
    )
    if not result.applied:
        reason = result.failure_reason or "the editor refused it (the document may have changed)"
        return False, f"not applied: {reason}."
    return True, ""


async def deliver_edit(
    ls: GrokLanguageServer,
    uri: str,
    action: Action,
    answer: Answer,
    anchor: Anchor,
    language: str,
    settings: Settings,
) -> dict[str, Any]:
    # The block that matches the selection, not the longest: models add usage examples.
    block = choose_block(code_blocks(answer.text), language, anchor.text)
    if block is None:
        ls.warn_now("the answer had no code block, so nothing was changed.")
        return await _with_answer_shown(ls, uri, settings, {"applied": False})
    code, is_diff = block.code, block.is_diff
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


def preview_diff(
    uri: str,
    anchor: Anchor,
    code: str,
    is_diff: bool = False,
    document: tuple[str, int, str | None] | None = None,
) -> str:
    """The suggestion as a unified diff of the file, with the file's own line numbers.

    `document` is the document's text, the selection's offset in it and its language,
    when open: the code is then placed as Apply would place it.
    """
    name = PurePosixPath(urlsplit(uri).path).name or uri
    source, offset, language = document if document is not None else (anchor.text, 0, None)
    try:
        placement = place_code(
            source, offset, offset + len(anchor.text), code, is_diff=is_diff, language_id=language
        )
    except NoSensibleEdit as reason:
        return f"# Grok's answer cannot be applied here: {reason}.\n"
    before, after = source[placement.start : placement.end], placement.text
    first = anchor.span.start_line if anchor.span is not None else 0
    diff = difflib.unified_diff(
        split_lines(before), split_lines(after), f"a/{name}", f"b/{name}", n=3
    )
    lines = []
    for line in diff:
        if line.startswith("@@"):
            # Shift hunk headers from selection-relative to file line numbers.
            line = re.sub(
                r"-(\d+)|\+(\d+)",
                lambda m: f"{m[0][0]}{int(m[1] or m[2]) + first}",
                line,
            )
        lines.append(line if line.endswith(("\n", "\r")) else line + "\n")
    return "".join(lines)


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


async def deliver_explanation(
    ls: GrokLanguageServer, uri: str, answer: Answer, anchor: Anchor | None, settings: Settings
) -> str | None:
    """Show the explanation as configured; return the transcript path when one was written."""
    if anchor is not None:
        ls.anchored.explain(uri, anchor, answer.text)
    display = settings.result_display
    if display == "none":
        return None
    if display == "document":
        path = await show_transcript(ls, uri)
        if path is not None:
            return path
    ls.window_show_message(
        types.ShowMessageParams(type=types.MessageType.Info, message=answer.text)
    )
    return None


async def write_conversation_transcript(
    ls: GrokLanguageServer, uri: str
) -> tuple[str, types.Range | None] | None:
    """The transcript's URI and where its newest answer is, once written."""
    try:
        written = await ls.assistant.write_transcript(uri)
    except OSError as error:
        ls.warn_once(f"could not write the transcript ({error.strerror}); showing it as a message")
        return None
    if written is None:  # no state dir
        return None
    path, lines = written
    answer = None
    if lines is not None:
        first, after = lines
        answer = types.Range(
            start=types.Position(line=first, character=0),
            end=types.Position(line=after, character=0),
        )
    return path.as_uri(), answer


async def show_transcript(ls: GrokLanguageServer, uri: str) -> str | None:
    """Write the transcript and open it beside the code, scrolled to the newest answer."""
    if not ls.client_supports_show_document():
        return None
    written = await write_conversation_transcript(ls, uri)
    if written is None:
        return None
    transcript, answer = written
    ls.in_background(
        ls.window_show_document_async(
            types.ShowDocumentParams(
                uri=transcript, take_focus=ls.client.take_focus(), selection=answer
            )
        )
    )
    return transcript

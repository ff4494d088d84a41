"""Client positions <-> text, always through the negotiated position encoding."""

from __future__ import annotations

import os
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.exceptions import JsonRpcInvalidParams
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from grok_lsp.assistant.blocks import enclosing_block
from grok_lsp.assistant.context import CodeSelection
from grok_lsp.assistant.edits import Position, split_lines

# Turns lsprotocol objects into the JSON the protocol sends (for results that embed them).
LSP_JSON = get_converter()

# Larger selections are refused: they would not fit any model's context with room to answer.
MAX_SELECTION_CHARS = 256_000


class RequestFailed(JsonRpcInvalidParams):
    """LSP's RequestFailed: the request was valid but cannot be done."""

    CODE = -32803


def find_document(workspace_docs: dict[str, TextDocument], uri: str) -> TextDocument | None:
    """The open document for `uri`; pygls keys its documents by the unquoted URI."""
    return workspace_docs.get(unquote(uri))


def open_document(workspace_docs: dict[str, TextDocument], uri: str) -> TextDocument:
    document = find_document(workspace_docs, uri)
    if document is None:
        scheme = urlsplit(uri).scheme
        detail = "it is not a file: URI" if scheme != "file" else "open it in the editor first"
        raise JsonRpcInvalidParams(f"uri: document {uri!r} is not open ({detail})")
    return document


def encoding_name(codec: PositionCodec) -> str:
    """The negotiated encoding as "utf-8", "utf-16" or "utf-32"."""
    encoding = codec.encoding or types.PositionEncodingKind.Utf16
    return encoding.value if isinstance(encoding, types.PositionEncodingKind) else str(encoding)


def to_server(
    codec: PositionCodec, lines: Sequence[str], position: types.Position
) -> ServerTextPosition:
    """Code-point position; positions past a line's end or the document's end are clamped."""
    if not lines:
        return ServerTextPosition(0, 0)
    if position.line >= len(lines):
        last = lines[-1]
        if last.endswith(("\n", "\r")):
            return ServerTextPosition(len(lines), 0)
        return ServerTextPosition(len(lines) - 1, len(last))
    text = lines[position.line].rstrip("\r\n")
    if position.character >= codec.client_num_units(text):
        return ServerTextPosition(position.line, len(text))
    return codec.position_from_client_units(lines, position)


def to_client(
    codec: PositionCodec, lines: Sequence[str], position: Position | ServerTextPosition
) -> types.Position:
    if position.line >= len(lines):
        return types.Position(line=position.line, character=0)
    prefix = lines[position.line][: position.character]
    return types.Position(line=position.line, character=codec.client_num_units(prefix))


def offset_of(lines: Sequence[str], position: ServerTextPosition) -> int:
    return sum(len(line) for line in lines[: position.line]) + position.character


def check_range(value: types.Range) -> None:
    for name, pos in (("range.start", value.start), ("range.end", value.end)):
        if pos.line < 0 or pos.character < 0:
            raise JsonRpcInvalidParams(f"{name}: line and character must not be negative")
    if (value.end.line, value.end.character) < (value.start.line, value.start.character):
        raise JsonRpcInvalidParams("range: end is before start")


def relative_path(document: TextDocument, root_path: str | None) -> str:
    """The path a user would name: relative to the workspace, else just the file name.

    Never the absolute path: prompts should not carry the user's home directory.
    """
    path = document.path or document.uri
    if root_path and path.startswith(root_path.rstrip(os.sep) + os.sep):
        return os.path.relpath(path, root_path)
    return os.path.basename(path) or path


def select(
    document: TextDocument, value: types.Range, root_path: str | None
) -> tuple[CodeSelection, types.Range]:
    """The selected text and its surroundings, and the range it came from.

    An empty range means the enclosing block around the cursor, not an empty prompt.
    """
    check_range(value)
    source = document.source
    try:
        source.encode("utf-8")
    except UnicodeEncodeError as error:
        line = source.count("\n", 0, error.start) + 1
        raise RequestFailed(
            f"the document has text that is not valid Unicode (a lone surrogate on line {line}); "
            "grok-lsp cannot send it. Remove that character."
        ) from None
    lines = split_lines(source)
    codec = document.position_codec
    if value.start == value.end and lines:
        first, last = enclosing_block(lines, value.start.line)
        end = (
            types.Position(line=last + 1, character=0)
            if last + 1 < len(lines) or lines[last].endswith(("\n", "\r"))
            else to_client(codec, lines, ServerTextPosition(last, len(lines[last])))
        )
        value = types.Range(start=types.Position(line=first, character=0), end=end)
    start = to_server(codec, lines, value.start)
    end_cp = to_server(codec, lines, value.end)
    text = source[offset_of(lines, start) : offset_of(lines, end_cp)]
    if len(text) > MAX_SELECTION_CHARS:
        raise RequestFailed(
            f"range: the selection has {len(text):,} characters; grok-lsp sends at most "
            f"{MAX_SELECTION_CHARS:,}. Select a smaller part of the file."
        )
    last_line = (
        end_cp.line - 1 if end_cp.character == 0 and end_cp.line > start.line else end_cp.line
    )
    selection = CodeSelection(
        path=relative_path(document, root_path),
        language_id=document.language_id or "text",
        lines=lines,
        start_line=start.line,
        end_line=min(last_line, max(len(lines) - 1, 0)),
        text=text,
    )
    return selection, value

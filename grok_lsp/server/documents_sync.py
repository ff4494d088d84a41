"""Following the user's typing and renames."""

from __future__ import annotations

from lsprotocol import types

from grok_lsp.server.app import GrokLanguageServer
from grok_lsp.server.documents import encoding_name


def register(ls: GrokLanguageServer) -> None:
    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: GrokLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        encoding = encoding_name(ls.workspace.position_codec)
        ls.tracked.apply(params.text_document.uri, list(params.content_changes), encoding)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: GrokLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.explanations.pop(params.text_document.uri, None)

    @ls.feature(
        types.WORKSPACE_DID_RENAME_FILES,
        types.FileOperationRegistrationOptions(
            filters=[types.FileOperationFilter(pattern=types.FileOperationPattern(glob="**/*"))]
        ),
    )
    async def did_rename(ls: GrokLanguageServer, params: types.RenameFilesParams) -> None:
        for file in params.files:
            await ls.assistant.in_store(ls.assistant.store.rename, file.old_uri, file.new_uri)
            ls.tracked.rename(file.old_uri, file.new_uri)
            if file.old_uri in ls.explanations:
                ls.explanations[file.new_uri] = ls.explanations.pop(file.old_uri)

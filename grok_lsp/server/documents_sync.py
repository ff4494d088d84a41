"""Following the user's typing and renames."""

from __future__ import annotations

from lsprotocol import types

from grok_lsp.server.app import GrokLanguageServer


def register(ls: GrokLanguageServer) -> None:
    # Typing is followed in GrokProtocol's didChange, change by change, as it is applied.

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: GrokLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.anchored.close(params.text_document.uri)

    @ls.feature(
        types.WORKSPACE_DID_RENAME_FILES,
        types.FileOperationRegistrationOptions(
            filters=[types.FileOperationFilter(pattern=types.FileOperationPattern(glob="**/*"))]
        ),
    )
    async def did_rename(ls: GrokLanguageServer, params: types.RenameFilesParams) -> None:
        for file in params.files:  # in memory first: requests after the rename see it
            ls.anchored.rename(file.old_uri, file.new_uri)
        for file in params.files:
            await ls.assistant.rename(file.old_uri, file.new_uri)

"""The startup and round-trip floor: a bare pygls server with one code-action handler."""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("bare", "0")


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION)
def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
    return [
        types.CodeAction(
            title=f"Bare: action {index}",
            command=types.Command(title="bare", command="bare.run", arguments=[{"n": index}]),
        )
        for index in range(5)
    ]


if __name__ == "__main__":
    server.start_io()

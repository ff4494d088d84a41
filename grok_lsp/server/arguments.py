"""Typed command arguments: each command takes exactly one object; bad input names the field."""

from __future__ import annotations

from typing import Any, TypeVar

import attrs
import cattrs
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

T = TypeVar("T")
_UINTEGER_MAX = 2**31 - 1  # LSP's uinteger


@attrs.frozen
class PositionArg:
    line: int
    character: int


@attrs.frozen
class RangeArg:
    start: PositionArg
    end: PositionArg

    def to_lsp(self) -> types.Range:
        for name, position in (("start", self.start), ("end", self.end)):
            if not (
                0 <= position.line <= _UINTEGER_MAX and 0 <= position.character <= _UINTEGER_MAX
            ):
                raise JsonRpcInvalidParams(
                    f"range.{name}: line and character must be between 0 and {_UINTEGER_MAX}"
                )
        return types.Range(
            start=types.Position(line=self.start.line, character=self.start.character),
            end=types.Position(line=self.end.line, character=self.end.character),
        )


@attrs.frozen
class DocumentArgs:
    uri: str


@attrs.frozen
class RangeArgs:
    uri: str
    range: RangeArg


@attrs.frozen
class RefactorArgs:
    uri: str
    range: RangeArg
    instruction: str | None = None


@attrs.frozen
class FixArgs:
    uri: str
    range: RangeArg
    diagnostics: list[dict[str, Any]] | None = None


@attrs.frozen
class AskArgs:
    uri: str
    question: str
    range: RangeArg | None = None


@attrs.frozen
class ActionArgs:
    id: str
    uri: str
    range: RangeArg
    input: str | None = None  # fills `{input}` in the action's prompt


@attrs.frozen
class CancelArgs:
    uri: str | None = None


@attrs.frozen
class NoArgs:
    pass


@attrs.frozen
class SuggestionArgs:
    uri: str
    id: str


def _strict() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)

    def exact(kind: type, name: str) -> None:
        def structure(value: Any, _: Any) -> Any:
            if isinstance(value, bool) or not isinstance(value, kind):
                raise TypeError(f"expected {name}, got {type(value).__name__}")
            return value

        converter.register_structure_hook(kind, structure)

    exact(str, "a string")
    exact(int, "an integer")
    return converter


_CONVERTER = _strict()


def parse(args: tuple[Any, ...], kind: type[T]) -> T:
    """Exactly one argument, an object, structured into `kind` or InvalidParams naming the field."""
    if len(args) != 1:
        raise JsonRpcInvalidParams(f"expected exactly one argument (an object), got {len(args)}")
    (value,) = args
    if not isinstance(value, dict):
        raise JsonRpcInvalidParams(f"argument: expected an object, got {type(value).__name__}")
    try:
        return _CONVERTER.structure(value, kind)
    except Exception as error:  # cattrs raises several unrelated types for bad input
        if isinstance(error, cattrs.BaseValidationError):
            detail = "; ".join(cattrs.transform_error(error, path="argument"))
        else:
            detail = str(error)
        raise JsonRpcInvalidParams(f"invalid argument: {detail}") from None

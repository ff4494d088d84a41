from __future__ import annotations

import pytest

from grok_lsp.assistant.blocks import enclosing_block

PYTHON = """import os

def outer(x):
    if x:
        return 1

    return 2


print(outer(1))
""".splitlines(keepends=True)

BRACES = """function f(a) {
  if (a) {
    return 1;
  }
  return 2;
}
""".splitlines(keepends=True)


@pytest.mark.parametrize(
    ("lines", "cursor", "block"),
    [
        (PYTHON, 4, (3, 4)),  # inside `if x:` -> the if block
        (PYTHON, 3, (3, 4)),  # on the header itself
        (PYTHON, 6, (2, 6)),  # `return 2` -> the whole function
        (PYTHON, 5, (3, 4)),  # a blank line belongs to the block above
        (PYTHON, 2, (2, 6)),  # on `def` -> the function
        (PYTHON, 9, (9, 9)),  # top-level statement -> its paragraph
        (BRACES, 2, (1, 3)),  # inside the if, with its closing brace
        (BRACES, 4, (0, 5)),  # the function, with its closing brace
        ([], 0, (0, 0)),
    ],
)
def test_enclosing_block(lines: list[str], cursor: int, block: tuple[int, int]) -> None:
    assert enclosing_block(lines, cursor) == block

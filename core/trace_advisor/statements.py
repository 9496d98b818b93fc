"""Walking statement blocks: the statement lists nested in compound statements (``if``, ``try``, ``with``, loops,
``match``), without entering new scopes (``def``, ``class``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator


def child_blocks(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists nested in ``node`` that run in its scope, in source order (none for a def or class)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return
    body = getattr(node, "body", None)
    if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
        yield body
    for handler in getattr(node, "handlers", ()):
        yield handler.body
    for case in getattr(node, "cases", ()):
        yield case.body
    for name in ("orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block


def flatten(
    body: list[ast.stmt], through: tuple[type[ast.stmt], ...], *, main_block_only: bool = False
) -> list[ast.stmt]:
    """Each statement of ``body`` in source order, followed by those nested in it when it is one of ``through``
    (all its blocks, or only its ``body`` with ``main_block_only``: a ``try``'s handlers do not run normally).
    Iterative: generated code nests deeper than the recursion limit."""
    out: list[ast.stmt] = []
    pending: list[Iterator[ast.stmt]] = [iter(body)]
    while pending:
        stmt = next(pending[-1], None)
        if stmt is None:
            pending.pop()
            continue
        out.append(stmt)
        if isinstance(stmt, through):
            blocks = list(child_blocks(stmt))
            if main_block_only:
                blocks = blocks[:1]
            pending.append(iter([s for block in blocks for s in block]))
    return out

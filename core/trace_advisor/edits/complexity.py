"""A function's McCabe complexity as ruff's C901 counts it: one, plus one per ``if``/``elif``, loop, ``except``
clause, ``try``'s ``else``, ``match`` case and nested ``def`` (flake8's mccabe counts the same decisions but for
the last two). The span edit reads it so that the checks it inserts (``if isinstance(x, int):`` before recording a
parameter) never take a function past the project's ``max-complexity``."""

from __future__ import annotations

import ast
from collections.abc import Sequence


def complexity(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return 1 + _decisions(function.body)


def _decisions(body: Sequence[ast.stmt]) -> int:
    count = 0
    for stmt in body:
        if isinstance(stmt, ast.If):
            count += 1 + _decisions(stmt.body)
            orelse = stmt.orelse
            while len(orelse) == 1 and isinstance(orelse[0], ast.If):  # ``elif``: one more decision each
                count += 1 + _decisions(orelse[0].body)
                orelse = orelse[0].orelse
            count += _decisions(orelse)
        elif isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
            count += 1 + _decisions(stmt.body) + _decisions(stmt.orelse)
        elif isinstance(stmt, ast.With | ast.AsyncWith | ast.ClassDef):
            count += _decisions(stmt.body)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            count += _decisions(stmt.body) + bool(stmt.orelse) + _decisions(stmt.orelse) + _decisions(stmt.finalbody)
            count += sum(1 + _decisions(handler.body) for handler in stmt.handlers)
        elif isinstance(stmt, ast.Match):
            count += sum(1 + _decisions(case.body) for case in stmt.cases)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            count += 1 + _decisions(stmt.body)
    return count

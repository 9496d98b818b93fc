"""Functions whose work runs once per process: a memoised getter (``@functools.cache`` without parameters) or a
function guarded by a module-level flag it sets itself (``global _loaded; if _loaded: return _cached``). What such a
function does (stripe's telemetry id read from a file) is no I/O of the requests that call it: their spans would
claim work that ran once, before them. Nor is what a memoised function does, once per argument (:func:`memoised`)."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Sequence

_CACHES = frozenset({"cache", "lru_cache"})


def cached_without_arguments(decorators: Sequence[str], params: Sequence[str]) -> bool:
    """``@functools.cache`` / ``@lru_cache(...)`` on a function without parameters: its body runs on the first call."""
    return not params and any(text.partition("(")[0].rpartition(".")[2] in _CACHES for text in decorators)


def memoised(decorators: Sequence[str]) -> bool:
    """A memoising decorator (``functools.cache``/``lru_cache``, cachetools' ``cached``, flask-caching's ``memoize``,
    async-lru's ``alru_cache``): the body runs on a miss, once per distinct argument; a call is a lookup in memory."""
    return any(text.partition("(")[0].rpartition(".")[2] in _MEMOISERS for text in decorators)


_MEMOISERS = _CACHES | {"memoize", "cached", "alru_cache"}


def guarded_once(code: str) -> bool:
    """Whether a function's source (its ``def`` and body) runs its work under a module-level flag it sets itself
    (:func:`guard_flag`). Cheap without ``global`` in the text."""
    if "global" not in code:
        return False
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return False
    function = tree.body[0] if tree.body else None
    return isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and guard_flag(function) is not None


def guard_flag(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The module-level flag under which a function runs its work once, if it does: an ``if`` on a ``global`` name
    at the top of the body that returns early (``if _loaded: return _cached_id``), or whose body assigns that name
    (``if __root_logger is None: ...; __root_logger = configured()``)."""
    declared = {name for stmt in function.body if isinstance(stmt, ast.Global) for name in stmt.names}
    if not declared:
        return None
    assigned = {
        node.id for node in ast.walk(function) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    flags = declared & assigned
    for stmt in _body_after_docstring(function.body):
        if isinstance(stmt, ast.Global):
            continue
        if isinstance(stmt, ast.Try) and stmt.body:  # ``try: if _loaded: ...`` as stripe writes it
            stmt = stmt.body[0]
        if not isinstance(stmt, ast.If):
            return None
        tested = [n.id for n in ast.walk(stmt.test) if isinstance(n, ast.Name) and n.id in flags]
        if not tested:
            return None
        returns = any(isinstance(s, ast.Return) for s in stmt.body)
        sets = any(
            isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id in flags
            for s in stmt.body
            for n in ast.walk(s)
        )
        return tested[0] if returns or sets else None
    return None


def _body_after_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return body[1:]
    return body

"""Span code in a module that imports a web framework: an HTTP exception the framework answers with a 4xx response is
the client's error, not a failure, so the span sets ERROR itself for every other exception — the decision
``trace_advisor.runtime`` makes at run time, written as code from the same table (``runtime/errors.py``)."""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass

from trace_advisor.edits.layout import Condition, Statement
from trace_advisor.runtime.errors import CLIENT_ERRORS, ClientErrorClass


@dataclass(frozen=True, slots=True)
class ClientErrorTest:
    """True for a client error when its ``parts`` (``{name}``: the exception) joined by ``operator`` are; ``imports``:
    the classes it names that the module does not bind yet, as (module to import from, class names)."""

    operator: str
    parts: tuple[str, ...]
    imports: tuple[tuple[str, tuple[str, ...]], ...]

    def statement(self, error: str) -> Statement:
        """``if not <test>:`` for the exception named ``error``, laid out as black would."""
        parts = tuple(part.replace("{name}", error) for part in self.parts)
        (only,) = parts if len(parts) == 1 else ("",)
        prefix = f"isinstance({error}, "
        if only.startswith(prefix) and only.endswith(")") and " and " not in only:  # Django's: classes alone
            return Statement("if not isinstance", (error, only[len(prefix) : -1]), ":")
        return Condition("if not ", parts, ":", self.operator)


def client_error_test(
    module: ast.Module,
    function: ast.AST,
    counts: Counter[str],
    mentioned: set[str],
    below: frozenset[str] = frozenset(),
) -> ClientErrorTest | None:
    """The test for the web frameworks whose imported names ``function`` uses (a route's decorator, ``abort``,
    ``request``, ``HTTPException``...) and those whose 4xx exceptions the workspace functions it calls may raise
    (``below``, from the call graph); None when there are none, or when a class name the test would bind already
    means something else in the module."""
    from_framework = _framework_names(module)
    used = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
    frameworks = {from_framework[name] for name in used if name in from_framework} | below
    entries = [e for e in CLIENT_ERRORS if frameworks & set(e.frameworks)]
    if not entries:
        return None
    bound = _bound_classes(module)
    local: dict[ClientErrorClass, str] = {}
    missing: dict[str, list[str]] = {}
    for entry in entries:
        name = bound.get((entry.import_from, entry.name))
        if name is None or counts[name] != 1:
            name = bound.get((entry.import_from, ""))  # the module itself: ``from aiohttp import web``
            name = f"{name}.{entry.name}" if name is not None and counts[name] == 1 else None
        if name is None:
            if entry.name in mentioned or entry.name in local.values():
                return None  # the name means something else here: the span keeps its default error status
            name = entry.name
            missing.setdefault(entry.import_from, []).append(name)
        local[entry] = name
    tests: list[tuple[str, ...]] = [
        (f"isinstance({{name}}, {local[e]})", f"400 <= ({{name}}.{e.status} or 0) < 500")
        for e in entries
        if e.status is not None
    ]
    always = [local[e] for e in entries if e.status is None]
    if always:
        classes = always[0] if len(always) == 1 else "(" + ", ".join(always) + ")"
        tests.append((f"isinstance({{name}}, {classes})",))
    imports = tuple((where, tuple(sorted(names))) for where, names in sorted(missing.items()))
    if len(tests) == 1:
        return ClientErrorTest("and", tests[0], imports)
    return ClientErrorTest("or", tuple(f"({' and '.join(t)})" if len(t) > 1 else t[0] for t in tests), imports)


def _framework_names(module: ast.Module) -> dict[str, str]:
    """Names the module's top-level imports bind -> the top-level package they come from."""
    found: dict[str, str] = {}
    for stmt in module.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                found[alias.asname or alias.name.partition(".")[0]] = alias.name.partition(".")[0]
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for alias in stmt.names:
                found[alias.asname or alias.name] = stmt.module.partition(".")[0]
    return found


def _bound_classes(module: ast.Module) -> dict[tuple[str, str], str]:
    """(module, class) -> the name a top-level ``from module import class [as name]`` binds; (module, "") -> the name
    bound to the module itself (``from aiohttp import web``, ``import tornado.web as web``)."""
    found: dict[tuple[str, str], str] = {}
    for stmt in module.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for alias in stmt.names:
                found[(stmt.module, alias.name)] = alias.asname or alias.name
                found[(f"{stmt.module}.{alias.name}", "")] = alias.asname or alias.name
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname or "." not in alias.name:
                    found[(alias.name, "")] = alias.asname or alias.name
    return found

"""Span code in a function that uses a web framework's server side: an HTTP exception the framework answers with a
4xx response is the client's error, not a failure, so the span sets ERROR itself for every other exception — the
decision ``trace_advisor.runtime`` makes at run time, written as code from the same table (``runtime/errors.py``)."""

from __future__ import annotations

import ast
import textwrap
from collections import Counter
from dataclasses import dataclass

from trace_advisor.client_errors import imported_paths
from trace_advisor.edits.existing import dotted_name
from trace_advisor.edits.layout import Condition, Statement, measured
from trace_advisor.edits.reflow import with_trailing_commas
from trace_advisor.runtime.errors import CLIENT_ERRORS, ClientErrorClass, server_module


@dataclass(frozen=True, slots=True)
class ClientErrorTest:
    """True for a client error when its ``parts`` (``{name}``: the exception) joined by ``operator`` are; ``imports``:
    the classes it names that the module does not bind yet, as (module to import from, class names)."""

    operator: str
    parts: tuple[str, ...]
    imports: tuple[tuple[str, tuple[str, ...]], ...]

    def statement(self, error: str, lead: str = "if ") -> Statement:
        """``<lead>not <test>:`` (``if not <test>:``) for the exception named ``error``, laid out as black would."""
        parts = tuple(part.replace("{name}", error) for part in self.parts)
        (only,) = parts if len(parts) == 1 else ("",)
        prefix = f"isinstance({error}, "
        if only.startswith(prefix) and only.endswith(")") and " and " not in only:  # Django's: classes alone
            return Statement(f"{lead}not isinstance", (error, only[len(prefix) : -1]), ":")
        return Condition(f"{lead}not ", parts, ":", self.operator)


def client_error_test(
    module: ast.Module,
    function: ast.AST,
    counts: Counter[str],
    mentioned: set[str],
    below: frozenset[str] = frozenset(),
) -> ClientErrorTest | None:
    """The test for the web frameworks whose server-side names ``function`` uses (a route's decorator, ``abort``,
    ``request``, ``HTTPException``, ``web.Request``...) and those whose 4xx exceptions the workspace functions it calls
    may raise (``below``, from the call graph); None when there are none, or when a class name the test would bind
    already means something else in the module. The same package's client (``tornado.httpclient``,
    ``aiohttp.ClientSession``) is no server: its errors are the function's own failures."""
    frameworks = _servers_used(module, function) | below
    entries = [e for e in CLIENT_ERRORS if frameworks & set(e.servers)]
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
            name = _subclass_alias(entry, bound, mentioned | set(local.values()))
            if name is not None:
                missing.setdefault(entry.import_from, []).append(f"{entry.name} as {name}")
            elif entry.name in mentioned or entry.name in local.values():
                return None  # the name means something else here: the span keeps its default error status
            else:
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


def _subclass_alias(entry: ClientErrorClass, bound: dict[tuple[str, str], str], taken: set[str]) -> str | None:
    """The name to import ``entry``'s class under when the module binds its name to the same-named class of another
    of its servers (``from fastapi import HTTPException``, a subclass of Starlette's, which Starlette's routing and
    dependencies raise too): Starlette's prefixed, as FastAPI's documentation imports it
    (``StarletteHTTPException``); None when the module binds no such class or that name is taken too."""
    for (where, name), local in bound.items():
        if name == entry.name and local == entry.name and server_module(f"{where}.{name}") in entry.servers:
            alias = entry.import_from.partition(".")[0].capitalize() + entry.name
            return None if alias in taken else alias
    return None


def _servers_used(module: ast.Module, function: ast.AST) -> set[str]:
    """The server modules (``CLIENT_ERRORS``' ``servers``) of the imported names ``function`` uses, each with the
    attributes read from it: ``tornado.web.RequestHandler`` counts, ``tornado.httpclient.AsyncHTTPClient`` does not."""
    imported = imported_paths(module)
    found: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name | ast.Attribute):
            name = dotted_name(node)
            head, dot, rest = name.partition(".")
            if head in imported:
                server = server_module(imported[head] + dot + rest)
                if server is not None:
                    found.add(server)
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


STATUS_HELPER = "_ErrorStatus"
_HELPER_DOC = (
    "Sets ERROR on the span for an exception leaving it, unless the web framework answers that exception with a 4xx"
    " response: the client's error."
)
# pylint's duplicate-code check compares modules: the helper is the same in each module that needs it, by design
_PYLINT_PRAGMA = "  # pylint: disable=duplicate-code,too-few-public-methods"


@dataclass(frozen=True, slots=True)
class StatusHelper:
    """What the module-level helper class is written with: the span code's ``trace`` module expression and its
    ``Status``/``StatusCode`` expressions, the indent unit, the line length, and whether the project lints with
    pylint (which then reads a pragma on the class line: the helper repeats across modules by design)."""

    status_class: str
    code_class: str
    trace: str
    unit: str
    width: int
    pylint: bool
    commas: bool = False  # the project checks flake8-commas: a split argument list ends with a comma


def status_helper_lines(test: ClientErrorTest, name: str, helper: StatusHelper) -> list[str]:
    """The module-level class ``name`` that span code enters beside its span (``with tracer.start_as_current_span(
    "n", set_status_on_exception=False) as span, <name>(span):``): it sets ERROR as ``start_as_current_span`` would
    (same description) for an ``Exception`` leaving the block unless ``test`` calls it a client error. A context
    manager rather than an ``except`` in each function: the function gains no branch, local or repeated block (what
    pylint counts: too-many-branches, too-many-locals, duplicate-code), and no attribute access that pylint would
    have to narrow through ``isinstance`` (no-member)."""
    unit, width = helper.unit, helper.width
    pragma = _PYLINT_PRAGMA if helper.pylint and measured(f"class {name}:{_PYLINT_PRAGMA}") <= width else ""
    doc = textwrap.wrap(_HELPER_DOC, width - len(unit) - 3, break_long_words=False) or [""]
    doc[0] = '"""' + doc[0]
    doc[-1] += '"""'
    described = (f"{helper.code_class}.ERROR", 'f"{type(exc).__name__}: {exc}"')
    fail = Statement("self.span.set_status", (Statement(helper.status_class, described),))
    lines = [
        f"class {name}:{pragma}",
        *(unit + line for line in doc),
        "",
        *Statement("def __init__", ("self", f"span: {helper.trace}.Span"), " -> None:").lines(unit, unit, width),
        f"{unit * 2}self.span = span",
        "",
        *Statement("def __enter__", ("self",), " -> None:").lines(unit, unit, width),
        f'{unit * 2}"""Nothing to set up: the span is current."""',
        "",
        *Statement("def __exit__", ("self", "exc_type: object", "exc: object", "exc_tb: object"), " -> None:").lines(
            unit, unit, width
        ),
        *test.statement("exc", "if isinstance(exc, Exception) and ").lines(unit * 2, unit, width),
        *fail.lines(unit * 3, unit, width),
    ]
    return with_trailing_commas(lines, unit) if helper.commas else lines

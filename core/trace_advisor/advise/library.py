"""When the workspace *is* a client library (an SDK: openai-python, elasticsearch-py): its packaging metadata names
one of its own packages (:func:`own_packages`), and the call graph shows the client every operation goes through: a
class whose methods other modules of the package call from many places and that reaches the network
(:func:`gateway_classes`). Inside it, maintainers put one span per API call on the client's network boundary (the
public method every operation goes through to the transport: elasticsearch-py's ``BaseClient.perform_request``,
openai's ``SyncAPIClient.request``), and not on the thin verb methods beside it (``get``, ``post``, ``put``,
``patch``, ``delete``) that only build the request's options and hand them to it: their span would wrap the same
call with the same duration, one more span per request (:func:`boundary_forwards`); nor on the private transport
under a public operation (:func:`private_transports`), nor on helpers that reach no I/O (parsing, validation,
platform detection: :func:`no_io_helper`): a library's users trace its operations."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from trace_advisor.advise.local import Verdict, has_work
from trace_advisor.advise.units import with_floor
from trace_advisor.datatypes import CallEdge, SymbolId
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.external_io import io_operations
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.project_style import read_ini, read_text, read_toml

_PACKAGING = ("pyproject.toml", "setup.cfg", "setup.py")
# the kinds of I/O that leave the process (the catalog's kinds): a client library's network boundary reaches one
NETWORK = frozenset({"http", "rpc", "cloud", "search", "genai", "messaging", "db", "cache"})
# how many other modules of the package (at least, and at least what share of those defining functions) call a
# class's methods for it to be the client every operation goes through: openai's SyncAPIClient is called from 73 of
# its 163 modules, elasticsearch-py's NamespacedClient from 44 of 144; an application's own LLM or database client
# from fewer (seer's LlmClient: 14 of 132)
GATEWAY_MODULES = 8
GATEWAY_SHARE = 0.2
# ... or how many functions outside the class call its methods that reach the network: a client whose operations
# are the methods of one generated class (slack_sdk's WebClient, 270 API methods in one module, each calling
# BaseClient.api_call: 329 callers from 6 modules); the busiest application classes seen stay under it (seer's
# RepoClient: 67)
GATEWAY_CALLERS = 100


def distribution_names(folder: Path) -> frozenset[str]:
    """The distribution names a folder's packaging files declare: ``[project].name`` or ``[tool.poetry].name`` of
    pyproject.toml, ``[metadata] name`` of setup.cfg, a literal ``name=`` of setup.py's ``setup(...)`` call."""
    names: set[str] = set()
    document = read_toml(folder / "pyproject.toml")
    poetry = document.get("tool", {}).get("poetry", {}) if isinstance(document.get("tool"), dict) else {}
    project = document.get("project", {})
    for table in (project, poetry):
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            names.add(table["name"])
    for parser in read_ini(folder / "setup.cfg"):
        if parser.has_option("metadata", "name"):
            names.add(parser.get("metadata", "name"))
    text = read_text(folder / "setup.py")
    if text is not None:
        names.update(_setup_names(text))
    return frozenset(n.strip() for n in names if n.strip())


# servers that run a web application (ASGI, WSGI): a distribution that depends on one is a service that runs, not a
# client library others call (polar's server declares ``uvicorn``: its repository base class, called from most of its
# modules and reaching the database, was taken for an SDK's transport and its own API client's operations for helpers)
_SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn", "daphne", "granian", "waitress", "uwsgi"})
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def runs_a_server(folder: Path) -> bool:
    """Whether the distribution in ``folder`` depends on a web server (its pyproject's ``[project].dependencies`` or
    ``[tool.poetry.dependencies]``): an application serving requests."""
    document = read_toml(folder / "pyproject.toml")
    project = document.get("project", {})
    tool = document.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    names: list[str] = []
    if isinstance(project, dict) and isinstance(project.get("dependencies"), list):
        found = (_REQUIREMENT.match(d) for d in project["dependencies"] if isinstance(d, str))
        names.extend(m.group(1) for m in found if m)
    if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
        names.extend(str(name) for name in poetry["dependencies"])
    return any(_normal(name) in _SERVERS for name in names)


def own_packages(packages: Iterable[tuple[str, Path]]) -> frozenset[str]:
    """The workspace packages (each ``(dotted name, its __init__.py)``) that the distribution declared in the folder
    above them is named after (``openai`` in openai-python, with its ``src/`` layout; ``google.cloud.storage`` of
    ``google-cloud-storage``): the workspace is that client library, unless the distribution depends on a web server
    (:func:`runs_a_server`)."""
    found: set[str] = set()
    declared: dict[Path, frozenset[str] | None] = {}  # per folder: the names its packaging declares (None: no file)
    for name, init in packages:
        folder = init.parent
        for _ in range(name.count(".") + 2):  # the package's own parents, then a src/ folder
            folder = folder.parent
            if folder not in declared:
                packaged = any((folder / f).is_file() for f in _PACKAGING)
                declared[folder] = None
                if packaged:  # an application that runs a server publishes no client library
                    declared[folder] = (
                        frozenset() if runs_a_server(folder) else frozenset(map(_normal, distribution_names(folder)))
                    )
            names = declared[folder]
            if names is not None:
                if _normal(name) in names:
                    found.add(name)
                break
    return frozenset(found)


def gateway_classes(
    symbols: Iterable[SymbolId],
    callers: Callable[[SymbolId], Iterable[CallEdge]],
    package: str,
    network: Callable[[SymbolId], bool],
) -> list[str]:
    """The classes of ``package`` (``module:Class``) whose methods reaching the network (``network``) are called from
    at least ``GATEWAY_MODULES`` other modules of the package, and ``GATEWAY_SHARE`` of those defining functions, or by
    ``GATEWAY_CALLERS`` functions outside the class: the client every operation goes through. A class many modules
    use for other things (a browser session whose start-up requests a URL) is not one."""
    by_method: dict[SymbolId, tuple[set[str], set[SymbolId]]] = {}  # the modules and functions calling a method
    owners: dict[str, list[SymbolId]] = {}
    defining: set[str] = set()
    for symbol in symbols:
        module, _, qualname = symbol.partition(":")
        if not inside(module, package) or qualname == "<module>":
            continue
        defining.add(module)
        if "." not in qualname or "<" in qualname:
            continue
        owner = f"{module}:{qualname.rpartition('.')[0]}"
        found = {e.caller for e in callers(symbol) if inside(e.caller.partition(":")[0], package)}
        outside = {c for c in found if not c.startswith(f"{owner}.")}
        by_method[symbol] = ({c.partition(":")[0] for c in found} - {module}, outside)
        owners.setdefault(owner, []).append(symbol)
    least = max(GATEWAY_MODULES, GATEWAY_SHARE * len(defining))

    def busy(methods: Iterable[SymbolId]) -> bool:
        modules: set[str] = set().union(*(by_method[m][0] for m in methods))
        functions: set[SymbolId] = set().union(*(by_method[m][1] for m in methods))
        return len(modules) >= least or len(functions) >= GATEWAY_CALLERS

    gateways = []
    for owner, methods in sorted(owners.items()):
        if not busy(methods):
            continue  # not even all its methods together: no need to ask which reach the network
        if busy([m for m in methods if by_method[m][1] and network(m)]):
            gateways.append(owner)
    return gateways


# work handed to threads or tasks: what it runs may do the I/O (a lambda's calls are not its own): no mere helper
_HANDS_OFF = frozenset({Finding.FAN_OUT, Finding.CONCURRENT, Finding.CONTEXT_GAP})


def no_io_helper(ctx: FunctionContext, verdict: Verdict) -> bool:
    """A function of a client library with evidence that shows no work (no I/O, entry point or job: how it handles
    errors, branches, orchestrates or computes), no I/O below it and no work handed to threads or tasks
    (elasticsearch-py's ``parallel_bulk``): a helper of the operations calling it. Local I/O too weak to count as
    work still is I/O (slack_sdk's file-backed state store reading and removing its state file)."""
    return (
        verdict.priority is not None
        and not has_work(verdict.signals)
        and not io_operations(ctx)
        and not ctx.callee_io
        and not any(s.finding in _HANDS_OFF for s in verdict.signals)
    )


def inside(module: str, package: str) -> bool:
    """Whether ``module`` is ``package`` or one of its submodules."""
    return module == package or module.startswith(f"{package}.")


# a client's own life, not an API call (a forked HTTP library's ``aclose`` is a call the catalog does not know)
_LIFECYCLE = frozenset({"open", "close", "aclose", "connect", "disconnect", "shutdown", "start", "stop"})


def network_boundaries(
    functions: Sequence[tuple[FunctionContext, Verdict]],
    gateways: frozenset[str],
    network: Callable[[SymbolId], bool] = lambda _symbol: False,
) -> dict[int, str]:
    """The network boundaries of a client library among one file's functions (by index, with the class's name): a
    public method reaching I/O that leaves the process on its own (a client call, or a private method of its class:
    ``request`` -> ``_send_request``) that belongs to a class every operation goes through (``gateways``,
    ``module:Class``: :func:`gateway_classes`) or that a method of one calls (elasticsearch-py's
    ``BaseClient.perform_request`` under ``NamespacedClient.perform_request``)."""
    found: dict[int, str] = {}
    for number, (ctx, verdict) in enumerate(functions):
        if ctx.class_name is None or "<" in ctx.qualname or ctx.name.startswith("_"):
            continue
        if verdict.priority is None and not (verdict.no_work or _forward(ctx)):
            continue
        owner = f"{ctx.module}:{ctx.qualname.rpartition('.')[0]}"
        through = owner in gateways or any(c.rpartition(".")[0] in gateways for c in ctx.graph.callers)
        if through and ctx.name not in _LIFECYCLE and _reaches_network(ctx, network):
            found[number] = owner.partition(":")[2]
    # one that reaches another through private methods of its class (openai's ``get_api_list`` ->
    # ``_request_api_list`` -> ``request``) forwards to it
    by_symbol = {ctx.symbol: number for number, (ctx, _) in enumerate(functions)}
    symbols = {functions[i][0].symbol for i in found}
    return {
        i: owner
        for i, owner in found.items()
        if not (_reach(functions, by_symbol, i) - {functions[i][0].symbol}) & symbols
    }


def _forward(ctx: FunctionContext) -> bool:
    """A one-statement method handing its call to a private method of its class (redis-py's ``execute_command``:
    ``return self._execute_command(*args, **options)``): judged a trivial helper before the transport below it is
    known."""
    body = ctx.body_without_docstring()
    return (
        len(body) == 1
        and isinstance(body[0], ast.Return | ast.Expr)
        and any(private_method_of(ctx, c) for c in _callees(ctx))
    )


def private_method_of(ctx: FunctionContext, symbol: SymbolId) -> bool:
    """``symbol`` is a private method of ``ctx``'s class (its transport: ``_send_request`` behind ``request``)."""
    owner = f"{ctx.module}:{ctx.qualname.rpartition('.')[0]}."
    return symbol.startswith(owner) and symbol[len(owner) :].startswith("_")


def as_boundary(verdict: Verdict, floor: float, owner: str, transport: Signal | None = None) -> Verdict:
    """The verdict of the network boundary of ``owner`` (a gateway class): at least ``floor``, one span per API call.
    ``transport``: its call of the private transport that reaches the network deeper than the evidence's I/O walk
    looks, added to its evidence; one whose own evidence showed no work (it only checks its arguments and hands them
    to that transport, or only forwards to it) takes its priority."""
    if transport is not None and transport not in verdict.signals:
        verdict = dataclasses.replace(verdict, signals=(*verdict.signals, transport))
    if verdict.priority is None:  # no work of its own, or a one-line forward to its transport
        priority = transport.evidence.priority if transport is not None else "external_io"
        verdict = dataclasses.replace(verdict, priority=priority, reasons=(), no_work=False)
    reason = f"the network boundary of the client library's {owner}: one span per API call"
    return with_floor(verdict, max(floor, verdict.confidence), reason)


def _reach(
    functions: Sequence[tuple[FunctionContext, Verdict]], by_symbol: dict[SymbolId, int], start: int
) -> set[str]:
    """The workspace functions ``functions[start]`` calls, directly or through private methods of its class in the
    file."""
    owner = functions[start][0].qualname.rpartition(".")[0]
    seen: set[str] = set()
    todo = [start]
    while todo:
        ctx = functions[todo.pop()][0]
        for callee in _callees(ctx) - seen:
            seen.add(callee)
            number = by_symbol.get(callee)
            if number is not None:
                other = functions[number][0]
                if other.name.startswith("_") and other.qualname.rpartition(".")[0] == owner:
                    todo.append(number)
    return seen


def boundary_forwards(
    functions: Sequence[tuple[FunctionContext, Verdict]], boundaries: Iterable[int]
) -> dict[int, str]:
    """The public methods (by index) of the classes holding the network ``boundaries`` (indices) that forward to one,
    each with the boundary's name: another public method of the class calling it, whose only I/O leaving the process
    is the boundary's (no client call of its own, no other workspace callee reaching the network) and that does not
    loop over it (a paginator's ``iter_pages`` is an operation of its own)."""
    named = {functions[i][0].symbol: functions[i][0].qualname for i in boundaries}
    owners = {qualname.rpartition(".")[0] for qualname in named.values()}
    found: dict[int, str] = {}
    for number, (ctx, verdict) in enumerate(functions):
        if ctx.symbol in named or ctx.class_name is None or "<" in ctx.qualname or ctx.name.startswith("_"):
            continue
        if ctx.qualname.rpartition(".")[0] not in owners or verdict.priority is None or not _thin(verdict):
            continue
        network = {symbol for symbol, io in ctx.callee_io.items() if io.kind in NETWORK}
        called = [named[s] for s in sorted(_callees(ctx)) if s in named]
        if called and network <= named.keys():
            found[number] = called[0]
    return found


def private_transports(
    functions: Sequence[tuple[FunctionContext, Verdict]], threshold: float, boundaries: Iterable[int] = ()
) -> dict[int, tuple[int, ...]]:
    """The private methods (by index) of a client library's class that only public methods of that class call
    (directly, or through private methods found so), each with those public methods (by index), when it or one of
    them deserves a span at ``threshold`` or is a network boundary (``boundaries``, indices): the transport under a
    public operation (elasticsearch-py's ``BaseClient._perform_request`` under ``perform_request``), whose work the
    operation's span holds (one span per operation, at the layer that names it)."""
    spanned = set(boundaries) | {i for i, (_, verdict) in enumerate(functions) if verdict.deserves_span(threshold)}
    by_symbol = {ctx.symbol: number for number, (ctx, _) in enumerate(functions)}
    found: dict[int, tuple[int, ...]] = {}
    for _ in range(len(functions)):  # a transport under a transport is found once the one above it is
        before = len(found)
        for number, (ctx, verdict) in enumerate(functions):
            if number in found or ctx.class_name is None or "<" in ctx.qualname or verdict.priority is None:
                continue
            if not ctx.name.startswith("_") or ctx.name.startswith("__"):
                continue
            above = _operations_above(functions, by_symbol, found, ctx)
            if above and (number in spanned or any(c in spanned for c in above)):
                found[number] = above
        if len(found) == before:
            break
    return found


def _operations_above(
    functions: Sequence[tuple[FunctionContext, Verdict]],
    by_symbol: dict[SymbolId, int],
    found: dict[int, tuple[int, ...]],
    ctx: FunctionContext,
) -> tuple[int, ...]:
    """The public methods of ``ctx``'s class above it when only they and transports of theirs (``found``) call it;
    empty otherwise."""
    owner = ctx.qualname.rpartition(".")[0]
    above: set[int] = set()
    for caller in set(ctx.graph.callers) - {ctx.symbol}:
        number = by_symbol.get(caller)
        if number is None or functions[number][0].qualname.rpartition(".")[0] != owner:
            return ()
        if number in found:
            above.update(found[number])
        elif functions[number][0].name.startswith("_"):
            return ()
        else:
            above.add(number)
    return tuple(sorted(above))


def _reaches_network(ctx: FunctionContext, network: Callable[[SymbolId], bool]) -> bool:
    """Network I/O of its own (a client call that operates: not one that connects, closes or reads a result) or
    through a private method of its class (its transport), as the evidence's I/O walk finds it or deeper
    (``network``: redis-py's ``_execute_command`` reaches the socket 4 calls down)."""
    through = any(private_method_of(ctx, symbol) and io.kind in NETWORK for symbol, io in ctx.callee_io.items()) or any(
        private_method_of(ctx, symbol) and network(symbol) for symbol in sorted(_callees(ctx))
    )
    operations = io_operations(ctx)
    return through or any(
        call.api is not None and call.api.kind in NETWORK and call.api.target in operations for call in ctx.calls
    )


_OWN_WORK = frozenset({Finding.CLIENT_CALL, Finding.CALLS_IO_FUNCTION_IN_LOOP, Finding.IO_LOOP, Finding.POLLING})


def _thin(verdict: Verdict) -> bool:
    """No client call of its own and no loop around I/O: all it adds to the boundary's work is the request's
    options."""
    return not any(s.finding in _OWN_WORK for s in verdict.signals)


def _callees(ctx: FunctionContext) -> set[str]:
    return {callee for call in ctx.calls for callee in call.workspace_callees}


def _normal(name: str) -> str:
    """A distribution or package name as PEP 503 compares them, dots too (``google-cloud-storage``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _setup_names(text: str) -> set[str]:
    """The literal ``name=`` arguments of ``setup(...)`` calls in a setup.py (never run: read)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if called != "setup":
            continue
        for keyword in node.keywords:
            if (
                keyword.arg == "name"
                and isinstance(keyword.value, ast.Constant)
                and isinstance(keyword.value.value, str)
            ):
                names.add(keyword.value.value)
    return names

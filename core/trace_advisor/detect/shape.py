"""The shape of a function: how much it does, and whether it is too trivial to deserve a span."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

from trace_advisor.datatypes import ResolvedCall, SymbolId, dotted_name
from trace_advisor.detect.apis import dotted_forms
from trace_advisor.detect.context import CallInfo, FunctionContext
from trace_advisor.statements import flatten
from trace_advisor.work_units import called_name, joins_strings, lifetime_iteration

# Servers and consoles that run until the process ends, by resolved name (the span would never end).
# A function "opens with" the statements at the top of its body, looking through try/with blocks.
_OPENING_BLOCKS = (ast.Try, ast.TryStar, ast.With, ast.AsyncWith)
_FOREVER_TARGETS = frozenset(
    {
        "werkzeug.serving.run_simple",
        "flask.Flask.run",
        "flask.app.Flask.run",
        "uvicorn.run",
        "uvicorn.main.run",
        "hypercorn.run.run",
        "waitress.serve",
        "aiohttp.web.run_app",
        "tornado.ioloop.IOLoop.start",
        "code.interact",
        "code.InteractiveConsole.interact",
        "IPython.embed",
        "IPython.start_ipython",
        "bpython.embed",
        "ptpython.repl.embed",
    }
)
# Blocking receives that make an endless loop a consumer for the life of the process.
_RECEIVE_TARGETS = frozenset(
    {
        "queue.Queue.get",
        "queue.SimpleQueue.get",
        "queue.PriorityQueue.get",
        "queue.LifoQueue.get",
        "multiprocessing.Queue.get",
        "multiprocessing.queues.Queue.get",
        "multiprocessing.queues.SimpleQueue.get",
        "asyncio.Queue.get",
        "asyncio.queues.Queue.get",
        "socket.socket.accept",
        "socket.socket.recv",
        "socket.socket.recvfrom",
    }
)


@dataclass(frozen=True, slots=True)
class Shape:
    statements: int  # statements in the body (nested blocks counted, nested defs not)
    calls: int
    distinct_calls: int
    lines: int
    trivial: str | None  # why it is trivial, or None
    generator: bool = False  # a span around a generator measures its consumer, not its work


_FOREVER_CALLS = frozenset(
    {
        "serve_forever",
        "run_forever",
        "run_until_disconnected",
        "start_consuming",
        "idle",
        "wait_for_termination",
        "run_app",
        "poll_forever",
        "consume_forever",
    }
)
_PURE_MODULES = (
    "re.",
    "json.",
    "hashlib.",
    "unicodedata.",
    "math.",
    "datetime.",
    "urllib.parse.",
    "os.path.",
    "itertools.",
    "functools.",
    "collections.",
    "string.",
    "textwrap.",
    "logging.",
    "typing.",
    "uuid.",
    "decimal.",
    "base64.",
    "hmac.",
    "time.",
    "random.",
    "operator.",
    "dataclasses.",
    "enum.",
    "copy.",
    "builtins.",
    "shlex.",
    "fnmatch.",
    "posixpath.",
    "html.",
    "secrets.",
    "struct.",
    "zlib.",
)
_PURE_BUILTINS = frozenset(
    {
        "len",
        "str",
        "int",
        "float",
        "bool",
        "isinstance",
        "issubclass",
        "sorted",
        "min",
        "max",
        "sum",
        "any",
        "all",
        "list",
        "dict",
        "set",
        "tuple",
        "range",
        "enumerate",
        "zip",
        "map",
        "filter",
        "repr",
        "round",
        "abs",
        "getattr",
        "setattr",
        "hasattr",
        "iter",
        "next",
        "print",
        "format",
        "type",
        "id",
        "hash",
        "frozenset",
        "reversed",
        "super",
        "divmod",
        "ord",
        "chr",
        "bytes",
        "vars",
        "callable",
    }
)
_CONTAINER_METHODS = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "split",
        "rsplit",
        "join",
        "encode",
        "decode",
        "replace",
        "startswith",
        "endswith",
        "format",
        "get",
        "items",
        "keys",
        "values",
        "append",
        "extend",
        "update",
        "pop",
        "setdefault",
        "add",
        "discard",
        "copy",
        "count",
        "index",
        "insert",
        "remove",
        "sort",
        "isoformat",
        "hexdigest",
        "digest",
        "group",
        "groups",
        "match",
        "search",
        "sub",
        "findall",
        "fullmatch",
        "casefold",
        "title",
        "zfill",
        "partition",
        "rpartition",
        "splitlines",
        "ljust",
        "rjust",
        "center",
        "debug",
        "info",
        "warning",
        "error",
        "exception",
        "critical",
        "log",
        "total_seconds",
        "timestamp",
        "strftime",
        "now",
        "utcnow",
        "today",
        "isdigit",
        "isalpha",
        "isalnum",
        "most_common",
        "quantize",
        "to_dict",
        "dict",
        "model_dump",
        "as_dict",
        "_replace",
    }
)
# Wiring and configuration calls: building parsers, loggers and registries is set-up, not work.
_WIRING_METHODS = frozenset(
    {
        "add_argument",
        "add_parser",
        "add_subparsers",
        "set_defaults",
        "add_argument_group",
        "add_mutually_exclusive_group",
        "setLevel",
        "addHandler",
        "setFormatter",
        "basicConfig",
        "getLogger",
        "register",
        "add_command",
        "include_router",
        "add_middleware",
        "add_url_rule",
        "register_blueprint",
        "connect_signal",
        "add_route",
        "mount",
    }
)


def meaningful_calls(ctx: FunctionContext) -> set[str]:
    """Distinct calls that do work: not builtins, not pure stdlib helpers, not string/container/logging methods."""
    found: set[str] = set()
    for call in ctx.calls:
        text = call.text
        last = text.rsplit(".", 1)[-1]
        if text in _PURE_BUILTINS or last in _CONTAINER_METHODS or last in _WIRING_METHODS or last.startswith("__"):
            continue
        if call.callees and all(dotted_name(c).startswith(_PURE_MODULES) for c in call.callees):
            continue
        if text.startswith(("log.", "logger.", "LOG.", "LOGGER.", "self.log", "self._log", "_log.", "logging.")):
            continue
        if last[:1].isupper() and call.api is None:
            continue  # constructing a value object or raising
        found.add(text)
    return found


def unresolved_calls(ctx: FunctionContext) -> list[CallInfo]:
    """Calls resolution could not follow that may hide I/O: not recognised by name as a client call, and not a
    string/container method (``engine.lookup(q)`` on an unannotated parameter, not ``expression.lower()``)."""
    return [
        call
        for call in ctx.calls
        if call.site.unresolved is not None
        and call.api is None
        and call.text.rsplit(".", 1)[-1] not in _CONTAINER_METHODS
    ]


def _runs_forever(ctx: FunctionContext) -> bool:
    """A top-level endless loop (``while True``/``while self.running``), a serve-forever call or a supervisor's wait
    for its workers (:func:`_supervises`): never ends."""
    for call in ctx.calls:
        if _forever_call(call.text, call.callees):
            return True
    if _supervises(ctx) or _iterates_for_life(ctx.body_without_docstring()):
        return True
    never_return = ctx.graph.callee_forever - ctx.graph.endless_generators
    if never_return and _calls_on_a_path(ctx, never_return):
        return True
    for stmt in flatten(ctx.body_without_docstring(), _OPENING_BLOCKS, main_block_only=True):
        if isinstance(stmt, ast.For | ast.AsyncFor):
            # ``async for _ in poll(0.5):`` over a workspace generator that never ends is ``while True``
            endless, flag = _iterates_forever(ctx, stmt.iter), False
        elif isinstance(stmt, ast.While):
            test = stmt.test
            endless = isinstance(test, ast.Constant) and bool(test.value)
            flag = (
                isinstance(test, ast.Attribute | ast.Name)
                or _event_is_set(test)  # ``while self._running.is_set():``, an event another thread clears
                or (isinstance(test, ast.UnaryOp) and isinstance(test.operand, ast.Attribute | ast.Name | ast.Call))
            ) and (not _makes_progress(stmt) or _receives(ctx, stmt))
        else:
            continue
        if not (endless or flag):
            continue
        if endless and _receives(ctx, stmt) and not _ends_each_pass(stmt):
            return True  # a consumer: it ends only when told to stop (a sentinel, a closed socket)
        if endless and _stops_on_request(stmt):
            return True  # ``while True: ... if self._stop_requested: break`` is ``while not self._stop_requested``
        exits = any(isinstance(n, ast.Break | ast.Return) for n in ast.walk(stmt))
        if not exits or (flag and not endless):
            return True
    return False


def _event_is_set(test: ast.expr) -> bool:
    return isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "is_set"


def _ends_each_pass(loop: ast.For | ast.AsyncFor | ast.While) -> bool:
    """A loop whose pass ends by leaving it unless a ``continue`` took it round again: ``while True: data =
    sock.recv(n); ...; if short: continue; return True`` reads until it has enough (redis-py's socket buffer), it
    does not wait for messages for the life of the process."""
    return isinstance(loop.body[-1], ast.Return | ast.Break | ast.Raise)


def _iterates_for_life(body: list[ast.stmt]) -> bool:
    """A ``for``/``async for`` over a ticker's ticks or a consumer's messages that leaves only when told to stop
    (:func:`trace_advisor.work_units.lifetime_iteration`), anywhere outside other loops and nested definitions: under
    an ``if`` too (faust's ``if freq: async for _ in self.itertimer(freq): ...``), since then it runs for life."""
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.For | ast.AsyncFor):
            if lifetime_iteration(node) is not None:
                return True
            continue
        if not isinstance(node, _NOT_THIS_LOOP):  # (a ``for`` is a statement: expressions are not walked into)
            pending.extend(c for c in ast.iter_child_nodes(node) if isinstance(c, _HOLDS_STATEMENTS))
    return False


_HOLDS_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


_SIGNAL_HANDLERS = frozenset({"signal.signal"})
_WAITS_FOR_WORKERS = frozenset({"join", "wait", "is_alive"})  # a process's, a thread's or a child's end


def _supervises(ctx: FunctionContext) -> bool:
    """A supervisor: it installs signal handlers (``signal.signal``, ``loop.add_signal_handler``) and, at its top
    level, loops waiting for its worker processes or threads to end (``while any(p.exitcode is None ...): p.join(1)``).
    It runs as long as its workers do, the process's whole life (dramatiq's CLI ``main``, a pre-fork server's master):
    each worker's units of work are where spans belong."""
    if not any(
        _calls_one_of(c.callees, _SIGNAL_HANDLERS) or c.text.rsplit(".", 1)[-1] == "add_signal_handler"
        for c in ctx.calls
    ):
        return False
    for stmt in flatten(ctx.body_without_docstring(), _OPENING_BLOCKS, main_block_only=True):
        if isinstance(stmt, ast.While) and any(
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in _WAITS_FOR_WORKERS
            and not joins_strings(n)  # the loops' own notion of a wait (work_units): ``", ".join(...)`` is none
            for n in ast.walk(stmt)
        ):
            return True
    return False


# Methods that take items out of the collection a ``while pending:`` loop tests: a worklist, drained to its end.
_DRAINS = frozenset({"pop", "popleft", "popitem", "clear", "remove", "discard", "get_nowait"})


def _makes_progress(loop: ast.While) -> bool:
    """Whether the loop's own body changes what its test reads: ``while objects: objects.popleft()`` drains a
    worklist, ``while line: line = f.readline()`` reads to the end, ``while not data.endswith(b"\\r\\n"): data +=
    ...`` reads until a line is complete (redis-py's socket buffer). A flag set from elsewhere (a signal handler,
    another thread: ``while self.running``, ``while not self._stop.is_set()``) is not a local name the body
    rebinds."""
    test = loop.test.operand if isinstance(loop.test, ast.UnaryOp) else loop.test
    tested = ast.unparse(test)
    root = test
    while isinstance(root, ast.Attribute | ast.Subscript | ast.Call):
        root = root.func if isinstance(root, ast.Call) else root.value
    local = root.id if isinstance(root, ast.Name) and root.id not in {"self", "cls"} else None
    for node in ast.walk(ast.Module(body=loop.body, type_ignores=[])):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _DRAINS:
            if ast.unparse(node.func.value) == tested:
                return True
        if local is None:
            continue
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.NamedExpr):
            targets = [node.target]
        if any(isinstance(n, ast.Name) and n.id == local for target in targets for n in ast.walk(target)):
            return True
    return False


def _iterates_forever(ctx: FunctionContext, iterable: ast.expr) -> bool:
    """Whether ``iterable`` is a call of a workspace generator that runs forever (its own endless loop)."""
    forever = ctx.graph.callee_forever
    return bool(forever) and any(c.node is iterable and _dispatched_among(c, forever) for c in ctx.calls)


def _dispatched_among(call: CallInfo, symbols: frozenset[str]) -> bool:
    """Whether the call runs one of ``symbols`` (workspace functions that never end) whatever it dispatches to: at
    least half of the workspace implementations it may run are among them. A call on a base class's method
    (``self.run(...)`` resolved to the 12 tools overriding ``BaseTool.run``) runs forever only when its
    implementations mostly do, not because one of them serves for the process's life: autogen's ``BaseTool.run_json``
    read as a lifetime loop, and was never recommended, because one tool among twelve streams forever. An abstract
    declaration beside its one implementation still counts as that implementation."""
    candidates = {edge.callee for edge in call.site.edges if not edge.external} | set(call.runs)
    among = candidates & symbols
    return bool(among) and 2 * len(among) >= len(candidates)


_Loop = ast.While | ast.For | ast.AsyncFor
_NOT_THIS_LOOP = (ast.While, ast.For, ast.AsyncFor, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _stops_on_request(loop: _Loop) -> bool:
    """Whether the loop leaves when a flag set from elsewhere says so (a signal handler, another thread, a mode such
    as a worker's ``burst``): an ``if`` testing an attribute of ``self``/``cls`` or an event's ``is_set()`` whose
    block breaks out or returns, however deep in that block."""
    pending: list[ast.AST] = list(loop.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef | ast.For | ast.While):
            continue  # a break there leaves another loop; a def's return is not this loop's
        if isinstance(node, ast.If) and _is_stop_flag(node.test) and _leaves(node.body, anywhere=True):
            return True
        pending.extend(ast.iter_child_nodes(node))
    return False


def _is_stop_flag(test: ast.expr) -> bool:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if isinstance(test, ast.Call):
        return not test.args and _event_is_set(test)  # threading.Event / asyncio.Event
    return isinstance(test, ast.Attribute) and isinstance(test.value, ast.Name) and test.value.id in {"self", "cls"}


def _leaves(block: list[ast.stmt], *, anywhere: bool = False) -> bool:
    """The block ends the loop: a ``break`` or ``return`` among its statements, or ``anywhere`` in it (not inside a
    nested loop or definition)."""
    pending: list[ast.AST] = list(block)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Break | ast.Return):
            return True
        if anywhere and not isinstance(
            node, _Loop | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
        ):
            pending.extend(ast.iter_child_nodes(node))
    return False


def _receives(ctx: FunctionContext, loop: _Loop) -> bool:
    """Whether the loop blocks on a queue or socket receive at its top level (``item = jobs.get()``)."""
    nodes = {id(n) for stmt in loop.body for n in ast.walk(stmt)}
    return any(id(c.node) in nodes and _calls_one_of(c.callees, _RECEIVE_TARGETS) for c in ctx.calls)


def _calls_one_of(callees: Iterable[SymbolId], targets: frozenset[str]) -> bool:
    """Whether a call resolves to one of ``targets`` (dotted, by import path or under the package)."""
    return any(name in targets for callee in callees for name in dotted_forms(callee))


def _forever_call(text: str, callees: Iterable[SymbolId]) -> bool:
    """A call that serves until the process ends: by its method name or its resolved target."""
    return text.rsplit(".", 1)[-1] in _FOREVER_CALLS or _calls_one_of(callees, _FOREVER_TARGETS)


def may_run_forever(sites: Iterable[ResolvedCall], code: str) -> bool:
    """What :func:`runs_forever` needs, found without a syntax tree: a serve-forever call among the resolved call
    sites, or a ``while`` or ``async for`` (a poll loop over a generator) in the function's source (most functions
    have neither: no context is built for them)."""
    return "while" in code or "async for" in code or any(_forever_call(site.text, site.callees) for site in sites)


def _calls_on_a_path(ctx: FunctionContext, callees: frozenset[str]) -> bool:
    """Whether the function runs one of ``callees`` to its end on some path it takes when nothing fails: at its top
    level or in a branch (``if check: ... else: run_worker()``), not in an ``except`` handler or a nested definition.
    A span that never ends on one path is never exported on it, and its children then name a parent that never
    arrives. Only a call that waits for the callee counts (:func:`_waited_calls`): a coroutine handed to
    ``create_task`` runs beside the function (a logger starting its event bus), and a loop's own iterable is an
    endless generator the loop leaves when it has its answer (:func:`runs_forever` judges the loop itself)."""
    waited = _waited_calls(ctx)
    return any(id(c.node) in waited and _dispatched_among(c, callees) for c in ctx.calls)


_RUNS_COROUTINES = frozenset({"run", "run_until_complete", "gather", "wait_for", "shield"})  # run what they are given
_RUNS_THE_LOOP = frozenset({"run_until_complete", "run_forever"})  # a sync caller blocks while the loop runs its tasks


def _waited_calls(ctx: FunctionContext) -> set[int]:
    """The calls (by node id) the function waits for on a path without an error: awaited ones and what an awaited or
    blocking runner is given (``await f()``, ``asyncio.run(main())``, ``await asyncio.gather(a(), b())``); in a
    plain function also its calls that are not an argument of another call, and what it hands to ``create_task``
    when it then runs the loop itself (``loop.run_until_complete(task)``)."""
    pending: list[tuple[ast.AST, ast.AST | None]] = [(node, None) for node in ctx.body_without_docstring()]
    runs_loop = not ctx.is_async and any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _RUNS_THE_LOOP
        for n in ctx.nodes
    )
    waited: set[int] = set()
    while pending:
        node, parent = pending.pop()
        if isinstance(node, ast.ExceptHandler | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.For | ast.AsyncFor):
            pending.extend((child, node) for child in ast.iter_child_nodes(node) if child is not node.iter)
            pending.extend((child, node.iter) for child in ast.iter_child_nodes(node.iter))
            continue
        if isinstance(node, ast.Call):
            if isinstance(parent, ast.Await):
                waited.add(id(node))
            elif isinstance(parent, ast.Call):
                name = called_name(parent.func)
                if name in _RUNS_COROUTINES or (runs_loop and name in ("create_task", "ensure_future")):
                    waited.add(id(node))
            elif not ctx.is_async:
                waited.add(id(node))
        pending.extend((child, node) for child in ast.iter_child_nodes(node))
    return waited


def _is_test_code(ctx: FunctionContext) -> bool:
    """Unit tests and fixtures: spans belong in the code under test."""
    parts = ctx.module.split(".")
    last = parts[-1]
    in_tests = bool({"test", "tests", "testing"} & set(parts[:-1]))
    test_file = last.startswith("test_") or last.endswith("_test") or last in {"conftest", "tests", "test"}
    test_class = (ctx.class_name or "").rsplit(".", 1)[-1].startswith("Test")
    return in_tests or test_file or test_class or (ctx.is_method and ctx.name.startswith("test_"))


def _is_migration(ctx: FunctionContext) -> bool:
    """Django's ``migrations`` packages, a project's own ``migrations`` module of ``m001_initial``-style steps that its
    runner applies in order, Alembic's ``versions`` scripts and ``env.py``: their DDL is not a write to a table an
    operator would trace, and they run once per deploy (the alembic library itself is not one). An Alembic revision
    script is one wherever it lives: its ``down_revision = ...`` says so."""
    *packages, last = ctx.module.split(".")
    if "migrations" in packages or (last == "migrations" and packages):
        return True
    # a runner's numbered steps: ``snuba_migrations/events/0010_groupedmessages_fix.py`` (Sentry's snuba)
    if any(p.endswith("_migrations") for p in packages) or _NUMBERED_STEP.match(last):
        return True
    if "alembic" in packages[1:] or (packages[:1] == ["alembic"] and (last == "env" or "versions" in packages)):
        return True
    # an Alembic revision script wherever it lives (Netflix dispatch's ``database/revisions/core/versions/``)
    return any(_DOWN_REVISION.match(line) for line in ctx.lines[:60])


_DOWN_REVISION = re.compile(r"down_revision\s*(:[^=]*)?=")  # at the start of a line: a module-level assignment
_NUMBERED_STEP = re.compile(r"^\d{3,}_[a-z]")  # ``0010_add_index``: not importable by name, loaded by a runner


# Header phrases code generators write at the top of their output (protoc, grpc_tools, openapi-generator,
# datamodel-codegen, Thrift, ``@generated`` for tools that honour it), lower-cased.
_GENERATED_MARKS = (
    "@generated",
    "do not edit",
    "auto-generated",
    "auto generated",
    "autogenerated",
    "automatically generated",
    "code generated by",
    "generated by the protocol buffer compiler",
)


# A comment at the top saying which generator wrote the file (``# File generated from our OpenAPI spec by Stainless``,
# ``# This file was generated by ...``): in a comment only, where a module's docstring may say what it generates.
_GENERATED_COMMENT = re.compile(r"^#.*\b(file|code|module) (was |is )?(auto-?)?generated (from|by)\b", re.IGNORECASE)


def _configures_the_app(ctx: FunctionContext) -> bool:
    """Pyramid's start-up wiring: an ``includeme(config)`` hook (``config.include(...)`` runs it once while the
    application is configured), or a function building or driving a ``Configurator`` (the application factory)."""
    if not ctx.is_method and ctx.name == "includeme" and [a.arg for a in ctx.node.args.args[:1]] == ["config"]:
        return True
    return any(c.startswith("pyramid.config:Configurator") for call in ctx.calls for c in call.callees)


def _is_generated(ctx: FunctionContext) -> bool:
    """A module written by a code generator: its header says so, or it is protobuf/gRPC output (``*_pb2.py``,
    ``*_pb2_grpc.py``)."""
    if ctx.module.endswith(("_pb2", "_pb2_grpc")):
        return True
    header = ctx.lines[:15]
    text = "\n".join(header).lower()
    return any(mark in text for mark in _GENERATED_MARKS) or any(_GENERATED_COMMENT.match(line) for line in header)


# Packages that hold copies of other projects' code (pip's ``_vendor``); a plain ``vendor`` package counts only with
# a project's package inside (freqtrade's ``vendor/qtpylib``), not as a marketplace's ``vendor`` app (``vendor.views``)
_VENDOR_PACKAGES = frozenset({"_vendor", "vendored", "_vendored", "third_party", "thirdparty", "_third_party"})


def _is_vendored(ctx: FunctionContext) -> bool:
    """A module inside a package of vendored code: indexed, since the project calls it, but not the project's to
    instrument."""
    parts = ctx.module.split(".")
    return any(
        part in _VENDOR_PACKAGES or (part == "vendor" and len(parts) - i >= 3) for i, part in enumerate(parts[:-1])
    )


def _is_wrapper_factory(ctx: FunctionContext) -> bool:
    """A decorator or factory: defines an inner function and returns it."""
    inner = {s.name for s in ctx.node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
    returns = {n.value.id for n in ctx.nodes if isinstance(n, ast.Return) and isinstance(n.value, ast.Name)}
    return bool(inner & returns)


def _is_generic_wrapper(ctx: FunctionContext) -> bool:
    """The ``wrapper(*args, **kwargs)`` inside a decorator: the span belongs to the decorated function."""
    args = ctx.node.args
    return "<locals>" in ctx.qualname and args.vararg is not None and args.kwarg is not None


def _is_stub(body: list[ast.stmt]) -> bool:
    if len(body) != 1:
        return False
    stmt = body[0]
    if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
        return True
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def _decorator_names(ctx: FunctionContext) -> set[str]:
    names = set()
    for dec in ctx.node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


# Hooks a data-model library calls while it builds, checks or dumps one object (pydantic, marshmallow, attrs,
# SQLAlchemy's ``@validates``): one span per field of every object built, inside whatever span builds it.
_MODEL_HOOKS = frozenset(
    {"field_validator", "model_validator", "validator", "root_validator", "field_serializer", "model_serializer"}
    | {"validates", "validates_schema", "pre_load", "post_load", "pre_dump", "post_dump"}
)


# Methods a library calls once per item it processes (each object ``json`` cannot encode, each log record, each
# syntax node, each tag): a span there is one per item, inside the span of the code that started the work. Keyed by
# the library's top package and the end of its class name (``logging.handlers:RotatingFileHandler`` is a
# ``Handler``); a hook ending in ``*`` is a prefix (``visit_Call``).
_DJANGO_MIDDLEWARE_HOOKS = (
    "process_request",
    "process_view",
    "process_response",
    "process_exception",
    "process_template_response",
)
_PER_ITEM_HOOKS: dict[tuple[str, str], tuple[str, ...]] = {
    ("json", "JSONEncoder"): ("default",),
    ("logging", "Handler"): ("emit", "handle", "format", "filter", "handleError"),
    ("logging", "Formatter"): ("format", "formatTime", "formatException", "formatMessage", "formatStack"),
    ("logging", "Filter"): ("filter",),
    ("ast", "NodeVisitor"): ("visit", "generic_visit", "visit_*"),
    ("ast", "NodeTransformer"): ("visit", "generic_visit", "visit_*"),
    ("html", "HTMLParser"): ("handle_*",),
    ("xml", "ContentHandler"): ("startElement*", "endElement*", "characters"),
    # Django's middleware: per request, inside the request's server span (a span belongs to the work a hook starts)
    ("django", "MiddlewareMixin"): _DJANGO_MIDDLEWARE_HOOKS,
    ("django", "Middleware"): _DJANGO_MIDDLEWARE_HOOKS,
    # Django REST framework: per field of every object a serializer reads or writes (``many=True``: every item)
    ("rest_framework", "Serializer"): ("validate", "validate_*", "to_representation", "to_internal_value"),
    ("rest_framework", "Field"): ("to_representation", "to_internal_value", "run_validation", "get_attribute"),
}


# Logging classes of other libraries subclass the standard library's: read without their source (Django's
# ``django.utils.log:AdminEmailHandler``, structlog's), the name of the module holding them says so.
_LOGGING_MODULES = frozenset({"log", "logs", "logging", "logger", "loggers", "structlog"})


def _per_item_hook(ctx: FunctionContext) -> str | None:
    """The library class whose per-item hook this method overrides, if it is one (its dotted name)."""
    name = ctx.name
    for base in ctx.class_mro:
        module, _, qualname = base.partition(":")
        package = "logging" if _LOGGING_MODULES.intersection(module.split(".")) else module.partition(".")[0]
        for (library, suffix), hooks in _PER_ITEM_HOOKS.items():
            if package != library or not qualname.endswith(suffix):
                continue
            if any(name == hook or (hook.endswith("*") and name.startswith(hook[:-1])) for hook in hooks):
                return dotted_name(base)
    return None


# Tracing packages whose span classes (``opentelemetry.trace.span:Span``, ``sentry_sdk.tracing:Span``,
# ``logfire...:LogfireSpan``) a helper may be handed to annotate.
_TRACING_PACKAGES = frozenset({"opentelemetry", "sentry_sdk", "ddtrace", "logfire"})


# OpenTelemetry SDK interfaces that carry telemetry out: the methods of their implementations run for every span,
# batch or record the process produces (polar's ``S3SpanExporter.export``)
_TELEMETRY_INTERFACES = (
    "SpanExporter",
    "SpanProcessor",
    "MetricExporter",
    "MetricReader",
    "LogExporter",
    "LogRecordProcessor",
    "Sampler",
    "TextMapPropagator",
)


def _telemetry_pipeline(ctx: FunctionContext) -> str | None:
    """The OpenTelemetry interface (its dotted name) the function's class implements, if it does."""
    for base in ctx.class_mro:
        module, _, qualname = base.partition(":")
        if module.partition(".")[0] == "opentelemetry" and qualname.endswith(_TELEMETRY_INTERFACES):
            return dotted_name(base)
    return None


def _annotates_given_span(ctx: FunctionContext) -> bool:
    """Whether the function annotates a span it is given: it calls a method of a tracing package's span class
    (``span.set_attribute(...)``, ``span.add_event(...)``, as resolution names them) on one of its parameters. It runs
    inside that span, which is the caller's."""
    parameters = {a.arg for a in ctx.parameters()}
    for call in ctx.calls:
        func = call.node.func if isinstance(call.node, ast.Call) else None
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in parameters):
            continue
        for callee in call.callees:
            module, _, qualname = callee.partition(":")
            if module.partition(".")[0] in _TRACING_PACKAGES and qualname.rpartition(".")[0].endswith("Span"):
                return True
    return False


def runs_forever(ctx: FunctionContext) -> bool:
    """Public form of the endless-loop test, used to propagate "long-lived" to callers through the call graph."""
    return _runs_forever(ctx)


# Functions named for a liveness signal a process sends every few seconds for its whole life (``heartbeat``,
# ``_send_keepalive``, ``keep_alive_handler``), not for ``keep_alive`` as an option (``_close_if_not_keep_alive``).
_LIVENESS = re.compile(r"^_*(send_|do_|update_|_)*(heartbeat|keepalive|keep_alive)(_task|_handler|_loop)*$")


# Methods that start, stop or (re)connect the object they belong to (``stop``, ``_connect``, ``setup``): its lifecycle,
# run once per object around the operations it serves, whose spans show what it set up or tore down (a failed connect
# fails the first operation that needs it, and is logged). On 15 real projects whose maintainers placed their spans, 3
# of 201 such methods were traced; 23 of the engine's recommendations there were such methods, none traced. ``close``
# and ``cleanup`` are not among them (a writer's ``close`` flushes: 3 of 13 recommended were traced), nor verbs that
# name a business operation as often (``cancel`` an order, ``reset`` a password). Only beside operations of the object
# (:func:`_lifecycle_of_a_service`).
_LIFECYCLE = frozenset({"start", "stop", "setup", "teardown", "connect", "disconnect", "reconnect", "shutdown"})


def _lifecycle_of_a_service(ctx: FunctionContext) -> bool:
    """A method starting, stopping or (re)connecting an object that has operations of its own beside (other public
    methods, whose spans show what it set up). A class whose public methods are all its lifecycle (a process's
    ``Core`` with ``setup``, ``start``, ``stop``) does its work there: that lifecycle is what it does."""
    if ctx.class_name is None or "<" in ctx.qualname or ctx.name.lstrip("_") not in _LIFECYCLE:
        return False
    return any(
        f.class_name == ctx.class_name and not f.node.name.startswith("_") and f.node.name not in _LIFECYCLE
        for f in ctx.analysed.functions()
    )


def shape_of(ctx: FunctionContext, has_io: bool) -> Shape:
    """Measure the function and decide triviality (getters, dunders, stubs, one-line pure helpers).

    ``has_io``: the detectors found I/O or an entry point, so a one-line body is not a pure helper."""
    stmts = ctx.statements()
    calls = list(ctx.calls)
    distinct = meaningful_calls(ctx)
    lines = (ctx.node.end_lineno or ctx.node.lineno) - ctx.node.lineno + 1
    body = ctx.body_without_docstring()
    decorators = _decorator_names(ctx)
    name = ctx.name
    trivial: str | None = None
    if not body or _is_stub(body):
        trivial = "empty or abstract body"
    elif {"property", "setter", "getter", "cached_property", "abstractmethod", "overload"} & decorators:
        trivial = "property or abstract method"
    elif name.startswith("__") and name.endswith("__"):
        trivial = f"special method {name}"
    elif len(body) == 1 and isinstance(body[0], ast.Return | ast.Expr | ast.Assign) and not has_io:
        trivial = "one-line helper without I/O"
    elif len(stmts) <= 2 and not calls:
        trivial = "no calls and almost no logic"
    elif _MODEL_HOOKS & decorators:
        trivial = "data-model validator or serializer (runs per field of every object: the code building it is traced)"
    elif (hook := _per_item_hook(ctx)) is not None:
        trivial = f"a {hook} hook, called once per item it handles (the span belongs to the code starting the work)"
    elif (pipeline := _telemetry_pipeline(ctx)) is not None:
        trivial = f"part of the telemetry pipeline ({pipeline}): a span here would feed the pipeline it runs in"
    elif not has_io and _annotates_given_span(ctx):
        trivial = "annotates the span it is given (it runs inside that span, the caller's: tracing plumbing)"
    elif {"contextmanager", "asynccontextmanager"} & decorators:
        trivial = "context-manager helper (the span belongs to the code using it)"
    elif _is_wrapper_factory(ctx) or _is_generic_wrapper(ctx):
        trivial = "decorator or factory (the span belongs to the decorated function)"
    elif _is_test_code(ctx):
        trivial = "test code"
    elif _is_migration(ctx):
        trivial = "schema migration (runs once, under the migration tool, which logs it)"
    elif _configures_the_app(ctx):
        trivial = "configures the application at start-up (runs once, before any request: not an operation to trace)"
    elif _is_generated(ctx):
        trivial = "generated code (regenerating it would drop the span: trace the code calling it)"
    elif _is_vendored(ctx):
        trivial = "vendored code (a copy of another project, replaced on its next update: trace the code calling it)"
    elif _runs_forever(ctx):
        trivial = "runs for the life of the process: a span would never end (trace each unit of work instead)"
    elif _LIVENESS.search(name):
        trivial = "a liveness signal (heartbeat, keepalive): one trace per beat tells nothing (a metric suits it)"
    elif _lifecycle_of_a_service(ctx):
        trivial = (
            f"lifecycle of its object ({name}): runs once per object, around the operations whose spans show what it"
            " set up or tore down"
        )
    generator = any(isinstance(n, ast.Yield | ast.YieldFrom) for n in ctx.nodes)
    return Shape(len(stmts), len(calls), len(distinct), lines, trivial, generator)

"""What every detector receives about one function: its syntax, its call sites as the resolver resolved them (with
what each one is as a client API), and its call-graph facts. Detectors never name or resolve anything themselves."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from trace_advisor.analysed import AnalysedModule, FunctionNode, FunctionSyntax
from trace_advisor.caller_chosen import chosen_in
from trace_advisor.datatypes import Range, ResolvedCall, SpanKey, SymbolId
from trace_advisor.detect.apis import ApiMatch, classify, io_site
from trace_advisor.detect.names import walk_body_depth

Comprehension = ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp
CallNode = ast.Call | ast.stmt | ast.YieldFrom | ast.Attribute | Comprehension | ast.comprehension | None


@dataclass(frozen=True, slots=True)
class CallInfo:
    """One call site of the function: the resolver's answer (``site``), its syntax (``node``: the call; the statement
    of a call Python makes for ``with``/``for``/``raise``/``yield from``; None for a bare decorator of a nested def)
    and what client API it is (``api``, from the resolved callee or, only when the call is unresolved, guessed from
    the receiver's name)."""

    site: ResolvedCall
    # an attribute: a property read; a comprehension: iterating its first iterable (a later clause's iterable: that
    # clause, inside the comprehension's loop)
    node: CallNode
    api: ApiMatch | None
    runs: tuple[SymbolId, ...] = ()  # the decorated function run through its decorator's closure (``GraphFacts.runs``)

    @property
    def range(self) -> Range:
        return self.site.range

    @property
    def text(self) -> str:
        """The callee expression as written: ``self.repo.save``."""
        return self.site.text

    @property
    def callees(self) -> tuple[SymbolId, ...]:
        """Every symbol the call can reach (several when the receiver can be one of several values)."""
        return self.site.callees

    @property
    def resolved(self) -> bool:
        return bool(self.site.edges)

    def named(self, callee: SymbolId) -> str:
        """How a rationale names ``callee`` of this call: its symbol, or the call as written when the call runs one
        of several functions of that name through a closure (``resource.with_raw_response.retrieve``: which
        ``retrieve`` the closure's factory was given is not known here)."""
        return self.text if len(self.runs) > 1 and callee in self.runs else callee

    @property
    def workspace_callees(self) -> tuple[SymbolId, ...]:
        """The callees whose source is in the workspace (their I/O is found by looking inside them): the decorated
        function first where the call reaches it through its decorator's closure (``charge``, then ``wrapper``)."""
        return (*self.runs, *(edge.callee for edge in self.site.edges if not edge.external))


@dataclass(frozen=True, slots=True)
class CalleeIO:
    """What I/O a workspace callee does: the catalog kind (http, db, file...), a label for rationales, and how many
    calls below the callee it happens (0: in the callee itself, 1: in a function the callee calls, ...)."""

    kind: str
    label: str
    below: int = 0


@dataclass(frozen=True, slots=True)
class ObservedIo:
    """A call observed at run time that the static graph does not have, into code that does I/O."""

    callee: SymbolId
    line: int  # the caller's line
    count: int
    io: CalleeIO | None  # what I/O a workspace callee does (as ``callee_io``); None: a client API outside


@dataclass(frozen=True, slots=True)
class ObservedFacts:
    """What a recording (``trace-advisor calls --record``) saw of one function."""

    calls: int  # calls into it
    seconds: float  # cumulative seconds in it (recursion counted once)
    share: float  # of the recorded command's wall time
    command: str  # the recorded command, for rationales
    io: tuple[ObservedIo, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class Registration:
    """One registration of a function as a request handler: the function that registers it, the framework's
    registering function (``aiohttp.web_routedef:get``) and the route it serves, as far as it is written as literals
    (``GET /core/info``, ``/core/info``; empty when not)."""

    caller: SymbolId
    via: SymbolId
    route: str = ""


@dataclass(frozen=True, slots=True)
class GraphFacts:
    """Call-graph facts about one function (empty when no graph is available)."""

    callers: tuple[SymbolId, ...] = ()
    reachable_from_entry: bool | None = None
    callee_io: Mapping[SymbolId, CalleeIO] = field(default_factory=dict)  # workspace callees that do I/O
    # workspace functions it hands to a library to run (a thread, a pool, ``asyncio.to_thread``) that do I/O
    handed_io: Mapping[SymbolId, CalleeIO] = field(default_factory=dict)
    callee_forever: frozenset[SymbolId] = frozenset()  # workspace callees that run for the life of the process
    # those of them that are generators: a call makes the generator, only iterating it runs forever
    endless_generators: frozenset[SymbolId] = frozenset()
    # where it is handed to a job queue or scheduler to run later as a job of its own: (caller, the queue's function,
    # ``rq:Queue.enqueue``), from the call graph's edges marked ``via`` one (:func:`~trace_advisor.resolve.callbacks
    # .runs_as_job`)
    submitted_by: tuple[tuple[SymbolId, SymbolId], ...] = ()
    callee_work: frozenset[SymbolId] = frozenset()  # workspace callees where a job's own work runs (``Job.perform``)
    # where it is registered as a web framework's request handler (``web.get("/info", api.info)``), from the call
    # graph's edges marked ``via`` one (:func:`~trace_advisor.resolve.callbacks.handles_requests`)
    registered_by: tuple[Registration, ...] = ()
    # where it is registered as a queue consumer's callback, called per message (``channel.basic_consume(queue="q",
    # on_message_callback=handle)``): (caller, the client's function), from the call graph's edges marked ``via`` one
    # (:func:`~trace_advisor.resolve.callbacks.handles_messages`)
    consumes_for: tuple[tuple[SymbolId, SymbolId], ...] = ()
    # the workspace consumers calling it once per message they receive, through a callable stored on them
    # (``self.handler(message)`` in a loop of a function receiving from a queue client: ``Analyzer._per_message``)
    consumed_by: tuple[SymbolId, ...] = ()
    # where it is started as a task of its own with its input (``asyncio.create_task(self._process(envelope))``): (the
    # workspace function starting it, the primitive: ``create_task``), unless it runs for the life of the process
    started_by: tuple[tuple[SymbolId, str], ...] = ()
    # the health or readiness probes that are its only way in, through its callers or theirs (``GraphFactsBuilder
    # .probed_by``): it runs once per probe
    probed_by: tuple[SymbolId, ...] = ()
    observed: ObservedFacts | None = None  # None: no recording, or the function never ran in it
    # at a call of the closure a decorator returned (``charge(1)`` reaching ``timer``'s ``wrapper``): the decorated
    # function it runs there, by the call's packed span
    runs: Mapping[SpanKey, tuple[SymbolId, ...]] = field(default_factory=dict)
    # the project's span helpers it calls (a context manager whose body starts a span): it has its span through them
    span_helpers: tuple[SymbolId, ...] = ()
    # the parameters of the workspace functions it calls (what a value passed to them is called there: a parameter
    # passed on as ``email`` holds an email, whatever its own name: ``advise.capture``)
    callee_params: Mapping[SymbolId, CalleeParameters] = field(default_factory=dict)
    # workspace callees that call a function they are given within the call (a retry's ``__call__`` running
    # ``func(*args, **kwargs)``): a callable handed to them runs now, not later as a job
    runners: frozenset[SymbolId] = frozenset()


@dataclass(frozen=True, slots=True)
class CalleeParameters:
    """A workspace function's parameter names in order, the first ``positional`` of them positional (the rest:
    ``*args``, keyword-only, ``**kwargs``); ``bound``: its first one receives the receiver of an attribute call (a
    method's ``self``/``cls``, ``__init__``'s ``self`` for a class call)."""

    names: tuple[str, ...]
    positional: int
    bound: bool


class FunctionContext:
    """One function as the detectors see it. Built once; detectors only read it."""

    def __init__(self, analysed: AnalysedModule, function: FunctionSyntax, graph: GraphFacts | None = None) -> None:
        self.analysed = analysed
        self.function = function
        self.node: FunctionNode = function.node
        self.qualname = function.scope.qualname
        self.class_name = function.class_name
        self.symbol = function.symbol
        self.graph = graph or GraphFacts()
        self.is_async = isinstance(function.node, ast.AsyncFunctionDef)
        walked = list(walk_body_depth(function.node))
        self.nodes: tuple[ast.AST, ...] = tuple(n for n, _ in walked)
        # only the nodes inside a loop (most are not): a depth per node of every context the run keeps was ~8% of
        # what ``analyze`` held after its run on twilio's rest/api; ``loop_depth`` reads the rest as 0. A node the
        # parser shares (``ast.Load()``, operators) reads as where it was walked last, as a depth per node gave.
        self._loops: dict[int, int] = {}
        for node, depth in walked:
            if depth:
                self._loops[id(node)] = depth
            elif self._loops:
                self._loops.pop(id(node), None)
        self.callee_io: Mapping[SymbolId, CalleeIO] = self.graph.callee_io
        self.calls: tuple[CallInfo, ...] = _calls(analysed, function, self.nodes, self.graph)

    def without_graph(self) -> FunctionContext:
        """This def as ``FunctionContext(analysed, function)`` builds it without graph facts, from what this one
        read: the body walk and each call site's node and client API depend on the def alone, only a call's ``runs``
        on the graph (the volume estimate asks for ~4,000 such contexts of functions the run analysed: a third of
        the contexts it built, each walk done again)."""
        bare = object.__new__(FunctionContext)
        bare.analysed, bare.function, bare.node = self.analysed, self.function, self.node
        bare.qualname, bare.class_name, bare.symbol = self.qualname, self.class_name, self.symbol
        bare.graph = GraphFacts()
        bare.is_async = self.is_async
        bare.nodes, bare._loops = self.nodes, self._loops
        bare.callee_io = bare.graph.callee_io
        bare.calls = tuple(replace(call, runs=()) if call.runs else call for call in self.calls)
        return bare

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def module(self) -> str:
        return self.analysed.name

    @property
    def lines(self) -> list[str]:
        return self.analysed.lines

    @property
    def is_method(self) -> bool:
        return self.class_name is not None

    @property
    def fan_in(self) -> int:
        return len(set(self.graph.callers))

    @property
    def crosses_package_boundary(self) -> bool:
        """Called from another top-level package than its own (a public API of its package)."""
        own = self.module.split(".")[0]
        return any(c.split(":")[0].split(".")[0] != own for c in self.graph.callers)

    @property
    def class_mro(self) -> tuple[SymbolId, ...]:
        """The enclosing class's bases in method resolution order (import-path names outside the readable code)."""
        return self.analysed.mros.get(self.class_name, ()) if self.class_name is not None else ()

    def decorator_callees(self, decorator: ast.expr) -> tuple[SymbolId, ...]:
        """What one of the function's decorators calls, as resolved (``@app.route(...)``: ``Flask.route``)."""
        site = self.analysed.site_at(self.range_of(decorator))
        return site.callees if site is not None else ()

    def range_of(self, node: ast.AST) -> Range:
        return self.analysed.range_of(node)

    def full_range(self) -> Range:
        """The whole definition, decorators included (like the index's ``Definition.range``)."""
        rng = self.range_of(self.node)
        if not self.node.decorator_list:
            return rng
        first = min(self.node.decorator_list, key=lambda d: (d.lineno, d.col_offset))
        start = self.range_of(first).start
        return Range.of(start.line, max(start.column - 1, 0), rng.end.line, rng.end.column)  # include the "@"

    def name_range(self) -> Range:
        """The range of the function's name after ``def`` (falls back to the start of the def)."""
        line_no = self.node.lineno
        text = self.lines[line_no - 1] if 0 < line_no <= len(self.lines) else ""
        match = re.search(rf"\bdef\s+({re.escape(self.node.name)})\b", text)
        if match is None:
            rng = self.range_of(self.node)
            return Range.of(line_no, rng.start.column, line_no, rng.start.column)
        return Range.of(line_no, match.start(1), line_no, match.end(1))

    def code(self) -> str:
        """The function's source, decorators included, dedented."""
        return self.analysed.code_of(self.node)

    def statements(self) -> list[ast.stmt]:
        return [n for n in self.nodes if isinstance(n, ast.stmt)]

    def body_without_docstring(self) -> list[ast.stmt]:
        body = list(self.node.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        return body

    def parameters(self) -> list[ast.arg]:
        args = self.node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if self.is_method and params and params[0].arg in {"self", "cls"}:
            params = params[1:]
        return params

    def loop_depth(self, node: ast.AST | None) -> int:
        """How many loops (for/while/comprehensions) enclose ``node`` inside this function."""
        return self._loops.get(id(node), 0) if node is not None else 0


def _calls(
    analysed: AnalysedModule, function: FunctionSyntax, body: tuple[ast.AST, ...], graph: GraphFacts
) -> tuple[CallInfo, ...]:
    """The call sites resolution attributes to this def whose syntax is in its body, each with its node (found by
    its range): calls among the body's nodes, then in what runs with it inside nested scopes (lambdas, class bodies
    and bases, default values). A site with no node in the body is gone from it (a span's code taken out)."""
    sites = analysed.sites_of(function.symbol, within=analysed.range_of(function.node))
    if not sites:
        return ()
    wanted = {site.range for site in sites}
    with_edges = {site.range for site in sites if site.edges}
    # a node's range starts on its first line: one on a line where no site starts is none (its range is not made)
    lines = {rng.parts()[0] for rng in wanted}
    nodes: dict[Range, CallNode] = {}
    for child in body:
        if isinstance(child, ast.Call | ast.Attribute):
            if getattr(child, "lineno", 1) in lines and (rng := analysed.range_of(child)) in wanted:
                nodes[rng] = child  # an attribute: a property read, a site only when it runs a getter
        elif isinstance(child, _STATEMENT_CALLS):  # with no edges, such a call is transparent: not a call here
            if getattr(child, "lineno", 1) in lines:
                nodes.update((rng, child) for rng in _statement_ranges(analysed, child) if rng in with_edges)
        elif isinstance(child, _COMPREHENSIONS) and with_edges:
            nodes.update(_iterations(analysed, child, with_edges))
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for decorator in child.decorator_list:  # a bare ``@name`` of a nested def is a call of ``name``
                if not isinstance(decorator, ast.Call) and (rng := analysed.range_of(decorator)) in wanted:
                    nodes[rng] = None
    if len(nodes) < len(wanted):
        for scope in body:
            for part in _runs_here(scope):
                for child in ast.walk(part):
                    if isinstance(child, ast.Call | ast.Attribute) and (rng := analysed.range_of(child)) in wanted:
                        nodes[rng] = child
                    elif isinstance(child, _STATEMENT_CALLS):
                        nodes.update((rng, child) for rng in _statement_ranges(analysed, child) if rng in with_edges)
                    elif isinstance(child, _COMPREHENSIONS) and with_edges:
                        nodes.update(_iterations(analysed, child, with_edges))
    chosen = chosen_in(analysed.info, function.scope.qualname)  # what callers pass is not this function's own I/O
    runs = graph.runs
    mappings: set[str] | None = None

    def api(site: ResolvedCall) -> ApiMatch | None:
        nonlocal mappings
        found = classify(own) if (own := io_site(analysed.facts, site, chosen)) else None
        if found is None or found.resolved:
            return found
        # a guess by the receiver's name (``evaluation_cache.get``) is no client call when the function uses that
        # receiver as a mapping: subscripted or tested with ``in`` (posthog's dict parameter named a cache)
        if mappings is None:
            mappings = mapping_names(body)
        return None if site.text.rpartition(".")[0] in mappings else found

    return tuple(
        CallInfo(site, nodes[site.range], api(site), runs.get(site.span, ())) for site in sites if site.range in nodes
    )


def mapping_names(body: Iterable[ast.AST]) -> set[str]:
    """The names and attribute chains (``cache``, ``self._cache``) the body subscripts or tests with ``in``."""
    found: set[str] = set()
    for node in body:
        if isinstance(node, ast.Subscript):
            target: ast.expr | None = node.value
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In | ast.NotIn):
            target = node.comparators[0]
        else:
            continue
        if (name := _chain(target)) is not None:
            found.add(name)
    return found


def _chain(node: ast.expr | None) -> str | None:
    """``a.b.c`` of a chain of names and attributes, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


_STATEMENT_CALLS = (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.Raise, ast.YieldFrom)


def _statement_ranges(
    analysed: AnalysedModule, node: ast.With | ast.AsyncWith | ast.For | ast.AsyncFor | ast.Raise | ast.YieldFrom
) -> list[Range]:
    """Where the resolver's sites of the calls a statement makes are (``facts.extract``: from the keyword to the end
    of each ``with`` item, of the iterable, or the whole ``raise``/``yield from``)."""
    whole = analysed.range_of(node)
    if isinstance(node, ast.With | ast.AsyncWith):
        return [Range(whole.start, analysed.range_of(i.optional_vars or i.context_expr).end) for i in node.items]
    if isinstance(node, ast.For | ast.AsyncFor):
        return [Range(whole.start, analysed.range_of(node.iter).end)]
    return [whole]


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _iterations(
    analysed: AnalysedModule, node: Comprehension, with_edges: set[Range]
) -> list[tuple[Range, Comprehension | ast.comprehension]]:
    """The resolver's sites of the iterations a comprehension's clauses make (``facts.extract``: from the clause's
    ``for`` to the end of its iterable, so starting before its target, where no call of the iterable starts), each
    with the node it runs at: the first clause's where the comprehension is, a later one's inside it."""
    found: list[tuple[Range, Comprehension | ast.comprehension]] = []
    for index, clause in enumerate(node.generators):
        end, target = analysed.range_of(clause.iter).end, analysed.range_of(clause.target).start
        for rng in with_edges:
            if rng.end == end and rng.start < target:
                found.append((rng, clause if index else node))
    return found


def _runs_here(scope: ast.AST) -> list[ast.AST]:
    """The parts of a nested scope whose calls resolution attributes to the enclosing function."""
    if isinstance(scope, ast.Lambda):
        return [scope]
    if isinstance(scope, ast.ClassDef):
        return [*scope.bases, *scope.keywords, *scope.body]
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        return [*scope.args.defaults, *(d for d in scope.args.kw_defaults if d is not None)]
    return []

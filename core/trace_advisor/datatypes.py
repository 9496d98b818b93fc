"""Plain, frozen values shared by every layer: symbols, source ranges, call edges, trees and recommendations.

Conventions (the contract every module follows):
- A symbol id is ``module:qualname`` (``shop.orders:OrderService.place``, ``shop.pricing:discount.<locals>.apply``,
  ``shop.cli:<module>``, ``json:dumps``, ``builtins:print``).
- Lines are 1-based; columns are 0-based **character** (code point) offsets into the line, never UTF-8 byte offsets
  (``ast`` gives bytes: convert with :func:`trace_advisor.positions.char_column`). The server converts to UTF-16.
- Ranges are half-open on the end column, like ``ast``'s ``end_col_offset``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

SymbolId = str
MODULE_QUALNAME = "<module>"
LOCALS = "<locals>"


def make_symbol(module: str, qualname: str) -> SymbolId:
    """Join a dotted module name and a qualname into the canonical symbol id."""
    return f"{module}:{qualname}"


def lambda_owner(symbol: SymbolId) -> SymbolId | None:
    """The def, class or module body a lambda is written in (``m:f.<locals>.<lambda1>.<locals>.<lambda1>`` ->
    ``m:f``, ``m:<lambda2>`` -> ``m:<module>``); None when ``symbol`` is not a lambda."""
    module, _, qualname = symbol.partition(":")
    parts = qualname.split(".")
    if not parts[-1].startswith("<lambda"):
        return None
    while parts and parts[-1].startswith("<lambda"):
        parts.pop()
        if parts and parts[-1] == LOCALS:
            parts.pop()
    return f"{module}:{'.'.join(parts) or MODULE_QUALNAME}"


def split_symbol(symbol: SymbolId) -> tuple[str, str]:
    """Split ``module:qualname``; raises ValueError when there is no colon."""
    module, sep, qualname = symbol.partition(":")
    if not sep or not module or not qualname:
        raise ValueError(f"not a symbol id (expected module:qualname): {symbol!r}")
    return module, qualname


def dotted_name(symbol: SymbolId) -> str:
    """A symbol as a dotted import path: ``pkg.mod:Cls.meth`` -> ``pkg.mod.Cls.meth`` (``pkg.mod:<module>`` ->
    ``pkg.mod``)."""
    module, _, qualname = symbol.partition(":")
    return module if qualname == MODULE_QUALNAME or not qualname else f"{module}.{qualname}"


def span_name(qualname: str) -> str:
    """Low-cardinality span name for a qualname: ``Class.method``; nested defs drop ``<locals>``."""
    return ".".join(part for part in qualname.split(".") if part != LOCALS)


@dataclass(frozen=True, slots=True, order=True)
class Position:
    line: int  # 1-based
    column: int  # 0-based, characters


_FIELD = 32  # bits per number in a packed span: start line, start column, end line, end column (high to low)
_FIELD_MAX = (1 << _FIELD) - 1
# Most spans are packed narrower, below 2**60: lines below 2**17 and columns below 2**13 (an int that small takes
# 32 bytes, a wider one 48, and the facts keep about a million of them). The others are packed 32 bits a number and
# marked by bit 128, so the numbers alone choose the packing: equal spans have equal keys. Keys of one packing order
# like their tuples, and every narrow key is below every wide one.
_LINE_BITS, _COLUMN_BITS = 17, 13
_LINE_LIMIT, _COLUMN_LIMIT = 1 << _LINE_BITS, 1 << _COLUMN_BITS
_NARROW_LIMIT = 1 << 2 * (_LINE_BITS + _COLUMN_BITS)
_WIDE = 1 << 4 * _FIELD


def pack_span(start_line: int, start_col: int, end_line: int, end_col: int) -> int:
    """Four non-negative numbers below 2**32 as one int that orders like their tuple (the facts' positions) when
    both are narrow (``narrow_span``: lines below 2**17 and columns below 2**13) or both are not."""
    if start_line < _LINE_LIMIT and end_line < _LINE_LIMIT and start_col < _COLUMN_LIMIT and end_col < _COLUMN_LIMIT:
        return (((start_line << _COLUMN_BITS | start_col) << _LINE_BITS | end_line) << _COLUMN_BITS) | end_col
    return _WIDE | (((start_line << _FIELD | start_col) << _FIELD | end_line) << _FIELD) | end_col


def unpack_span(key: int) -> tuple[int, int, int, int]:
    """The ``(start line, start column, end line, end column)`` of a packed span."""
    if key < _NARROW_LIMIT:
        return (
            key >> _LINE_BITS + 2 * _COLUMN_BITS,
            key >> _LINE_BITS + _COLUMN_BITS & _COLUMN_LIMIT - 1,
            key >> _COLUMN_BITS & _LINE_LIMIT - 1,
            key & _COLUMN_LIMIT - 1,
        )
    return key >> 3 * _FIELD & _FIELD_MAX, key >> 2 * _FIELD & _FIELD_MAX, key >> _FIELD & _FIELD_MAX, key & _FIELD_MAX


def narrow_span(key: int) -> bool:
    """Whether ``key`` has the narrow packing (nearly all do); keys that all have it order like their tuples."""
    return key < _NARROW_LIMIT


SpanKey = int | tuple[int, int, int, int]


class Range:
    """A start and an end position. Kept as one packed int (``pack_span``) when its numbers fit, which is what a call
    graph holds hundreds of thousands of; ``start`` and ``end`` are made when asked for."""

    __slots__ = ("_key",)
    __match_args__ = ("start", "end")
    _key: SpanKey

    def __init__(self, start: Position, end: Position) -> None:
        parts = (start.line, start.column, end.line, end.column)
        fits = all(0 <= part <= _FIELD_MAX for part in parts)
        object.__setattr__(self, "_key", pack_span(*parts) if fits else parts)

    @staticmethod
    def of(start_line: int, start_col: int, end_line: int, end_col: int) -> Range:
        return Range(Position(start_line, start_col), Position(end_line, end_col))

    @staticmethod
    def packed(key: int) -> Range:
        """The range of a ``pack_span`` result (no check: the facts' positions always fit)."""
        return Range.keyed(key)

    @staticmethod
    def keyed(key: SpanKey) -> Range:
        """The range whose ``key`` this is."""
        rng = _new_range(Range)
        _set_range_key(rng, key)
        return rng

    @property
    def key(self) -> SpanKey:
        """The packed span (the four numbers when they do not fit): what call sites and edges keep of their range."""
        return self._key

    def parts(self) -> tuple[int, int, int, int]:
        """``(start line, start column, end line, end column)``."""
        key = self._key
        return unpack_span(key) if isinstance(key, int) else key

    @property
    def start(self) -> Position:
        line, column, _, _ = self.parts()
        return Position(line, column)

    @property
    def end(self) -> Position:
        _, _, line, column = self.parts()
        return Position(line, column)

    def contains(self, pos: Position) -> bool:
        return self.start <= pos <= self.end

    def to_json(self) -> dict[str, int]:
        start_line, start_column, end_line, end_column = self.parts()
        return {
            "start_line": start_line,
            "start_column": start_column,
            "end_line": end_line,
            "end_column": end_column,
        }

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")  # frozen, like the other value types

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[type[Range], tuple[Position, Position]]:
        return Range, (self.start, self.end)

    def __repr__(self) -> str:
        return f"Range(start={self.start!r}, end={self.end!r})"

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Range):
            return NotImplemented
        return self._key == other._key  # one packing, so equal ranges have equal keys

    def __lt__(self, other: Range) -> bool:
        return self.parts() < other.parts()

    def __le__(self, other: Range) -> bool:
        return self.parts() <= other.parts()

    def __gt__(self, other: Range) -> bool:
        return self.parts() > other.parts()

    def __ge__(self, other: Range) -> bool:
        return self.parts() >= other.parts()


# made by the million (every ``range`` read of a site, an edge or an unresolved call): stored through the slot's
# descriptor, bound once, not ``object.__setattr__`` by name (Range's own ``__setattr__`` refuses assignments)
_new_range = object.__new__
_set_range_key = Range.__dict__["_key"].__set__


# a lambda is a node of the call graph (``f.<locals>.<lambda1>``), never a place for a span: a ``with`` block cannot
# go in one
DefinitionKind = Literal["function", "method", "class", "module", "lambda"]


@dataclass(frozen=True, slots=True)
class Definition:
    """A function, method, class, lambda or module body found in the workspace."""

    symbol: SymbolId
    kind: DefinitionKind
    file: str  # absolute path
    range: Range  # whole definition, decorators included
    name_range: Range  # the name after ``def``/``class``, a lambda's keyword (the whole first line for ``<module>``)
    is_async: bool = False


# How an edge was found. direct: the callee is what the call names. subclass: ``self.m()``, ``cls.m()`` or ``cls()``
# in a method reaches a workspace subclass's override (class-hierarchy analysis): it runs only when the receiver is
# an instance of that subclass.
Dispatch = Literal["direct", "subclass", "queued"]


# Call sites, edges and unresolved calls keep their range as its key (``Range.key``: the facts' packed int, shared) and
# make the ``Range`` when it is read: a graph holds hundreds of thousands of them (15 MB of ``Range`` objects on the
# standard library). Built with the range as before: ``CallEdge(caller, callee, range)``.


@dataclass(frozen=True, slots=True, init=False)
class CallEdge:
    """One resolved call site: ``caller`` calls ``callee`` at ``range`` (the call expression)."""

    caller: SymbolId
    callee: SymbolId
    span: SpanKey  # ``range.key``
    # (external, dispatch, via), one shared tuple per combination (a handful): two slots less on each of the
    # standard library's 430,000 edges (7 MB)
    kind: tuple[bool, Dispatch, SymbolId] = (False, "direct", "")

    def __init__(
        self,
        caller: SymbolId,
        callee: SymbolId,
        range: Range,
        external: bool = False,
        dispatch: Dispatch = "direct",
        via: SymbolId = "",
    ) -> None:
        _set_caller(self, caller)
        _set_callee(self, callee)
        _set_span(self, range.key)
        kind = (external, dispatch, via)
        _set_kind(self, _EDGE_KINDS.setdefault(kind, kind))

    @property
    def external(self) -> bool:
        """The callee's source is not indexed (stdlib / third party outside search paths)."""
        return self.kind[0]

    @property
    def dispatch(self) -> Dispatch:
        return self.kind[1]

    @property
    def via(self) -> SymbolId:
        """The library function that calls ``callee`` (``threading:Thread`` for ``Thread(target=f)``)."""
        return self.kind[2]

    @property
    def range(self) -> Range:
        return Range.keyed(self.span)


_EDGE_KINDS: dict[tuple[bool, Dispatch, SymbolId], tuple[bool, Dispatch, SymbolId]] = {}
# the slots' descriptors: storing through them is faster than object.__setattr__ by name
_set_caller, _set_callee, _set_span, _set_kind = (
    CallEdge.__dict__[name].__set__ for name in ("caller", "callee", "span", "kind")
)


# Why a call has no callee (``calls --format json`` and the agent server show them; what would help is in the detail):
# untyped-parameter       the receiver is a parameter without an annotation (annotate it)
# annotation-not-a-class  an annotation names nothing resolution can read as a class
# result-of-external-call the receiver is what a call into code without source returned
# unknown-return          the receiver is what a workspace function returns, and it says nothing about it
# dynamic-attribute       the attribute is not defined on the known class or module (set at run time)
# external-attribute-unknown  the receiver is code without source (or a value it holds) that does not define it
# unknown-element         an element of a collection, an unpacked or loop variable, a comprehension's variable
# unknown-value           a name bound to something resolution cannot follow (or a lambda's parameter)
# undefined-name          a name bound nowhere resolution can see
# subscript-unknown-key   the callee is an item of something whose items are not known (``handlers[kind]()``)
# not-followable          the callee is another expression (``(a or b)()``, ``f()()`` chains that fail)
# too-deep                the value is nested too deeply to follow
UnresolvedReason = Literal[
    "untyped-parameter",
    "annotation-not-a-class",
    "result-of-external-call",
    "unknown-return",
    "dynamic-attribute",
    "external-attribute-unknown",
    "unknown-element",
    "unknown-value",
    "undefined-name",
    "subscript-unknown-key",
    "not-followable",
    "too-deep",
]


@dataclass(frozen=True, slots=True, init=False)
class UnresolvedCall:
    caller: SymbolId
    text: str  # the callee expression as written, e.g. ``handler.run``
    span: SpanKey  # ``range.key``
    reason: UnresolvedReason = "unknown-value"  # why resolution found no callee
    detail: str = ""  # the same for people: "`handler` is a parameter without an annotation"

    def __init__(
        self,
        caller: SymbolId,
        text: str,
        range: Range,
        reason: UnresolvedReason = "unknown-value",
        detail: str = "",
    ) -> None:
        _set_missing_caller(self, caller)
        _set_missing_text(self, text)
        _set_missing_span(self, range.key)
        _set_missing_reason(self, reason)
        _set_missing_detail(self, detail)

    @property
    def range(self) -> Range:
        return Range.keyed(self.span)


# the slots' descriptors, as for ``CallEdge``: resolution makes a site per call in the workspace
_set_missing_caller, _set_missing_text, _set_missing_span, _set_missing_reason, _set_missing_detail = (
    UnresolvedCall.__dict__[name].__set__ for name in ("caller", "text", "span", "reason", "detail")
)


@dataclass(frozen=True, slots=True, init=False)
class ResolvedCall:
    """One call site as resolution sees it: the call graph's edges there (one per possible callee), or none and
    ``unresolved`` saying why. Sites are identified by their range in the module's text."""

    caller: SymbolId
    span: SpanKey  # ``range.key``: the whole call expression (a bare ``@decorator``: the decorator expression)
    text: str  # the callee expression as written (normalised for chains): ``self.repo.save``
    # ``edges``, the one edge of a site with one kept as it is: three sites in four have one, and a tuple for it
    # was 14 MB of the standard library's graph
    held: CallEdge | tuple[CallEdge, ...] = ()
    unresolved: UnresolvedCall | None = None

    def __init__(
        self,
        caller: SymbolId,
        range: Range,
        text: str,
        edges: tuple[CallEdge, ...] = (),
        unresolved: UnresolvedCall | None = None,
    ) -> None:
        _set_site_caller(self, caller)
        _set_site_span(self, range.key)
        _set_site_text(self, text)
        _set_site_held(self, edges[0] if len(edges) == 1 else edges)
        _set_site_unresolved(self, unresolved)

    @property
    def edges(self) -> tuple[CallEdge, ...]:
        """The call graph's edges at this site, one per possible callee."""
        held = self.held
        return (held,) if isinstance(held, CallEdge) else held

    @property
    def range(self) -> Range:
        return Range.keyed(self.span)

    @property
    def callees(self) -> tuple[SymbolId, ...]:
        return tuple(edge.callee for edge in self.edges)


_set_site_caller, _set_site_span, _set_site_text, _set_site_held, _set_site_unresolved = (
    ResolvedCall.__dict__[name].__set__ for name in ("caller", "span", "text", "held", "unresolved")
)


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """Why a module could not be (re)parsed; the index keeps the last good facts."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    # the newer Python syntax the failing line uses ("type parameters (PEP 695, Python 3.12)"), when recognised
    newer_syntax: str | None = None


@dataclass(frozen=True, slots=True)
class CallTreeNode:
    """A node of a call tree. ``id`` is stable: the path of symbol ids from the root, hashed."""

    id: str
    symbol: SymbolId
    file: str | None
    line: int | None
    children: tuple[CallTreeNode, ...] = ()
    cycle: bool = False  # this symbol is already on the path from the root: not expanded
    truncated: bool = False  # depth limit reached: not expanded
    external: bool = False
    static: bool = True  # the static graph has the edge from the parent (False: only observed at run time)
    observed: int = 0  # calls observed along the edge from the parent (0: none, or no recording)
    # a decorator's closure reached by a call of a decorated function: the function that call runs through it (its
    # children then call that one, not every function the decorator wraps: ``wrapper (charge)``)
    runs: tuple[SymbolId, ...] = ()

    @property
    def runs_label(self) -> str:
        """`` (charge)`` after a closure's name when the call runs ``charge`` through it, else ``""``."""
        return f" ({', '.join(split_symbol(symbol)[1] for symbol in self.runs)})" if self.runs else ""


# ---- recommendations -------------------------------------------------------------------------------------------

Priority = str  # one of the configured priorities, e.g. "external_io", "exceptions"


class EvidenceKind(enum.StrEnum):
    """What a piece of evidence is about, in the order an SRE reads recommendations first: where work enters or runs
    (a request handler, job, consumer; a job's own callable run), then remote calls (an LLM, HTTP, RPC, a queue, a
    cloud service, a search engine), then a subprocess, the local or auto-instrumented storage (cache, database,
    files), and last a command someone runs by hand (a CLI command, ``main``). The I/O kinds are the catalog's
    (``detect/catalog.py``), an LLM's and a queue's named for people."""

    ENTRY = "entry"
    WORK = "work"
    LLM = "llm"
    HTTP = "http"
    RPC = "rpc"
    QUEUE = "queue"
    CLOUD = "cloud"
    SEARCH = "search"
    SUBPROCESS = "subprocess"
    CACHE = "cache"
    DB = "db"
    FILE = "file"
    COMMAND = "command"

    @property
    def rank(self) -> int:
        """Its place in the reading order (0 first)."""
        return _KIND_ORDER.index(self)


_KIND_ORDER = tuple(EvidenceKind)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A detector's finding inside one function, with the exact lines it is about."""

    priority: Priority
    reason: str  # short and human: "calls urllib.request:urlopen (external HTTP)"
    range: Range
    detail: str = ""  # machine-friendly extra, e.g. the resolved target symbol
    kind: EvidenceKind | None = None  # what it is about (an entry, a unit of work, the I/O's kind); None: neither

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "priority": self.priority,
            "reason": self.reason,
            "range": self.range.to_json(),
            "detail": self.detail,
        }
        if self.kind is not None:
            data["kind"] = self.kind.value
        return data


@dataclass(frozen=True, slots=True)
class Attribute:
    """A span attribute to set: ``span.set_attribute(key, <expression>)``."""

    key: str  # semantic-convention key where one exists, e.g. "http.request.method"
    expression: str  # Python expression valid at the top of the function body, e.g. "order_id"


@dataclass(frozen=True, slots=True)
class Capture:
    parameters: tuple[str, ...] = ()
    return_value: bool = False
    timing: bool = True
    exceptions: bool = True  # report handled exceptions on the span (edits/handlers.py: ERROR only for failures)
    attributes: tuple[Attribute, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "parameters": list(self.parameters),
            "return_value": self.return_value,
            "timing": self.timing,
            "exceptions": self.exceptions,
            "attributes": [{"key": a.key, "expression": a.expression} for a in self.attributes],
        }


@dataclass(frozen=True, slots=True)
class Usage:
    """Model token usage; zero for the local engine. ``cost_usd`` is an estimate from config/prices.yaml."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.calls + other.calls,
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cost_usd + other.cost_usd,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 6),
        }


@dataclass(frozen=True, slots=True)
class Observed:
    """What imported traces show about a function: figures of the spans of ``symbol`` — the function itself when it
    was traced at run time (``trace_advisor.runtime``, a decorator), else the traced caller it runs inside (``path``
    leads from that caller down to the function)."""

    symbol: SymbolId
    span_name: str
    spans: int
    traces: int  # distinct traces the spans belong to
    p50_ms: float
    p95_ms: float
    per_second: float | None  # spans per second over the traces' time window (None: no measurable window)
    untraced_p95_ms: float  # time of a span covered by none of its child spans
    untraced_share: float  # of all the spans' time, the share covered by no child span (0..1)
    errors: int = 0
    path: tuple[SymbolId, ...] = ()

    @property
    def per_trace(self) -> float:
        return self.spans / self.traces if self.traces else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "span_name": self.span_name,
            "spans": self.spans,
            "traces": self.traces,
            "per_trace": round(self.per_trace, 3),
            "p50_ms": round(self.p50_ms, 3),
            "p95_ms": round(self.p95_ms, 3),
            "per_second": None if self.per_second is None else round(self.per_second, 3),
            "untraced_p95_ms": round(self.untraced_p95_ms, 3),
            "untraced_share": round(self.untraced_share, 4),
            "errors": self.errors,
            "path": list(self.path),
        }


LOOP_ITERATIONS = 10  # a loop over items of unknown number: an order of magnitude, stated in every figure


class Unit(enum.Enum):
    """What one call of an entry point, or one pass of a loop that runs for the process's life, serves: the unit a
    spans figure is per. In the order reports list them: those that grow with traffic first."""

    REQUEST = "request"  # a web route, view or serverless handler; a server loop's accepted connection
    MESSAGE = "message"  # a message consumer; a loop that receives or polls messages
    JOB = "job"  # a task or scheduled job; a worker loop that dequeues jobs
    POLL = "poll"  # one pass of a loop that sleeps or waits between passes (a scheduler, a monitor), a timed branch
    CLI_RUN = "cli_run"  # a CLI command or ``main``: one run of the program
    CALL = "call"  # any other entry point (a library's public function): one call of it
    START = "start"  # start-up code: what wires the application or starts its loops, once per process start

    @property
    def rank(self) -> int:
        """The order units are reported in: those that grow with traffic first."""
        return list(Unit).index(self)

    @property
    def noun(self) -> str:
        """The unit in prose: ``spans per job``, ``spans per CLI run``, ``spans per process start``."""
        return {Unit.CLI_RUN: "CLI run", Unit.START: "process start"}.get(self, self.value)


@dataclass(frozen=True, slots=True)
class LoopRef:
    """A loop over items of unknown number that an estimate rests on: its header and the function it is in."""

    text: str  # ``for row in csv.DictReader(handle)``
    function: SymbolId

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "function": self.function}


@dataclass(frozen=True, slots=True)
class UnitOf:
    """The unit a figure is per: what one call of its entry point serves, or, when ``loop`` is set, one pass of that
    loop, which runs for the process's life (``while True`` around a dequeue: one pass is one job), or with
    ``periodic``, one run of that branch, which runs on a timer (one maintenance run: a poll)."""

    unit: Unit
    loop: LoopRef | None = None
    periodic: bool = False  # ``loop`` is a branch that runs on a timer (``if self.should_run_maintenance_tasks``)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"unit": self.unit.value}
        if self.loop is not None:
            data["unit_loop"] = {**self.loop.to_json(), "kind": "periodic" if self.periodic else "lifetime"}
        return data


@dataclass(frozen=True, slots=True)
class SpanCost:
    """Spans a recommended function's span would add per unit of work: calls of it per call of the entry point that
    calls it most on the typical path (``source`` "call graph": nothing fails, each arm of a branch counted by its
    share, at most one loop over items of unknown number on each path counted as ``SpanVolume.loop_iterations``
    iterations and the others once, a retry or redirect loop as one pass, a loop the code gives a count as that count),
    or spans per trace measured in real traces (``source`` "traces"). ``per_request`` None: no known entry point reaches
    it. ``one_pass``: the figure were every loop over items to run once (the low end: equal to ``per_request`` when no
    such loop is on the way); ``all_paths``: the figure were every path taken (every ``except`` handler, the larger arm
    of each branch, every loop over items counted as ``loop_iterations``): the high end, which also decides what is too
    hot for a span; ``loop``: the loop over items most of its calls come through; ``fewest``: another entry point
    reaching it with fewer calls, how many and per what (a function run per message or event, that a start-up loop also
    runs: its unit). ``unit``: what one call of ``entry`` serves (a request, a job, a CLI run...), or one pass of a loop
    in ``entry`` that runs for the process's life (then ``per_request`` is per job, message or poll, not per call: the
    loop is the unit, not a multiplier). The figure comes from the first unit that grows with traffic or time reaching
    the function (requests, messages, jobs, polls), else from the entry point calling it most; ``heaviest``: another
    entry point calling it at least twice as many times per its own unit (an admin command that runs it per item of
    every queue)."""

    per_request: float | None
    entry: SymbolId | None
    source: Literal["call graph", "traces"]
    one_pass: float | None = None
    loop: LoopRef | None = None
    fewest: tuple[float, SymbolId, UnitOf] | None = None  # another entry point calling it >= 2x less, per its unit
    unit: UnitOf | None = None  # what ``per_request`` is per (None: measured per trace, or no entry point)
    heaviest: tuple[float, SymbolId, UnitOf] | None = None  # another entry point calling it >= 2x more, per its unit
    all_paths: float | None = None  # the figure were every path taken (handlers, every arm, every loop x10)

    def to_json(self) -> dict[str, object]:
        per_request = None if self.per_request is None else round(self.per_request, 3)
        data: dict[str, object] = {"spans_per_request": per_request, "entry": self.entry, "source": self.source}
        if self.unit is not None:
            data.update(self.unit.to_json())
        if self.one_pass is not None:
            data["one_pass"] = round(self.one_pass, 3)
        if self.all_paths is not None and round(self.all_paths, 3) != per_request:
            data["all_paths"] = round(self.all_paths, 3)
        if self.loop is not None:
            data["loop"] = self.loop.to_json()
        if self.fewest is not None:
            spans, entry, unit = self.fewest
            data["fewest"] = {"spans_per_request": round(spans, 3), "entry": entry, **unit.to_json()}
        if self.heaviest is not None:
            spans, entry, unit = self.heaviest
            data["heaviest"] = {"spans_per_request": round(spans, 3), "entry": entry, **unit.to_json()}
        return data


@dataclass(frozen=True, slots=True)
class SpanVolume:
    """All recommendations applied together: the spans they add per unit of the busiest entry point on the typical
    path (``one_pass``: were every loop over items of unknown number to run once; ``all_paths``: were every path
    taken, see :class:`SpanCost`), and at the busiest entry point of each other unit.
    The headline unit is the first there is in :class:`Unit`'s order (those that grow with traffic first: requests,
    messages, jobs; then polls, CLI runs, calls and process starts); its busiest entry point."""

    per_request: float
    entry: SymbolId
    functions: int  # recommended functions that entry point reaches
    loop_iterations: int  # what one loop over items of unknown number counts as in the estimate
    one_pass: float = 0.0
    unit: UnitOf = UnitOf(Unit.CALL)  # what ``per_request`` is per
    others: tuple[UnitVolume, ...] = ()  # the busiest entry point of each other unit (per request, per job...)
    all_paths: float | None = None  # were every path taken


@dataclass(frozen=True, slots=True)
class UnitVolume:
    """All recommendations applied together at one entry point: spans per its unit, and were every loop over items
    to run once."""

    per_request: float
    one_pass: float
    entry: SymbolId
    functions: int  # recommended functions it reaches
    unit: UnitOf
    all_paths: float | None = None  # were every path taken


@dataclass(frozen=True, slots=True)
class InstallNote:
    """Instrumentation packages, not installed, that a recommendation's rationale says to install for what they give
    beside its span (``gives``: "the client spans themselves", "each request's server span"). Reports other than JSON
    say it once per package (:func:`~trace_advisor.advise.instrumentation_hints.install_sentence` is the rationale's
    text of it)."""

    packages: tuple[str, ...]  # sorted
    gives: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    symbol: SymbolId
    file: str
    qualname: str
    range: Range  # the whole function
    name_range: Range  # the function's name: where diagnostics point
    priority: Priority  # the strongest priority
    rationale: str
    confidence: float  # 0..1
    capture: Capture
    code_block: str  # the function's source
    source: str = "local"  # "local" or the model id
    evidence: tuple[Evidence, ...] = ()
    usage: Usage | None = None  # model path only
    span: str = ""  # the span name, unique in the workspace (set by the analysis); empty: from the qualname
    observed: Observed | None = None  # from ``analyze --traces``
    cost: SpanCost | None = None  # spans per request, when estimated (``analyze``)
    installs: tuple[InstallNote, ...] = ()  # what its rationale says to install

    @property
    def span_name(self) -> str:
        return self.span or span_name(self.qualname)

    @property
    def kind(self) -> EvidenceKind | None:
        """What the function is, for the reading order: the first of its evidence's kinds in :class:`EvidenceKind`'s
        order (a request handler before the HTTP call it makes, that call before a query); None: no such evidence."""
        kinds = [e.kind for e in self.evidence if e.kind is not None]
        return min(kinds, key=lambda k: k.rank) if kinds else None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "symbol": self.symbol,
            "file": self.file,
            "qualname": self.qualname,
            "span_name": self.span_name,
            "range": self.range.to_json(),
            "priority": self.priority,
            "rationale": self.rationale,
            "confidence": round(self.confidence, 4),
            "capture": self.capture.to_json(),
            "code_block": self.code_block,
            "source": self.source,
            "evidence": [e.to_json() for e in self.evidence],
        }
        if self.usage is not None:
            data["usage"] = self.usage.to_json()
        if self.observed is not None:
            data["observed"] = self.observed.to_json()
        if self.cost is not None:
            data["cost"] = self.cost.to_json()
        return data


@dataclass(frozen=True, slots=True)
class TextEdit:
    """LSP-shaped edit: replace ``range`` (0-based columns, 1-based lines, characters) with ``new_text``."""

    range: Range
    new_text: str


# Why a file is left out of a run: unparsed (syntax, decoding), newer-syntax (valid for a newer Python than the one
# running trace-advisor), unreadable, too-large; "other" for everything that does not lose a file.
# newer-syntax: a file that uses syntax the running Python lacks and could not be read; rewritten: one that was read
# after rewriting such syntax (downlevel.py): nothing is lost, the message says what was rewritten where
ProblemKind = Literal["unparsed", "newer-syntax", "rewritten", "unreadable", "too-large", "other"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the user should know about a file or the run (unparseable file, model failure...)."""

    message: str
    file: str | None = None
    line: int | None = None
    severity: Literal["error", "warning", "info"] = "warning"
    kind: ProblemKind = "other"


@dataclass(frozen=True, slots=True)
class CostNote:
    """A function the analysis leaves out although its evidence is strong: a span there would cost more than it
    tells (one per loop iteration of a recommended caller, a tiny helper, computation its callers' spans measure)."""

    symbol: SymbolId
    file: str
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class CoveredFunction:
    """A function an instrumentation package gives its span (a request handler's server span)."""

    symbol: SymbolId
    file: str
    name_range: Range  # the def's name: where the editor points
    clients: tuple[str, ...] = ()  # client instrumentation packages (not installed) that trace the calls it makes


@dataclass(frozen=True, slots=True)
class InstrumentationHint:
    """Install ``package`` rather than adding a span per function: it gives ``gives`` ("each request its server
    span"); ``covers`` are the functions it spans that need no span of their own beside it and the ``clients``
    packages (request handlers that do nothing else worth a span, or one call a client instrumentation traces);
    ``spanned`` the ones it spans whose own span is recommended too (work of their own), under its span. Advised
    whenever the workspace has such handlers, whether or not any is recommended: the corpus' maintainers never span
    a route handler by hand (0 of 12), their framework's instrumentation makes the server span."""

    package: str
    gives: str
    covers: tuple[CoveredFunction, ...]
    # what to do, `backticked` names as code ("Install `opentelemetry-instrumentation-flask`"; an extension the code
    # adds: "Add strawberry's `OpenTelemetryExtension` ... to the schema's extensions"), and what it covers
    action: str = ""
    handler: str = "request handler"
    spanned: tuple[CoveredFunction, ...] = ()

    @property
    def handlers(self) -> tuple[CoveredFunction, ...]:
        """Every function it spans, those needing no span of their own first."""
        return (*self.covers, *self.spanned)

    @property
    def clients(self) -> tuple[str, ...]:
        """The client instrumentation packages the covered functions' calls want, sorted (not ``package`` itself:
        Tornado's traces its HTTP client too, which ``gives`` says)."""
        wanted = {package for function in self.covers for package in function.clients}
        return tuple(sorted(wanted - {self.package}))


@dataclass(frozen=True, slots=True)
class TracedFunction:
    """A function of the workspace and the figures of its spans in the imported traces (``observed.path`` empty)."""

    symbol: SymbolId
    file: str
    line: int
    observed: Observed


@dataclass(frozen=True, slots=True)
class SpanGap:
    """A traced function whose spans spend much of their time in no child span, and the workspace functions it calls
    without a span of their own: what ran in the gap."""

    function: TracedFunction
    callees: tuple[SymbolId, ...]  # workspace functions without a span, recommended ones first
    library_calls: tuple[SymbolId, ...] = ()  # what the traced function calls outside the workspace


@dataclass(frozen=True, slots=True)
class UnseenSpan:
    """A span the code starts (by a literal name) that no imported trace contains: dead or mis-named."""

    symbol: SymbolId
    file: str
    line: int
    span_name: str


@dataclass(frozen=True, slots=True)
class TraceCheck:
    """``analyze --traces``: what the traces held and what they say about the code."""

    files: tuple[str, ...]
    spans: int
    traces: int
    mapped: int  # spans mapped to a workspace function
    window_s: float  # from the first span's start to the last span's end
    functions: tuple[TracedFunction, ...]  # slowest first
    gaps: tuple[SpanGap, ...]
    unseen: tuple[UnseenSpan, ...]


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    recommendations: tuple[Recommendation, ...]
    problems: tuple[Problem, ...] = ()
    usage: Usage = field(default_factory=Usage)
    engine: str = "local"  # "local" or "<provider>:<model id>"
    files_analysed: int = 0
    extra: Mapping[str, object] = field(default_factory=dict)
    # Model tokens per analysed file (absolute path): each call's usage split over its functions by their share of
    # the prompt; ``calls`` counts the calls a file took part in. Empty for the local engine and fully cached runs.
    usage_by_file: Mapping[str, Usage] = field(default_factory=dict)
    left_out: tuple[CostNote, ...] = ()  # strong candidates not recommended for cost, with why
    instrumentation: tuple[InstrumentationHint, ...] = ()  # packages to install instead of per-function spans
    traces: TraceCheck | None = None  # when checked against traces
    volume: SpanVolume | None = None  # when span costs were estimated

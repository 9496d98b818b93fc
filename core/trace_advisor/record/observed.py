"""Observed calls beside the static graph: per-function lookups, and each caller's callees marked static, observed
or both (with counts and cumulative time)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trace_advisor.datatypes import CallEdge, SymbolId
from trace_advisor.record.recording import HANDOVERS, ObservedCall, Recording, RecordingError, load

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Totals:
    """What was observed of one function: calls into it and cumulative seconds in it (recursion counted once)."""

    calls: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class MergedEdge:
    """One callee of a function in the merged graph: found by the static analysis, observed at run time, or both."""

    callee: SymbolId
    static: bool
    count: int = 0  # observed calls (0: not observed)
    seconds: float = 0.0
    external: bool = False
    lines: tuple[int, ...] = ()  # the caller's lines where it was observed
    via: tuple[str, ...] = ()  # hand-overs or library functions the observed calls went through

    @property
    def observed(self) -> bool:
        return self.count > 0

    @property
    def source(self) -> str:
        """``static``, ``observed`` or ``both``."""
        return "both" if self.static and self.observed else "static" if self.static else "observed"

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"callee": self.callee, "source": self.source}
        if self.observed:
            data.update(count=self.count, seconds=round(self.seconds, 6), lines=list(self.lines))
            if self.via:
                data["via"] = list(self.via)
        if self.external:
            data["external"] = True
        return data


@dataclass(slots=True)
class ObservedGraph:
    """A recording's calls indexed by caller and by callee, with per-function totals."""

    recording: Recording
    _by_caller: dict[SymbolId, list[ObservedCall]] = field(default_factory=dict)
    _by_callee: dict[SymbolId, list[ObservedCall]] = field(default_factory=dict)
    _totals: dict[SymbolId, Totals] = field(default_factory=dict)

    def __post_init__(self) -> None:
        calls: dict[SymbolId, list[float]] = {}
        for call in self.recording.calls:
            if call.caller is not None:
                self._by_caller.setdefault(call.caller, []).append(call)
            self._by_callee.setdefault(call.callee, []).append(call)
            row = calls.setdefault(call.callee, [0, 0.0])
            row[0] += call.count
            row[1] += call.seconds
        self._totals = {symbol: Totals(int(n), s) for symbol, (n, s) in calls.items()}

    @property
    def seconds(self) -> float:
        """Wall time of the recorded command."""
        return self.recording.seconds

    def callees(self, symbol: SymbolId) -> tuple[ObservedCall, ...]:
        return tuple(self._by_caller.get(symbol, ()))

    def callers(self, symbol: SymbolId) -> tuple[ObservedCall, ...]:
        """Observed calls into ``symbol`` from workspace functions (entries from outside are left out)."""
        return tuple(c for c in self._by_callee.get(symbol, ()) if c.caller is not None)

    def totals(self, symbol: SymbolId) -> Totals:
        return self._totals.get(symbol, Totals())

    def merged_callees(self, symbol: SymbolId, static: Sequence[CallEdge]) -> list[MergedEdge]:
        """The static callees in source order (with what was observed of each), then the observed-only ones, most
        called first."""
        observed = self.callees(symbol)
        merged: list[MergedEdge] = []
        claimed: set[int] = set()
        for callee in dict.fromkeys(e.callee for e in static):
            external = any(e.external for e in static if e.callee == callee)
            matched = [i for i, c in enumerate(observed) if i not in claimed and same_target(callee, c.callee)]
            claimed.update(matched)
            merged.append(_merge(callee, True, external, [observed[i] for i in matched]))
        rest: dict[SymbolId, list[ObservedCall]] = {}
        for i, call in enumerate(observed):
            if i not in claimed:
                rest.setdefault(call.callee, []).append(call)
        extra = [_merge(callee, False, calls[0].external, calls) for callee, calls in rest.items()]
        extra.sort(key=lambda e: (-e.count, e.callee))
        return merged + extra


def merged_callees(symbol: SymbolId, static: Sequence[CallEdge], observed: ObservedGraph | None) -> list[MergedEdge]:
    """:meth:`ObservedGraph.merged_callees`, or the static callees alone when nothing was observed."""
    if observed is not None:
        return observed.merged_callees(symbol, static)
    return [
        MergedEdge(callee, True, external=any(e.external for e in static if e.callee == callee))
        for callee in dict.fromkeys(e.callee for e in static)
    ]


def _merge(callee: SymbolId, static: bool, external: bool, calls: Iterable[ObservedCall]) -> MergedEdge:
    calls = list(calls)
    return MergedEdge(
        callee,
        static,
        count=sum(c.count for c in calls),
        seconds=sum(c.seconds for c in calls),
        external=external,
        lines=tuple(sorted({c.line for c in calls if c.line})),
        via=tuple(dict.fromkeys(c.via for c in calls if c.via)),
    )


def same_target(static: SymbolId, observed: SymbolId) -> bool:
    """Whether a static callee and an observed one are the same function. Outside the workspace the static graph
    names a callee by the import path it was reached through (``os.path:join``, ``requests:get``) and the recorder by
    where it is defined (``posixpath:join``, ``requests.api:get``): the same qualname under a parent package
    counts as the same target."""
    if static == observed:
        return True
    static_module, _, static_name = static.partition(":")
    observed_module, _, observed_name = observed.partition(":")
    if static_name != observed_name:
        return False
    return observed_module.startswith(static_module + ".") or static_module.startswith(observed_module + ".")


def is_handover(call: ObservedCall) -> bool:
    return call.via in HANDOVERS


@dataclass(frozen=True, slots=True)
class HierarchyCall:
    """One caller (incoming) or callee (outgoing) of a function in the merged graph: its static call sites and its
    observed calls (either may be empty)."""

    symbol: SymbolId
    edges: tuple[CallEdge, ...]
    observed: tuple[ObservedCall, ...] = ()

    @property
    def count(self) -> int:
        return sum(c.count for c in self.observed)

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.observed)


def incoming(static: Sequence[CallEdge], observed: ObservedGraph | None, symbol: SymbolId) -> list[HierarchyCall]:
    """Callers of ``symbol``: the static ones (in their order, with what was observed of each), then callers only
    observed at run time, most calls first."""
    calls = observed.callers(symbol) if observed is not None else ()
    return _hierarchy(static, calls, lambda e: e.caller, lambda c: c.caller or "")


def outgoing(static: Sequence[CallEdge], observed: ObservedGraph | None, symbol: SymbolId) -> list[HierarchyCall]:
    """Callees of ``symbol``: the static ones, then the observed-only ones (builtins left out), most calls first."""
    calls = observed.callees(symbol) if observed is not None else ()
    calls = tuple(c for c in calls if not c.callee.startswith("builtins:"))
    return _hierarchy(static, calls, lambda e: e.callee, lambda c: c.callee)


def _hierarchy(
    static: Sequence[CallEdge],
    calls: Sequence[ObservedCall],
    end_of: Callable[[CallEdge], SymbolId],
    observed_end: Callable[[ObservedCall], SymbolId],
) -> list[HierarchyCall]:
    grouped: dict[SymbolId, list[CallEdge]] = {}
    for edge in static:
        grouped.setdefault(end_of(edge), []).append(edge)
    seen: dict[SymbolId, list[ObservedCall]] = {}
    rest: dict[SymbolId, list[ObservedCall]] = {}
    for call in calls:
        end = observed_end(call)
        match = next((s for s in grouped if same_target(s, end)), None)
        (seen.setdefault(match, []) if match is not None else rest.setdefault(end, [])).append(call)
    merged = [HierarchyCall(end, tuple(edges), tuple(seen.get(end, ()))) for end, edges in grouped.items()]
    extra = [HierarchyCall(end, (), tuple(found)) for end, found in rest.items()]
    extra.sort(key=lambda h: (-h.count, h.symbol))
    return merged + extra


class RecordingWatch:
    """The recording a workspace uses, re-read when ``--record`` rewrites it; kept with the index
    (``index.extension(RecordingWatch)``) so the call hierarchy and the analysis read the same one."""

    def __init__(self) -> None:
        self._path: Path | None = None
        self._key: tuple[int, int] | None = None
        self._graph: ObservedGraph | None = None
        self._lock = threading.Lock()

    def use(self, path: Path | None) -> None:
        """Read recordings from ``path`` (None: use none)."""
        with self._lock:
            if path != self._path:
                self._path, self._key, self._graph = path, None, None

    def graph(self) -> ObservedGraph | None:
        """The recording's calls, or None when there is none (or it cannot be read: logged once per change)."""
        with self._lock:
            path = self._path
            if path is None:
                return None
            try:
                stat = path.stat()
            except OSError:
                self._key, self._graph = None, None
                return None
            key = (stat.st_mtime_ns, stat.st_size)
            if key != self._key:
                self._key = key
                try:
                    self._graph = ObservedGraph(load(path))
                except RecordingError as exc:
                    LOG.warning("ignoring the workspace's recording: %s", exc)
                    self._graph = None
            return self._graph

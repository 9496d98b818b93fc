"""How many spans the recommendations would add per request: the calls from each entry point to each recommended
function through the call graph, each call inside a loop multiplied by the loop's iterations as its shape tells them
(:class:`trace_advisor.cost.Loop`: a retry or redirect loop runs once, ``range(3)`` three times, a loop over items of
unknown number LOOP_ITERATIONS times; read by :class:`trace_advisor.cost.RequestCounts`, the figures the analysis also
uses to leave hot functions out), with the same figure were every loop over items to run once, the loop the figure
rests on and the entry point calling it least (its unit when a start-up loop runs it too); spans per trace measured in
real traces replace the estimate where they exist (see traces/check.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from trace_advisor.analysis import Analyzer
from trace_advisor.config_model import Config
from trace_advisor.cost import MAX_CALLS, RequestCounts, heaviest_loops
from trace_advisor.datatypes import (
    LOOP_ITERATIONS,
    AnalysisResult,
    LoopRef,
    SpanCost,
    SpanVolume,
    SymbolId,
    Unit,
    UnitOf,
    UnitVolume,
)

if TYPE_CHECKING:
    from trace_advisor.index import Index

FEWER = 2  # another entry point is named when it calls the function at least this many times less


class EntryFigures:
    """Per entry point, the calls one call of it makes of each function it reaches: as estimated, were every loop
    over items to run once, and the loop over items each figure rests on."""

    def __init__(self, counts: RequestCounts) -> None:
        self.counts = counts
        self._once = RequestCounts(counts.graph, counts.calls.with_items(1.0))
        self._loops: dict[SymbolId, dict[SymbolId, tuple[SymbolId, LoopRef]]] = {}

    def of(self, entry: SymbolId, symbol: SymbolId) -> tuple[float, float, LoopRef | None]:
        """(estimated, one pass, the loop) calls of ``symbol`` per call of ``entry``."""
        loops = self._loops.get(entry)
        if loops is None:
            found = heaviest_loops(entry, self.counts.walk(entry), self.counts.calls.loop)
            loops = self._loops[entry] = {s: (f, LoopRef(loop.text, f)) for s, (f, loop) in found.items()}
        loop = loops.get(symbol)
        estimated = self.counts.from_entry(entry).get(symbol, 0.0)
        once = self._once.from_entry(entry).get(symbol, 0.0)
        return estimated, once, loop[1] if loop is not None and once != estimated else None


def units_of(counts: RequestCounts, unit: Callable[[SymbolId], Unit]) -> dict[SymbolId, UnitOf]:
    """What each entry point's figures are per: the unit one call of it serves (``unit``), or for a function with a
    loop that runs for the process's life, one pass of that loop (a job, a message, a poll)."""
    return {entry: counts.unit_of(entry, unit) for entry in (*counts.entries(), *counts.units())}


def with_costs(
    result: AnalysisResult, counts: RequestCounts, unit: Callable[[SymbolId], Unit] = lambda _: Unit.CALL
) -> AnalysisResult:
    """``result`` with a :class:`SpanCost` per recommendation (from the entry point that calls it most among those of
    the first unit that grows with traffic, per that unit: ``unit`` of an entry point, one pass of a loop that runs
    for the process's life; else from the entry point calling it most; naming another entry point that calls it at
    least FEWER times more, a CLI command that runs it per item of every queue) and the
    :class:`SpanVolume` of all of them together at the busiest entry point of each unit, the units that grow with
    traffic (requests, messages, jobs) first."""
    wanted = {r.symbol for r in result.recommendations}
    best: dict[SymbolId, dict[Unit, tuple[float, SymbolId]]] = {}  # per function, the entry calling it most per unit
    heaviest: dict[SymbolId, tuple[float, SymbolId]] = {}  # the entry point calling it most, whatever its unit
    fewest: dict[SymbolId, tuple[float, SymbolId]] = {}  # the entry point calling it least, at least once
    busiest: dict[Unit, tuple[float, SymbolId, int]] = {}  # per unit
    entries = units_of(counts, unit)
    for entry, of in entries.items():
        reached = counts.from_entry(entry)
        total, found = 0.0, 0
        for symbol in wanted & reached.keys():
            if not reached[symbol] or symbol == entry and of.loop is not None and not of.periodic:
                continue  # reached only in another loop that runs for the process's life; a loop's own function
            total += reached[symbol]
            found += 1
            if reached[symbol] > best.setdefault(symbol, {}).get(of.unit, (0.0, ""))[0]:
                best[symbol][of.unit] = (reached[symbol], entry)
            if reached[symbol] > heaviest.get(symbol, (0.0, ""))[0]:
                heaviest[symbol] = (reached[symbol], entry)
            if 1 <= reached[symbol] < fewest.get(symbol, (MAX_CALLS + 1, ""))[0]:
                fewest[symbol] = (reached[symbol], entry)
        if total > busiest.get(of.unit, (0.0, "", 0))[0]:
            busiest[of.unit] = (total, entry, found)
    figures = EntryFigures(counts)

    def cost(symbol: SymbolId) -> SpanCost:
        if symbol not in best:
            return SpanCost(None, None, "call graph")
        entry = _figure_entry(best[symbol], heaviest[symbol])
        estimated, once, loop = figures.of(entry, symbol)
        least = fewest.get(symbol)
        other = least if least is not None and least[0] * FEWER <= estimated else None
        most = heaviest[symbol]
        more = (*most, entries[most[1]]) if most[1] != entry and most[0] >= estimated * FEWER else None
        return SpanCost(estimated, entry, "call graph", once, loop, other, entries[entry], more)

    recommendations = tuple(dataclasses.replace(r, cost=cost(r.symbol)) for r in result.recommendations)
    volume = None
    if busiest:
        ranked = [busiest[unit] for unit in sorted(busiest, key=lambda u: u.rank)]

        def once(entry: SymbolId) -> float:
            own = entries[entry].loop is None or entries[entry].periodic  # a loop's own function: once per process
            return sum(figures.of(entry, symbol)[1] for symbol in wanted if symbol != entry or own)

        total, entry, functions = ranked[0]
        others = tuple(UnitVolume(t, once(e), e, n, entries[e]) for t, e, n in ranked[1:])
        volume = SpanVolume(total, entry, functions, LOOP_ITERATIONS, once(entry), entries[entry], others)
    return dataclasses.replace(result, recommendations=recommendations, volume=volume)


def _figure_entry(by_unit: dict[Unit, tuple[float, SymbolId]], heaviest: tuple[float, SymbolId]) -> SymbolId:
    """The entry point a function's figure is taken from: the one calling it most among those of the first unit that
    grows with traffic or time (requests, messages, jobs, polls) that reaches it, else the one calling it most (per
    CLI run, per call)."""
    recurring = [unit for unit in by_unit if unit.rank <= Unit.POLL.rank]
    return by_unit[min(recurring, key=lambda u: u.rank)][1] if recurring else heaviest[1]


def estimate_costs(result: AnalysisResult, index: Index, config: Config) -> AnalysisResult:
    """:func:`with_costs` over the whole indexed workspace's call graph."""
    if not result.recommendations:
        return result
    analyzer = Analyzer(index, config, index.graph())
    counts = analyzer.request_counts()
    return with_costs(result, counts, analyzer.entry_unit) if counts is not None else result


def entry_figures(
    index: Index, config: Config, entry: SymbolId, symbols: set[SymbolId]
) -> dict[SymbolId, tuple[float, float, str | None]]:
    """For a benchmark: calls of each of ``symbols`` per call of ``entry`` (estimated, one pass, the loop as
    ``text in function``)."""
    counts = Analyzer(index, config, index.graph()).request_counts()
    if counts is None:
        return {}
    figures = EntryFigures(counts)
    found: dict[SymbolId, tuple[float, float, str | None]] = {}
    for symbol in symbols:
        estimated, once, loop = figures.of(entry, symbol)
        found[symbol] = (estimated, once, None if loop is None else f"{loop.text} in {loop.function}")
    return found

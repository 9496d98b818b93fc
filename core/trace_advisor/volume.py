"""How many spans the recommendations would add per request: the calls from each entry point to each recommended
function through the call graph, each call inside a loop multiplied by the loop's iterations as its shape tells them
(:class:`trace_advisor.cost.Loop`: a retry or redirect loop runs once, ``range(3)`` three times, a loop over items of
unknown number LOOP_ITERATIONS times; read by :class:`trace_advisor.cost.RequestCounts`, the figures the analysis also
uses to leave hot functions out), with the same figure were every loop over items to run once, the loop the figure
rests on and the entry point calling it least (its unit when a start-up loop runs it too); spans per trace measured in
real traces replace the estimate where they exist (see traces/check.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
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
    split_symbol,
)
from trace_advisor.reading_order import auxiliary_module

if TYPE_CHECKING:
    from trace_advisor.index import Index

FEWER = 2  # another entry point is named when it calls the function at least this many times less


class EntryFigures:
    """Per entry point, the calls one call of it makes of each function it reaches: on the typical path (an
    ``except`` handler's calls not counted, each arm of a branch by its share, at most one loop over items of unknown
    number counted as LOOP_ITERATIONS on each path, the others once: :func:`typical_calls`), the same were every loop
    over items to run once, on every path (every handler and arm taken, every loop over items counted as
    LOOP_ITERATIONS: the figures that decide what is too hot for a span), and the loop over items the typical figure
    rests on."""

    def __init__(self, counts: RequestCounts) -> None:
        self.counts = counts
        typical = counts.calls.on_typical_path()
        self._typical = RequestCounts(counts.graph, typical)
        self._once = RequestCounts(counts.graph, typical.with_items(1.0))
        self._none = RequestCounts(counts.graph, typical.with_items(0.0))
        self._from: dict[SymbolId, dict[SymbolId, float]] = {}
        self._loops: dict[SymbolId, dict[SymbolId, tuple[SymbolId, LoopRef]]] = {}

    def typical(self, entry: SymbolId) -> dict[SymbolId, float]:
        """Calls of each function one call of ``entry`` reaches makes on the typical path."""
        found = self._from.get(entry)
        if found is None:
            found = self._from[entry] = typical_calls(self._once.from_entry(entry), self._none.from_entry(entry))
        return found

    def of(self, entry: SymbolId, symbol: SymbolId) -> tuple[float, float, LoopRef | None, float]:
        """(typical, one pass, the loop, every path) calls of ``symbol`` per call of ``entry``."""
        loops = self._loops.get(entry)
        if loops is None:
            walk = self._typical.walk(entry)
            found = heaviest_loops(entry, walk, self._typical.calls.loop)
            loops = self._loops[entry] = {s: (f, LoopRef(loop.text, f)) for s, (f, loop) in found.items()}
        loop = loops.get(symbol)
        estimated = self.typical(entry).get(symbol, 0.0)
        once = self._once.from_entry(entry).get(symbol, 0.0)
        every = self.counts.from_entry(entry).get(symbol, 0.0)
        return estimated, once, loop[1] if loop is not None and once != estimated else None, every


def typical_calls(once: Mapping[SymbolId, float], without: Mapping[SymbolId, float]) -> dict[SymbolId, float]:
    """Calls on the typical path with at most one loop over items of unknown number counted as LOOP_ITERATIONS on
    each path: the calls that come through no such loop (``without``: each counted 0 times) once, and those that
    come through at least one (``once`` - ``without``: each run once) LOOP_ITERATIONS times. Loops nested in loops
    (a job's dependents' registries, an order's lines' taxes) multiplied each by 10 would claim 100 or 1,000 items
    per unit, which nothing in the code says; one pass of the inner ones is the typical case the figure stands for,
    and the figure on every path keeps the product."""
    return {
        symbol: min(max(without.get(symbol, 0.0) + LOOP_ITERATIONS * (n - without.get(symbol, 0.0)), 0.0), MAX_CALLS)
        for symbol, n in once.items()
    }


def units_of(counts: RequestCounts, unit: Callable[[SymbolId], Unit]) -> dict[SymbolId, UnitOf]:
    """What each entry point's figures are per: the unit one call of it serves (``unit``), or for a function with a
    loop that runs for the process's life, one pass of that loop (a job, a message, a poll)."""
    return {entry: counts.unit_of(entry, unit) for entry in (*counts.entries(), *counts.units())}


def with_costs(
    result: AnalysisResult, counts: RequestCounts, unit: Callable[[SymbolId], Unit] = lambda _: Unit.CALL
) -> AnalysisResult:
    """``result`` with a :class:`SpanCost` per recommendation (from the entry point that calls it most on the typical
    path among those of the first unit that grows with traffic, per that unit: ``unit`` of an entry point, one pass of
    a loop that runs for the process's life; else from the entry point calling it most; naming another entry point
    that calls it at least FEWER times more, a CLI command that runs it per item of every queue; a function no entry
    point reaches on the typical path, only through a handler or an arm, is placed by its calls on every path; a
    special method nothing in the code calls, ``__len__``, ``__iter__``, which code the call graph does not see calls
    implicitly, is an entry point only for what no other reaches) and the :class:`SpanVolume` of all of them together at
    the busiest entry point of each unit, the units that grow with traffic (requests, messages, jobs) first (special
    methods aside)."""
    wanted = {r.symbol for r in result.recommendations}
    entries = units_of(counts, unit)
    roots = set(counts.entries())
    implicit = {e: of for e, of in entries.items() if e in roots and _special(e)}
    named = {e: of for e, of in entries.items() if e not in implicit}
    # the figures are the product's: an SDK's example webhook handler is no request of the SDK's own, and a docs
    # example's CLI run is no unit of the library function it calls (arq's ``Job.abort``)
    aside = {e: of for e, of in named.items() if auxiliary_module(e.partition(":")[0])}
    product = {e: of for e, of in named.items() if e not in aside}
    figures = EntryFigures(counts)
    typical = _Ranking(product, wanted, figures.typical)
    examples = _Ranking(aside, wanted.difference(typical.best), figures.typical)
    rankings = [typical, examples]
    for among, reached in ((named, counts.from_entry), (implicit, figures.typical), (implicit, counts.from_entry)):
        left = wanted.difference(*(r.best for r in rankings))  # on failure paths or in rare arms only; then reached
        rankings.append(_Ranking(among, left, reached))  # only from special methods

    def cost(symbol: SymbolId) -> SpanCost:
        ranking = next((r for r in rankings if symbol in r.best), None)
        if ranking is examples and _public(symbol):  # only examples call it: the product's API, per call of it
            return SpanCost(1.0, symbol, "call graph", 1.0, unit=UnitOf(Unit.CALL))
        if ranking is None and symbol in roots and symbol in entries and not entries[symbol].periodic:
            return SpanCost(1.0, symbol, "call graph", 1.0, unit=UnitOf(unit(symbol)))  # a loop's own function
        if ranking is None:
            return SpanCost(None, None, "call graph")
        entry = _figure_entry(ranking.best[symbol], ranking.heaviest[symbol])
        estimated, once, loop, every = figures.of(entry, symbol)
        least = ranking.fewest.get(symbol)
        other = (*least, entries[least[1]]) if least is not None and least[0] * FEWER <= estimated else None
        most = ranking.heaviest.get(symbol)
        more = None
        if most is not None and most[1] != entry and most[0] >= estimated * FEWER:
            more = (*most, entries[most[1]])
        return SpanCost(estimated, entry, "call graph", once, loop, other, entries[entry], more, every)

    recommendations = tuple(dataclasses.replace(r, cost=cost(r.symbol)) for r in result.recommendations)
    volume = None
    # with no product entry point reaching them, the examples' ranking was made for all of the wanted functions
    busiest = typical.busiest or examples.busiest
    if busiest:
        ranked = [busiest[unit] for unit in sorted(busiest, key=lambda u: u.rank)]

        def figure(entry: SymbolId, every_path: bool) -> float:
            """All of them together were every loop over items to run once, or were every path taken."""
            own = entries[entry].loop is None or entries[entry].periodic  # a loop's own function: once per process
            found = [figures.of(entry, symbol) for symbol in wanted if symbol != entry or own]
            return sum(every if every_path else once for _, once, _, every in found)

        total, entry, functions = ranked[0]
        others = tuple(UnitVolume(t, figure(e, False), e, n, entries[e], figure(e, True)) for t, e, n in ranked[1:])
        volume = SpanVolume(
            total, entry, functions, LOOP_ITERATIONS, figure(entry, False), entries[entry], others, figure(entry, True)
        )
    return dataclasses.replace(result, recommendations=recommendations, volume=volume)


def _public(symbol: SymbolId) -> bool:
    """A function or method of the product's API: no part of its qualname is private (``_``), nor a nested def."""
    qualname = split_symbol(symbol)[1]
    return "<" not in qualname and not any(part.startswith("_") for part in qualname.split("."))


def _special(symbol: SymbolId) -> bool:
    """A special method (``Registry.__len__``): what calls it is ``len()``, a loop, an operator."""
    name = split_symbol(symbol)[1].rpartition(".")[2]
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


class _Ranking:
    """For each of ``wanted``, the entry point calling it most per unit (``reached(entry)``: calls per call of it),
    the one calling it most whatever its unit and the one calling it least (at least once); per unit, the busiest
    entry point (the most calls of ``wanted`` together) with the number of them it reaches."""

    def __init__(
        self,
        entries: Mapping[SymbolId, UnitOf],
        wanted: set[SymbolId],
        reached: Callable[[SymbolId], Mapping[SymbolId, float]],
    ) -> None:
        self.best: dict[SymbolId, dict[Unit, tuple[float, SymbolId]]] = {}
        self.heaviest: dict[SymbolId, tuple[float, SymbolId]] = {}
        self.fewest: dict[SymbolId, tuple[float, SymbolId]] = {}
        self.busiest: dict[Unit, tuple[float, SymbolId, int]] = {}
        for entry, of in entries.items():
            calls = reached(entry)
            total, found = 0.0, 0
            for symbol in wanted & calls.keys():
                count = calls[symbol]
                if not count or symbol == entry and of.loop is not None and not of.periodic:
                    continue  # reached only in another loop that runs for the process's life; a loop's own function
                total += count
                found += 1
                if count > self.best.setdefault(symbol, {}).get(of.unit, (0.0, ""))[0]:
                    self.best[symbol][of.unit] = (count, entry)
                if count > self.heaviest.get(symbol, (0.0, ""))[0]:
                    self.heaviest[symbol] = (count, entry)
                if 1 <= count < self.fewest.get(symbol, (MAX_CALLS + 1, ""))[0]:
                    self.fewest[symbol] = (count, entry)
            if total > self.busiest.get(of.unit, (0.0, "", 0))[0]:
                self.busiest[of.unit] = (total, entry, found)


def _figure_entry(by_unit: dict[Unit, tuple[float, SymbolId]], heaviest: tuple[float, SymbolId]) -> SymbolId:
    """The entry point a function's figure is taken from: the one calling it most among those of the first unit that
    grows with traffic or time (requests, messages, jobs, polls) that reaches it, else the one calling it most (per
    CLI run, per call), start-up code (per process start) only when nothing else reaches it."""
    recurring = [unit for unit in by_unit if unit.rank <= Unit.POLL.rank]
    if recurring:
        return by_unit[min(recurring, key=lambda u: u.rank)][1]
    others = [found for unit, found in by_unit.items() if unit is not Unit.START]
    return max(others, key=lambda found: found[0])[1] if Unit.START in by_unit and others else heaviest[1]


def estimate_costs(result: AnalysisResult, index: Index, config: Config) -> AnalysisResult:
    """:func:`with_costs` over the whole indexed workspace's call graph."""
    if not result.recommendations:
        return result
    analyzer = Analyzer(index, config, index.graph())
    counts = analyzer.request_counts()
    return with_costs(result, counts, analyzer.entry_unit) if counts is not None else result


def entry_figures(
    index: Index, config: Config, entry: SymbolId, symbols: set[SymbolId]
) -> dict[SymbolId, tuple[float, float, str | None, float]]:
    """For a benchmark: calls of each of ``symbols`` per call of ``entry`` (typical, one pass, the loop as
    ``text in function``, every path)."""
    counts = Analyzer(index, config, index.graph()).request_counts()
    if counts is None:
        return {}
    figures = EntryFigures(counts)
    found: dict[SymbolId, tuple[float, float, str | None, float]] = {}
    for symbol in symbols:
        estimated, once, loop, every = figures.of(entry, symbol)
        found[symbol] = (estimated, once, None if loop is None else f"{loop.text} in {loop.function}", every)
    return found

"""How many spans the recommendations would add per request: the calls from each entry point to each recommended
function through the call graph, each call inside a loop multiplied by the loop's iterations as its shape tells them
(:class:`trace_advisor.cost.Loop`: a retry or redirect loop runs once, ``range(3)`` three times, a loop over items of
unknown number LOOP_ITERATIONS times; read by :class:`trace_advisor.cost.RequestCounts`, the figures the analysis also
uses to leave hot functions out), with the same figure were every loop over items to run once, the loop the figure
rests on and the entry point calling it least (its unit when a start-up loop runs it too); spans per trace measured in
real traces replace the estimate where they exist (see traces/check.py)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from trace_advisor.analysis import Analyzer
from trace_advisor.config_model import Config
from trace_advisor.cost import MAX_CALLS, RequestCounts, heaviest_loops
from trace_advisor.datatypes import LOOP_ITERATIONS, AnalysisResult, LoopRef, SpanCost, SpanVolume, SymbolId

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
            found = heaviest_loops(entry, self.counts.calls, self.counts.calls.loop)
            loops = self._loops[entry] = {s: (f, LoopRef(loop.text, f)) for s, (f, loop) in found.items()}
        loop = loops.get(symbol)
        estimated = self.counts.from_entry(entry).get(symbol, 0.0)
        once = self._once.from_entry(entry).get(symbol, 0.0)
        return estimated, once, loop[1] if loop is not None and once != estimated else None


def with_costs(result: AnalysisResult, counts: RequestCounts) -> AnalysisResult:
    """``result`` with a :class:`SpanCost` per recommendation (from the entry point that calls it most) and the
    :class:`SpanVolume` of all of them together at the busiest entry point."""
    wanted = {r.symbol for r in result.recommendations}
    best: dict[SymbolId, tuple[float, SymbolId]] = {}
    fewest: dict[SymbolId, tuple[float, SymbolId]] = {}  # the entry point calling it least, at least once
    busiest: tuple[float, SymbolId | None, int] = (0.0, None, 0)
    for entry in counts.entries():
        reached = counts.from_entry(entry)
        total, found = 0.0, 0
        for symbol in wanted & reached.keys():
            total += reached[symbol]
            found += 1
            if reached[symbol] > best.get(symbol, (0.0, ""))[0]:
                best[symbol] = (reached[symbol], entry)
            if 1 <= reached[symbol] < fewest.get(symbol, (MAX_CALLS + 1, ""))[0]:
                fewest[symbol] = (reached[symbol], entry)
        if total > busiest[0]:
            busiest = (total, entry, found)
    figures = EntryFigures(counts)

    def cost(symbol: SymbolId) -> SpanCost:
        if symbol not in best:
            return SpanCost(None, None, "call graph")
        estimated, once, loop = figures.of(best[symbol][1], symbol)
        least = fewest.get(symbol)
        other = least if least is not None and least[0] * FEWER <= estimated else None
        return SpanCost(estimated, best[symbol][1], "call graph", once, loop, other)

    recommendations = tuple(dataclasses.replace(r, cost=cost(r.symbol)) for r in result.recommendations)
    volume = None
    if busiest[1] is not None:
        entry = busiest[1]
        once = sum(figures.of(entry, symbol)[1] for symbol in wanted)
        volume = SpanVolume(busiest[0], entry, busiest[2], LOOP_ITERATIONS, once)
    return dataclasses.replace(result, recommendations=recommendations, volume=volume)


def estimate_costs(result: AnalysisResult, index: Index, config: Config) -> AnalysisResult:
    """:func:`with_costs` over the whole indexed workspace's call graph."""
    if not result.recommendations:
        return result
    counts = Analyzer(index, config, index.graph()).request_counts()
    return with_costs(result, counts) if counts is not None else result


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

"""How many spans the recommendations would add per request: the calls from each entry point to each recommended
function through the call graph, a call inside a loop counted as LOOP_ITERATIONS calls per enclosing loop (both read by
:class:`trace_advisor.cost.RequestCounts`, the figures the analysis also uses to leave hot functions out); spans per
trace measured in real traces replace the estimate where they exist (see traces/check.py)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from trace_advisor.analysis import Analyzer
from trace_advisor.config_model import Config
from trace_advisor.cost import LOOP_ITERATIONS, RequestCounts
from trace_advisor.datatypes import AnalysisResult, SpanCost, SpanVolume, SymbolId

if TYPE_CHECKING:
    from trace_advisor.index import Index


def with_costs(result: AnalysisResult, counts: RequestCounts) -> AnalysisResult:
    """``result`` with a :class:`SpanCost` per recommendation (from the entry point that calls it most) and the
    :class:`SpanVolume` of all of them together at the busiest entry point."""
    wanted = {r.symbol for r in result.recommendations}
    best: dict[SymbolId, tuple[float, SymbolId]] = {}
    busiest: tuple[float, SymbolId | None, int] = (0.0, None, 0)
    for entry in counts.entries():
        reached = counts.from_entry(entry)
        total, found = 0.0, 0
        for symbol in wanted & reached.keys():
            total += reached[symbol]
            found += 1
            if reached[symbol] > best.get(symbol, (0.0, ""))[0]:
                best[symbol] = (reached[symbol], entry)
        if total > busiest[0]:
            busiest = (total, entry, found)
    recommendations = tuple(
        dataclasses.replace(r, cost=SpanCost(best[r.symbol][0], best[r.symbol][1], "call graph"))
        if r.symbol in best
        else dataclasses.replace(r, cost=SpanCost(None, None, "call graph"))
        for r in result.recommendations
    )
    volume = SpanVolume(busiest[0], busiest[1], busiest[2], LOOP_ITERATIONS) if busiest[1] else None
    return dataclasses.replace(result, recommendations=recommendations, volume=volume)


def estimate_costs(result: AnalysisResult, index: Index, config: Config) -> AnalysisResult:
    """:func:`with_costs` over the whole indexed workspace's call graph."""
    if not result.recommendations:
        return result
    counts = Analyzer(index, config, index.graph()).request_counts()
    return with_costs(result, counts) if counts is not None else result

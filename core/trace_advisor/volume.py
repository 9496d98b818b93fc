"""How many spans the recommendations would add per request: the calls from each entry point to each recommended
function through the call graph, a call inside a loop counted as LOOP_ITERATIONS calls per enclosing loop (loops as
:func:`trace_advisor.cost.loop_depths` reads them, as for what the analysis leaves out for cost); spans per trace
measured in real traces replace the estimate where they exist (see traces/check.py)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.analysis import Analyzer
from trace_advisor.config_model import Config
from trace_advisor.cost import loop_depths
from trace_advisor.model import MODULE_QUALNAME, AnalysisResult, SpanCost, SpanVolume, SymbolId, split_symbol

if TYPE_CHECKING:
    from trace_advisor.index import Index

LOOP_ITERATIONS = 10  # a loop's iterations are unknown from the code: an order of magnitude, stated in every figure
MAX_CALLS = 1_000_000.0  # deep loop nests: beyond this the figure says nothing more
MAX_ENTRIES = 2000  # entry points considered (the busiest is wanted, not all of them)

Multiplicity = Mapping[SymbolId, Mapping[SymbolId, float]]  # caller -> callee -> calls per call of the caller


def multiplicities(index: Index, config: Config, files: Iterable[Path]) -> dict[SymbolId, dict[SymbolId, float]]:
    """Per workspace function, how many times one call of it calls each workspace callee (call sites added, each
    multiplied by LOOP_ITERATIONS per loop around it)."""
    analyzer = Analyzer(index, config, index.graph())
    out: dict[SymbolId, dict[SymbolId, float]] = defaultdict(dict)
    for path in files:
        results, _ = analyzer.function_results(path)
        for result in results:
            ctx = result.ctx
            calls = out[ctx.symbol]
            depths = loop_depths(ctx.node)
            for call in ctx.calls:
                times = float(LOOP_ITERATIONS ** depths.get(id(call.node), 0))
                for edge in call.site.edges:  # several when the receiver can be one of several values
                    if not edge.external and edge.callee != ctx.symbol:
                        calls[edge.callee] = calls.get(edge.callee, 0.0) + times
    return dict(out)


def calls_from(entry: SymbolId, calls: Multiplicity) -> dict[SymbolId, float]:
    """How many times one call of ``entry`` calls each function it reaches (recursion counted once: back edges of a
    depth-first walk are dropped)."""
    order: list[SymbolId] = []
    state: dict[SymbolId, int] = {}  # 1: on the walk's path, 2: done
    stack: list[tuple[SymbolId, Iterator[SymbolId]]] = [(entry, iter(calls.get(entry, {})))]
    state[entry] = 1
    back: set[tuple[SymbolId, SymbolId]] = set()
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            state[node] = 2
            order.append(node)
        elif state.get(child) == 1:
            back.add((node, child))
        elif child not in state:
            state[child] = 1
            stack.append((child, iter(calls.get(child, {}))))
    counts: dict[SymbolId, float] = {entry: 1.0}
    for node in reversed(order):  # a topological order of the walk without its back edges
        here = counts.get(node, 0.0)
        for callee, times in calls.get(node, {}).items():
            if (node, callee) not in back and callee in state:
                counts[callee] = min(counts.get(callee, 0.0) + here * times, MAX_CALLS)
    return counts


def with_costs(result: AnalysisResult, entries: Sequence[SymbolId], calls: Multiplicity) -> AnalysisResult:
    """``result`` with a :class:`SpanCost` per recommendation (from the entry point that calls it most) and the
    :class:`SpanVolume` of all of them together at the busiest entry point."""
    wanted = {r.symbol for r in result.recommendations}
    best: dict[SymbolId, tuple[float, SymbolId]] = {}
    busiest: tuple[float, SymbolId | None, int] = (0.0, None, 0)
    for entry in [e for e in entries if split_symbol(e)[1] != MODULE_QUALNAME][:MAX_ENTRIES]:
        counts = calls_from(entry, calls)
        total, reached = 0.0, 0
        for symbol in wanted & counts.keys():
            total += counts[symbol]
            reached += 1
            if counts[symbol] > best.get(symbol, (0.0, ""))[0]:
                best[symbol] = (counts[symbol], entry)
        if total > busiest[0]:
            busiest = (total, entry, reached)
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
    return with_costs(result, index.graph().entry_points(), multiplicities(index, config, index.files()))

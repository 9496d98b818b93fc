"""Recommendations checked against real traces: each exported span is mapped to the function it belongs to; a
recommended function that ran inside a slow stretch of a traced caller's span with no child span (or that was traced
at run time and is slow or frequent) gains confidence with the figures in its rationale; spans the code starts under
a literal name that no trace contains are listed as unseen."""

from __future__ import annotations

import dataclasses
from collections import defaultdict, deque
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.analysis import Analyzer
from trace_advisor.config_model import Config
from trace_advisor.detect.existing import written_span_names
from trace_advisor.detect.graph_facts import GraphLike
from trace_advisor.model import (
    AnalysisResult,
    Observed,
    Problem,
    Recommendation,
    SpanCost,
    SpanGap,
    SymbolId,
    TraceCheck,
    TracedFunction,
    UnseenSpan,
)
from trace_advisor.traces.figures import Timed, duration_text, observed, timed, window_seconds
from trace_advisor.traces.match import CodeFunction, SpanMatcher
from trace_advisor.traces.otlp import ObservedSpan

if TYPE_CHECKING:
    from trace_advisor.index import Index

# When the traces count: a stretch of a span with no child span is a gap worth explaining when its p95 is at least
# SLOW_MS and it is at least GAP_SHARE of the span's time; a function is on a frequent path at FREQUENT_PER_TRACE
# spans per trace. The boosts keep the local scorer's order mostly intact: evidence from the code still comes first.
SLOW_MS = 10.0
GAP_SHARE = 0.5
FREQUENT_PER_TRACE = 5.0
SLOW_BOOST = 0.1
FREQUENT_BOOST = 0.05
MAX_CONFIDENCE = 0.99
MAX_DEPTH = 3  # call-graph steps from a traced caller to the functions that ran in its gap
MAX_GAP_CALLEES = 10


def code_functions(index: Index, config: Config, files: Sequence[Path]) -> tuple[CodeFunction, ...]:
    """Every function of ``files`` with the literal names of the spans it starts and whether it starts one."""
    analyzer = Analyzer(index, config, index.graph())
    out: list[CodeFunction] = []
    for path in files:
        analysed = index.analysed(path)
        if isinstance(analysed, Problem):
            continue
        results, _ = analyzer.function_results(path)
        traced = {(r.ctx.qualname, r.ctx.node.lineno): r.verdict.traced is not None for r in results}
        for function in analysed.functions():
            qualname = function.scope.qualname
            out.append(
                CodeFunction(
                    symbol=function.symbol,
                    module=analysed.name,
                    qualname=qualname,
                    file=str(analysed.path),
                    line=function.node.lineno,
                    written_spans=written_span_names(function.node),
                    traced=traced.get((qualname, function.node.lineno), False),
                )
            )
    return tuple(out)


def check_traces(
    result: AnalysisResult,
    functions: Sequence[CodeFunction],
    graph: GraphLike | None,
    spans: Sequence[ObservedSpan],
    files: Sequence[str],
) -> AnalysisResult:
    """``result`` with what ``spans`` (read from ``files``) say about it: see the module docstring."""
    matcher = SpanMatcher(functions)
    all_timed = timed(spans)
    window = window_seconds(spans)
    by_symbol: dict[SymbolId, list[Timed]] = defaultdict(list)
    for item in all_timed.values():
        symbol = matcher.symbol_of(item.span)
        if symbol is not None:
            by_symbol[symbol].append(item)
    figures = {symbol: observed(symbol, items, window) for symbol, items in by_symbol.items()}
    code = {f.symbol: f for f in functions}
    recommended = {r.symbol: r for r in result.recommendations}
    traced = {f.symbol for f in functions if f.traced} | set(figures)
    gaps, inside = _gaps(figures, code, recommended, traced, graph)
    recommendations = tuple(_checked(r, figures.get(r.symbol) or inside.get(r.symbol)) for r in result.recommendations)
    problems = list(result.problems)
    unseen: tuple[UnseenSpan, ...] = ()
    if spans and not figures:
        names = ", ".join(sorted({s.name for s in spans})[:5])
        problems.append(
            Problem(
                f"none of the {len(spans)} spans in the traces maps to a function under the analysed paths (span"
                f" names: {names}...): were they exported by this code?",
            )
        )
    else:
        unseen = _unseen(functions, figures, {s.name for s in spans})
    check = TraceCheck(
        files=tuple(files),
        spans=len(spans),
        traces=len({s.trace_id for s in spans}),
        mapped=sum(len(v) for v in by_symbol.values()),
        window_s=window,
        functions=tuple(
            sorted(
                (TracedFunction(s, code[s].file, code[s].line, o) for s, o in figures.items() if s in code),
                key=lambda t: (-t.observed.p95_ms, t.symbol),
            )
        ),
        gaps=tuple(gaps),
        unseen=unseen,
    )
    return dataclasses.replace(result, recommendations=recommendations, problems=tuple(problems), traces=check)


def _gaps(
    figures: dict[SymbolId, Observed],
    code: dict[SymbolId, CodeFunction],
    recommended: dict[SymbolId, Recommendation],
    traced: set[SymbolId],
    graph: GraphLike | None,
) -> tuple[list[SpanGap], dict[SymbolId, Observed]]:
    """Traced functions with a slow untraced stretch and the untraced workspace functions they call (breadth first,
    up to MAX_DEPTH steps, never through a function with a span); for each recommended one of those, the figures of
    the slowest gap it ran in, with the call path."""
    gaps: list[SpanGap] = []
    inside: dict[SymbolId, Observed] = {}
    for symbol, figure in sorted(figures.items(), key=lambda item: -item[1].untraced_p95_ms):
        if figure.untraced_p95_ms < SLOW_MS or figure.untraced_share < GAP_SHARE or symbol not in code:
            continue
        paths = _untraced_callees(symbol, code, traced, graph)
        if not paths:  # a leaf's own time is its library calls: a gap only where untraced code of ours ran
            continue
        library = tuple(dict.fromkeys(e.callee for e in graph.callees(symbol) if e.external)) if graph else ()
        callees = sorted(paths, key=lambda s: (s not in recommended, -_confidence(recommended.get(s)), len(paths[s])))
        function = code[symbol]
        gaps.append(
            SpanGap(
                TracedFunction(symbol, function.file, function.line, figure),
                tuple(callees)[:MAX_GAP_CALLEES],
                library[:MAX_GAP_CALLEES],
            )
        )
        for callee in callees:
            if callee in recommended and callee not in inside:
                inside[callee] = dataclasses.replace(figure, path=paths[callee])
    return gaps, inside


def _untraced_callees(
    root: SymbolId, code: dict[SymbolId, CodeFunction], traced: set[SymbolId], graph: GraphLike | None
) -> dict[SymbolId, tuple[SymbolId, ...]]:
    if graph is None:
        return {}
    paths: dict[SymbolId, tuple[SymbolId, ...]] = {}
    queue: deque[tuple[SymbolId, tuple[SymbolId, ...]]] = deque([(root, (root,))])
    while queue:
        symbol, path = queue.popleft()
        if len(path) > MAX_DEPTH:
            continue
        for edge in graph.callees(symbol):
            callee = edge.callee
            if edge.external or callee in paths or callee == root or callee not in code or callee in traced:
                continue
            paths[callee] = (*path, callee)
            queue.append((callee, paths[callee]))
    return paths


def _confidence(rec: Recommendation | None) -> float:
    return rec.confidence if rec is not None else 0.0


def _checked(rec: Recommendation, figure: Observed | None) -> Recommendation:
    """``rec`` with the observed figures, more confident on a slow or frequent path, its rationale citing them."""
    if figure is None:
        return rec
    slow = (figure.untraced_p95_ms if figure.path else figure.p95_ms) >= SLOW_MS
    frequent = figure.per_trace >= FREQUENT_PER_TRACE
    boost = (SLOW_BOOST if slow else 0.0) + (FREQUENT_BOOST if frequent else 0.0)
    confidence = max(rec.confidence, min(MAX_CONFIDENCE, rec.confidence + boost))  # never lowered by the cap
    cost = rec.cost
    if not figure.path:  # its own spans: how many a trace holds is measured, not estimated
        cost = SpanCost(figure.per_trace, None, "traces")
    return dataclasses.replace(
        rec, confidence=confidence, rationale=f"{rec.rationale} {describe(figure)}", observed=figure, cost=cost
    )


def describe(figure: Observed) -> str:
    """One sentence of figures for a rationale or a hover."""
    rate = f", {figure.per_second:.3g}/s" if figure.per_second else ""
    counts = f"{figure.spans} spans in {figure.traces} traces{rate}"
    if not figure.path:
        return (
            f"Observed in traces as span {figure.span_name!r} ({counts}): p50 {duration_text(figure.p50_ms)},"
            f" p95 {duration_text(figure.p95_ms)}."
        )
    chain = " → ".join(s.partition(":")[2] for s in figure.path)
    return (
        f"Observed in traces: it runs inside span {figure.span_name!r} ({counts}, p95 {duration_text(figure.p95_ms)}),"
        f" where {duration_text(figure.untraced_p95_ms)} at p95 ({figure.untraced_share:.0%} of its time) is in no"
        f" child span ({chain})."
    )


def _unseen(
    functions: Sequence[CodeFunction], figures: dict[SymbolId, Observed], names: set[str]
) -> tuple[UnseenSpan, ...]:
    """Literal span names in code that no trace holds, in packages the traces did reach (a trace of one service says
    nothing about another's code)."""
    reached = {f.module.partition(".")[0] for f in functions if f.symbol in figures}
    out: list[UnseenSpan] = []
    for f in functions:
        if f.symbol in figures or f.module.partition(".")[0] not in reached:
            continue
        for name in f.written_spans:
            if name not in names:
                out.append(UnseenSpan(f.symbol, f.file, f.line, name))
    return tuple(out)

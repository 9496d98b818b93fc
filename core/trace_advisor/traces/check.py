"""Recommendations checked against real traces: each exported span is mapped to the function it belongs to; a
recommended function that ran inside a slow stretch of a traced caller's span with no child span (or that was traced
at run time and is slow or frequent) gains confidence with the figures in its rationale, and a function with too
little evidence to be recommended on its code alone that ran in such a stretch is recommended after all; spans the
code starts under a literal name that no trace contains are listed as unseen."""

from __future__ import annotations

import dataclasses
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.datatypes import (
    AnalysisResult,
    CallEdge,
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
from trace_advisor.traces.match import CodeFunction, SpanMatcher, match_key
from trace_advisor.traces.otlp import ObservedSpan

if TYPE_CHECKING:
    from trace_advisor.detect.graph_facts import GraphLike
    from trace_advisor.index import Index
    from trace_advisor.traces.promote import Promotion

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
_SPAN_METHODS = frozenset({"set_attribute", "set_attributes", "add_event", "record_exception", "set_status"})


def code_functions(index: Index, files: Sequence[Path]) -> tuple[CodeFunction, ...]:
    """Every function of ``files`` with the literal names of the spans it starts and whether it starts one."""
    out: list[CodeFunction] = []
    for path in files:
        out.extend(file_functions(index, path))
    return tuple(out)


def file_functions(index: Index, path: Path) -> tuple[CodeFunction, ...]:
    """The functions of one file as the traces are matched against them (none when it does not parse)."""
    analysed = index.analysed(path)
    if isinstance(analysed, Problem):
        return ()
    from trace_advisor.detect.existing import written_spans  # the detectors: not needed to watch trace files

    out = []
    for function in analysed.functions():
        spans = written_spans(function.node)
        out.append(
            CodeFunction(
                symbol=function.symbol,
                module=analysed.name,
                qualname=function.scope.qualname,
                file=str(analysed.path),
                line=function.node.lineno,
                written_spans=spans.names,
                traced=spans.any,
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Observation:
    """What a set of spans says about the code: the figures of each function that has spans of its own, the traced
    functions with a slow untraced gap, and for each untraced function that ran in such a gap the figures of the
    slowest one (``Observed.path`` leads to it); ``mapped`` spans belong to a function."""

    functions: Mapping[SymbolId, Observed]
    gaps: tuple[SpanGap, ...]
    inside: Mapping[SymbolId, Observed]
    mapped: int
    window_s: float


def observe(
    functions: Sequence[CodeFunction],
    graph: GraphLike | None,
    spans: Sequence[ObservedSpan],
    recommended: Mapping[SymbolId, Recommendation] | None = None,
    groups: Mapping[tuple[object, ...], Sequence[Timed]] | None = None,
    names: Mapping[SymbolId, str] | None = None,
) -> Observation:
    """Map ``spans`` to ``functions`` and find the gaps (``recommended`` functions first among their callees);
    ``groups``: ``grouped(timed(spans))`` when the caller keeps it (spans alike are matched once); ``names``: the
    workspace's span names (:class:`SpanMatcher`)."""
    matcher = SpanMatcher(functions, names)
    window = window_seconds(spans)
    by_symbol: dict[SymbolId, list[Timed]] = defaultdict(list)
    for items in (groups if groups is not None else grouped(timed(spans))).values():
        symbol = matcher.symbol_of(items[0].span)
        if symbol is not None:
            by_symbol[symbol].extend(items)
    figures = {symbol: observed(symbol, items, window) for symbol, items in by_symbol.items()}
    code = {f.symbol: f for f in functions}
    traced = {f.symbol for f in functions if f.traced} | set(figures)
    gaps, inside = _gaps(figures, code, recommended or {}, traced, graph)
    return Observation(figures, tuple(gaps), inside, sum(len(v) for v in by_symbol.values()), window)


def grouped(all_timed: Mapping[str, Timed]) -> dict[tuple[object, ...], list[Timed]]:
    """The spans by what maps them to a function (:func:`match_key`), in their order."""
    groups: dict[tuple[object, ...], list[Timed]] = defaultdict(list)
    for item in all_timed.values():
        groups[match_key(item.span)].append(item)
    return groups


def check_traces(
    result: AnalysisResult,
    functions: Sequence[CodeFunction],
    graph: GraphLike | None,
    spans: Sequence[ObservedSpan],
    files: Sequence[str],
    promotion: Promotion | None = None,
    names: Mapping[SymbolId, str] | None = None,
) -> AnalysisResult:
    """``result`` with what ``spans`` (read from ``files``) say about it: see the module docstring. With a
    ``promotion``, functions below the threshold that ran in a slow gap join the recommendations."""
    recommended = {r.symbol: r for r in result.recommendations}
    seen = observe(functions, graph, spans, recommended, names=names)
    figures = seen.functions
    recommendations = [_checked(r, figures.get(r.symbol) or seen.inside.get(r.symbol)) for r in result.recommendations]
    if promotion is not None:
        below = [s for s in seen.inside if s not in recommended]
        for rec in promotion.recommend(below):
            checked = _checked(rec, seen.inside[rec.symbol])
            recommendations.append(dataclasses.replace(checked, confidence=max(checked.confidence, promotion.floor)))
        recommendations.sort(key=lambda r: (r.file, r.range.start))
    problems = list(result.problems)
    unseen: tuple[UnseenSpan, ...] = ()
    if spans and not figures:
        problems.append(Problem(unmapped_message(spans)))
    else:
        unseen = _unseen(functions, figures, {s.name for s in spans})
    code = {f.symbol: f for f in functions}
    check = TraceCheck(
        files=tuple(files),
        spans=len(spans),
        traces=len({s.trace_id for s in spans}),
        mapped=seen.mapped,
        window_s=seen.window_s,
        functions=tuple(
            sorted(
                (TracedFunction(s, code[s].file, code[s].line, o) for s, o in figures.items() if s in code),
                key=lambda t: (-t.observed.p95_ms, t.symbol),
            )
        ),
        gaps=seen.gaps,
        unseen=unseen,
    )
    return dataclasses.replace(result, recommendations=tuple(recommendations), problems=tuple(problems), traces=check)


def unmapped_message(spans: Sequence[ObservedSpan]) -> str:
    """Why traces say nothing about the code: none of their spans belongs to one of its functions."""
    names = ", ".join(sorted({s.name for s in spans})[:5])
    return (
        f"none of the {len(spans)} spans in the traces maps to a function under the analysed paths (span"
        f" names: {names}...): were they exported by this code?"
    )


def _gaps(
    figures: dict[SymbolId, Observed],
    code: dict[SymbolId, CodeFunction],
    recommended: Mapping[SymbolId, Recommendation],
    traced: set[SymbolId],
    graph: GraphLike | None,
) -> tuple[list[SpanGap], dict[SymbolId, Observed]]:
    """Traced functions with a slow untraced stretch and the untraced workspace functions they call (breadth first,
    up to MAX_DEPTH steps, never through a function with a span); for each of those, the figures of the slowest gap
    it ran in, with the call path."""
    gaps: list[SpanGap] = []
    inside: dict[SymbolId, Observed] = {}
    for symbol, figure in sorted(figures.items(), key=lambda item: -item[1].untraced_p95_ms):
        if figure.untraced_p95_ms < SLOW_MS or figure.untraced_share < GAP_SHARE or symbol not in code:
            continue
        paths = _untraced_callees(symbol, code, traced, graph)
        if not paths:  # a leaf's own time is its library calls: a gap only where untraced code of ours ran
            continue
        library = tuple(dict.fromkeys(e.callee for e in graph.callees(symbol) if _library_work(e))) if graph else ()
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
            if callee not in inside:
                inside[callee] = dataclasses.replace(figure, path=paths[callee])
    return gaps, inside


def _library_work(edge: CallEdge) -> bool:
    """A call outside the workspace that can be what took the time: not a builtin (``len``, an exception class),
    not the tracing itself (the OpenTelemetry API, the span's own methods, whatever the resolver took ``span`` for)."""
    module, _, qualname = edge.callee.partition(":")
    return (
        edge.external
        and module != "builtins"
        and not module.startswith("opentelemetry")
        and qualname.rpartition(".")[2] not in _SPAN_METHODS
    )


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
    errors = f", {figure.errors} with errors" if figure.errors else ""
    counts = f"{figure.spans} spans in {figure.traces} traces{rate}{errors}"
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
    functions: Sequence[CodeFunction], figures: Mapping[SymbolId, Observed], names: set[str]
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

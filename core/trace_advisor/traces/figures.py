"""Figures of a set of spans: how many, how long (p50/p95), how often, and how much of their time no child span
covers (self time: where untraced work ran)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from trace_advisor.datatypes import Observed, SymbolId
from trace_advisor.traces.otlp import ObservedSpan

_NS_PER_MS = 1_000_000


@dataclass(frozen=True, slots=True)
class Timed:
    """One span with the part of its time that none of its children cover."""

    span: ObservedSpan
    untraced_ns: int


def timed(spans: Sequence[ObservedSpan]) -> dict[str, Timed]:
    """Every span by span id, with its untraced time (its duration minus the union of its children's intervals,
    clipped to it: concurrent children are not counted twice)."""
    children: dict[tuple[str, str], list[ObservedSpan]] = defaultdict(list)
    for span in spans:
        if span.parent_id:
            children[(span.trace_id, span.parent_id)].append(span)
    out: dict[str, Timed] = {}
    for span in spans:
        covered = 0
        reach = span.start_ns
        for child in sorted(children.get((span.trace_id, span.span_id), ()), key=lambda c: c.start_ns):
            start, end = max(child.start_ns, reach), min(child.end_ns, span.end_ns)
            if end > start:
                covered += end - start
                reach = end
        out[f"{span.trace_id}/{span.span_id}"] = Timed(span, max(span.duration_ns - covered, 0))
    return out


def window_seconds(spans: Sequence[ObservedSpan]) -> float:
    """From the first span's start to the last span's end (0 without spans)."""
    if not spans:
        return 0.0
    return max(0, max(s.end_ns for s in spans) - min(s.start_ns for s in spans)) / 1e9


def observed(symbol: SymbolId, spans: Sequence[Timed], window_s: float) -> Observed:
    """The figures of one function's spans (``spans`` not empty)."""
    durations = sorted(t.span.duration_ns for t in spans)
    untraced = sorted(t.untraced_ns for t in spans)
    total = sum(durations)
    names = sorted({t.span.name for t in spans})
    return Observed(
        symbol=symbol,
        span_name=" | ".join(names),
        spans=len(spans),
        traces=len({t.span.trace_id for t in spans}),
        p50_ms=percentile(durations, 50) / _NS_PER_MS,
        p95_ms=percentile(durations, 95) / _NS_PER_MS,
        per_second=len(spans) / window_s if window_s > 0 else None,
        untraced_p95_ms=percentile(untraced, 95) / _NS_PER_MS,
        untraced_share=sum(untraced) / total if total else 0.0,
        errors=sum(t.span.error for t in spans),
    )


def percentile(ordered: Sequence[int], p: float) -> float:
    """Nearest-rank percentile of an ascending sequence (0 when empty)."""
    if not ordered:
        return 0.0
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return float(ordered[rank - 1])


def duration_text(ms: float) -> str:
    """``0.125 ms``, ``61.5 ms``, ``2.07 s``: three significant digits."""
    return f"{ms / 1000:.3g} s" if ms >= 1000 else f"{ms:.3g} ms"

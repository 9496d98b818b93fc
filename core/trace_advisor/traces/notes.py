"""What an editor shows about a function from the configured traces: a one-line lens title and a Markdown hover."""

from __future__ import annotations

from collections.abc import Sequence

from trace_advisor.datatypes import Observed, SymbolId
from trace_advisor.report.md_escape import md_code, md_text
from trace_advisor.traces.check import describe
from trace_advisor.traces.figures import duration_text
from trace_advisor.traces.watch import TraceView


def lens_title(figure: Observed) -> str:
    """``observed: p50 12.3 ms · p95 85 ms · 120 spans · 3 errors``."""
    errors = f" \u00b7 {figure.errors} error{'s' * (figure.errors != 1)}" if figure.errors else ""
    return (
        f"observed: p50 {duration_text(figure.p50_ms)} \u00b7 p95 {duration_text(figure.p95_ms)}"
        f" \u00b7 {figure.spans} span{'s' * (figure.spans != 1)}{errors}"
    )


def hover(view: TraceView, symbols: Sequence[SymbolId]) -> str | None:
    """The figures of the first of ``symbols`` the traces know (its own spans, else the gap it ran in), or None."""
    for symbol in symbols:
        own = view.functions.get(symbol)
        if own is not None:
            return _own(view, symbol, own)
        inside = view.inside.get(symbol)
        if inside is not None:
            title = f"**Observed in traces** \u00b7 {md_code(_short(symbol))}"
            return f"{title}\n\n{md_text(describe(inside))}{_source(view)}"
    return None


def summary(view: TraceView, symbol: SymbolId) -> str | None:
    """The hover's figures of a function with spans of its own as one paragraph of plain text (a notification shows
    no Markdown), or None when the traces have none."""
    figure = view.functions.get(symbol)
    if figure is None:
        return None
    rate = f", {figure.per_second:.3g}/s" if figure.per_second else ""
    share = f" ({figure.errors / figure.spans:.0%})" if figure.spans else ""
    text = (
        f"{_short(symbol)}, span '{figure.span_name}': {figure.spans} span{'s' * (figure.spans != 1)} in"
        f" {figure.traces} trace{'s' * (figure.traces != 1)}{rate}, p50 {duration_text(figure.p50_ms)},"
        f" p95 {duration_text(figure.p95_ms)}, {figure.errors} error{'s' * (figure.errors != 1)}{share}."
    )
    gap = view.gaps.get(symbol)
    if gap is not None:
        ran = ", ".join(_short(s) for s in gap.callees) or "none"
        text += (
            f" {duration_text(figure.untraced_p95_ms)} at p95 ({figure.untraced_share:.0%} of its time) is in no child"
            f" span; untraced functions that ran there: {ran}."
        )
    files = ", ".join(f.name for f in view.files[:3]) + (", ..." if len(view.files) > 3 else "")
    return f"{text} (From {view.spans} spans in {files}.)"


def _own(view: TraceView, symbol: SymbolId, figure: Observed) -> str:
    rate = f"{figure.per_second:.3g}/s" if figure.per_second else "-"
    share = f"{figure.errors / figure.spans:.0%}" if figure.spans else "-"
    lines = [
        f"**Observed in traces** \u00b7 {md_code(_short(symbol))} \u00b7 span {md_code(figure.span_name)}",
        "",
        "| spans | traces | rate | p50 | p95 | errors |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {figure.spans} | {figure.traces} | {rate} | {duration_text(figure.p50_ms)} |"
        f" {duration_text(figure.p95_ms)} | {figure.errors} ({share}) |",
    ]
    gap = view.gaps.get(symbol)
    if gap is not None:
        lines += [
            "",
            f"{duration_text(figure.untraced_p95_ms)} at p95 ({figure.untraced_share:.0%} of its time) is in no child"
            " span. Untraced functions that ran there: "
            + (", ".join(md_code(_short(s)) for s in gap.callees) or "none")
            + (f"; library calls: {', '.join(md_code(s) for s in gap.library_calls)}" if gap.library_calls else "")
            + ".",
        ]
    return "\n".join(lines) + _source(view)


def _source(view: TraceView) -> str:
    files = ", ".join(md_code(f.name) for f in view.files[:3]) + (", ..." if len(view.files) > 3 else "")
    return f"\n\n_{view.spans} spans from {files}_"


def _short(symbol: SymbolId) -> str:
    return symbol.partition(":")[2] or symbol

"""Evidence from a recording of the calls that really happened (``trace-advisor calls --record``): functions on hot
paths or with much cumulative time, and calls into I/O that only the recording saw (they count like static ones)."""

from __future__ import annotations

from trace_advisor.datatypes import Evidence, Range
from trace_advisor.detect.apis import match_symbol
from trace_advisor.detect.context import FunctionContext, ObservedFacts, ObservedIo
from trace_advisor.detect.external_io import api_strength, io_function_strength
from trace_advisor.detect.findings import Finding, Signal

_HOT_CALLS = 1_000  # this many calls in one recorded run is a hot path
_HOT_SHARE = 0.02  # so is this share of the recorded command's wall time


def detect(ctx: FunctionContext) -> list[Signal]:
    observed = ctx.graph.observed
    if observed is None:
        return []
    signals = [_io_signal(ctx, call) for call in observed.io]
    hot = _hot_path(ctx, observed)
    if hot is not None:
        signals.append(hot)
    return [s for s in signals if s is not None]


def figures(observed: ObservedFacts) -> str:
    """``observed 12,345 calls, 2.31 s cumulative (18% of `pytest -x`)`` for rationales."""
    calls = f"observed {observed.calls:,} call{'s' if observed.calls != 1 else ''}"
    if observed.share >= 0.005:
        return f"{calls}, {_seconds(observed.seconds)} cumulative ({observed.share:.0%} of `{observed.command}`)"
    return f"{calls}, {_seconds(observed.seconds)} cumulative, in `{observed.command}`"


def _hot_path(ctx: FunctionContext, observed: ObservedFacts) -> Signal | None:
    if observed.calls < _HOT_CALLS and observed.share < _HOT_SHARE:
        return None
    strength = 0.3
    if observed.share >= 0.25 or observed.calls >= 100_000:
        strength = 0.7
    elif observed.share >= 0.1 or observed.calls >= 10_000:
        strength = 0.55
    elif observed.share >= _HOT_SHARE:
        strength = 0.45
    evidence = Evidence("performance", f"hot path: {figures(observed)}", ctx.name_range(), "observed")
    return Signal(evidence, strength, Finding.HOT_PATH)


def _io_signal(ctx: FunctionContext, call: ObservedIo) -> Signal | None:
    where = _line_range(ctx, call.line)
    times = f"observed {call.count:,}×, not in the static graph"
    if call.io is None:  # a client API outside the workspace
        api = match_symbol(call.callee)
        if api is None or api.kind == "messaging":
            return None
        evidence = Evidence("external_io", f"{api.called} ({api.label}; {times})", where, api.target)
        return Signal(evidence, api_strength(api), Finding.CLIENT_CALL, api, api.instrumentation)
    evidence = Evidence("external_io", f"calls {call.callee} ({call.io.label}; {times})", where, call.callee)
    return Signal(evidence, io_function_strength(ctx, call.callee, call.io), Finding.CALLS_IO_FUNCTION)


def _line_range(ctx: FunctionContext, line: int) -> Range:
    lines = ctx.lines
    if not 0 < line <= len(lines):
        return ctx.name_range()
    text = lines[line - 1]
    return Range.of(line, len(text) - len(text.lstrip()), line, len(text.rstrip()))


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.1f} ms"

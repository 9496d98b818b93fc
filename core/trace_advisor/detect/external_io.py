"""External resource interactions: HTTP, databases, caches, files, subprocess, RPC and cloud SDK calls."""

from __future__ import annotations

from trace_advisor.detect.context import CallInfo, FunctionContext, Signal
from trace_advisor.model import Evidence

PRIORITY = "external_io"
_KIND_STRENGTH = {"file": 0.45, "subprocess": 0.85, "cache": 0.8, "rpc": 0.85}


def _strength(call: CallInfo) -> float:
    assert call.api is not None
    base = _KIND_STRENGTH.get(call.api.kind, 1.0)
    return base * call.api.strength


def detect(ctx: FunctionContext) -> list[Signal]:
    """One signal per distinct external target; a weaker one per workspace callee known to do I/O."""
    signals: list[Signal] = []
    seen: dict[str, int] = {}
    firsts: dict[str, CallInfo] = {}
    for call in ctx.calls:
        if call.api is None or call.api.kind == "messaging":
            continue
        key = call.api.target
        seen[key] = seen.get(key, 0) + 1
        firsts.setdefault(key, call)
    for key, call in firsts.items():
        api = call.api
        assert api is not None
        count = f", {seen[key]} calls" if seen[key] > 1 else ""
        how = "" if api.resolved else " (by name)"
        tags = {f"kind:{api.kind}", f"system:{api.system}", "resolved" if api.resolved else "heuristic"}
        if api.instrumentation:
            tags.add(f"instr:{api.instrumentation}")
        reason = f"calls {key} ({api.label}{count}){how}"
        signals.append(Signal(Evidence(PRIORITY, reason, call.range, key), _strength(call), frozenset(tags)))
    for call in ctx.calls:
        if call.api is None and call.callee and call.callee in ctx.graph.callee_io and call.callee != ctx.symbol:
            label = ctx.graph.callee_io[call.callee]
            reason = f"calls {call.callee} ({label})"
            signals.append(Signal(Evidence(PRIORITY, reason, call.range, call.callee), 0.5, frozenset({"delegates"})))
    return signals

"""Context propagation gaps: work handed to threads, pools, processes or queues, where the current span is lost."""

from __future__ import annotations

from trace_advisor.datatypes import Evidence
from trace_advisor.detect.apis import dotted_forms
from trace_advisor.detect.context import CallInfo, FunctionContext
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.detect.hints import HANDOFFS

PRIORITY = "context_propagation"
_POOL_WORDS = ("executor", "pool", "workers", "threads")
_QUEUE_WORDS = ("queue", "q", "jobs", "tasks", "work")


def _handoff(call: CallInfo) -> tuple[str, bool, str] | None:
    targets = [name for callee in call.callees for name in dotted_forms(callee)]
    method = call.text.rsplit(".", 1)[-1]
    receiver = call.text.rsplit(".", 1)[0].lower() if "." in call.text else ""
    for pattern, label, copies, fix in HANDOFFS:
        for target in targets:
            if target == pattern or (
                target.endswith("." + pattern.rsplit(".", 1)[-1])
                and target.startswith(pattern.split(".")[0] + ".")
                and "." in pattern
            ):
                return label, copies, fix
        if "." not in pattern and method == pattern:
            return label, copies, fix
    if call.resolved:
        return None
    if method in {"submit", "map"} and receiver.endswith(_POOL_WORDS):
        return HANDOFFS[2][1], False, HANDOFFS[2][3]
    if method in {"put", "put_nowait"} and receiver.split(".")[-1].endswith(_QUEUE_WORDS):
        return HANDOFFS[9][1], False, HANDOFFS[9][3]
    if method == "Thread":
        return HANDOFFS[0][1], False, HANDOFFS[0][3]
    return None


def _propagates(ctx: FunctionContext) -> bool:
    names = {c.text.rsplit(".", 1)[-1] for c in ctx.calls}
    return bool(names & {"copy_context", "attach", "inject", "get_current", "wrap"})


def detect(ctx: FunctionContext) -> list[Signal]:
    if _propagates(ctx):
        return []
    signals: list[Signal] = []
    for call in ctx.calls:
        found = _handoff(call)
        if found is None:
            continue
        label, copies, fix = found
        if copies:
            continue  # asyncio tasks and to_thread copy contextvars: no gap (async_boundaries covers the fan-out)
        reason = f"hands work to {label} ({call.text}): spans started there lose their parent; fix: {fix}"
        signals.append(Signal(Evidence(PRIORITY, reason, call.range, call.text), 0.9, Finding.CONTEXT_GAP))
    return signals

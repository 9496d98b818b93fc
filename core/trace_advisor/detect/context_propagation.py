"""Context propagation gaps: work handed to threads, pools, processes or queues, where the current span is lost."""

from __future__ import annotations

import ast

from trace_advisor.detect.context import CallInfo, FunctionContext
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.detect.hints import HANDOFFS
from trace_advisor.model import Evidence

PRIORITY = "context_propagation"
_POOL_WORDS = ("executor", "pool", "workers", "threads")
_QUEUE_WORDS = ("queue", "q", "jobs", "tasks", "work")


def _handoff(call: CallInfo) -> tuple[str, bool, str] | None:
    target = call.target or ""
    method = call.text.rsplit(".", 1)[-1]
    receiver = call.text.rsplit(".", 1)[0].lower() if "." in call.text else ""
    for pattern, label, copies, fix in HANDOFFS:
        if target == pattern or (
            target.endswith("." + pattern.rsplit(".", 1)[-1])
            and target.startswith(pattern.split(".")[0] + ".")
            and "." in pattern
        ):
            return label, copies, fix
        if "." not in pattern and method == pattern:
            return label, copies, fix
    if target:
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


def is_handoff(node: ast.Call, call: CallInfo) -> bool:
    """Whether a call hands work elsewhere (used by other detectors to word their evidence)."""
    return node is call.node and _handoff(call) is not None

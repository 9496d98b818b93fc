"""External resource interactions: HTTP, databases, caches, files, subprocess, RPC and cloud SDK calls."""

from __future__ import annotations

from trace_advisor.datatypes import Evidence, SymbolId
from trace_advisor.detect.apis import ApiMatch
from trace_advisor.detect.context import CalleeIO, CallInfo, FunctionContext
from trace_advisor.detect.findings import Finding, Signal

PRIORITY = "external_io"
_KIND_STRENGTH = {"file": 0.45, "subprocess": 0.85, "cache": 0.8, "rpc": 0.85}
_CONNECT = frozenset(
    {
        "connect",
        "create_pool",
        "from_url",
        "create_engine",
        "create_connection",
        "Redis",
        "MongoClient",
        "insecure_channel",
        "secure_channel",
        "BlockingConnection",
        "pubsub",
        "pipeline",
        "get_paginator",
        "generate_presigned_url",
        "cursor",
        "channel",
        "server",
        "Session",
        "session",
    }
)
_FETCH = frozenset(
    {
        "fetchone",
        "fetchall",
        "fetchmany",
        "fetchval",
        "commit",
        "close",
        "read",
        "json",
        "text",
        "scalars",
        "scalar_one",
        "scalar_one_or_none",
        "first",
        "all",
        "one",
        "one_or_none",
        "rollback",
        "flush",
        "raise_for_status",
        "release",
        "__enter__",
        "__aenter__",
    }
)
_DEEPER_IO = 0.8  # per call layer below the callee's own callees
_LISTING = frozenset({"glob", "rglob", "iterdir", "listdir", "scandir", "walk", "exists", "is_file", "is_dir", "stat"})


def sets_up(api: ApiMatch) -> bool:
    """Whether a client call connects or looks around the file system rather than operates (a database's or a
    cache's ``exists`` is a query)."""
    return api.method in _CONNECT or (api.method in _LISTING and api.kind == "file")


def api_strength(api: ApiMatch) -> float:
    """How strongly a call of a client API asks for a span."""
    last = api.method
    if last in _CONNECT:
        return 0.35  # opening a connection or building a client: wiring, not an operation
    if sets_up(api):
        return 0.25
    base = _KIND_STRENGTH.get(api.kind, 1.0)
    return base * api.strength


def io_function_strength(ctx: FunctionContext, callee: SymbolId, io: CalleeIO) -> float:
    """How strongly a call of a workspace function that does I/O asks for a span: a private helper of this module
    is part of this operation; anything else has its own span; I/O found deeper below the callee counts a little
    less per layer."""
    module, _, qualname = callee.partition(":")
    private = module == ctx.module and qualname.rsplit(".", 1)[-1].startswith("_")
    deeper = _DEEPER_IO ** max(io.below - 1, 0)  # further down an SDK's layers than the callee's own callees
    return (0.8 if private else 0.5) * (0.5 if io.kind == "file" else 1.0) * deeper


def io_operations(ctx: FunctionContext) -> set[str]:
    """Distinct external operations (not connection set-up, result fetching or listing) the function performs."""
    ops: set[str] = set()
    for call in ctx.calls:
        if call.api is None:
            continue
        if sets_up(call.api) or call.api.method in _FETCH:
            continue
        ops.add(call.api.target)
    return ops


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
        reason = f"{api.called} ({api.label}{count}){how}"
        evidence = Evidence(PRIORITY, reason, call.range, key)
        signals.append(Signal(evidence, api_strength(api), Finding.CLIENT_CALL, api, api.instrumentation))
    for call in ctx.calls:
        callee = next((c for c in call.workspace_callees if c in ctx.callee_io and c != ctx.symbol), None)
        if call.api is None and callee is not None:
            io = ctx.callee_io[callee]
            reason = f"calls {call.named(callee)} ({io.label})"
            strength = io_function_strength(ctx, callee, io)
            signals.append(Signal(Evidence(PRIORITY, reason, call.range, callee), strength, Finding.CALLS_IO_FUNCTION))
    return signals

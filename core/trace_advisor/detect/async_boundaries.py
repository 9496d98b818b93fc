"""Async boundaries: coroutines that await I/O, iterate async streams or fan out concurrent tasks."""

from __future__ import annotations

import ast

from trace_advisor.datatypes import Evidence, SymbolId
from trace_advisor.detect.context import CallInfo, FunctionContext
from trace_advisor.detect.findings import Finding, Signal

PRIORITY = "async_boundaries"
_FAN_OUT = frozenset(
    {
        "gather",
        "create_task",
        "ensure_future",
        "wait",
        "as_completed",
        "TaskGroup",
        "start_soon",
        "run_coroutine_threadsafe",
    }
)


# Calls that only start a task: the function fans work out only when it also waits for it (:func:`_joins`).
_STARTS = frozenset({"create_task", "ensure_future", "start_soon", "run_coroutine_threadsafe"})
_WAITS = frozenset({"gather", "wait", "as_completed", "wait_for", "TaskGroup", "create_task_group", "open_nursery"})
# the libraries whose functions of those names run or wait for concurrent work
_CONCURRENCY = frozenset({"asyncio", "concurrent", "anyio", "trio"})
# names other objects' methods share: ``event.wait()``, ``process.wait()``, ``condition.wait()`` fan nothing out
_SHARED_NAMES = frozenset({"wait", "wait_for"})


def _primitive(call: CallInfo) -> str:
    """The concurrency primitive a call runs (``gather``, ``create_task``...), "" for any other call: told by what
    the call resolves to (a function of asyncio, concurrent.futures, anyio or trio, or a task group's method); a call
    left unresolved (``tg.create_task`` on a task group) by its name, except a name other objects' methods share."""
    if call.resolved:
        for callee in call.callees:
            module, _, qualname = callee.partition(":")
            owner, _, name = qualname.rpartition(".")
            if module.partition(".")[0] in _CONCURRENCY and not (owner and name in _SHARED_NAMES):
                return name  # ``asyncio.wait``, ``TaskGroup.create_task``; not ``asyncio.Event.wait``
        return ""
    name = call.text.rpartition(".")[2]
    return "" if name in _SHARED_NAMES else name


# Calls that start the coroutine they are given as a task of its own (``start_soon`` is given a function, not a call)
_TASK_STARTS = frozenset({"create_task", "ensure_future", "run_coroutine_threadsafe"})


def may_start_tasks(code: str) -> bool:
    """Whether a function's source may start a task (read before its syntax tree is built)."""
    return any(name in code for name in _TASK_STARTS)


def started_tasks(ctx: FunctionContext) -> dict[SymbolId, str]:
    """The workspace functions whose coroutine the function starts as a task of its own, given its input
    (``asyncio.create_task(self._process_send(envelope))``) -> the primitive starting it. Each such task is one unit of
    work (a message, a request, a tool call) handled on its own: on autogen's runtimes, openai-agents' guardrails and
    tools, 11 of 19 such functions were traced by their maintainers, against 1 in 10 functions overall. A coroutine
    started without input (``create_task(self._receive_loop())``) is a background loop, not a unit of work."""
    started: dict[SymbolId, str] = {}
    by_node = {id(c.node): c for c in ctx.calls}
    for call in ctx.calls:
        primitive = _primitive(call)
        node = call.node
        if primitive not in _TASK_STARTS or not isinstance(node, ast.Call) or not node.args:
            continue
        inner = node.args[0]
        if not isinstance(inner, ast.Call) or not (inner.args or inner.keywords):
            continue
        found = by_node.get(id(inner))
        for callee in found.workspace_callees if found is not None else ():
            started.setdefault(callee, primitive)
    return started


def _joins(ctx: FunctionContext) -> bool:
    """Whether the function waits for the tasks it starts: it gathers or waits for them, runs them in a task group
    it holds (``async with``), or awaits a task it bound (``task = create_task(...)`` ... ``await task``). A task
    only started (``self._receive_task = create_task(self._receive())``) runs on after the function returns: a span
    there would end before its work does, it groups nothing."""
    if any(_primitive(c) in _WAITS for c in ctx.calls):
        return True
    if any(isinstance(n, ast.AsyncWith) for n in ctx.nodes) and any(_primitive(c) == "start_soon" for c in ctx.calls):
        return True
    started = {id(c.node) for c in ctx.calls if _primitive(c) in _STARTS}
    bound = {
        target.id
        for n in ctx.nodes
        if isinstance(n, ast.Assign) and id(n.value) in started
        for target in n.targets
        if isinstance(target, ast.Name)
    }
    return any(
        isinstance(n, ast.Await) and any(isinstance(m, ast.Name) and m.id in bound for m in ast.walk(n.value))
        for n in ctx.nodes
    )


def detect(ctx: FunctionContext) -> list[Signal]:
    signals: list[Signal] = []
    fan_out = [c for c in ctx.calls if _primitive(c) in _FAN_OUT]
    if fan_out and not _joins(ctx):
        fan_out = []  # it starts background work and returns
    if fan_out:
        c = fan_out[0]
        reason = f"fans out concurrent work ({c.text}): one parent span groups the concurrent children"
        signals.append(Signal(Evidence(PRIORITY, reason, c.range, c.text), 0.75, Finding.FAN_OUT))
    if not ctx.is_async:
        return signals
    awaited_io = [
        c
        for n in ctx.nodes
        if isinstance(n, ast.Await) and isinstance(n.value, ast.Call)
        for c in ctx.calls
        if c.node is n.value and c.api is not None
    ]
    if awaited_io:
        c = awaited_io[0]
        assert c.api is not None
        signals.append(
            Signal(
                Evidence(PRIORITY, f"awaits {c.api.shown} ({c.api.label})", c.range, c.api.target),
                0.6,
                Finding.AWAITS_IO,
            )
        )
    streams = [n for n in ctx.nodes if isinstance(n, ast.AsyncFor | ast.AsyncWith)]
    if streams and not awaited_io:
        node = streams[0]
        stream = isinstance(node, ast.AsyncFor)
        kind = "iterates an async stream" if stream else "holds an async resource"
        finding = Finding.ASYNC_STREAM if stream else Finding.ASYNC_RESOURCE
        signals.append(Signal(Evidence(PRIORITY, kind, ctx.range_of(node), kind), 0.4, finding))
    awaits = sum(isinstance(n, ast.Await) for n in ctx.nodes)
    if awaits >= 3 and not awaited_io:
        signals.append(
            Signal(
                Evidence(PRIORITY, f"awaits {awaits} times (suspension points)", ctx.range_of(ctx.node), "awaits"),
                0.35,
                Finding.AWAITS,
            )
        )
    return signals

"""Call hierarchy across the workspace: prepare (the symbol under the cursor), incoming calls (callers) and outgoing
calls (every callee of the call graph: workspace code, code outside it, or a generated stub when it has no source)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from lsprotocol import types
from trace_advisor.datatypes import CallEdge, Range, SymbolId
from trace_advisor.decorated_calls import closure_callees, closure_callers
from trace_advisor.index import Index
from trace_advisor.navigation import Located, locate, symbols_at
from trace_advisor.record import observed
from trace_advisor.stubs import Stubs

from trace_advisor_lsp import convert
from trace_advisor_lsp.convert import Converter
from trace_advisor_lsp.server import TraceAdvisorServer

T = TypeVar("T")


async def prepare_call_hierarchy(
    ls: TraceAdvisorServer, params: types.CallHierarchyPrepareParams
) -> list[types.CallHierarchyItem] | None:
    """On a called name, one item per resolved target; on a def/class name, that definition; elsewhere, the
    enclosing function, or the module body (a Module item) in module-level code."""
    uri = params.text_document.uri
    # the file and what it imports: the whole folder can wait
    target = await ls.documents.ready(uri, whole=False, progress=params.work_done_token)
    if target is None:
        return None
    path, index, root, project = target.path, target.index, str(target.project.root), target.project
    conv, stubs, current = (
        ls.documents.converter(project),
        ls.documents.stubs,
        ls.documents.current_texts(project, index),
    )

    def job() -> list[types.CallHierarchyItem]:
        current()
        at = symbols_at(index, Path(path), conv.to_core(path, params.position))
        items = []
        for symbol in at.symbols:
            located = locate(index, symbol, stubs)
            if located is not None:
                items.append(through_decorator(as_item(conv, located, root), at.runs.get(symbol, ())))
        return items

    return await ls.engine.query(job) or None


async def incoming_calls(
    ls: TraceAdvisorServer, params: types.CallHierarchyIncomingCallsParams
) -> list[types.CallHierarchyIncomingCall] | None:
    """Every caller in the workspace (functions and module bodies), with the call sites inside the caller; of a
    decorator's closure reached by a call of a decorated function, the callers that run that function."""
    runs = _runs_of(params.item)

    def build(
        conv: Converter, index: Index, stubs: Stubs, root: str, symbol: SymbolId
    ) -> list[types.CallHierarchyIncomingCall]:
        calls = []
        graph = index.graph()
        edges = closure_callers(index.module_info, graph.callers, symbol, runs) if runs else graph.callers(symbol)
        for caller in observed.incoming(edges, _observed(index), symbol):
            located = locate(index, caller.symbol, stubs)
            if located is not None:
                file = located.definition.file
                ranges = [conv.range(file, e.range) for e in caller.edges]
                ranges += _observed_ranges(conv, index, file, caller, ranges)
                calls.append(convert.incoming_call(as_item(conv, located, root, caller), ranges))
        return calls

    # callers anywhere in the folder: wait for all of it
    return await _calls(ls, params.item, build, True, params.work_done_token)


async def outgoing_calls(
    ls: TraceAdvisorServer, params: types.CallHierarchyOutgoingCallsParams
) -> list[types.CallHierarchyOutgoingCall] | None:
    """Every callee the call graph has for this function or module body, with the call sites in it."""
    caller_file = convert.uri_to_path(params.item.uri) or ""

    runs = _runs_of(params.item)

    def build(
        conv: Converter, index: Index, stubs: Stubs, root: str, symbol: SymbolId
    ) -> list[types.CallHierarchyOutgoingCall]:
        calls = []
        graph = index.graph()
        edges = closure_callees(index.module_info, graph.callees, symbol, runs) if runs else graph.callees(symbol)
        for callee in observed.outgoing(edges, _observed(index), symbol):
            located = locate(index, callee.symbol, stubs)
            if located is not None:
                ranges = [conv.range(caller_file, e.range) for e in callee.edges]
                ranges += _observed_ranges(conv, index, caller_file, callee, ranges)
                calls.append(convert.outgoing_call(as_item(conv, located, root, callee), ranges))
        return calls

    return await _calls(ls, params.item, build, False, params.work_done_token)  # only the caller's module is resolved


def as_item(
    conv: Converter, located: Located, root: str, call: observed.HierarchyCall | None = None
) -> types.CallHierarchyItem:
    """The item of a located definition; for a call that ran, its detail says how often (``observed 12×``, with
    ``(not in the static graph)`` when static analysis does not have it)."""
    detail = located.detail
    if call is not None and call.observed:
        seen = f"observed {call.count:,}×" + ("" if call.edges else " (not in the static graph)")
        detail = f"{detail} · {seen}" if detail else seen
    return conv.hierarchy_item(located.definition, root, detail)


def through_decorator(item: types.CallHierarchyItem, runs: tuple[SymbolId, ...]) -> types.CallHierarchyItem:
    """The item of a decorator's closure reached by a call of a decorated function: it says which function runs
    through it, and its outgoing calls go to that one only (not to every function the decorator is applied to)."""
    if not runs:
        return item
    ran = ", ".join(symbol.partition(":")[2] for symbol in runs)
    item.name = f"{item.name} ({ran})"
    item.detail = f"{item.detail} \u00b7 runs {', '.join(runs)}"
    item.data = {**(item.data if isinstance(item.data, dict) else {}), "runs": list(runs)}
    return item


def _runs_of(item: types.CallHierarchyItem) -> tuple[SymbolId, ...]:
    data = item.data if isinstance(item.data, dict) else {}
    runs = data.get("runs")
    return tuple(str(r) for r in runs) if isinstance(runs, list) else ()


def _observed(index: Index) -> observed.ObservedGraph | None:
    """The calls of the folder's recording (``trace-advisor calls --record``), if it has one."""
    return index.extension(observed.RecordingWatch).graph()


def _observed_ranges(
    conv: Converter, index: Index, file: str, call: observed.HierarchyCall, static: list[types.Range]
) -> list[types.Range]:
    """The caller's lines where observed calls happened and that no static call site already covers."""
    if not call.observed:
        return []  # (the common case: no recording; the file's lines are not split for nothing)
    covered = {r.start.line for r in static}
    lines = (index.source(Path(file)) or "").splitlines()
    ranges = []
    for line in sorted({c.line for c in call.observed if c.line and c.line - 1 not in covered}):
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        start = len(source) - len(source.lstrip())
        ranges.append(conv.range(file, Range.of(line, start, line, len(source.rstrip()))))
    return ranges


async def _calls(
    ls: TraceAdvisorServer,
    item: types.CallHierarchyItem,
    build: Callable[[Converter, Index, Stubs, str, SymbolId], list[T]],
    whole: bool,
    progress: types.ProgressToken | None,
) -> list[T] | None:
    data = item.data if isinstance(item.data, dict) else {}
    symbol = data.get("symbol")
    # an item outside every folder (search path, stdlib, stub) belongs to the folder that produced it
    project = ls.projects.for_path(convert.uri_to_path(item.uri) or "") or ls.projects.get(Path(str(data.get("root"))))
    if not isinstance(symbol, str) or project is None:
        return None
    index = await ls.documents.ready_index(project, whole, progress)
    if index is None:
        return None
    conv, stubs, root = ls.documents.converter(project), ls.documents.stubs, str(project.root)
    current = ls.documents.current_texts(project, index)

    def job() -> list[T]:
        current()
        return build(conv, index, stubs, root, symbol)

    return await ls.engine.query(job)


def group(edges: tuple[CallEdge, ...], key: Callable[[CallEdge], SymbolId]) -> dict[SymbolId, list[CallEdge]]:
    grouped: dict[SymbolId, list[CallEdge]] = {}
    for edge in edges:
        grouped.setdefault(key(edge), []).append(edge)
    return grouped


def register(server: TraceAdvisorServer) -> None:
    server.feature(types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)(prepare_call_hierarchy)
    server.feature(types.CALL_HIERARCHY_INCOMING_CALLS)(incoming_calls)
    server.feature(types.CALL_HIERARCHY_OUTGOING_CALLS)(outgoing_calls)

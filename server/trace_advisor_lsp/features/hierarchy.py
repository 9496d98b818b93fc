"""Call hierarchy across the workspace: prepare, incoming calls (callers) and outgoing calls (callees)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from trace_advisor.index import Index
from trace_advisor.model import CallEdge, Range, SymbolId
from trace_advisor.record import observed

from trace_advisor_lsp import convert
from trace_advisor_lsp.convert import Converter
from trace_advisor_lsp.server import TraceAdvisorServer

T = TypeVar("T")
DefinitionOf = Callable[[SymbolId], Any]


async def prepare_call_hierarchy(
    ls: TraceAdvisorServer, params: types.CallHierarchyPrepareParams
) -> list[types.CallHierarchyItem] | None:
    """The function, method or class whose definition contains the cursor."""
    target = ls.projects.target(params.text_document.uri)
    if target is None:
        return None
    project, path, index = target.project, target.path, target.index
    conv = ls.documents.converter(project)

    def job() -> list[types.CallHierarchyItem] | None:
        definition = index.definition_at(Path(path), conv.to_core(path, params.position))
        return [conv.hierarchy_item(definition, str(project.root))] if definition is not None else None

    return await ls.engine.run(job)


async def incoming_calls(
    ls: TraceAdvisorServer, params: types.CallHierarchyIncomingCallsParams
) -> list[types.CallHierarchyIncomingCall] | None:
    """Every caller in the workspace, with the call sites inside the caller."""

    def build(conv: Converter, root: str, index: Index, symbol: SymbolId) -> list[Any]:
        calls = []
        for caller in observed.incoming(index.graph().callers(symbol), _observed(index), symbol):
            definition = index.definition(caller.symbol)
            if definition is not None:
                ranges = [conv.range(definition.file, e.range) for e in caller.edges]
                ranges += _observed_ranges(conv, index, definition.file, caller, ranges)
                item = conv.hierarchy_item(definition, root, _detail(caller))
                calls.append(convert.incoming_call(item, ranges))
        return calls

    return await _calls(ls, params.item, build)


async def outgoing_calls(
    ls: TraceAdvisorServer, params: types.CallHierarchyOutgoingCallsParams
) -> list[types.CallHierarchyOutgoingCall] | None:
    """Every callee whose source is indexed or on a search path, with the call sites in this function."""
    caller_file = convert.uri_to_path(params.item.uri) or ""

    def build(conv: Converter, root: str, index: Index, symbol: SymbolId) -> list[Any]:
        calls = []
        for callee in observed.outgoing(index.graph().callees(symbol), _observed(index), symbol):
            definition = index.definition(callee.symbol)
            if definition is not None:
                ranges = [conv.range(caller_file, e.range) for e in callee.edges]
                ranges += _observed_ranges(conv, index, caller_file, callee, ranges)
                item = conv.hierarchy_item(definition, root, _detail(callee))
                calls.append(convert.outgoing_call(item, ranges))
        return calls

    return await _calls(ls, params.item, build)


async def _calls(
    ls: TraceAdvisorServer,
    item: types.CallHierarchyItem,
    build: Callable[[Converter, str, Index, SymbolId], list[T]],
) -> list[T] | None:
    data = item.data if isinstance(item.data, dict) else {}
    symbol, target = data.get("symbol"), ls.projects.target(item.uri)
    # an item outside every folder (a search-path module) belongs to the folder that produced it
    project = target.project if target is not None else ls.projects.get(Path(str(data.get("root", ""))))
    index = project.index if project is not None else None
    if symbol is None or project is None or index is None:
        return None
    conv, root = ls.documents.converter(project), str(project.root)
    return await ls.engine.run(lambda: build(conv, root, index, symbol))


def _observed(index: Index) -> observed.ObservedGraph | None:
    return index.extension(observed.RecordingWatch).graph()


def _detail(call: observed.HierarchyCall) -> str | None:
    """``observed 12×`` for a call seen at run time (with ``only`` when static analysis does not have it)."""
    if not call.observed:
        return None
    return f"observed {call.count:,}×" + ("" if call.edges else " (not in the static graph)")


def _observed_ranges(
    conv: Converter, index: Index, file: str, call: observed.HierarchyCall, static: list[types.Range]
) -> list[types.Range]:
    """The caller's lines where observed calls happened and that no static call site already covers."""
    covered = {r.start.line for r in static}
    text = index.source(Path(file)) or ""
    lines = text.splitlines()
    ranges = []
    for line in sorted({c.line for c in call.observed if c.line and c.line - 1 not in covered}):
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        start = len(source) - len(source.lstrip())
        ranges.append(conv.range(file, Range.of(line, start, line, len(source.rstrip()))))
    return ranges


def group(edges: tuple[CallEdge, ...], key: Callable[[CallEdge], SymbolId]) -> dict[SymbolId, list[CallEdge]]:
    grouped: dict[SymbolId, list[CallEdge]] = {}
    for edge in edges:
        grouped.setdefault(key(edge), []).append(edge)
    return grouped


def register(server: TraceAdvisorServer) -> None:
    server.feature(types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)(prepare_call_hierarchy)
    server.feature(types.CALL_HIERARCHY_INCOMING_CALLS)(incoming_calls)
    server.feature(types.CALL_HIERARCHY_OUTGOING_CALLS)(outgoing_calls)

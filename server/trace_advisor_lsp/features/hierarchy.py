"""Call hierarchy across the workspace: prepare, incoming calls (callers) and outgoing calls (callees)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from trace_advisor.model import CallEdge, SymbolId

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

    def build(
        conv: Converter, root: str, definition_of: Callable[[SymbolId], Any], edges: tuple[CallEdge, ...]
    ) -> list[Any]:
        calls = []
        for caller, sites in group(edges, lambda e: e.caller).items():
            definition = definition_of(caller)
            if definition is not None:
                ranges = [conv.range(definition.file, e.range) for e in sites]
                calls.append(convert.incoming_call(conv.hierarchy_item(definition, root), ranges))
        return calls

    return await _calls(ls, params.item, lambda graph, symbol: graph.callers(symbol), build)


async def outgoing_calls(
    ls: TraceAdvisorServer, params: types.CallHierarchyOutgoingCallsParams
) -> list[types.CallHierarchyOutgoingCall] | None:
    """Every callee whose source is indexed or on a search path, with the call sites in this function."""
    caller_file = convert.uri_to_path(params.item.uri) or ""

    def build(
        conv: Converter, root: str, definition_of: Callable[[SymbolId], Any], edges: tuple[CallEdge, ...]
    ) -> list[Any]:
        calls = []
        for callee, sites in group(edges, lambda e: e.callee).items():
            definition = definition_of(callee)
            if definition is not None:
                ranges = [conv.range(caller_file, e.range) for e in sites]
                calls.append(convert.outgoing_call(conv.hierarchy_item(definition, root), ranges))
        return calls

    return await _calls(ls, params.item, lambda graph, symbol: graph.callees(symbol), build)


async def _calls(
    ls: TraceAdvisorServer,
    item: types.CallHierarchyItem,
    edges_of: Callable[[Any, SymbolId], tuple[CallEdge, ...]],
    build: Callable[[Converter, str, Callable[[SymbolId], Any], tuple[CallEdge, ...]], list[T]],
) -> list[T] | None:
    data = item.data if isinstance(item.data, dict) else {}
    symbol, target = data.get("symbol"), ls.projects.target(item.uri)
    # an item outside every folder (a search-path module) belongs to the folder that produced it
    project = target.project if target is not None else ls.projects.get(Path(str(data.get("root", ""))))
    index = project.index if project is not None else None
    if not isinstance(symbol, str) or project is None or index is None:
        return None
    conv, root = ls.documents.converter(project), str(project.root)
    return await ls.engine.run(lambda: build(conv, root, index.definition, edges_of(index.graph(), symbol)))


def group(edges: tuple[CallEdge, ...], key: Callable[[CallEdge], SymbolId]) -> dict[SymbolId, list[CallEdge]]:
    grouped: dict[SymbolId, list[CallEdge]] = {}
    for edge in edges:
        grouped.setdefault(key(edge), []).append(edge)
    return grouped


def register(server: TraceAdvisorServer) -> None:
    server.feature(types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)(prepare_call_hierarchy)
    server.feature(types.CALL_HIERARCHY_INCOMING_CALLS)(incoming_calls)
    server.feature(types.CALL_HIERARCHY_OUTGOING_CALLS)(outgoing_calls)

"""Call hierarchy across the workspace: prepare (the symbol under the cursor), incoming calls (callers) and outgoing
calls (every callee of the call graph: workspace code, code outside it, or a generated stub when it has no source)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from lsprotocol import types
from trace_advisor.index import Index
from trace_advisor.model import CallEdge, SymbolId
from trace_advisor.navigation import Located, locate, symbols_at
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
    target = await ls.documents.ready(uri)
    if target is None:
        return None
    path, index, root = target.path, target.index, str(target.project.root)
    conv, stubs, current = ls.documents.converter(target.project), ls.documents.stubs, ls.documents.current_text(uri)

    def job() -> list[types.CallHierarchyItem]:
        current()
        at = symbols_at(index, Path(path), conv.to_core(path, params.position))
        found = (locate(index, symbol, stubs) for symbol in at.symbols)
        return [as_item(conv, located, root) for located in found if located is not None]

    return await ls.engine.query(job) or None


async def incoming_calls(
    ls: TraceAdvisorServer, params: types.CallHierarchyIncomingCallsParams
) -> list[types.CallHierarchyIncomingCall] | None:
    """Every caller in the workspace (functions and module bodies), with the call sites inside the caller."""

    def build(
        conv: Converter, index: Index, stubs: Stubs, root: str, symbol: SymbolId
    ) -> list[types.CallHierarchyIncomingCall]:
        calls = []
        for caller, sites in group(index.graph().callers(symbol), lambda e: e.caller).items():
            located = locate(index, caller, stubs)
            if located is not None:
                ranges = [conv.range(located.definition.file, e.range) for e in sites]
                calls.append(convert.incoming_call(as_item(conv, located, root), ranges))
        return calls

    return await _calls(ls, params.item, build)


async def outgoing_calls(
    ls: TraceAdvisorServer, params: types.CallHierarchyOutgoingCallsParams
) -> list[types.CallHierarchyOutgoingCall] | None:
    """Every callee the call graph has for this function or module body, with the call sites in it."""
    caller_file = convert.uri_to_path(params.item.uri) or ""

    def build(
        conv: Converter, index: Index, stubs: Stubs, root: str, symbol: SymbolId
    ) -> list[types.CallHierarchyOutgoingCall]:
        calls = []
        for callee, sites in group(index.graph().callees(symbol), lambda e: e.callee).items():
            located = locate(index, callee, stubs)
            if located is not None:
                ranges = [conv.range(caller_file, e.range) for e in sites]
                calls.append(convert.outgoing_call(as_item(conv, located, root), ranges))
        return calls

    return await _calls(ls, params.item, build)


def as_item(conv: Converter, located: Located, root: str) -> types.CallHierarchyItem:
    return conv.hierarchy_item(located.definition, root, located.detail)


async def _calls(
    ls: TraceAdvisorServer,
    item: types.CallHierarchyItem,
    build: Callable[[Converter, Index, Stubs, str, SymbolId], list[T]],
) -> list[T] | None:
    data = item.data if isinstance(item.data, dict) else {}
    symbol = data.get("symbol")
    # an item outside every folder (search path, stdlib, stub) belongs to the folder that produced it
    project = ls.projects.for_path(convert.uri_to_path(item.uri) or "") or ls.projects.get(Path(str(data.get("root"))))
    if not isinstance(symbol, str) or project is None:
        return None
    index = await ls.documents.ready_index(project)
    if index is None:
        return None
    conv, stubs, root = ls.documents.converter(project), ls.documents.stubs, str(project.root)
    return await ls.engine.query(lambda: build(conv, index, stubs, root, symbol))


def group(edges: tuple[CallEdge, ...], key: Callable[[CallEdge], SymbolId]) -> dict[SymbolId, list[CallEdge]]:
    grouped: dict[SymbolId, list[CallEdge]] = {}
    for edge in edges:
        grouped.setdefault(key(edge), []).append(edge)
    return grouped


def register(server: TraceAdvisorServer) -> None:
    server.feature(types.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)(prepare_call_hierarchy)
    server.feature(types.CALL_HIERARCHY_INCOMING_CALLS)(incoming_calls)
    server.feature(types.CALL_HIERARCHY_OUTGOING_CALLS)(outgoing_calls)

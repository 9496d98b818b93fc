"""The editor's call hierarchy is the CLI's call graph: a client that opens every file and, without waiting for
indexing (cold cache), asks prepareCallHierarchy at every def, every called name and every module body, then
outgoingCalls of each item, gets exactly the edges of `trace-advisor calls --format json`."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import CLI, folders_of, open_document, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")
COLD = tempfile.mkdtemp(prefix="trace-advisor-parity-cache-")
client = session_fixture(
    "parity", ("parity/workspace",), copies=("parity",), env={"TRACE_ADVISOR_CACHE_DIR": COLD}, wait=False
)
Edge = tuple[str, str]


def workspace(client: LanguageClient) -> Path:
    return folders_of(client)[0]


def cli_edges(root: Path) -> set[Edge]:
    env = {**os.environ, "TRACE_ADVISOR_CACHE_DIR": tempfile.mkdtemp(prefix="trace-advisor-parity-cli-")}
    done = subprocess.run(
        [str(CLI), "calls", str(root), "--format", "json"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    functions = json.loads(done.stdout)["functions"]
    return {(caller, callee) for caller, found in functions.items() for callee in found["calls"]}


def positions(text: str) -> list[types.Position]:
    """The module body (line 0), every def/class name and every called name of ``text`` (ASCII)."""
    lines = text.splitlines()
    found = [types.Position(line=0, character=0)]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            column = lines[node.lineno - 1].index(f" {node.name}", node.col_offset) + 1
            found.append(types.Position(line=node.lineno - 1, character=column))
            callees = [d for d in node.decorator_list if not isinstance(d, ast.Call)]  # a bare @name is a call
        else:
            callees = [node.func] if isinstance(node, ast.Call) else []
        for callee in callees:
            if isinstance(callee, ast.Attribute) and callee.end_lineno and callee.end_col_offset:
                found.append(types.Position(line=callee.end_lineno - 1, character=callee.end_col_offset - 1))
            elif isinstance(callee, ast.Name):
                found.append(types.Position(line=callee.lineno - 1, character=callee.col_offset))
    return found


async def prepare(client: LanguageClient, uri: str, position: types.Position) -> list[types.CallHierarchyItem]:
    items = await client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert items, f"no item at {uri}:{position.line + 1}:{position.character}"
    return list(items)


async def test_outgoing_calls_equal_the_cli_graph_from_the_first_request(client: LanguageClient) -> None:
    root = workspace(client)
    files = sorted(root.rglob("*.py"))
    asked = [(open_document(client, file), position) for file in files for position in positions(file.read_text())]
    # no pause after didOpen: the first requests wait for the (cold) index instead of answering null
    answers = await asyncio.gather(*(prepare(client, uri, position) for uri, position in asked))
    items = {item.data["symbol"]: item for found in answers for item in found}
    edges: set[Edge] = set()
    for symbol, item in items.items():
        assert item.detail.startswith(symbol)
        calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=item))
        edges |= {(symbol, call.to.data["symbol"]) for call in calls or []}
    expected = cli_edges(root)
    assert edges == expected, f"missing {sorted(expected - edges)}, extra {sorted(edges - expected)}"
    assert {caller for caller, _ in expected} <= set(items), "every function and module body was reached"


async def test_the_symbol_under_the_cursor(client: LanguageClient) -> None:
    orders = workspace(client) / "shop" / "orders.py"
    models = workspace(client) / "shop" / "models.py"
    uri, text = open_document(client, orders), orders.read_text()

    async def at(file: Path, needle: str, offset: int = 0) -> list[tuple[str, types.SymbolKind]]:
        found = await prepare(client, file.as_uri(), position_of(file.read_text(), needle, offset))
        return [(item.data["symbol"], item.kind) for item in found]

    assert await at(orders, "@log_calls", 1) == [("shop.util.fmt:log_calls", types.SymbolKind.Function)]
    assert await at(orders, "def place_order", 4) == [("shop.orders:place_order", types.SymbolKind.Function)]
    assert await at(orders, "pricing.total(", len("pricing.")) == [("shop.pricing:total", types.SymbolKind.Function)]
    assert await at(orders, "amount = ") == [("shop.orders:place_order", types.SymbolKind.Function)]
    module = [("shop.orders:<module>", types.SymbolKind.Module)]
    assert await at(orders, '"default"') == module and await at(orders, "REGISTRY: dict") == module
    assert await at(orders, "Order.create(", len("Order.")) == [("shop.models:Order.create", types.SymbolKind.Method)]
    assert await at(models, "cls(order_id") == [("shop.models:Order.__init__", types.SymbolKind.Method)]
    assert await at(models, "Line(sku") == [("shop.models:Line", types.SymbolKind.Class)]
    (item,) = await prepare(client, uri, position_of(text, '"default"'))
    assert item.name == "shop.orders" and item.uri == uri


async def test_module_bodies_are_callers(client: LanguageClient) -> None:
    models = workspace(client) / "shop" / "models.py"
    (item,) = await prepare(client, models.as_uri(), position_of(models.read_text(), "def create", len("def ")))
    calls = await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=item))
    callers = {call.from_.data["symbol"]: call.from_ for call in calls or []}
    assert set(callers) == {"shop.orders:<module>", "shop.models:Order.from_row"}
    assert callers["shop.orders:<module>"].kind == types.SymbolKind.Module


async def test_external_callees_point_at_source_or_a_generated_stub(client: LanguageClient) -> None:
    orders = workspace(client) / "shop" / "orders.py"
    (item,) = await prepare(client, orders.as_uri(), position_of(orders.read_text(), "def place_order", len("def ")))
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=item))
    to = {call.to.data["symbol"]: call.to for call in calls or []}
    vendored = workspace(client).parent / "vendored" / "labels" / "render.py"
    assert to["labels.render:render_label"].uri == vendored.as_uri()
    assert to["labels.render:render_label"].detail == "labels.render:render_label \u00b7 external"
    assert to["json:dumps"].uri.endswith("/json/__init__.py") and to["json:dumps"].name == "dumps"
    for symbol in ("builtins:print", "builtins:len", "builtins:sorted"):
        stub = to[symbol]
        assert stub.detail == f"{symbol} \u00b7 external, no source"
        assert stub.uri == (Path(COLD) / "stubs" / "builtins.pyi").as_uri()
        line = Path(COLD, "stubs", "builtins.pyi").read_text().splitlines()[stub.selection_range.start.line]
        name = symbol.partition(":")[2]
        assert line == f"def {name}(*args, **kwargs): ...  # {symbol}"
        assert line[stub.selection_range.start.character : stub.selection_range.end.character] == name

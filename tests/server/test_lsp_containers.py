"""The editor's call hierarchy follows functions and classes kept in containers (issue 13, S5), on the call-graph
fixture tests/fixtures/callgraph/containers: a dispatch table's item called reaches every function the table holds,
a loop over a list or tuple of functions calls each, and a table passed as an argument flows to the callee."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("containers", ("containers",), copies=("../callgraph/containers",))


def module_file(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "tables" / f"{name}.py"


async def outgoing(client: LanguageClient, header: str) -> dict[str, types.CallHierarchyOutgoingCall]:
    return await outgoing_calls(client, module_file(client, "main"), header)


async def test_a_dispatch_table_item_called_reaches_every_handler(client: LanguageClient) -> None:
    text = module_file(client, "main").read_text()
    calls = await outgoing(client, "def dispatch(")
    assert set(calls) == {"tables.handlers:on_create", "tables.handlers:on_delete"}
    start = position_of(text, "HANDLERS[kind](payload)")
    assert [r.start for r in calls["tables.handlers:on_create"].from_ranges] == [start]
    assert set(await outgoing(client, "def route(")) == {"tables.handlers:on_create", "tables.handlers:on_delete"}


async def test_loops_over_functions_and_tables_of_classes(client: LanguageClient) -> None:
    assert set(await outgoing(client, "def run_hooks(")) == {"tables.handlers:audit", "tables.handlers:notify"}
    assert set(await outgoing(client, "def export(")) == {
        "tables.handlers:Exporter",
        "tables.handlers:CsvExporter",
        "tables.handlers:Exporter.export",
        "tables.handlers:CsvExporter.export",
    }
    assert set(await outgoing(client, "def unknown(")) == set()  # a table of things without source


async def test_incoming_calls_of_a_handler_in_a_table(client: LanguageClient) -> None:
    callers = await incoming_calls(client, module_file(client, "handlers"), "def on_delete(")
    assert set(callers) == {"tables.main:dispatch", "tables.main:route"}

"""The editor's call hierarchy shows property reads as calls of their getters (issue 13, S7), on the call-graph
fixture tests/fixtures/callgraph/property_reads: each read is a call range on the attribute expression, a plain
attribute and a property read on the class are none."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("properties", ("property_reads",), copies=("../callgraph/property_reads",))


async def prepare(client: LanguageClient, module: str, header: str) -> types.CallHierarchyItem:
    file = folders_of(client)[0] / "shop" / f"{module}.py"
    items = await client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(
            text_document=types.TextDocumentIdentifier(uri=file.as_uri()),
            position=position_of(file.read_text(), header, len("def ")),
        )
    )
    assert items and len(items) == 1
    return items[0]


async def test_property_reads_are_calls_of_the_getters(client: LanguageClient) -> None:
    text = (folders_of(client)[0] / "shop" / "main.py").read_text()
    item = await prepare(client, "main", "def describe(")
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=item))
    found = {call.to.data["symbol"]: call for call in calls or []}
    assert set(found) == {"shop.models:Result.output", "shop.models:Result.size"}
    size = found["shop.models:Result.size"].from_ranges
    assert [(r.start, r.end) for r in size] == [
        (position_of(text, "result.size"), position_of(text, "result.size", len("result.size")))
    ]


async def test_incoming_calls_of_a_getter(client: LanguageClient) -> None:
    item = await prepare(client, "models", "def output(")
    calls = await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=item))
    assert {call.from_.data["symbol"] for call in calls or []} == {
        "shop.main:describe",
        "shop.main:main",
        "shop.models:Result.size",
        "shop.models:Result.summary",
    }

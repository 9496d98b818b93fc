"""The editor's call hierarchy follows container slots further (issue 13, S5), on tests/fixtures/callgraph/slot_flow: a
table an attribute holds reaches what the methods register, an alias sees a write through the other name, an item of
a display and a function's own list position reach their slot only."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("slot_flow", ("slot_flow",), copies=("../callgraph/slot_flow",))


def flow_file(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "flow" / f"{name}.py"


async def outgoing(client: LanguageClient, header: str) -> dict[str, types.CallHierarchyOutgoingCall]:
    return await outgoing_calls(client, flow_file(client, "main"), header)


async def test_an_attribute_table_reaches_what_the_methods_register(client: LanguageClient) -> None:
    assert set(await outgoing(client, "def fire(")) == {
        "flow.main:Bus.on_a",
        "flow.main:Bus.on_b",
        "flow.handlers:f3",
    }
    callers = await incoming_calls(client, flow_file(client, "main"), "def on_b(")
    assert set(callers) == {"flow.main:Bus.fire"}


async def test_an_alias_sees_the_write_and_a_display_its_slot(client: LanguageClient) -> None:
    assert set(await outgoing(client, "def alias_sees_write(")) == {"flow.handlers:f2"}
    assert set(await outgoing(client, "def write_through_alias(")) == {"flow.handlers:f3"}
    text = flow_file(client, "main").read_text()
    shown = await outgoing(client, "def display_subscripts(")
    assert set(shown) == {"flow.handlers:f1", "flow.handlers:f2", "flow.handlers:f4"}
    assert [r.start for r in shown["flow.handlers:f4"].from_ranges] == [
        position_of(text, '{"a": f3, "b": f4}["b"]()'),
        position_of(text, "[f3, f4][1]()"),
    ]
    assert "flow.handlers:f2" not in await outgoing(client, "def list_positions(")

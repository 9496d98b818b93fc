"""The editor's call hierarchy shows property reads as calls of their getters (issue 13, S7), on the call-graph
fixture tests/fixtures/callgraph/property_reads: each read is a call range on the attribute expression, a plain
attribute and a property read on the class are none."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("properties", ("property_reads",), copies=("../callgraph/property_reads",))


def module_file(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "shop" / f"{name}.py"


async def test_property_reads_are_calls_of_the_getters(client: LanguageClient) -> None:
    text = module_file(client, "main").read_text()
    found = await outgoing_calls(client, module_file(client, "main"), "def describe(")
    assert set(found) == {"shop.models:Result.output", "shop.models:Result.size"}
    size = found["shop.models:Result.size"].from_ranges
    assert [(r.start, r.end) for r in size] == [
        (position_of(text, "result.size"), position_of(text, "result.size", len("result.size")))
    ]


async def test_incoming_calls_of_a_getter(client: LanguageClient) -> None:
    assert set(await incoming_calls(client, module_file(client, "models"), "def output(")) == {
        "shop.main:describe",
        "shop.main:main",
        "shop.models:Result.size",
        "shop.models:Result.summary",
    }

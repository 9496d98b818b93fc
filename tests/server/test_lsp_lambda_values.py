"""The editor's call hierarchy follows lambdas kept as values (issue 13), on the call-graph fixture
tests/fixtures/callgraph/lambda_values: what calling a lambda stored on ``self``, returned by a function or bound to a
local name gives is what its body evaluates to, so the methods called on that value are outgoing calls; calling a
lambda is an edge to it (a node of its own: ``Service.__init__.<locals>.<lambda1>``), and a lambda returning its own
parameter gives what the call passes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("lambda_values", ("lambda_values",), copies=("../callgraph/lambda_values",))


def main_file(client: LanguageClient) -> Path:
    return folders_of(client)[0] / "clients" / "main.py"


async def outgoing(client: LanguageClient, header: str) -> dict[str, types.CallHierarchyOutgoingCall]:
    return await outgoing_calls(client, main_file(client), header)


async def test_a_lambda_on_self_gives_what_its_body_builds(client: LanguageClient) -> None:
    calls = await outgoing(client, "def run(")
    assert set(calls) == {"clients.main:Client.send", "clients.main:Service.__init__.<locals>.<lambda1>"}
    start = position_of(main_file(client).read_text(), "client.send(body)")
    assert [r.start for r in calls["clients.main:Client.send"].from_ranges] == [start]
    assert set(await outgoing(client, "def keep(")) == {
        "clients.main:make_archive",
        "clients.main:Archive.store",
        "clients.main:Service.__init__.<locals>.<lambda2>",
    }


async def test_returned_and_local_lambdas(client: LanguageClient) -> None:
    assert set(await outgoing(client, "def read(")) == {
        "clients.main:build_reader",
        "clients.main:build_reader.<locals>.<lambda1>",
        "clients.main:Client.send",
    }
    # the second ``.send`` is on what ``same`` returns: its own parameter, which ``same(fetch())`` passes a Client
    calls = await outgoing(client, "def local(")
    assert set(calls) == {
        "clients.main:local.<locals>.<lambda1>",
        "clients.main:local.<locals>.<lambda2>",
        "clients.main:Client.send",
    }
    assert len(calls["clients.main:Client.send"].from_ranges) == 2


async def test_incoming_calls_of_a_method_reached_through_a_lambda(client: LanguageClient) -> None:
    callers = await incoming_calls(client, main_file(client), "def send(")
    assert set(callers) == {"clients.main:Service.run", "clients.main:read", "clients.main:local"}

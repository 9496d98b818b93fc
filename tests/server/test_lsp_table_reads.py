"""The editor's call hierarchy follows dispatch tables read through their methods and attributes named by
``getattr`` (issue 13, S5), on the call-graph fixture tests/fixtures/callgraph/table_reads: ``HANDLERS.get(kind)``
reaches every handler the table holds, ``get``/``setdefault`` with a default also the default (a lambda too), and
``getattr(handlers, "on_delete")`` the function it names."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("table_reads", ("table_reads",), copies=("../callgraph/table_reads",))


def module_file(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "reads" / f"{name}.py"


async def outgoing(client: LanguageClient, header: str) -> dict[str, types.CallHierarchyOutgoingCall]:
    return await outgoing_calls(client, module_file(client, "main"), header)


async def test_a_table_read_with_get_reaches_every_handler_and_the_default(client: LanguageClient) -> None:
    text = module_file(client, "main").read_text()
    calls = await outgoing(client, "def dispatch(")
    assert set(calls) == {"builtins:dict.get", "reads.handlers:on_create", "reads.handlers:on_delete"}
    start = position_of(text, "HANDLERS.get(kind)(payload)")
    assert [r.start for r in calls["reads.handlers:on_delete"].from_ranges] == [start]
    validators = set(await outgoing(client, "def validate("))
    assert validators == {
        "builtins:dict.get",
        "reads.handlers:is_number",
        "reads.handlers:is_text",
        "reads.main:validate.<locals>.<lambda1>",
    }
    assert set(await outgoing(client, "def remember(")) == {
        "builtins:dict.setdefault",
        "reads.handlers:on_create",
        "reads.handlers:ignore",
    }


async def test_getattr_with_a_literal_name(client: LanguageClient) -> None:
    assert set(await outgoing(client, "def by_name(")) == {
        "builtins:getattr",
        "reads.handlers:on_delete",
        "reads.handlers:Plugin",
        "reads.handlers:Plugin.load",
        "reads.handlers:Plugin.start",
    }


async def test_incoming_calls_of_a_default(client: LanguageClient) -> None:
    callers = await incoming_calls(client, module_file(client, "handlers"), "def ignore(")
    assert set(callers) == {"reads.main:dispatch_or_ignore", "reads.main:remember"}

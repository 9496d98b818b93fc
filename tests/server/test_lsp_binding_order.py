"""The editor's call hierarchy follows the order of bindings within a scope as `trace-advisor calls` does (issue 13,
S10), on tests/fixtures/callgraph/binding_order: a call reaches only the bindings of its name that can reach it
(``h = skipped; h = ping; h()`` calls ``ping``), the arms of a branch and a loop's next iteration add theirs, and uses
from other scopes (a closure, a function reading a module global) see every binding."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("binding_order", ("binding_order",), copies=("../callgraph/binding_order",))


def module_file(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "relay" / f"{name}.py"


async def callees(client: LanguageClient, module: str, header: str) -> set[str]:
    return set(await outgoing_calls(client, module_file(client, module), header))


async def test_a_rebinding_replaces_the_binding_before(client: LanguageClient) -> None:
    assert await callees(client, "straight", "def by_assign(") == {"relay.handlers:ping"}
    assert await callees(client, "straight", "def by_swap(") == {"relay.handlers:pong"}
    assert await callees(client, "straight", "def by_import(") == {"relay.handlers:Sender", "relay.mailer:send"}
    assert await callees(client, "straight", "def by_def(") == {"relay.straight:by_def.<locals>.h"}


async def test_branches_and_loops_join_what_reaches(client: LanguageClient) -> None:
    assert await callees(client, "branches", "def arm_returns(") == {"relay.handlers:ping"}
    after_try = {"relay.handlers:check", "relay.handlers:pang", "relay.handlers:pong"}
    assert await callees(client, "branches", "def after_try(") == after_try
    assert await callees(client, "loops", "def next_iteration(") == {
        "builtins:range",
        "relay.handlers:ping",
        "relay.handlers:pong",
    }
    assert await callees(client, "loops", "def same_iteration(") == {"builtins:range", "relay.handlers:pong"}


async def test_other_scopes_see_every_binding(client: LanguageClient) -> None:
    assert await callees(client, "startup", "def later(") == {
        "relay.handlers:skipped",
        "relay.handlers:ping",
        "relay.handlers:pong",
    }
    callers = await incoming_calls(client, module_file(client, "handlers"), "def skipped(")
    assert set(callers) == {"relay.startup:later"}

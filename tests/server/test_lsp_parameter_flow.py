"""The editor's call hierarchy follows values passed as arguments (issue 13, S2), on the call-graph fixture
tests/fixtures/callgraph/parameter_flow: a parameter called holds what the callers pass (``retry(ping)``,
``retry(op=queue.flush)``), ``self.repo`` what ``Service(Repo())`` passed to ``__init__``, and a click-like
``Context.invoke(self.callback)`` reaches the decorated command functions; a spread argument passes nothing known."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("flow", ("parameter_flow",), copies=("../callgraph/parameter_flow",))


def module_file(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "flow" / f"{name}.py"


async def outgoing(client: LanguageClient, module: str, header: str) -> dict[str, types.CallHierarchyOutgoingCall]:
    return await outgoing_calls(client, module_file(client, module), header)


async def test_a_parameter_called_reaches_what_the_callers_pass(client: LanguageClient) -> None:
    text = module_file(client, "ops").read_text()
    calls = await outgoing(client, "ops", "def retry(")
    assert set(calls) == {"flow.ops:ping", "flow.ops:Queue.flush", "builtins:range"}
    assert [r.start for r in calls["flow.ops:ping"].from_ranges] == [position_of(text, "op()")]
    assert set(await outgoing(client, "ops", "def apply_all(")) == set()  # only called with a ``*spread``


async def test_attributes_set_from_parameters_and_callbacks_of_commands(client: LanguageClient) -> None:
    assert set(await outgoing(client, "service", "def get(")) == {
        "flow.service:Repo.load",
        "flow.service:CachedRepo.load",
    }
    invoked = await outgoing(client, "commands", "def invoke(self, callback")
    assert set(invoked) == {"flow.commands:hello", "flow.commands:goodbye"}


async def test_incoming_calls_of_a_function_passed_as_a_value(client: LanguageClient) -> None:
    assert set(await incoming_calls(client, module_file(client, "ops"), "def ping(")) == {
        "flow.ops:retry",
        "flow.ops:run_twice",
        "flow.ops:schedule",
    }

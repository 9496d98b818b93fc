"""The editor's call hierarchy follows a dict comprehension's values and the attributes a class's ``__getattr__`` makes
(issue 13, S5, S8), on the call-graph fixture tests/fixtures/callgraph/comprehension_tables:
``self.scripts["dispatch"]`` calls the ``Script`` instances' ``__call__``, ``self.do_enqueue(message)`` calls
``__getattr__`` and the closure it returns, from the broker's module and from another one."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture(
    "comprehension_tables", ("comprehension_tables",), copies=("../callgraph/comprehension_tables",)
)

CLOSURE = "lookups.broker:Broker._dispatch.<locals>.do_dispatch"


def module_file(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "lookups" / f"{name}.py"


async def test_a_dict_comprehensions_values_are_called(client: LanguageClient) -> None:
    broker = module_file(client, "broker")
    calls = await outgoing_calls(client, broker, "def run_script(")
    assert set(calls) == {"lookups.scripts:Script.__call__"}
    assert [r.start for r in calls["lookups.scripts:Script.__call__"].from_ranges] == [
        position_of(broker.read_text(), 'self.scripts["dispatch"](1)'),
        position_of(broker.read_text(), "maxstack()"),
    ]
    callers = await incoming_calls(client, module_file(client, "scripts"), "def __call__(")
    assert set(callers) == {"lookups.broker:Broker.run_script", CLOSURE, "lookups.jobs:run"}


async def test_an_attribute_made_by_getattr(client: LanguageClient) -> None:
    hook = {"lookups.broker:Broker.__getattr__", CLOSURE}
    assert set(await outgoing_calls(client, module_file(client, "broker"), "def enqueue(")) == hook
    assert set(await outgoing_calls(client, module_file(client, "jobs"), "def flush(")) == hook
    callers = await incoming_calls(client, module_file(client, "broker"), "def __getattr__(self, name):\n        if")
    assert set(callers) == {"lookups.broker:Broker.enqueue", "lookups.broker:purge", "lookups.jobs:flush"}

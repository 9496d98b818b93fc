"""The call hierarchy at a call of a decorated function (tests/fixtures/caller_chosen/app/ledger.py): the call's
target is the decorator's closure (``timed.<locals>.wrapper``), which the graph has calling every function ``@timed``
decorates; the item says which function this call runs through it (``wrapper (charge)``: ledger's own ``charge``, not
billing's nor ``total``) and its outgoing calls go to that one only. Prepared on the closure's own ``def``, it keeps
all of them (the call graph, as ``trace-advisor calls`` has it). Netflix dispatch: at ``incident_service.get(...)``
the hierarchy offered ``wrapper`` with 76 callers and 13 callees."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, hierarchy_item, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("decorated", ("caller_chosen",), copies=("../caller_chosen",))


def ledger(client: LanguageClient) -> Path:
    return folders_of(client)[0] / "app" / "ledger.py"


async def outgoing(client: LanguageClient, item: types.CallHierarchyItem) -> set[str]:
    calls = await client.call_hierarchy_outgoing_calls_async(types.CallHierarchyOutgoingCallsParams(item=item))
    return {call.to.data["symbol"] for call in calls or []}


async def test_a_call_of_a_decorated_function_runs_that_one_through_the_closure(client: LanguageClient) -> None:
    item = await hierarchy_item(client, ledger(client), "charge(account, amount)", 0)
    assert item.data["symbol"] == "app.ledger:timed.<locals>.wrapper"
    assert item.name == "wrapper (charge)" and "runs app.ledger:charge" in (item.detail or "")
    callees = await outgoing(client, item)
    assert "app.ledger:charge" in callees
    assert not {"app.ledger:total", "app.billing:charge"} & callees, callees
    calls = await client.call_hierarchy_incoming_calls_async(types.CallHierarchyIncomingCallsParams(item=item))
    # not summary's total(), nor pay's billing.charge()
    assert {call.from_.data["symbol"] for call in calls or []} == {"app.ledger:settle"}
    summed = await hierarchy_item(client, ledger(client), "total(items)", 0)
    assert summed.name == "wrapper (total)"
    assert "app.ledger:total" in await outgoing(client, summed)


async def test_the_closure_itself_calls_every_function_it_wraps(client: LanguageClient) -> None:
    item = await hierarchy_item(client, ledger(client), "def wrapper(*args, **kwargs):\n        start")
    assert item.name == "wrapper"
    assert {"app.ledger:charge", "app.ledger:total", "app.billing:charge"} <= await outgoing(client, item)

"""The editor's call hierarchy gives the same answer inside a cycle through parameter flow as `trace-advisor calls`
(issue 13, results are deterministic), on tests/fixtures/callgraph/cyclic_flow: the adapter's ``self.session`` is
what ``__init__`` builds or receives, and ``__init__`` receives ``adapter.session`` from ``from_adapter``."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("cyclic_flow", ("cyclic_flow",), copies=("../callgraph/cyclic_flow",))


def module_file(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "keeper" / f"{name}.py"


async def test_the_session_call_inside_the_cycle_is_followed(client: LanguageClient) -> None:
    request = await outgoing_calls(client, module_file(client, "adapters"), "def request(")
    assert set(request) == {"builtins:dict.copy", "keeper.transport:Session.request"}
    close = await outgoing_calls(client, module_file(client, "closing"), "def close(")
    assert set(close) == {"keeper.transport:Session.request"}
    callers = await incoming_calls(client, folders_of(client)[0] / "keeper" / "transport.py", "def request(")
    assert set(callers) == {"keeper.adapters:RawAdapter.request", "keeper.closing:close"}

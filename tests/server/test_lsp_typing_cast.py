"""The editor's call hierarchy reads ``typing.cast(T, v)`` as an instance of T (issue 13, S1), on the call-graph
fixture tests/fixtures/callgraph/typing_cast: bound to a name first, or called in the chain itself
(``cast(LLMClient, v).generate()``), while a module's own function named ``cast`` is what it returns."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, outgoing_calls, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("typing_cast", ("typing_cast",), copies=("../callgraph/typing_cast",))


def main_file(client: LanguageClient) -> Path:
    return folders_of(client)[0] / "svc" / "main.py"


async def test_a_cast_bound_to_a_name_is_an_instance_of_its_type(client: LanguageClient) -> None:
    assert "svc.clients:LLMClient.generate" in set(await outgoing_calls(client, main_file(client), "def plain("))


async def test_a_cast_called_in_the_chain_is_an_instance_of_its_type(client: LanguageClient) -> None:
    calls = set(await outgoing_calls(client, main_file(client), "def inline("))
    assert {"svc.clients:LLMClient.generate", "svc.clients:Mailer.send", "svc.local:cast"} <= calls
    assert "svc.clients:Mailer.generate" not in calls

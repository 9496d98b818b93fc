"""The editor's call hierarchy shows the calls Python makes for statements (issue 13, S7), on the call-graph fixture
tests/fixtures/callgraph/implicit_calls: ``with`` reaches ``__enter__``/``__exit__`` from the ``with`` line, ``for``
reaches ``__iter__``/``__next__``, ``raise Cls`` reaches ``__init__``; code without source gets no made-up callee."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, outgoing_calls, position_of, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("implicit", ("implicit_calls",), copies=("../callgraph/implicit_calls",))


def main_py(client: LanguageClient) -> Path:
    return folders_of(client)[0] / "store" / "main.py"


async def outgoing(client: LanguageClient, function: str) -> dict[str, types.CallHierarchyOutgoingCall]:
    return await outgoing_calls(client, main_py(client), f"def {function}")


async def test_with_statement_calls_enter_and_exit_from_the_with_line(client: LanguageClient) -> None:
    text = main_py(client).read_text()
    header = "with Resource() as resource"
    calls = await outgoing(client, "managed")
    for method in ("__enter__", "__exit__"):
        call = calls[f"store.main:Resource.{method}"]
        assert [r.start for r in call.from_ranges] == [position_of(text, header)]
        assert call.from_ranges[0].end == position_of(text, header, len(header))
    assert "store.main:Resource.use" in calls  # ``resource`` is what ``__enter__`` returns


async def test_for_and_raise_statements(client: LanguageClient) -> None:
    text = main_py(client).read_text()
    loops = await outgoing(client, "iterate")
    assert {"store.main:Cursor.__iter__", "store.main:Cursor.__next__", "store.main:Row.cells"} <= set(loops)
    assert [r.start for r in loops["store.main:Cursor.__next__"].from_ranges] == [position_of(text, "for row in")]
    raised = await outgoing(client, "fail")
    assert set(raised) == {"store.main:NotFound.__init__", "store.errors:Gone.__init__"}
    assert [r.start for r in raised["store.main:NotFound.__init__"].from_ranges] == [
        position_of(text, "raise NotFound\n"),
        position_of(text, "NotFound()"),
    ]


async def test_nothing_is_made_up_for_code_without_source(client: LanguageClient) -> None:
    calls = await outgoing(client, "plain")
    assert set(calls) == {"builtins:open", "io:TextIOWrapper.read", "threading:Lock"}

"""The editor's call hierarchy names no made-up callee on values of code without source (issue 13, S9), on the
call-graph fixture tests/fixtures/callgraph/external_values: ``frame.f_code.co_filename.upper()`` on a frame taken
from ``error.__traceback__`` and ``self.args.count(1)`` in an ``Exception`` subclass are no outgoing calls."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, outgoing_calls, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("external_values", ("external_values",), copies=("../callgraph/external_values",))


def main_file(client: LanguageClient) -> Path:
    return folders_of(client)[0] / "probes" / "main.py"


async def test_values_of_code_without_source_have_no_made_up_attributes(client: LanguageClient) -> None:
    assert set(await outgoing_calls(client, main_file(client), "def origin(")) == {
        "builtins:ValueError",
        "builtins:ValueError.with_traceback",
    }
    assert set(await outgoing_calls(client, main_file(client), "def first(")) == set()
    assert set(await outgoing_calls(client, main_file(client), "def again(")) == {"builtins:Exception.with_traceback"}

"""The editor's call hierarchy follows the types docstrings give parameters and return values (issue 13), on the
call-graph fixture tests/fixtures/callgraph/doc_types: Sphinx, epydoc, Google and NumPy styles, by dotted import path
or by an imported name, with the parameter's default and an annotation winning over the docstring."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("doc_types", ("doc_types",), copies=("../callgraph/doc_types",))


def module_file(client: LanguageClient, name: str) -> Path:
    return folders_of(client)[0] / "vault" / f"{name}.py"


async def test_documented_parameters_in_each_style(client: LanguageClient) -> None:
    client_file = module_file(client, "client")
    for header, callee in (
        ("def sphinx(", "vault.adapters:Adapter.get"),
        ("def sphinx_param(", "vault.adapters:Adapter.get"),
        ("def google(", "vault.adapters:Adapter.post"),
        ("def numpy(", "vault.adapters:Adapter.post"),
        ("def annotated(", "vault.adapters:JSONAdapter.post"),
    ):
        assert set(await outgoing_calls(client, client_file, header)) == {callee}, header
    assert set(await outgoing_calls(client, client_file, "def untyped(")) == set()


async def test_a_documented_return_type(client: LanguageClient) -> None:
    calls = await outgoing_calls(client, module_file(client, "client"), "def main(")
    assert "vault.adapters:Response.json" in calls
    callers = await incoming_calls(client, module_file(client, "adapters"), "def json(")
    assert set(callers) == {"vault.client:main"}

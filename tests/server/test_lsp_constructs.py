"""The editor's call hierarchy on constructed classes (issue 13, S9), on the call-graph fixture
tests/fixtures/callgraph/constructs: a class without an ``__init__`` with source is a callee itself, and a class with
one external base also calls that base's ``__init__``."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from tests.server.lsp_session import folders_of, incoming_calls, outgoing_calls, session_fixture

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture("constructs", ("constructs",), copies=("../callgraph/constructs",))


def main_file(client: LanguageClient) -> Path:
    return folders_of(client)[0] / "shapes" / "main.py"


async def test_a_class_with_an_external_base_calls_its_init(client: LanguageClient) -> None:
    calls = await outgoing_calls(client, main_file(client), "def fail(")
    assert set(calls) == {"shapes.main:NotFound", "builtins:Exception.__init__"}
    assert set(await outgoing_calls(client, main_file(client), "def work(")) == {
        "shapes.main:Worker",
        "threading:Thread.__init__",
        "shapes.main:Worker.run",
    }


async def test_workspace_inits_and_classes_without_one(client: LanguageClient) -> None:
    assert set(await outgoing_calls(client, main_file(client), "def build(")) == {
        "shapes.main:Plain",
        "shapes.main:Square",
        "shapes.main:Plain.area",
        "shapes.main:Sized.__init__",
        "shapes.main:Cube.volume",
        "shapes.main:Registry",
        "collections:OrderedDict.__init__",
    }
    callers = await incoming_calls(client, main_file(client), "def area(")
    assert set(callers) == {"shapes.main:build", "shapes.main:Worker.run"}

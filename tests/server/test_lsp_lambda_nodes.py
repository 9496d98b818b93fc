"""Lambdas are nodes of the editor's call hierarchy (issue 13, S4), on the call-graph fixture
tests/fixtures/callgraph/lambda_nodes: prepared on a lambda (its keyword, or code in its body) the item is the lambda
(``bound.<locals>.<lambda2>``) with its range; its outgoing calls are the calls of its body, its incoming calls the
places that call it (through a name, a parameter, ``sorted``); a function's outgoing calls hold its lambdas only where
it calls them. On tests/fixtures/lsp/lambda_spans, lambdas doing I/O are never recommended (no span can go in a
lambda): the function around them is, and its quick-fix puts the span in the function's body."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.server.lsp_session import (
    apply_text_edits,
    edits_of,
    folders_of,
    hierarchy_item,
    incoming_calls,
    named,
    open_document,
    outgoing_calls,
    position_of,
    resolved,
    session_fixture,
    wait_diagnostics,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = session_fixture(
    "lambda_nodes", ("lambda_nodes", "lambda_spans"), copies=("../callgraph/lambda_nodes", "lambda_spans")
)
LATER = "later = lambda item: item.run()"


def main_file(client: LanguageClient) -> Path:
    return folders_of(client)[0] / "work" / "main.py"


def pages(client: LanguageClient) -> Path:
    return folders_of(client)[1] / "fetchers" / "pages.py"


async def test_a_lambda_is_an_item_with_its_range(client: LanguageClient) -> None:
    text = main_file(client).read_text()
    item = await hierarchy_item(client, main_file(client), LATER, len("later = "))
    assert item.data["symbol"] == "work.main:bound.<locals>.<lambda2>"
    assert item.kind == types.SymbolKind.Function and item.name == "<lambda2>"
    start = position_of(text, LATER, len("later = "))
    assert item.range == types.Range(start=start, end=position_of(text, LATER, len(LATER)))
    assert item.selection_range == types.Range(start=start, end=position_of(text, LATER, len("later = lambda")))
    # code in the lambda's body that is not a called name is the lambda's too
    inside = await hierarchy_item(client, main_file(client), LATER, len("later = lambda item: "))
    assert inside.data["symbol"] == "work.main:bound.<locals>.<lambda2>"


async def test_outgoing_and_incoming_calls_of_lambdas(client: LanguageClient) -> None:
    assert set(await outgoing_calls(client, main_file(client), LATER, len("later = "))) == {"work.main:Job.run"}
    callers = await incoming_calls(client, main_file(client), LATER, len("later = "))
    assert set(callers) == {"work.main:bound"}
    text = main_file(client).read_text()
    assert [r.start for r in callers["work.main:bound"].from_ranges] == [position_of(text, "later(first)")]
    # through a parameter: `retry`'s `op()` calls the lambda given to it
    retried = "retry(lambda: client.ping())"
    assert set(await incoming_calls(client, main_file(client), retried, len("retry("))) == {"work.main:retry"}
    # the unused lambda is called by nobody; its call of `audit` is its own
    unused = "unused = lambda: audit()"
    assert await incoming_calls(client, main_file(client), unused, len("unused = ")) == {}
    assert set(await outgoing_calls(client, main_file(client), unused, len("unused = "))) == {"work.main:audit"}


async def test_a_function_calls_its_lambdas_where_it_calls_them(client: LanguageClient) -> None:
    calls = await outgoing_calls(client, main_file(client), "def bound(")
    assert set(calls) == {
        "work.main:Store",
        "work.main:bound.<locals>.<lambda1>",
        "work.main:bound.<locals>.<lambda2>",
        "work.main:bound.<locals>.<lambda4>",
        "work.main:bound.<locals>.<lambda4>.<locals>.<lambda1>",
    }
    handed = await outgoing_calls(client, main_file(client), "def sort_and_map(")
    assert {"work.main:sort_and_map.<locals>.<lambda1>", "work.main:sort_and_map.<locals>.<lambda2>"} <= set(handed)
    assert "work.main:rank_of" not in handed  # called by the lambda given to `sorted`, not by `sort_and_map`


async def test_lambdas_get_no_span_the_function_around_them_does(client: LanguageClient) -> None:
    file = pages(client)
    uri = open_document(client, file)
    found = await wait_diagnostics(client, uri, lambda d: bool(named(d, ":fetch_all")))
    assert not [d for d in found if "<lambda" in str(d.data)]
    (target,) = named(found, ":fetch_all")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=target.range,
            context=types.CodeActionContext(diagnostics=[target], only=["quickfix"]),
        )
    )
    fix = await resolved(client, next(a for a in actions or [] if isinstance(a, types.CodeAction)))
    result = apply_text_edits(file.read_text(), edits_of(fix.edit, uri))
    tree = ast.parse(result)
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "fetch_all")
    assert isinstance(function.body[0], ast.With)  # the span holds the whole body, the lambda included
    assert not any(isinstance(n, ast.With) for n in ast.walk(tree) if n is not function.body[0])
    # "Add span to this function" with the cursor in a lambda: the function around it
    inside = position_of(file.read_text(), "urlopen(url, timeout=5).read()  # noqa")
    refactors = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=inside, end=inside),
            context=types.CodeActionContext(diagnostics=[], only=["refactor"]),
        )
    )
    titles = [a.title for a in refactors or [] if isinstance(a, types.CodeAction)]
    assert titles and all("fetch_all" in title for title in titles), titles

"""One front-end: for every call site of the dev set and the examples, the detectors see exactly the call graph's
targets (or its unresolved call) of the function and of the lambdas written in it (a lambda is a node of the graph,
never a place for a span: its calls are the function's for the detectors), every site has its syntax node, and a call
counts as a client API only through a resolved callee, or by name only when it is unresolved."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from trace_advisor.analysed import AnalysedModule
from trace_advisor.config import default_config
from trace_advisor.datatypes import lambda_owner
from trace_advisor.detect.context import FunctionContext
from trace_advisor.index import Index

REPO = Path(__file__).resolve().parents[2]
PROJECTS = {"devset": REPO / "tests" / "fixtures" / "devset", "examples": REPO / "examples"}


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def index(request: pytest.FixtureRequest) -> Index:
    built = Index.from_config(default_config(), [PROJECTS[request.param]], use_cache=False)
    built.build()
    return built


def contexts(index: Index) -> list[FunctionContext]:
    found = []
    for path in index.files():
        analysed = index.analysed(path)
        assert isinstance(analysed, AnalysedModule), analysed
        found.extend(FunctionContext(analysed, function) for function in analysed.functions())
    return found


def test_detectors_see_the_call_graphs_targets(index: Index) -> None:
    graph = index.graph()
    lambdas: dict[str, list[str]] = {}
    for symbol in graph.symbols():
        if (owner := lambda_owner(symbol)) is not None:
            lambdas.setdefault(owner, []).append(symbol)
    checked = 0
    for ctx in contexts(index):
        within = ctx.range_of(ctx.node)
        symbols = [ctx.symbol, *lambdas.get(ctx.symbol, ())]
        edges = sorted((e for s in symbols for e in graph.callees(s)), key=lambda e: e.range.start)
        inside = [e for e in edges if within.start <= e.range.start and e.range.end <= within.end]
        seen = [(edge.range, edge.callee) for call in ctx.calls for edge in call.site.edges]
        assert seen == [(e.range, e.callee) for e in inside], ctx.symbol
        missing = sorted((u for s in symbols for u in graph.unresolved(s)), key=lambda u: u.range.start)
        missing = [u for u in missing if within.start <= u.range.start and u.range.end <= within.end]
        assert [(c.range, c.text) for c in ctx.calls if not c.resolved] == [(u.range, u.text) for u in missing]
        checked += len(ctx.calls)
    assert checked > 300


def test_every_call_site_has_its_syntax_node(index: Index) -> None:
    for ctx in contexts(index):
        for call in ctx.calls:
            if call.node is None:  # only a bare decorator of a nested def is not a call expression
                assert call.text.isidentifier() or "." in call.text, (ctx.symbol, call.text)
            elif isinstance(call.node, ast.With | ast.AsyncWith | ast.For | ast.AsyncFor):
                # a statement's call (``__aenter__`` of a context manager with source): its site runs from the
                # keyword to the end of the item or iterable, inside the statement
                whole, end = ctx.range_of(call.node), call.range.end
                assert call.range.start == whole.start and (end.line, end.column) <= (whole.end.line, whole.end.column)
            else:
                assert ctx.range_of(call.node) == call.range


def test_client_apis_come_from_resolution_and_guesses_only_from_unresolved_calls(index: Index) -> None:
    resolved = guessed = 0
    for ctx in contexts(index):
        for call in ctx.calls:
            if call.api is None:
                continue
            if call.resolved:
                assert call.api.resolved and call.api.target in call.callees, (ctx.symbol, call.text)
                resolved += 1
            else:
                assert not call.api.resolved, (ctx.symbol, call.text)
                guessed += 1
    assert resolved > 20 and guessed < resolved / 5  # most client calls resolve; guesses are the exception

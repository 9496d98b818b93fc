"""Calls per request through the call graph: fan-out adds, loops multiply, recursion counts once, a call site with
several possible targets calls one; and the loop over items a figure rests on."""

from __future__ import annotations

from trace_advisor.cost import GraphCalls, Loop, LoopCalls, Place, RequestCounts, calls_from, heaviest_loops
from trace_advisor.datatypes import LOOP_ITERATIONS, CallEdge, Range, SymbolId


def test_fan_out_loops_and_recursion() -> None:
    calls = {
        "app:handle": {"app:load": 1.0, "app:save": 2.0, "app:each": float(LOOP_ITERATIONS)},
        "app:each": {"app:save": 1.0, "app:walk": 1.0},
        "app:walk": {"app:walk": 1.0, "app:each": 1.0},  # recursion and a cycle back to its caller
        "app:load": {},
    }
    counts = calls_from("app:handle", lambda caller: calls.get(caller, {}))
    assert counts["app:handle"] == 1
    assert counts["app:load"] == 1
    assert counts["app:each"] == LOOP_ITERATIONS  # the cycle back from walk is not counted again
    assert counts["app:save"] == 2 + LOOP_ITERATIONS
    assert counts["app:walk"] == LOOP_ITERATIONS
    assert "app:other" not in counts


def test_a_call_site_with_several_targets_calls_one_of_them() -> None:
    """``handler(event)`` may run either handler, ``with Lock()`` runs both its special methods: the handlers count
    half a call each, and what both call once (``save``) once per call of ``dispatch``."""
    site, with_site = Range.of(3, 4, 3, 18), Range.of(4, 9, 4, 15)
    edges = [
        CallEdge("app:dispatch", "app:on_paid", site),
        CallEdge("app:dispatch", "app:on_refund", site),
        CallEdge("app:dispatch", "app:Lock.__enter__", with_site),
        CallEdge("app:dispatch", "app:Lock.__exit__", with_site),
        CallEdge("app:on_paid", "app:save", Range.of(8, 4, 8, 10)),
        CallEdge("app:on_refund", "app:save", Range.of(11, 4, 11, 10)),
    ]
    graph = _Graph(edges)
    calls = GraphCalls(graph, LoopCalls(lambda _: {}))
    counts = calls_from("app:dispatch", calls)
    assert counts["app:on_paid"] == counts["app:on_refund"] == 0.5
    assert counts["app:Lock.__enter__"] == counts["app:Lock.__exit__"] == 1
    assert counts["app:save"] == 1


def test_the_loop_most_calls_come_through_is_named() -> None:
    per_row = Loop("items", LOOP_ITERATIONS, "for row in rows")
    per_page = Loop("items", LOOP_ITERATIONS, "for page in pages")
    edges = [
        CallEdge("app:run", "app:import_rows", Range.of(2, 4, 2, 20)),
        CallEdge("app:run", "app:store", Range.of(3, 4, 3, 20)),
        CallEdge("app:import_rows", "app:store", Range.of(6, 8, 6, 20)),
        CallEdge("app:import_rows", "app:fetch", Range.of(7, 8, 7, 20)),
    ]
    places = {
        "app:import_rows": {
            Range.of(6, 8, 6, 20): Place((per_page, per_row)),
            Range.of(7, 8, 7, 20): Place((per_page,)),
        }
    }
    calls = GraphCalls(_Graph(edges), LoopCalls(lambda caller: places.get(caller, {})))
    assert calls_from("app:run", calls)["app:store"] == 1 + LOOP_ITERATIONS**2
    loops = heaviest_loops("app:run", calls, calls.loop)
    assert loops["app:store"] == ("app:import_rows", per_page)  # the outermost loop around the call
    assert loops["app:fetch"] == ("app:import_rows", per_page)
    assert "app:import_rows" not in loops
    assert calls_from("app:run", calls.with_items(1.0))["app:store"] == 2


class _Graph:
    def __init__(self, edges: list[CallEdge]) -> None:
        self.edges = edges

    def callers(self, symbol: SymbolId) -> tuple[CallEdge, ...]:
        return tuple(e for e in self.edges if e.callee == symbol)

    def callees(self, symbol: SymbolId) -> tuple[CallEdge, ...]:
        return tuple(e for e in self.edges if e.caller == symbol)

    def entry_points(self) -> tuple[SymbolId, ...]:
        return ("app:dispatch", "app:run")


def test_test_code_is_no_entry_point_and_what_only_tests_call_is() -> None:
    edges = [
        CallEdge("tests.test_api:test_get", "tests.helpers:client", Range.of(2, 4, 2, 12)),
        CallEdge("tests.helpers:client", "app.api:get", Range.of(5, 4, 5, 12)),
        CallEdge("app.cli:main", "app.api:handle", Range.of(8, 4, 8, 12)),
        CallEdge("tests.test_api:test_handle", "app.api:handle", Range.of(11, 4, 11, 12)),
    ]

    class Graph(_Graph):
        def entry_points(self) -> tuple[SymbolId, ...]:
            return ("tests.test_api:test_get", "tests.test_api:test_handle", "app.cli:main")

    graph = Graph(edges)
    counts = RequestCounts(graph, GraphCalls(graph, LoopCalls(lambda _: {})))
    assert counts.entries() == ("app.cli:main", "app.api:get")  # handle is called by main too: not an entry

"""Calls per request through the call graph: fan-out adds, loops multiply, recursion counts once."""

from __future__ import annotations

from trace_advisor.cost import calls_from
from trace_advisor.datatypes import LOOP_ITERATIONS


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

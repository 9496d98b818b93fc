"""``trace-advisor calls --format pycg`` on the binding-order fixture (issue 13, S10): PyCG's format has the same
callees as the JSON one, so a rebinding that kills an earlier binding holds in both (tests/cli/test_calls_values.py
checks the JSON format against the expectation and the runtime)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.cli import run_cli

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "callgraph" / "binding_order"


def calls(*args: str | Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("calls", *args, env={"TRACE_ADVISOR_CACHE_DIR": str(cache), "PYTHONIOENCODING": "utf-8"})


def pycg_name(symbol: str) -> str:
    module, _, qualname = symbol.partition(":")
    qualname = qualname.replace(".<locals>", "")
    return module if qualname == "<module>" else f"{module}.{qualname}"


def test_pycg_format_has_the_callees_of_the_json_format(tmp_path: Path) -> None:
    result = calls(CASE, "--format", "pycg", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    graph = json.loads(result.stdout)
    expected = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))["calls"]
    functions = json.loads(calls(CASE, "--format", "json", cache=tmp_path).stdout)["functions"]
    compared = 0
    for caller, callees in expected.items():
        if all(callee.startswith("relay.") for callee in callees):  # the case's own code (no builtin's naming)
            called = [c for c in callees if c not in functions[caller]["constructs"]]  # PyCG: no edge to a class
            assert sorted(graph[pycg_name(caller)]) == sorted(pycg_name(callee) for callee in called), caller
            compared += 1
    assert compared >= 25
    # earlier bindings that never reach a call are not callees, whatever statement replaced them
    assert graph["relay.straight.by_assign"] == ["relay.handlers.ping"]
    assert graph["relay.straight.by_swap"] == ["relay.handlers.pong"]
    assert graph["relay.branches.arm_returns"] == ["relay.handlers.ping"]
    assert sorted(graph["relay.loops.after_loop"]) == ["relay.handlers.ping", "relay.handlers.pong"]
    assert sorted(graph["relay.startup"]) == ["relay.handlers.ping", "relay.handlers.pong"]

"""The I/O of a call to a runner is what that call hands over (``trace-advisor analyze`` as a subprocess on
tests/fixtures/caller_chosen): ``Core.run_in_executor(funct)`` and ``retry(op)`` may run every function any caller
passes, but ``State.save`` writes files (its ``_write``) and ``State.sync`` posts (its ``_push``), while
``State.describe`` and ``State.count`` hand over pure computations and cite no I/O of anyone else's."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "caller_chosen"


def test_a_call_to_a_runner_does_the_io_of_what_it_hands_over(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    # read at a low threshold: the subject is which I/O each function's evidence names (State.sync posts every part
    # through ``retry(self._push)``: the boosted model scores it 0.18, reading its callee as the one with the span)
    done = run_cli("analyze", FIXTURE, "--no-cache", "--format", "json", "-o", out, "--min-confidence", "0.01")
    assert done.returncode == 0, done.stderr
    recs = {str(r["qualname"]): r for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}

    def kinds(qualname: str) -> set[str]:
        return {str(e["kind"]) for e in recs[qualname]["evidence"] if e.get("kind")} if qualname in recs else set()

    assert "file" in kinds("State.save") and "http" not in kinds("State.save")
    assert any("State._write" in str(e["reason"]) for e in recs["State.save"]["evidence"])
    assert "http" in kinds("State.sync") and "file" not in kinds("State.sync")
    assert "State._push" in recs["State.sync"]["rationale"]
    for pure in ("State.describe", "State.count", "retry", "Core.run_in_executor", "routes", "create_app"):
        assert not kinds(pure) & {"file", "http"}, (pure, recs.get(pure))


def test_a_call_of_a_decorated_function_does_that_functions_io(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = run_cli("analyze", FIXTURE, "--no-cache", "--format", "json", "--min-confidence", "0", "-o", out)
    assert done.returncode == 0, done.stderr
    recs = {str(r["qualname"]): r for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}

    def kinds(qualname: str) -> set[str]:
        return {str(e["kind"]) for e in recs[qualname]["evidence"] if e.get("kind")} if qualname in recs else set()

    assert "db" in kinds("settle"), recs.get("settle")
    assert "charge" in recs["settle"]["rationale"] and "<locals>" not in recs["settle"]["rationale"]
    assert not kinds("summary") & {"db", "file"}, recs.get("summary")  # `total` does no I/O, whatever `charge` does
    assert "file" in kinds("archive") and "db" not in kinds("archive"), recs.get("archive")
    assert not kinds("pay") & {"db", "file"}, recs.get("pay")  # billing's charge, named through its module


def test_the_call_tree_shows_which_decorated_function_each_call_runs() -> None:
    """``settle`` calls ``total`` and ``charge``, both through ``timed``'s ``wrapper`` (issue 13, S6): the tree has a
    ``wrapper (total)`` and a ``wrapper (charge)`` node, each calling its own function only, with distinct ids."""
    done = run_cli("calls", FIXTURE, "--no-cache", "--entry", "app/ledger.py:settle", cwd=FIXTURE)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    wrappers = [i for i, line in enumerate(lines) if "timed.<locals>.wrapper" in line]
    assert [lines[i].split("  (")[0].split("── ")[1] for i in wrappers] == [
        "app.ledger:timed.<locals>.wrapper (total)",
        "app.ledger:timed.<locals>.wrapper (charge)",
    ], done.stdout
    first, second = lines[wrappers[0] : wrappers[1]], lines[wrappers[1] :]
    assert any("app.ledger:total" in line for line in first) and not any("app.ledger:charge " in line for line in first)
    assert any("app.ledger:charge" in line for line in second) and not any(
        "app.ledger:total" in line for line in second
    )
    tree = json.loads(
        run_cli("calls", FIXTURE, "--no-cache", "--entry", "app/ledger.py:settle", "--format", "json").stdout
    )
    nodes = [child for child in tree["children"] if child["symbol"] == "app.ledger:timed.<locals>.wrapper"]
    assert [n["runs"] for n in nodes] == [["app.ledger:total"], ["app.ledger:charge"]]
    assert nodes[0]["id"] != nodes[1]["id"]

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
    done = run_cli("analyze", FIXTURE, "--no-cache", "--format", "json", "-o", out)
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

"""Closures run inside their enclosing function's span, through ``trace-advisor analyze`` as a subprocess
(tests/fixtures/closures): ``copy_all`` is recommended and runs its nested ``_once`` through a retry helper and its
nested ``fetch_one`` through a thread pool, so neither is recommended on its own (before, both were: spans nested in
the operation's span that maintainers do not write); ``timed``'s ``wrapper`` is returned, runs later outside
``timed``, and keeps its own recommendation."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "closures"


def test_a_closure_its_recommended_function_runs_is_left_to_that_span(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = run_cli("analyze", FIXTURE, "--format", "json", "-o", out, "--no-cache")
    assert done.returncode == 0, done.stderr
    recs = {str(r["qualname"]): r for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    assert "copy_all" in recs, sorted(recs)
    assert "copy_all.<locals>._once" not in recs and "copy_all.<locals>.fetch_one" not in recs, sorted(recs)
    assert "timed.<locals>.decorate.<locals>.wrapper" in recs, sorted(recs)

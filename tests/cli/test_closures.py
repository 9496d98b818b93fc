"""Closures run inside their enclosing function's span, through ``trace-advisor analyze`` as a subprocess
(tests/fixtures/closures): ``copy_all`` is recommended and runs its nested ``_once`` through a retry helper and its
nested ``fetch_one`` through a thread pool, so neither is recommended on its own (before, both were: spans nested in
the operation's span that maintainers do not write); ``timed``'s ``wrapper`` is returned, runs later outside
``timed``, and keeps its own recommendation."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "closures"


def test_a_closure_its_recommended_function_runs_is_left_to_that_span(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path)
    assert "copy_all" in recs, sorted(recs)
    assert "copy_all.<locals>._once" not in recs and "copy_all.<locals>.fetch_one" not in recs, sorted(recs)
    assert "timed.<locals>.decorate.<locals>.wrapper" in recs, sorted(recs)

"""How a function runs is not work it does, through ``trace-advisor analyze`` as a subprocess
(tests/fixtures/flow_only): ``AgentTasks.initialize_aggregator_task`` and ``shutdown_aggregator_task`` only enter a
lock and await the aggregator's coroutines, ``content_to_text`` only returns early on a guard, and none is ever
recommended, however low the threshold (before, "holds an async resource" or "exits early when ..." alone scored them:
0.05 here, up to 0.44 in a class whose other methods do I/O); ``AgentTasks.list_tools_task`` requests the tool list and
is recommended."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "flow_only"


def test_how_a_function_runs_alone_is_never_recommended(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path, "--min-confidence", "0.01")
    assert "AgentTasks.list_tools_task" in recs, sorted(recs)
    for qualname in ("AgentTasks.initialize_aggregator_task", "AgentTasks.shutdown_aggregator_task", "content_to_text"):
        assert qualname not in recs, recs[qualname]


def test_the_request_is_recommended_at_the_default_threshold(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path)
    assert sorted(recs) == ["AgentTasks.list_tools_task"], sorted(recs)

"""How an async function is written is not work it does, through ``trace-advisor analyze`` as a subprocess
(tests/fixtures/async_plumbing): ``AgentTasks.initialize_aggregator_task`` and ``shutdown_aggregator_task`` only
enter a lock and await the aggregator's coroutines, and are never recommended, however low the threshold (before,
"holds an async resource" alone scored them, 0.05 here and up to 0.44 in a class whose other methods do I/O);
``AgentTasks.list_tools_task`` requests the tool list and is recommended."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "async_plumbing"


def test_async_plumbing_alone_is_never_recommended(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path, "--min-confidence", "0.01")
    assert "AgentTasks.list_tools_task" in recs, sorted(recs)
    assert "AgentTasks.initialize_aggregator_task" not in recs, recs["AgentTasks.initialize_aggregator_task"]
    assert "AgentTasks.shutdown_aggregator_task" not in recs, recs["AgentTasks.shutdown_aggregator_task"]


def test_the_request_is_recommended_at_the_default_threshold(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path)
    assert sorted(recs) == ["AgentTasks.list_tools_task"], sorted(recs)

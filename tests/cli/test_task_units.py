"""A coroutine started as a task of its own with its input is a unit of work, through ``trace-advisor analyze`` as a
subprocess (tests/fixtures/task_units): the runtime's ``_process_send`` and ``_process_publish`` each handle one
envelope in a task of their own, where autogen's runtimes and openai-agents' guardrails and tools put their spans (11
of 19 such functions on the corpus, against 1 in 10 overall), though neither does I/O. A loop started with its
connection runs for the life of the process, one started without input is a background loop, one closing the stream
it is given only tears a resource down: none is a unit of work. Every candidate is read (``--min-confidence 0``): the
evidence is what is checked, not the score it gets."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "task_units"
TASK = "runs as a task of its own"


def test_a_coroutine_started_as_a_task_with_its_input_is_a_unit_of_work(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path, "--min-confidence", "0")
    for name in ("AgentRuntime._process_send", "AgentRuntime._process_publish"):
        assert name in recs, sorted(recs)
        rationale = str(recs[name]["rationale"]).lower()
        assert TASK in rationale and "agentruntime._process_next" in rationale, rationale


def test_loops_started_as_tasks_and_direct_calls_are_no_units_of_work(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path, "--min-confidence", "0")
    for name in (
        "AgentRuntime._read_loop",
        "AgentRuntime._heartbeat",
        "AgentRuntime._maybe_aclose",
        "AgentRuntime._summary",
    ):
        rationale = str(recs.get(name, {}).get("rationale", ""))
        assert TASK not in rationale.lower(), rationale

"""Loops that wait for work they started to finish are not loops that run for the life of the process, through
``trace-advisor analyze`` as a subprocess (tests/fixtures/finite_waits): openai-agents' tool batch executor waits its
tasks out (``while self.pending_tasks: done, self.pending_tasks = await asyncio.wait(...)``), its mount transitions
await the task they test (``while not task.done(): await asyncio.shield(task)``) and semantic-kernel's ONNX connector
drives the generator it tests (``while not generator.is_done(): generator.generate_next_token()``); each was taken
for a lifetime loop, and so was every caller on the way to it (the agent runner's ``_run_impl``, the chat completion
``get_chat_message_contents``), which then got no span."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "finite_waits"


def test_callers_of_loops_that_wait_for_their_own_work_are_recommended(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path)
    for operation in ("Batch.fetch_all", "upload", "Decoder.decode"):
        assert operation in recs, sorted(recs)
        assert "life of the process" not in str(recs[operation]["rationale"])


def test_a_loop_only_a_stop_flag_ends_still_runs_for_the_life_of_the_process(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path)
    assert "Poller.serve" not in recs, sorted(recs)

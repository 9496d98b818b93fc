"""A function fans work out only when it waits for the tasks it starts, through ``trace-advisor analyze`` as a
subprocess (tests/fixtures/background_tasks): one that only starts a background task and returns (pipecat's speech
services start their websocket receive loops so in ``_connect``, about forty of them, none traced by their maintainers)
groups nothing under a span, which would end before the work does. Every candidate is read (``--min-confidence 0``):
the evidence is what is checked, not the score it gets."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "background_tasks"


def test_a_function_only_starting_a_background_task_is_not_recommended_for_it(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path, "--min-confidence", "0")
    assert "Transcriber._connect" not in recs, recs.get("Transcriber._connect", {}).get("rationale")


def test_functions_waiting_for_the_tasks_they_start_fan_out(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path, "--min-confidence", "0")
    for name in ("Transcriber.refresh_voices", "Transcriber.synthesize_all"):
        assert name in recs, sorted(recs)
        assert "fans out concurrent work" in str(recs[name]["rationale"]).lower()

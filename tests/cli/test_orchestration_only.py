"""Orchestration alone is not work, through ``trace-advisor analyze`` as a subprocess
(tests/fixtures/orchestration_only): a lifecycle method that only orchestrates in-memory steps is never recommended,
however low the threshold (before, "public method orchestrating 3 calls" alone scored it; on the corpus such functions
were traced 18 times out of 59), while a method orchestrating its steps around an HTTP request is."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "orchestration_only"


def test_orchestration_alone_is_never_recommended(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path, "--min-confidence", "0.01")
    assert "MediaSession.stop" not in recs, recs["MediaSession.stop"]
    assert "MediaSession.sync" in recs, sorted(recs)

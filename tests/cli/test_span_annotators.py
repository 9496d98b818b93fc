"""A helper that annotates the span it is given is tracing plumbing, through ``trace-advisor analyze`` as a
subprocess (tests/fixtures/span_annotators): ``annotate_request`` sets attributes on its caller's span and is not
recommended, although it is public and orchestrates five calls (before, "public function orchestrating 5 calls"
counted as I/O and exempted it from the rule, and it was recommended); ``ChatClient.complete`` sends the request
and is recommended."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "span_annotators"


def test_a_public_helper_annotating_the_given_span_is_not_recommended(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path)
    assert "ChatClient.complete" in recs, sorted(recs)
    assert "annotate_request" not in recs, sorted(recs)

"""A helper that annotates the span it is given is tracing plumbing, through ``trace-advisor analyze`` as a
subprocess (tests/fixtures/span_annotators): ``annotate_request`` sets attributes on its caller's span and is not
recommended, although it is public and orchestrates five calls (before, "public function orchestrating 5 calls"
counted as I/O and exempted it from the rule, and it was recommended); ``ChatClient.complete`` sends the request
and is recommended."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "span_annotators"


def test_a_public_helper_annotating_the_given_span_is_not_recommended(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = run_cli("analyze", FIXTURE, "--format", "json", "-o", out, "--no-cache")
    assert done.returncode == 0, done.stderr
    recs = {str(r["qualname"]): r for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    assert "ChatClient.complete" in recs, sorted(recs)
    assert "annotate_request" not in recs, sorted(recs)

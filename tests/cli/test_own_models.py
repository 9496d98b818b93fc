"""A model-like call into the workspace is our own code, not heavy computation guessed by its name, through
``trace-advisor analyze`` as a subprocess (tests/fixtures/own_models): ``Writer.draft`` calls its own
``TemplateModel.generate`` in a loop and is never recommended, however low the threshold (before, "heavy
computation (self.model.generate)" recommended it at 0.28, over the default threshold); ``score_drafts`` runs the
``predict`` of a model it is handed and keeps that evidence."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "own_models"


def test_a_workspace_models_generate_is_not_heavy_computation(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path, "--min-confidence", "0.01")
    assert "Writer.draft" not in recs, recs["Writer.draft"]
    assert "score_drafts" in recs, sorted(recs)
    assert "Heavy computation (scorer_model.predict)" in str(recs["score_drafts"]["rationale"])

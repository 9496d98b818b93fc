"""One span per operation, at the layer that names it, through ``trace-advisor analyze`` as a subprocess
(tests/fixtures/db_layers): a database wrapper whose one write an auto-instrumentation traces and whose every caller
is recommended (``store.update_product`` under ``flows.reprice`` and ``flows.restock``) is not recommended; the same
shape with a caller that gets no span (``store.update_stock``, called by ``flows.zero`` too) keeps its own, and
``zero``, a one-line forward to it in another file, is covered by its span (nothing between the two)."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "db_layers"


def test_a_database_wrapper_under_recommended_callers_is_left_to_them(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path)
    assert {"reprice", "restock", "update_stock"} <= set(recs), sorted(recs)
    assert "update_product" not in recs and "zero" not in recs
    assert {e.get("kind") for e in recs["update_stock"]["evidence"]} <= {"db", None}

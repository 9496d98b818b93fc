"""One span per operation, at the layer that names it, through ``trace-advisor analyze`` as a subprocess
(tests/fixtures/db_layers): a database wrapper whose one write an auto-instrumentation traces and whose every caller
is recommended (``store.update_product`` under ``flows.reprice`` and ``flows.restock``) is not recommended; the same
shape with a caller that gets no span (``store.update_stock``, called by ``flows.zero`` too) keeps its own."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "db_layers"


def test_a_database_wrapper_under_recommended_callers_is_left_to_them(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = run_cli("analyze", FIXTURE, "--format", "json", "-o", out, "--no-cache")
    assert done.returncode == 0, done.stderr
    recs = {str(r["qualname"]): r for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    assert {"reprice", "restock", "update_stock"} <= set(recs), sorted(recs)
    assert "update_product" not in recs and "zero" not in recs
    assert {e.get("kind") for e in recs["update_stock"]["evidence"]} <= {"db", None}

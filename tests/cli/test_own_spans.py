"""The spans a project already has, read as labels (tests/fixtures/own_spans, issue #16), through ``trace-advisor
analyze --format json`` as a subprocess: an untraced public method of a class whose public methods mostly have spans
is recommended like them, and says so; in a project that traces sparsely, a function of a file without spans needs
stronger evidence; a project without spans is advised as before (the same code with its spans' file left out); the
spans `apply --all` adds never make the next run recommend more."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from trace_advisor.config import default_config

from tests.support.cli import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "own_spans"
OWN_SPAN_REASONS = ("already have spans", "the project's threshold", "the project traces")


def analyze(root: Path, *options: str) -> dict[str, dict[str, object]]:
    """qualname -> recommendation of ``analyze ROOT --format json OPTIONS``."""
    done = run_cli("analyze", root, "--format", "json", "--no-cache", "--quiet", *options)
    assert done.returncode == 0, done.stderr
    return {str(r["qualname"]): r for r in json.loads(done.stdout)["recommendations"]}


@pytest.mark.xfail(
    strict=True,
    reason="boosted refit (#16): LedgerClient.create_entry, a one-call wrapper of a class nobody traced, scores 0.375 "
    "on its own (its two parameters; void_entry, the same shape with one, 0.155): the project's own spans hold only "
    "the untraced files of a sparse project to stronger evidence, and this one is not sparse. Left for a fix of "
    "follow_own_spans or of the parameter-count feature, not of the model",
)
def test_an_untraced_method_of_a_mostly_traced_class_is_recommended_like_its_siblings() -> None:
    recs = analyze(FIXTURES / "unit")
    refund = recs["BillingClient.refund"]
    assert float(str(refund["confidence"])) >= default_config().min_confidence
    assert "3 of 4 public methods of BillingClient already have spans" in str(refund["rationale"])
    # the same one-call wrappers in a class nobody traced stay under the threshold
    assert not [name for name in recs if name.startswith("LedgerClient.")], sorted(recs)
    # the traced methods are not recommended again
    assert not {"BillingClient.get_invoice", "BillingClient.create_invoice", "BillingClient.void_invoice"} & set(recs)


def test_a_sparse_project_asks_stronger_evidence_of_untraced_files_and_without_spans_nothing_changes(
    tmp_path: Path,
) -> None:
    traced = tmp_path / "traced"
    shutil.copytree(FIXTURES / "sparse", traced)
    untraced = tmp_path / "untraced"
    shutil.copytree(FIXTURES / "sparse", untraced)
    (untraced / "shop" / "orders.py").unlink()  # the project's only spans
    everything = analyze(untraced, "--min-confidence", "0")
    own = float(str(everything["export_items"]["confidence"]))
    # a threshold just under the file write's own confidence: it is recommended where the project has no spans...
    cut = f"{math.floor((own - 0.03) * 100) / 100:.2f}"
    plain = analyze(untraced, "--min-confidence", cut)
    assert "export_items" in plain, sorted(plain)
    assert not [r for r in plain.values() if any(w in str(r["rationale"]) for w in OWN_SPAN_REASONS)]
    assert {name: r["confidence"] for name, r in plain.items()} == {
        name: r["confidence"] for name, r in everything.items() if float(str(r["confidence"])) >= float(cut)
    }
    # ...and not where 11 spans in 46 functions say the project traces sparsely and nothing in its file is traced
    sparse = analyze(traced, "--min-confidence", cut)
    assert "export_items" not in sparse, sorted(sparse)
    # what is well above the threshold stays (a loop of remote calls)
    assert {"push_all", "sync_inventory"} <= set(sparse)


def test_the_spans_apply_adds_never_make_the_next_run_recommend_more(tmp_path: Path) -> None:
    root = tmp_path / "unit"
    shutil.copytree(FIXTURES / "unit", root)
    done = run_cli("apply", root, "--all", "--no-cache")
    assert done.returncode == 0, done.stderr
    assert "BillingClient.refund" in done.stderr  # the method its siblings' spans recommended now has its own
    assert analyze(root) == {}
    again = run_cli("apply", root, "--all", "--no-cache")
    assert again.returncode == 0 and "added 0 span(s)" in again.stderr, again.stderr

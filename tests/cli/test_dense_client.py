"""A dense client class (tests/fixtures/dense_client, issue #16) through ``trace-advisor analyze`` as a subprocess:
each of its fourteen public remote operations is recommended, one-line forwards to its private transport included,
and the project's ``max_per_file: 3`` does not cut the decision (it only limits what the editor shows)."""

from __future__ import annotations

import json
from pathlib import Path

from trace_advisor.config import default_config

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "dense_client"
OPERATIONS = {
    "get_invoice", "list_invoices", "create_invoice", "void_invoice", "pay_invoice", "get_customer",
    "create_customer", "delete_customer", "list_charges", "refund_charge", "get_subscription",
    "cancel_subscription", "create_payout", "get_balance",
}  # fmt: skip


def test_every_operation_of_a_client_class_is_recommended_past_max_per_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = run_cli("analyze", FIXTURE, "--format", "json", "-o", out, "--no-cache")
    assert done.returncode == 0, done.stderr
    recs = {str(r["qualname"]): r for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    assert {f"BillingClient.{name}" for name in OPERATIONS} <= set(recs), sorted(recs)
    assert len(recs) > 3  # max_per_file: 3 in the project's config
    forward = recs["BillingClient.get_invoice"]
    assert forward["confidence"] >= default_config().min_confidence  # held at the cut by its class, not its own size
    assert "14 of 14 public methods of BillingClient reach I/O" in str(forward["rationale"])
    assert "15 recommendations" in done.stderr

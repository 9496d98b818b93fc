"""Consistency within a class (advise.units): a client class its maintainers would trace method by method brings a
public operation with evidence of its own, just under the threshold, along with its siblings; weak, private and
unconventional siblings stay out, and coverage counts what analyze recommends. The "just under the threshold" rule
is the rules scorer's (``scoring: rules``); the calibrated scorer reads the class's share as a feature instead."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from trace_advisor.advise.local import Verdict
from trace_advisor.advise.units import with_floor
from trace_advisor.analysis import analyze
from trace_advisor.config import config_from_mapping
from trace_advisor.config_model import Config
from trace_advisor.coverage import measure
from trace_advisor.datatypes import Recommendation
from trace_advisor.index import Index

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "units"
CLIENT = FIXTURE / "billing" / "client.py"


@pytest.fixture(scope="module")
def config() -> Config:
    return config_from_mapping({"scoring": "rules"}, "test_units")


@pytest.fixture(scope="module")
def index(config: Config) -> Index:
    built = Index.from_config(config, [FIXTURE], use_cache=False)
    built.build()
    return built


def recommended(index: Index, config: Config) -> dict[str, Recommendation]:
    return {r.qualname: r for r in analyze(index, config, [CLIENT]).recommendations}


def test_a_public_operation_of_a_mostly_traced_client_joins_its_siblings(index: Index, config: Config) -> None:
    recs = recommended(index, config)
    assert {"BillingClient.get_invoice", "BillingClient.list_invoices", "BillingClient.refund"} <= set(recs)
    reminder = recs["BillingClient.send_reminder"]
    assert reminder.confidence == config.min_confidence
    assert "3 of 5 public methods of BillingClient deserve a span" in reminder.rationale


def test_weak_private_and_unconventional_siblings_stay_out(index: Index, config: Config) -> None:
    recs = recommended(index, config)
    assert "BillingClient.ping" not in recs  # evidence, but far under the threshold
    assert "BillingClient._post" not in recs  # the private transport under the operations
    assert "Settings.push" not in recs  # the shape of send_reminder, in a class nobody traces method by method
    assert not any(q.startswith("Settings.") for q in recs)


def test_above_the_threshold_on_its_own_no_consistency_reason(index: Index, config: Config) -> None:
    lower = dataclasses.replace(config, min_confidence=0.45)
    recs = recommended(index, lower)
    assert recs["BillingClient.send_reminder"].confidence > lower.min_confidence
    assert "public methods of BillingClient" not in recs["BillingClient.send_reminder"].rationale
    assert "Settings.push" in recs  # over 0.45 on its own evidence


def test_coverage_counts_the_method_analyze_recommends(index: Index, config: Config) -> None:
    counted = {f.symbol.partition(":")[2] for f in measure(index, config, FIXTURE, [CLIENT]).functions}
    assert counted == set(recommended(index, config))


def test_a_function_in_two_units_says_both_reasons() -> None:
    """A client library's network boundary that is also the public operation over its transport is raised twice:
    its rationale keeps the first unit's reason beside the second (the second replaced it: elasticsearch-py's shape
    lost "one span per API call" once its transport scored above it), and says a reason once however often it holds."""
    boundary = "the network boundary of the client library's APIClient: one span per API call"
    operation = "the public operation over `_send`, the transport doing its I/O"
    first = with_floor(Verdict(0.3, "external_io", (), ()), 0.3, boundary)
    both = with_floor(first, 0.6, operation)
    assert (both.confidence, both.consistency) == (0.6, f"{boundary}; {operation}")
    assert with_floor(both, 0.7, operation).consistency == both.consistency

"""Feature flags and cache branches are read from whole words of the names a condition tests for truth, through
``trace-advisor analyze`` as a subprocess (tests/fixtures/branch_switches): ``Summariser.summary_length`` reads a
feature flag and is recommended; ``merge_flags`` compares data named ``flag`` and
``Summariser.response_attributes_for_tracing`` returns early when the project's tracing is off, and neither is
recommended (before, a substring "flag" or "enabled" anywhere in the condition made both "feature flag ... changes
behaviour"). The branch detector is run alone (``--priorities branches``): with every detector, a function whose only
evidence is a feature flag is no work of its own and is not recommended (tests/cli/test_handling_only.py)."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "branch_switches"


def test_only_a_switch_read_for_truth_is_a_feature_flag(tmp_path: Path) -> None:
    # read at a low threshold: what is read as a feature flag is the subject, not whether a computation branching on
    # one is worth a span (the boosted model says 0.20: the flag belongs on the span of the request around it)
    recs = recommendations(FIXTURE, tmp_path, "--priorities", "branches", "--min-confidence", "0.01")
    assert "Summariser.summary_length" in recs, sorted(recs)
    assert "Feature flag `FEATURES.is_enabled('long-summaries')`" in str(recs["Summariser.summary_length"]["rationale"])
    assert "merge_flags" not in recs, recs["merge_flags"]["rationale"]
    assert "trim_memory" not in recs, recs["trim_memory"]["rationale"]


def test_the_projects_tracing_switch_is_no_feature_flag(tmp_path: Path) -> None:
    recs = recommendations(FIXTURE, tmp_path, "--priorities", "branches")
    assert "Summariser.response_attributes_for_tracing" not in recs, recs["Summariser.response_attributes_for_tracing"][
        "rationale"
    ]

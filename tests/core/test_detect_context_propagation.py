"""context_propagation detector against its fixture module (tests/fixtures/detect/context_propagation)."""

from __future__ import annotations

from tests.core.test_detect_helpers import check_case


def test_fixture_expectations() -> None:
    check_case("context_propagation", "context_propagation")

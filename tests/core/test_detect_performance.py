"""performance detector against its fixture module (tests/fixtures/detect/performance)."""

from __future__ import annotations

from tests.core.test_detect_helpers import check_case


def test_fixture_expectations() -> None:
    check_case("performance", "performance")

"""The performance detector on tests/fixtures/detect/performance: each function's typed findings."""

from __future__ import annotations

import pytest

from tests.core.test_detect_helpers import case_functions, check_function


@pytest.mark.parametrize("qualname", case_functions("performance"))
def test_findings(qualname: str) -> None:
    check_function("performance", "performance", qualname)

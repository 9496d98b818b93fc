"""The branches detector on tests/fixtures/detect/branches: each function's typed findings."""

from __future__ import annotations

import pytest

from tests.core.test_detect_helpers import case_functions, check_function


@pytest.mark.parametrize("qualname", case_functions("branches"))
def test_findings(qualname: str) -> None:
    check_function("branches", "branches", qualname)

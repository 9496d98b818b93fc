"""The entry_points detector on tests/fixtures/detect/entry_points: each function's typed findings."""

from __future__ import annotations

import pytest

from tests.core.test_detect_helpers import case_functions, check_function


@pytest.mark.parametrize("qualname", case_functions("entry_points"))
def test_findings(qualname: str) -> None:
    check_function("entry_points", "entry_points", qualname)

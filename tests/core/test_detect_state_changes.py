"""The state_changes detector on tests/fixtures/detect/state_changes: each function's typed findings."""

from __future__ import annotations

import pytest

from tests.core.test_detect_helpers import case_functions, check_function


@pytest.mark.parametrize("qualname", case_functions("state_changes"))
def test_findings(qualname: str) -> None:
    check_function("state_changes", "state_changes", qualname)

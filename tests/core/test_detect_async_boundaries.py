"""The async_boundaries detector on tests/fixtures/detect/async_boundaries: each function's typed findings."""

from __future__ import annotations

import pytest

from tests.core.test_detect_helpers import case_functions, check_function


@pytest.mark.parametrize("qualname", case_functions("async_boundaries"))
def test_findings(qualname: str) -> None:
    check_function("async_boundaries", "async_boundaries", qualname)

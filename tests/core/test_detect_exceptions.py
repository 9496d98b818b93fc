"""The exceptions detector on tests/fixtures/detect/exceptions: each function's typed findings."""

from __future__ import annotations

import pytest

from tests.core.test_detect_helpers import case_functions, check_function


@pytest.mark.parametrize("qualname", case_functions("exceptions"))
def test_findings(qualname: str) -> None:
    check_function("exceptions", "exceptions", qualname)

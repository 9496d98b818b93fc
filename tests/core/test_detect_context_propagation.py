"""The context_propagation detector on tests/fixtures/detect/context_propagation: each function's typed findings."""

from __future__ import annotations

import pytest

from tests.core.test_detect_helpers import case_functions, check_function


@pytest.mark.parametrize("qualname", case_functions("context_propagation"))
def test_findings(qualname: str) -> None:
    check_function("context_propagation", "context_propagation", qualname)

"""message_bus: producers get injection advice, consumers extraction advice, Celery tasks and dispatches found."""

from __future__ import annotations

import pytest
from trace_advisor.detect.findings import Finding

from tests.core.test_detect_helpers import case_functions, check_function, signals_by_function


@pytest.mark.parametrize("qualname", case_functions("message_bus"))
def test_findings(qualname: str) -> None:
    check_function("message_bus", "message_bus", qualname)


def test_advice_names_the_propagation_call_only_where_it_is_missing() -> None:
    found = signals_by_function("message_bus", "message_bus")
    [publish] = found["publish_order"]
    assert publish.api is not None and publish.api.system == "aws_sqs" and publish.api.operation == "publish"
    assert "opentelemetry.propagate.inject" in publish.evidence.reason
    [already] = found["publish_order_with_context"]
    assert "inject the current context" not in already.evidence.reason
    [receive] = [s for s in found["drain"] if s.finding is Finding.RECEIVES]
    assert "opentelemetry.propagate.extract" in receive.evidence.reason

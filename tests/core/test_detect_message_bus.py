"""message_bus: producers get injection advice, consumers extraction advice, Celery tasks and dispatches found."""

from __future__ import annotations

from tests.core.test_detect_helpers import check_case


def test_fixture_expectations() -> None:
    found = check_case("message_bus", "message_bus")
    [publish] = found["publish_order"]
    assert "op:publish" in publish.tags and "system:aws_sqs" in publish.tags
    [receive] = [s for s in found["drain"] if "op:receive" in s.tags]
    assert "opentelemetry.propagate.extract" in receive.evidence.reason

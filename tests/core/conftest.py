"""Fixtures for core tests: one OpenTelemetry SDK provider per process with an in-memory exporter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


@pytest.fixture(scope="session")
def _otel_exporter_session() -> InMemorySpanExporter:
    # the global provider can be set only once per process: reuse it if another fixture already did
    current = trace.get_tracer_provider()
    exporter = InMemorySpanExporter()
    if isinstance(current, TracerProvider):
        current.add_span_processor(SimpleSpanProcessor(exporter))
        return exporter
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return exporter


@pytest.fixture
def span_exporter(_otel_exporter_session: InMemorySpanExporter) -> Iterator[InMemorySpanExporter]:
    """The in-memory exporter, emptied before and after the test."""
    _otel_exporter_session.clear()
    yield _otel_exporter_session
    _otel_exporter_session.clear()

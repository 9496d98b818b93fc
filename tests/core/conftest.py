"""Fixtures for core tests: one OpenTelemetry SDK provider per process with an in-memory exporter."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from trace_advisor.config_model import SpansConfig

from tests.support.span_cases import apply_plan, copy_case


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


@pytest.fixture
def instrumented(tmp_path: Path) -> Iterator[Callable[..., list[ModuleType]]]:
    """Instrument a case in tmp_path and import its modules: ``load(case, "pkg.mod", ..., spans=SpansConfig(...))``
    -> modules (``spans``: the settings to edit with; default: the plan's)."""
    added: list[str] = []
    packages: set[str] = set()

    def load(case: str, *modules: str, spans: SpansConfig | None = None) -> list[ModuleType]:
        root = copy_case(case, tmp_path / str(len(added)))
        apply_plan(root, case, spans)
        sys.path.insert(0, str(root))
        added.append(str(root))
        packages.update(m.partition(".")[0] for m in modules)
        _forget(packages)  # a second load of the same case gets its own copy
        return [importlib.import_module(m) for m in modules]

    yield load
    for entry in added:
        sys.path.remove(entry)
    _forget(packages)


def _forget(packages: set[str]) -> None:
    for name in list(sys.modules):
        if name.partition(".")[0] in packages:
            del sys.modules[name]

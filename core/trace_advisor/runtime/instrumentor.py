"""The ``opentelemetry_instrumentor`` entry point: ``opentelemetry-instrument`` loads it with the other
instrumentations; it installs the import hook when ``$TRACE_ADVISOR_RUNTIME_CONFIG`` names a traced-functions file
and does nothing otherwise."""

from __future__ import annotations

from typing import Any


class TraceAdvisorInstrumentor:
    """Duck-types the part of ``BaseInstrumentor`` that ``opentelemetry-instrument`` calls."""

    def instrumentation_dependencies(self) -> tuple[str, ...]:
        return ()

    def instrument(self, **_: Any) -> None:
        from trace_advisor.runtime import install_from_env

        install_from_env()

    def uninstrument(self, **_: Any) -> None:
        """Spans already compiled into imported modules stay; nothing to undo for later imports either."""

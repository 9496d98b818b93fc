"""Detectors, one per tracing priority: each reads a FunctionContext and returns Signals with exact ranges."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from trace_advisor.detect import (
    async_boundaries,
    branches,
    context_propagation,
    entry_points,
    exceptions,
    external_io,
    message_bus,
    observed,
    performance,
    state_changes,
)
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Signal
from trace_advisor.detect.kinds import with_kinds

Detector = Callable[[FunctionContext], list[Signal]]

DETECTORS: Mapping[str, Detector] = {
    external_io.PRIORITY: external_io.detect,
    message_bus.PRIORITY: message_bus.detect,
    exceptions.PRIORITY: exceptions.detect,
    branches.PRIORITY: branches.detect,
    entry_points.PRIORITY: entry_points.detect,
    state_changes.PRIORITY: state_changes.detect,
    performance.PRIORITY: performance.detect,
    context_propagation.PRIORITY: context_propagation.detect,
    async_boundaries.PRIORITY: async_boundaries.detect,
}


# Evidence about several priorities from what ran (a recording): kept only for the selected priorities.
RUN_TIME_DETECTORS: tuple[Detector, ...] = (observed.detect,)


def run_detectors(ctx: FunctionContext, priorities: Iterable[str] | None = None) -> list[Signal]:
    """Signals of every selected detector (all when ``priorities`` is None), in priority order, each with what its
    evidence is about (``Evidence.kind``)."""
    selected = DETECTORS if priorities is None else {p: DETECTORS[p] for p in priorities if p in DETECTORS}
    signals: list[Signal] = []
    for detector in selected.values():
        signals.extend(detector(ctx))
    for detector in RUN_TIME_DETECTORS:
        signals.extend(s for s in detector(ctx) if s.evidence.priority in selected)
    return with_kinds(ctx, signals)

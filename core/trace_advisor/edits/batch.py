"""Spans for several functions of one text, applied one after another (``trace-advisor apply``, the editor's "Add
spans to all recommended functions"): each def is found by its occurrence in the text as read, then by that
occurrence in the current text, so a property's setter stays the setter after earlier edits moved it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trace_advisor.datatypes import Capture
from trace_advisor.edits.engine import EditResult, SpanEditor
from trace_advisor.edits.occurrence import occurrence, occurrence_line
from trace_advisor.edits.source import apply_edits
from trace_advisor.edits.style import DEFAULT_STYLE, SpanOrigin, SpanStyle


@dataclass(frozen=True, slots=True)
class SpanTarget:
    """One function to instrument: ``line`` (any line of the def in the text as read) picks among defs sharing
    ``qualname``; ``capture=None`` asks for a plain span; ``name``: the span name (default ``Class.method``)."""

    qualname: str
    capture: Capture | None = None
    line: int | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class SpanOutcome:
    """What one target got: the engine's result and the def's line in the text it was applied to."""

    target: SpanTarget
    line: int | None
    result: EditResult


def add_spans(
    text: str,
    targets: Sequence[SpanTarget],
    style: SpanStyle = DEFAULT_STYLE,
    origin: SpanOrigin | None = None,
) -> tuple[str, list[SpanOutcome]]:
    """The text with a span added to every target, in the order given, and one outcome per target (``origin``: see
    :class:`SpanEditor`)."""
    as_read = SpanEditor(text, style=style)
    occurrences = [occurrence(as_read, target.qualname, target.line) for target in targets]
    outcomes: list[SpanOutcome] = []
    for target, index in zip(targets, occurrences, strict=True):
        editor = SpanEditor(text, style=style, origin=origin)
        line = occurrence_line(editor, target.qualname, index)
        result = editor.edits(target.qualname, target.capture, line=line, name=target.name)
        if result.edits:
            text = apply_edits(text, result.edits)
        outcomes.append(SpanOutcome(target, line, result))
    return text, outcomes

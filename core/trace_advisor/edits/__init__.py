"""Span insertion: minimal, verified text edits that add an OpenTelemetry span to one function."""

from __future__ import annotations

from trace_advisor.config_model import SpanForm
from trace_advisor.edits.batch import SpanOutcome, SpanTarget, add_spans
from trace_advisor.edits.engine import EditResult, SpanEditor, span_edits
from trace_advisor.edits.occurrence import occurrence, occurrence_line
from trace_advisor.edits.source import SourceText, apply_edits
from trace_advisor.edits.style import SpanOrigin, SpanStyle, span_origin, span_style

__all__ = [
    "SpanOutcome",
    "SpanTarget",
    "add_spans",
    "EditResult",
    "SourceText",
    "SpanEditor",
    "SpanForm",
    "SpanOrigin",
    "SpanStyle",
    "apply_edits",
    "occurrence",
    "occurrence_line",
    "span_edits",
    "span_origin",
    "span_style",
]

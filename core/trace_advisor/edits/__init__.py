"""Span insertion: minimal, verified text edits that add an OpenTelemetry span to one function.

The names below load with their module when first used: the editor's start-up imports ``edits.style`` (how a
project writes spans) long before it edits anything, and the engine is a tenth of a second of imports. (A function
named like its module, ``occurrence.occurrence``, cannot be one of them: importing the module would shadow it.)"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trace_advisor.config_model import SpanForm
    from trace_advisor.edits.batch import SpanOutcome, SpanTarget, add_spans
    from trace_advisor.edits.engine import EditResult, SpanEditor, span_edits
    from trace_advisor.edits.source import SourceText, apply_edits
    from trace_advisor.edits.style import ProjectStyles, SpanOrigin, SpanStyle, span_origin, span_style

_WHERE = {
    "SpanForm": "trace_advisor.config_model",
    "SpanOutcome": "trace_advisor.edits.batch",
    "SpanTarget": "trace_advisor.edits.batch",
    "add_spans": "trace_advisor.edits.batch",
    "EditResult": "trace_advisor.edits.engine",
    "SpanEditor": "trace_advisor.edits.engine",
    "span_edits": "trace_advisor.edits.engine",
    "SourceText": "trace_advisor.edits.source",
    "apply_edits": "trace_advisor.edits.source",
    "ProjectStyles": "trace_advisor.edits.style",
    "SpanOrigin": "trace_advisor.edits.style",
    "SpanStyle": "trace_advisor.edits.style",
    "span_origin": "trace_advisor.edits.style",
    "span_style": "trace_advisor.edits.style",
}

__all__ = [  # the names of _WHERE (a literal list, for linters)
    "EditResult",
    "ProjectStyles",
    "SourceText",
    "SpanEditor",
    "SpanForm",
    "SpanOrigin",
    "SpanOutcome",
    "SpanStyle",
    "SpanTarget",
    "add_spans",
    "apply_edits",
    "span_edits",
    "span_origin",
    "span_style",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value

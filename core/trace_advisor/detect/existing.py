"""Functions that already create a span, or that the user silenced with ``# trace-advisor: ignore``."""

from __future__ import annotations

import ast
import re

from trace_advisor.detect.context import FunctionContext
from trace_advisor.model import dotted_name

_SPAN_CALLS = frozenset({"start_as_current_span", "start_span", "start_active_span", "trace_span", "use_span"})
_SPAN_DECORATORS = frozenset(
    {
        "start_as_current_span",
        "instrument",
        "traced",
        "trace",
        "with_span",
        "observe",
        "tracer_span",
        "span",
        "instrument_method",
    }
)
IGNORE_MARK = re.compile(r"#\s*trace-advisor\s*:\s*ignore\b", re.IGNORECASE)


def existing_span(ctx: FunctionContext) -> str | None:
    """Why the function already has a span, or None."""
    for dec in ctx.node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
        resolved = " ".join(dotted_name(callee) for callee in ctx.decorator_callees(dec))
        if name in _SPAN_DECORATORS and (
            name == "start_as_current_span"
            or "trac" in resolved
            or "otel" in resolved
            or "opentelemetry" in resolved
            or "tracer" in ast.unparse(target)
        ):
            return f"decorated with {ast.unparse(target)}"
    for call in ctx.calls:
        receiver, _, method = call.text.rpartition(".")
        if method in _SPAN_CALLS:
            return f"already calls {call.text}"
        # ddtrace ``tracer.trace(...)``, logfire ``logfire.span(...)``, sentry ``sentry_sdk.start_transaction(...)``
        if method in {"trace", "span", "start_transaction", "start_child"} and any(
            word in receiver.lower() for word in ("trac", "logfire", "sentry", "span")
        ):
            return f"already calls {call.text}"
    return None


def ignored(ctx: FunctionContext) -> bool:
    """``# trace-advisor: ignore`` on the ``def`` line (or on a decorator line of it) silences the function."""
    first = min([ctx.node.lineno, *(d.lineno for d in ctx.node.decorator_list)])
    lines = ctx.lines
    return any(IGNORE_MARK.search(lines[i - 1]) for i in range(first, ctx.node.lineno + 1) if 0 < i <= len(lines))

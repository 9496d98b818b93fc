"""The decorator form: ``@tracer.start_as_current_span("Class.method")`` directly above the ``def`` line.

It goes below every other decorator, so it wraps exactly the function's own code: ``staticmethod``, ``classmethod``,
``property``/``x.setter``, ``functools.wraps``, route and task registrations (``@app.route``, ``@app.task``,
``@click.command``) and caches all receive the traced function. Placed above them it would wrap a descriptor
(breaking ``staticmethod``/``property``), hide the function from the framework's registry, or copy the wrong metadata.
"""

from __future__ import annotations

import json

from trace_advisor.edits.locate import FunctionNode
from trace_advisor.edits.source import SourceText
from trace_advisor.model import Position, Range, TextEdit


def decorator_text(tracer: str, name: str) -> str:
    return f"@{tracer}.start_as_current_span({json.dumps(name, ensure_ascii=False)})"


def decorator_edit(source: SourceText, node: FunctionNode, tracer: str, name: str) -> TextEdit:
    """Insert the span decorator on its own line right above ``def``/``async def``, at the def's indentation."""
    line = source.line(node.lineno)
    indent = line[: source.char_column(node.lineno, node.col_offset)]
    at = Position(node.lineno, 0)
    return TextEdit(Range(at, at), indent + decorator_text(tracer, name) + source.eol)

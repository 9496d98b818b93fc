"""The decorator form: ``@tracer.start_as_current_span("Class.method")`` directly above the ``def`` line.

It goes below every other decorator, so it wraps exactly the function's own code: ``staticmethod``, ``classmethod``,
``property``/``x.setter``, ``functools.wraps``, route and task registrations (``@app.route``, ``@app.task``,
``@click.command``) and caches all receive the traced function. Placed above them it would wrap a descriptor
(breaking ``staticmethod``/``property``), hide the function from the framework's registry, or copy the wrong metadata.
"""

from __future__ import annotations

import json

from trace_advisor.datatypes import Position, Range, TextEdit
from trace_advisor.edits.layout import Statement
from trace_advisor.edits.locate import FunctionNode
from trace_advisor.edits.reflow import with_trailing_commas
from trace_advisor.edits.source import SourceText


def decorator_edit(
    source: SourceText, node: FunctionNode, tracer: str, name: str, unit: str, width: int, *, commas: bool = False
) -> TextEdit:
    """Insert the span decorator right above ``def``/``async def``, at the def's indentation, within ``width``
    (``commas``: the project checks flake8-commas, a split argument list ends with a comma)."""
    line = source.line(node.lineno)
    indent = line[: source.char_column(node.lineno, node.col_offset)]
    at = Position(node.lineno, 0)
    decorator = Statement(f"@{tracer}.start_as_current_span", (json.dumps(name, ensure_ascii=False),))
    lines = decorator.lines(indent, unit, width)
    if commas:
        lines = with_trailing_commas(lines, unit)
    return TextEdit(Range(at, at), "".join(text + source.eol for text in lines))

"""Span edits for the editor, made exactly as ``trace-advisor apply`` makes them: one function (the span engine's
edits as they are) or every recommended function of a file (applied one after another in line order, each def found
by its occurrence in the text as read, then expressed as minimal line edits)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from trace_advisor.datatypes import Capture, Range, Recommendation, TextEdit

if TYPE_CHECKING:
    from trace_advisor.edits import SpanOrigin, SpanStyle

LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # LSP lines with their line breaks


def function_edits(
    text: str,
    qualname: str,
    capture: Capture | None,
    line: int | None,
    style: SpanStyle,
    origin: SpanOrigin,
    name: str | None = None,
) -> tuple[tuple[TextEdit, ...], str | None]:
    """Edits that add a span to the def of ``qualname`` spanning ``line`` (any line of it, decorators included);
    no edits and a reason when there is nothing to do. ``line`` only decides between defs sharing the qualname (a
    property's getter and setter): with one such def, a line made stale by typing since the analysis is ignored."""
    from trace_advisor.edits import SpanEditor  # the span engine loads when first used, not at start-up

    editor = SpanEditor(text, style=style, origin=origin)
    result = editor.edits(qualname, capture, line=line if len(editor.sites(qualname)) > 1 else None, name=name)
    return result.edits, result.message


def file_edits(
    text: str, recommendations: Sequence[Recommendation], style: SpanStyle, origin: SpanOrigin
) -> tuple[list[TextEdit], int]:
    """Edits adding spans to every recommended function (as ``trace-advisor apply --all``), and how many changed."""
    ordered = sorted(recommendations, key=lambda rec: rec.range.start.line)
    from trace_advisor.edits import SpanTarget, add_spans

    targets = [SpanTarget(rec.qualname, rec.capture, rec.range.start.line, rec.span_name) for rec in ordered]
    new_text, outcomes = add_spans(text, targets, style, origin)
    return line_diff(text, new_text), sum(1 for outcome in outcomes if outcome.result.edits)


def line_diff(before: str, after: str) -> list[TextEdit]:
    """Whole-line edits turning ``before`` into ``after`` (column 0 only, so no encoding conversion is needed)."""
    old, new = LINES.findall(before), LINES.findall(after)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            edits.append(TextEdit(Range.of(i1 + 1, 0, i2 + 1, 0), "".join(new[j1:j2])))
    return edits

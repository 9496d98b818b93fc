"""Span edits for the editor: one function (the span engine's edits as they are) or several functions of a file
(applied one after another, exactly like ``trace-advisor apply``, then expressed as minimal line edits)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from trace_advisor.edits import apply_edits, span_edits
from trace_advisor.model import Capture, Range, Recommendation, TextEdit, split_symbol

LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # LSP lines with their line breaks


def function_edits(text: str, symbol: str, capture: Capture | None) -> tuple[tuple[TextEdit, ...], str | None]:
    """Edits that add a span to one function of ``text``; no edits and a reason when there is nothing to do."""
    result = span_edits(text, split_symbol(symbol)[1], capture)
    return result.edits, result.message


def file_edits(text: str, recommendations: Sequence[Recommendation]) -> tuple[list[TextEdit], int]:
    """Edits adding spans to every recommended function, and how many functions changed."""
    current, changed = text, 0
    for rec in recommendations:
        result = span_edits(current, rec.qualname, rec.capture)
        if result.edits:
            current, changed = apply_edits(current, result.edits), changed + 1
    return line_diff(text, current), changed


def line_diff(before: str, after: str) -> list[TextEdit]:
    """Whole-line edits turning ``before`` into ``after`` (column 0 only, so no encoding conversion is needed)."""
    old, new = LINES.findall(before), LINES.findall(after)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            edits.append(TextEdit(Range.of(i1 + 1, 0, i2 + 1, 0), "".join(new[j1:j2])))
    return edits

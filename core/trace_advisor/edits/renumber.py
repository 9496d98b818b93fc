"""Keep ``code.line.number`` literals right: when a span edit adds lines above a function that already records its
``def`` line, the literal moves with it (only literals that were right before: a value set on purpose stays)."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from trace_advisor.datatypes import Position, Range, TextEdit
from trace_advisor.edits.existing import own_scope
from trace_advisor.edits.locate import FunctionNode
from trace_advisor.edits.source import SourceText

LINE_KEY = "code.line.number"


def line_literals(module: ast.Module) -> list[tuple[FunctionNode, ast.Constant]]:
    """``span.set_attribute("code.line.number", N)`` literals in each function's own body, with their function."""
    found: list[tuple[FunctionNode, ast.Constant]] = []
    for node in ast.walk(module):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for sub in own_scope(node):
            if (
                isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Attribute)
                and sub.func.attr == "set_attribute"
                and len(sub.args) == 2
                and isinstance(sub.args[0], ast.Constant)
                and sub.args[0].value == LINE_KEY
                and isinstance(sub.args[1], ast.Constant)
                and type(sub.args[1].value) is int
            ):
                found.append((node, sub.args[1]))
    return found


def renumber_edits(module: ast.Module, source: SourceText, edits: Sequence[TextEdit]) -> list[TextEdit]:
    """Edits moving the right ``code.line.number`` literals of other functions by the lines ``edits`` add above
    them; literals inside a range ``edits`` replace are left to that edit."""
    out: list[TextEdit] = []
    if LINE_KEY not in source.text:  # the usual case: nothing to move, and no walk over the module
        return out
    for function, literal in line_literals(module):
        if literal.value != function.lineno:
            continue  # not this def's line: someone's choice, or already stale
        at = Position(literal.lineno, source.char_column(literal.lineno, literal.col_offset))
        if any(e.range.start < at < e.range.end for e in edits):
            continue
        shift = sum(_added_lines(e) for e in edits if e.range.end <= Position(function.lineno, 0))
        if shift:
            end = Position(literal.lineno, source.char_column(literal.lineno, literal.end_col_offset or 0))
            out.append(TextEdit(Range(at, end), str(function.lineno + shift)))
    return out


def _added_lines(edit: TextEdit) -> int:
    return len(SourceText(edit.new_text).lines) - 1 - (edit.range.end.line - edit.range.start.line)

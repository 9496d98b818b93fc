"""Text edits for the linter's mechanical fixes: lines at the top of an ``except`` clause, a ``try``/``finally``
around statements, a statement removed, an import added in its isort/ruff section."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from trace_advisor.datatypes import Position, Range, TextEdit
from trace_advisor.edits.body import BodyEditError, Tokens, indent_unit
from trace_advisor.edits.imports import import_statement_edit
from trace_advisor.edits.layout import Statement
from trace_advisor.lint.findings import LintContext


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t\f"))]


def handler_edits(
    ctx: LintContext, handler: ast.ExceptHandler, statements: Sequence[Statement], name: str
) -> tuple[TextEdit, ...] | None:
    """``statements`` (``{name}`` = the exception's name) at the top of ``handler``; `` as name`` added when the
    clause binds none. None when the clause's body starts on its own ``except`` line."""
    source = ctx.source
    first = handler.body[0]
    if first.lineno == handler.lineno:
        return None
    edits: list[TextEdit] = []
    if handler.name is None:
        try:
            tokens = Tokens(source, handler.lineno, first.lineno)
            line, column = tokens.colon_before(first.lineno, source.char_column(first.lineno, first.col_offset))
        except BodyEditError:
            return None
        added = f" as {name}" if handler.type is not None else f" BaseException as {name}"
        edits.append(TextEdit(Range(Position(line, column), Position(line, column)), added))
    indent = _indent(source.line(first.lineno))
    unit = indent_unit(ctx.module, source)
    lines = [
        text for stmt in statements for text in stmt.replace("{name}", name).lines(indent, unit, ctx.style.line_length)
    ]
    at = Position(first.lineno, 0)
    edits.append(TextEdit(Range(at, at), "".join(line + source.eol for line in lines)))
    return tuple(edits)


def try_finally(ctx: LintContext, body: Sequence[ast.stmt], final: str) -> TextEdit | None:
    """``body`` (consecutive statements of one block) inside ``try:`` with the statement ``final`` in the
    ``finally:`` (the edit ends where the last statement ends, before its line break)."""
    source = ctx.source
    first, last = body[0], body[-1]
    first_line, last_line = first.lineno, last.end_lineno or last.lineno
    indent = _indent(source.line(first_line))
    if source.line(first_line)[: source.char_column(first_line, first.col_offset)].strip():
        return None  # the block starts on its header's line
    unit = indent_unit(ctx.module, source)
    try:
        inside = Tokens(source, first_line, last_line).inside
    except BodyEditError:
        return None
    eol = source.eol
    out = [indent + "try:" + eol]
    for number in range(first_line, last_line + 1):
        text = source.line(number)
        shifted = text if not text.strip() or number in inside else unit + text
        out.append(shifted + (source.endings[number - 1] or eol))
    out.append(indent + "finally:" + eol)
    out.append(indent + unit + final)
    end = Position(last_line, len(source.line(last_line)))
    return TextEdit(Range(Position(first_line, 0), end), "".join(out))


def remove_statement(ctx: LintContext, stmt: ast.stmt, siblings: Sequence[ast.stmt]) -> TextEdit | None:
    """Delete ``stmt`` (whole lines); None when it shares a line or is the only statement of its block."""
    source = ctx.source
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    if len(siblings) < 2 or any(
        other is not stmt and (other.lineno <= last and (other.end_lineno or other.lineno) >= first)
        for other in siblings
    ):
        return None
    if source.line(first)[: source.char_column(first, stmt.col_offset)].strip():
        return None
    if last < len(source.lines):
        return TextEdit(Range(Position(first, 0), Position(last + 1, 0)), "")
    return None


def add_import(ctx: LintContext, module: str, line: str) -> TextEdit | None:
    """``line`` (``import contextvars``) in its isort/ruff section of the module's first import block."""
    return import_statement_edit(ctx.module, ctx.source, ctx.style, line, module)

"""The ``with tracer.start_as_current_span(...) as span:`` form: one edit that re-indents the body under the block
(in a generator, under ``with tracer.start_span(...) as span:`` and a ``try`` whose handler fails the span)."""

from __future__ import annotations

import ast
import bisect
import io
import tokenize
from dataclasses import dataclass

from trace_advisor.edits.existing import docstring_count
from trace_advisor.edits.handlers import HandlerPlan
from trace_advisor.edits.layout import Statement, columns
from trace_advisor.edits.locate import FunctionNode
from trace_advisor.edits.source import SourceText
from trace_advisor.model import Position, Range, TextEdit

_INSIGNIFICANT = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT})


class BodyEditError(Exception):
    """The body cannot be rewritten safely (unusual layout); the caller reports it instead of editing."""


class Tokens:
    """Tokens of the function's lines, to find header colons and lines that start inside a string."""

    def __init__(self, source: SourceText, first_line: int, last_line: int) -> None:
        text = "".join(source.line(n) + "\n" for n in range(first_line, last_line + 1))
        self.starts: list[tuple[int, int]] = []
        self.strings: list[str] = []
        self.inside: set[int] = set()
        try:
            for tok in tokenize.generate_tokens(io.StringIO(text).readline):
                start = (tok.start[0] + first_line - 1, tok.start[1])
                end_row = tok.end[0] + first_line - 1
                if end_row > start[0]:
                    self.inside.update(range(start[0] + 1, end_row + 1))
                if tok.type not in _INSIGNIFICANT and tok.type != tokenize.ENDMARKER:
                    self.starts.append(start)
                    self.strings.append(tok.string)
        except (tokenize.TokenError, SyntaxError) as error:
            raise BodyEditError(f"cannot tokenize the function: {error}") from error

    def colon_before(self, line: int, column: int) -> tuple[int, int]:
        """Position of the ``:`` that ends the clause header right before ``(line, column)``."""
        index = bisect.bisect_left(self.starts, (line, column)) - 1
        if index < 0 or self.strings[index] != ":":
            raise BodyEditError(f"no ':' before line {line} column {column}")
        return self.starts[index]


def indent_unit(module: ast.Module, source: SourceText) -> str:
    """The file's indentation step (first nested block found); four spaces when there is none."""
    for node in ast.walk(module):
        body = getattr(node, "body", None)
        if not isinstance(node, ast.stmt) or not isinstance(body, list) or not body:
            continue
        inner = body[0]
        if inner.lineno == node.lineno:
            continue
        outer_text = source.line(node.lineno)
        inner_text = source.line(inner.lineno)
        outer = outer_text[: len(outer_text) - len(outer_text.lstrip(" \t"))]
        inner_indent = inner_text[: len(inner_text) - len(inner_text.lstrip(" \t"))]
        if inner_indent.startswith(outer) and len(inner_indent) > len(outer):
            return inner_indent[len(outer) :]
    return "    "


@dataclass(frozen=True, slots=True)
class WithEdit:
    """The ``with`` form's one edit, and which lines of its new text it inserted or changed (0-based)."""

    edit: TextEdit
    added: tuple[int, ...]


def _indent_of(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t\f"))]


def with_edit(
    source: SourceText,
    node: FunctionNode,
    unit: str,
    opener: Statement,
    first_lines: list[tuple[int, Statement]],
    handlers: list[HandlerPlan],
    handler_lines: list[Statement],
    width: int,
    guard: tuple[str, list[Statement]] | None = None,
) -> WithEdit:
    """One edit replacing the body (after the docstring) with ``opener`` + ``first_lines`` + the re-indented body.

    ``opener`` is ``with ...:``; ``first_lines`` are (depth, statement) inside the block; ``handler_lines`` are
    inserted at the top of each handler in ``handlers`` (``{name}`` is replaced by the handler's exception name; a
    handler that does not fail the operation gets only the first line, the exception event). Inserted statements
    are laid out within ``width`` columns. ``guard`` (an ``except`` header and its statements) puts the body in a
    ``try`` inside the block with that handler after it.
    """
    eol = source.eol
    body = node.body
    doc = docstring_count(node)
    first, last = body[doc], body[-1]
    last_line = last.end_lineno or last.lineno
    tokens = Tokens(source, node.lineno, last_line)
    col = source.char_column
    def_indent = _indent_of(source.line(node.lineno))

    head = body[0]
    head_col = col(head.lineno, head.col_offset)
    header_inline = source.line(head.lineno)[:head_col].strip() != ""
    first_line, first_col = _start(source, first)
    first_inline = source.line(first_line)[:first_col].strip() != ""

    prefix: list[str] = []  # new lines before the ``with`` line
    if not first_inline:
        body_indent = source.line(first_line)[:first_col]
        start = Position(first_line, 0)
        split_first: str | None = None
        rest_from = first_line
    elif header_inline:
        body_indent = def_indent + unit
        colon = tokens.colon_before(head.lineno, head_col)
        start = Position(colon[0], colon[1] + 1)
        if doc:
            prefix.append(body_indent + _segment(source, head))
        split_first = source.line(first.lineno)[first_col:]
        rest_from = first.lineno + 1
    else:  # the docstring and the first statement share a line
        body_indent = _indent_of(source.line(head.lineno))
        end_line = head.end_lineno or head.lineno
        start = Position(end_line, col(end_line, head.end_col_offset or 0))
        split_first = source.line(first.lineno)[first_col:]
        rest_from = first.lineno + 1
    if not body_indent.startswith(def_indent) or body_indent == def_indent:
        raise BodyEditError("the body's indentation does not extend the def's")

    inner = body_indent + unit
    step = unit * 2 if guard is not None else unit  # how far the original body moves right
    moved = body_indent + step

    def shift(text: str, line: int | None) -> str:
        if not text.strip() or (line is not None and line in tokens.inside):
            return text
        if text.startswith(body_indent):
            return moved + text[len(body_indent) :]
        return step + text

    # handler edits: names added before the colon, statements inserted before the handler's first statement
    colon_inserts: dict[int, list[tuple[int, str]]] = {}
    before: dict[int, list[str]] = {}
    splits: dict[int, tuple[int, str]] = {}
    for plan in handlers:
        h = plan.node
        h_first = h.body[0]
        h_line, h_col = _start(source, h_first)
        code = [stmt.replace("{name}", plan.name) for stmt in handler_lines[: plan.statements]]
        if plan.add_name:
            colon_line, colon_col = tokens.colon_before(h_line, h_col)
            suffix = f" as {plan.name}" if h.type is not None else f" BaseException as {plan.name}"
            colon_inserts.setdefault(colon_line, []).append((colon_col, suffix))
        if source.line(h_line)[:h_col].strip():
            if h_line <= first.lineno and split_first is not None:
                raise BodyEditError("handler shares the first line of the body")
            h_indent = _indent_of(source.line(h.lineno)) + unit
            splits[h_line] = (h_col, h_indent)
        else:
            h_indent = source.line(h_line)[:h_col]
        # the handler's lines are shifted with the rest of the body afterwards
        narrower = width - columns(step)
        before.setdefault(h_line, []).extend(line for stmt in code for line in stmt.lines(h_indent, unit, narrower))

    out: list[str] = []
    added: list[int] = []  # lines of the new text the edit inserted or changed (0-based)
    lines = 0

    def emit(text: str, new: bool) -> None:
        nonlocal lines
        if new:
            added.append(lines)
        out.append(text)
        lines += text.count("\n") + text.count("\r") - text.count("\r\n")

    if start.column:
        emit(eol, False)
    for line in prefix:
        emit(line + eol, False)
    for line in opener.lines(body_indent, unit, width):
        emit(line + eol, True)
    for depth, stmt in first_lines:
        for line in stmt.lines(inner + unit * depth, unit, width):
            emit(line + eol, True)
    if guard is not None:
        emit(inner + "try:" + eol, True)
    if split_first is not None:
        emit(moved + split_first + (source.endings[first.lineno - 1] if first.lineno < last_line else ""), True)
    for number in range(rest_from, last_line + 1):
        text = source.line(number)
        ending = source.endings[number - 1] if number < last_line else ""
        inserts = sorted(colon_inserts.get(number, []), reverse=True)
        split = splits.get(number)
        for at, suffix in inserts:
            text = text[:at] + suffix + text[at:]
        if split is not None:
            at = split[0] + sum(len(suffix) for _, suffix in inserts)
            head_text, tail = text[:at].rstrip(), text[at:]
            emit(shift(head_text, number) + eol, True)
            for extra in before.get(number, []):
                emit(shift(extra, None) + eol, True)
            emit(shift(split[1] + tail, None) + ending, True)
            continue
        for extra in before.get(number, []):
            emit(shift(extra, None) + eol, True)
        emit(shift(text, number) + ending, bool(inserts))
    if guard is not None:
        header, statements = guard
        emit(eol, False)
        emit(inner + header, True)
        for stmt in statements:
            for line in stmt.lines(inner + unit, unit, width):
                emit(eol, False)
                emit(line, True)
    end = Position(last_line, len(source.line(last_line)))
    return WithEdit(TextEdit(Range(start, end), "".join(out)), tuple(added))


def _start(source: SourceText, node: ast.stmt) -> tuple[int, int]:
    """(line, character column) where a statement's text starts: its first decorator's ``@`` if it has one."""
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    if decorators:
        line = min(d.lineno for d in decorators)
        text = source.line(line)
        return line, len(text) - len(text.lstrip(" \t\f"))
    return node.lineno, source.char_column(node.lineno, node.col_offset)


def _segment(source: SourceText, node: ast.stmt) -> str:
    """The exact source text of a statement (may span lines; inner line endings kept)."""
    end_line = node.end_lineno or node.lineno
    start = source.offset(Position(node.lineno, source.char_column(node.lineno, node.col_offset)))
    end = source.offset(Position(end_line, source.char_column(end_line, node.end_col_offset or 0)))
    return source.text[start:end]

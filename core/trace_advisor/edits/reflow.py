"""Layouts for a line of the user's code that the span's indent pushes past the line length, the way ruff's formatter
(and black) would split it: a one-line call statement, a returned tuple, an assigned or returned conditional
expression or an ``if``/``elif``/``while`` condition of ``and``/``or`` operands. Each layout holds the statement's
own pieces of text, so the code stays the same; a line with a comment, a chained call or any other shape has no
layout here (the token wrapper in ``body`` handles it)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from itertools import pairwise

from trace_advisor.edits.layout import Statement, columns
from trace_advisor.edits.source import SourceText


@dataclass(frozen=True, slots=True)
class Split(Statement):
    """``head(items)tail`` laid out as a formatter lays out a sequence in parentheses it adds (a returned tuple, a
    condition): on one line when it fits, else one item per line, led by ``operator`` (``and``) or, with no operator,
    each followed by a comma."""

    operator: str = ""

    def lines(self, indent: str, unit: str, width: int) -> list[str]:
        items = [str(a) for a in self.args or ()]
        inner = indent + unit
        if self.operator:
            body = [inner + items[0], *(f"{inner}{self.operator} {item}" for item in items[1:])]
        else:
            body = [f"{inner}{item}," for item in items]
        return [f"{indent}{self.head}(", *body, f"{indent}){self.tail}"]


@dataclass(frozen=True, slots=True)
class Bracketed(Statement):
    """``head[items]tail`` (a list, set or dict display, a comprehension), laid out as Statement lays out a call's
    arguments, in the display's own brackets: on one line, else the items on one indented line, else one per line
    with a trailing comma (a comprehension is one item)."""

    brackets: str = "[]"

    def lines(self, indent: str, unit: str, width: int) -> list[str]:
        items = [str(a) for a in self.args or ()]
        opening, closing = self.brackets[0], self.brackets[1]
        one = f"{indent}{self.head}{opening}{', '.join(items)}{closing}{self.tail}"
        inner = indent + unit
        if columns(one) <= width:
            return [one]
        joined = inner + ", ".join(items)
        if len(items) == 1 or columns(joined) <= width:
            return [f"{indent}{self.head}{opening}", joined, f"{indent}{closing}{self.tail}"]
        return [
            f"{indent}{self.head}{opening}",
            *(f"{inner}{item}," for item in items),
            f"{indent}{closing}{self.tail}",
        ]


@dataclass(frozen=True, slots=True)
class Ternary(Statement):
    """``head`` + ``body if test else orelse`` + ``tail`` (an assigned or returned conditional expression) laid out as
    the formatter does when it does not fit: in parentheses it adds, on one indented line, else its three parts one
    per line (``args``: the parts, the last two led by ``if`` and ``else``)."""

    def lines(self, indent: str, unit: str, width: int) -> list[str]:
        parts = [str(a) for a in self.args or ()]
        one = f"{indent}{self.head}{' '.join(parts)}{self.tail}"
        if columns(one) <= width:
            return [one]
        inner = indent + unit
        joined = inner + " ".join(parts)
        body = [joined] if columns(joined) <= width else [inner + part for part in parts]
        return [f"{indent}{self.head}(", *body, f"{indent}){self.tail}"]


@dataclass(frozen=True, slots=True)
class Parenthesized(Statement):
    """``head`` + a value the formatter does not split at a bracket of its own (a string, a name, ``a or b``) +
    ``tail``, an assigned, returned or asserted value laid out as the formatter does when it does not fit: in
    parentheses it adds, on one indented line; left on its line when even that does not fit."""

    def lines(self, indent: str, unit: str, width: int) -> list[str]:
        (value,) = (str(a) for a in self.args or ())
        one = f"{indent}{self.head}{value}{self.tail}"
        inner = indent + unit + value
        if columns(one) <= width or columns(inner) > width:
            return [one]
        return [f"{indent}{self.head}(", inner, f"{indent}){self.tail}"]


@dataclass(frozen=True, slots=True)
class LastCall(Statement):
    """``head(args)tail``: a condition or value of one operator whose last operand is a call (``if ok and
    isinstance(v, str):``, ``x = a or f("key")``), laid out as black and ruff's formatter do: split inside that call's
    brackets when the line up to its bracket fits and its arguments fit on a line of their own (one operator, the
    line ending with the call's bracket: the parentheses the formatter would add are left out), else as ``fallback``
    (those parentheses, or one operand per line)."""

    fallback: Statement | None = None

    def lines(self, indent: str, unit: str, width: int) -> list[str]:
        one = f"{indent}{self}"
        if columns(one) <= width:
            return [one]
        args = [str(a) for a in self.args or ()]
        fits = columns(f"{indent}{self.head}(") <= width and (
            len(args) > 1 or columns(indent + unit + args[0]) <= width
        )
        if fits or self.fallback is None:
            return Statement.lines(self, indent, unit, width)
        return self.fallback.lines(indent, unit, width)


_DISPLAYS = (ast.List, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp)
# values the formatter puts in parentheses of its own rather than split: no brackets (a string, a name), or an
# operator at the top (``a or b``, ``x != y``, ``await count(e) + 1``)
_WRAPS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Assert)  # statements whose value it wraps
_WRAPPED = (ast.Constant, ast.JoinedStr, ast.Name, ast.Attribute, ast.BoolOp, ast.BinOp, ast.Compare, ast.UnaryOp)


def line_layouts(function: ast.FunctionDef | ast.AsyncFunctionDef, source: SourceText) -> dict[int, Statement]:
    """Line number -> the layout of the statement that line holds alone, for the statements of ``function`` with one."""
    found: dict[int, Statement] = {}
    for node in ast.walk(function):
        if not isinstance(node, ast.stmt) or node is function or node.lineno != _header_end(node):
            continue
        text = source.line(node.lineno)
        layout = _layout(node, text.strip(), source)
        if layout is not None:
            found[node.lineno] = layout
    return found


def _header_end(node: ast.stmt) -> int:
    """The last line of a simple statement, or of a compound statement's test."""
    if isinstance(node, ast.If | ast.While):
        return node.test.end_lineno or node.test.lineno
    return node.end_lineno or node.lineno


def _layout(node: ast.stmt, line: str, source: SourceText) -> Statement | None:
    if isinstance(node, ast.If | ast.While) and isinstance(node.test, ast.BoolOp):
        keyword = "while" if isinstance(node, ast.While) else _if_keyword(line)
        operands = [_segment(source, value) for value in node.test.values]
        operator = "and" if isinstance(node.test.op, ast.And) else "or"
        if keyword is None or None in operands or line != f"{keyword} {f' {operator} '.join(map(str, operands))}:":
            return None
        split = Split(f"{keyword} ", tuple(str(o) for o in operands), ":", operator)
        return _last_call(node.test, line, source, node, split)
    whole = _segment(source, node)
    if whole is None or whole != line:
        return None  # a comment, a second statement after ``;``, or a header with its body on the line
    if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and whole[7:8] != "(":
        elements = [_segment(source, e) for e in node.value.elts]
        if None in elements or len(elements) < 2:
            return None
        return Split("return ", tuple(str(e) for e in elements), "")
    value = getattr(node, "value", None) if isinstance(node, ast.Expr | ast.Assign | ast.AnnAssign) else None
    if isinstance(node, ast.Return | ast.AugAssign):
        value = node.value
    if isinstance(node, ast.Raise):
        value = node.exc if node.cause is None else None
    if isinstance(value, ast.Await) and not isinstance(node, ast.Raise):  # ``x = await fetch(...)``: the call's
        value = value.value
        if not isinstance(value, ast.Call):
            return None
    if isinstance(value, _DISPLAYS):
        return _display_layout(value, whole, source, node)
    if isinstance(value, ast.IfExp) and not isinstance(node, ast.Raise | ast.Expr):
        return _ternary_layout(value, whole, source, node)
    if isinstance(node, ast.Assert) and node.msg is None:
        value = node.test
    if isinstance(value, _WRAPPED) and isinstance(node, _WRAPS):
        atom = _atom_layout(value, whole, source, node)
        return _last_call(value, whole, source, node, atom) if atom is not None else None
    if not isinstance(value, ast.Call) or not _plain_callee(value.func):
        return None
    return _call_layout(value, whole, source, node)


def _display_layout(display: ast.expr, whole: str, source: SourceText, statement: ast.stmt) -> Statement | None:
    """``head[items]tail`` from the statement's text: the elements (``key: value`` pairs) as written."""
    start = _column(source, statement)
    open_at, close_at = _column(source, display) - start, _column(source, display, end=True) - start
    brackets = whole[open_at] + whole[close_at - 1]
    inner = whole[open_at + 1 : close_at - 1].strip()
    if brackets not in ("[]", "{}") or not inner or inner.endswith(","):
        return None
    head, tail = whole[:open_at], whole[close_at:]
    if isinstance(display, ast.ListComp | ast.SetComp | ast.DictComp):
        return Bracketed(head, (inner,), tail, brackets)
    if isinstance(display, ast.Dict):
        pairs: list[tuple[str | None, str | None]] = []
        for key, value in zip(display.keys, display.values, strict=True):
            if key is None:
                return None  # ``**mapping`` in a display
            pairs.append((_segment(source, key), _segment(source, value)))
        if any(k is None or v is None for k, v in pairs):
            return None
        texts = [f"{k}: {v}" for k, v in pairs]
    else:
        elements = [_segment(source, e) for e in display.elts]  # type: ignore[attr-defined]
        if None in elements:
            return None
        texts = [str(e) for e in elements]
    if ", ".join(texts) != inner:
        return None
    return Bracketed(head, tuple(texts), tail, brackets)


def _ternary_layout(value: ast.IfExp, whole: str, source: SourceText, statement: ast.stmt) -> Statement | None:
    """``target = body if test else orelse`` (or ``return ...``) from the statement's text, the parts as written."""
    start = _column(source, statement)
    begin, end = _column(source, value) - start, _column(source, value, end=True) - start
    head, tail = whole[:begin], whole[end:]
    parts = ternary_parts(whole[begin:end])  # each as written, in its own parentheses if it has them
    if tail or head.rstrip().endswith("(") or parts is None:
        return None  # already in parentheses, or a nested conditional
    return Ternary(head, tuple(parts), tail)


def _atom_layout(value: ast.expr, whole: str, source: SourceText, statement: ast.stmt) -> Statement | None:
    """``target = "a long string"`` (``return a or b``, ``assert x == y``) from the statement's text, the value as
    written."""
    start = _column(source, statement)
    begin, end = _column(source, value) - start, _column(source, value, end=True) - start
    head, text, tail = whole[:begin], whole[begin:end], whole[end:]
    if tail or not head.endswith(("= ", "return ", "assert ")):
        return None  # something after it (``;``), or parentheses around it
    return Parenthesized(head, (text,), tail)


def _last_call(value: ast.expr, whole: str, source: SourceText, statement: ast.stmt, fallback: Statement) -> Statement:
    """``fallback``, or when ``value`` is one ``and``/``or`` whose last operand is a plain call ending the value,
    the :class:`LastCall` layout preferring that call's brackets."""
    if not isinstance(value, ast.BoolOp) or len(value.values) != 2:
        return fallback
    last = value.values[-1]
    if not isinstance(last, ast.Call) or not _plain_callee(last.func):
        return fallback
    call = _call_layout(last, whole, source, statement)
    if call is None or call.tail not in ("", ":"):
        return fallback
    return LastCall(call.head, call.args, call.tail, fallback)


def _if_keyword(line: str) -> str | None:
    return next((word for word in ("if", "elif") if line.startswith(word + " ")), None)


def _plain_callee(func: ast.expr) -> bool:
    """``f``, ``obj.method``, ``a.b.c``: no call or subscript in the callee (ruff lays out call chains its own way)."""
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name)


def _call_layout(call: ast.Call, whole: str, source: SourceText, statement: ast.stmt) -> Statement | None:
    """``head(args)tail`` from the statement's text: the arguments as written."""
    start = _column(source, statement)
    open_at = _column(source, call.func, end=True) - start
    close_at = _column(source, call, end=True) - start
    if whole[open_at : open_at + 1] != "(" or whole[close_at - 1 : close_at] != ")":
        return None  # a space or a comment between the callee and its parenthesis
    head, inner, tail = whole[:open_at], whole[open_at + 1 : close_at - 1], whole[close_at:]
    if not inner.strip() or inner.rstrip().endswith(","):
        return None  # no arguments, or a trailing comma (the formatter puts one argument per line)
    positional = list(call.args)
    if len(positional) == 1 and not call.keywords and isinstance(positional[0], ast.GeneratorExp):
        return Statement(head, (inner.strip(),), tail)  # the call's parentheses are the generator's
    pieces: list[ast.expr | ast.keyword] = sorted([*positional, *call.keywords], key=lambda n: (n.lineno, n.col_offset))
    texts: list[str] = []
    for piece in pieces:
        text = _segment(source, piece)
        if text is None:
            return None
        texts.append(text)
    if ", ".join(texts) != inner.strip():
        return None  # an argument's text is not what the line holds (parentheses around it, comments...)
    return Statement(head, tuple(texts), tail)


def _column(source: SourceText, node: ast.AST, end: bool = False) -> int:
    line = (node.end_lineno or node.lineno) if end else node.lineno  # type: ignore[attr-defined]
    byte = (node.end_col_offset or 0) if end else node.col_offset  # type: ignore[attr-defined]
    return source.char_column(line, byte)


def _segment(source: SourceText, node: ast.AST) -> str | None:
    """The one-line text of a node (with ``**`` for a ``**kwargs`` keyword), or None when it spans lines."""
    line = node.lineno  # type: ignore[attr-defined]
    if (node.end_lineno or line) != line:  # type: ignore[attr-defined]
        return None
    text = source.line(line)[_column(source, node) : _column(source, node, end=True)]
    if isinstance(node, ast.keyword) and node.arg is None and not text.startswith("**"):
        text = "**" + text
    return text


def fits(lines: list[str], width: int) -> bool:
    return all(columns(line) <= width for line in lines)


def wrapped_comment(text: str, width: int) -> list[str] | None:
    """A comment line (``# words...``) refilled at its spaces into lines within ``width``, each with the same indent
    and marker; None when a word alone is too long, or the comment lines things up with runs of spaces or has no
    space after its ``#`` (a table, a ``#:`` or ``#!`` directive)."""
    indent, body = text[: len(text) - len(text.lstrip())], text.strip()
    marker = "# "
    if not body.startswith(marker) or "  " in body[len(marker) :]:
        return None
    lines = _fill(marker, marker, body[len(marker) :].split(" "), indent, width)
    return lines if len(lines) > 1 and fits(lines, width) else None


def comment_above(text: str, width: int) -> list[str] | None:
    """A line that its trailing comment pushes past ``width``: the comment on its own line above the code (refilled
    when it is too long itself), the code as it was; None when the code alone does not fit or there is no trailing
    comment (a formatter keeps such a comment where it is, and the line too long)."""
    indent, body = text[: len(text) - len(text.lstrip())], text.strip()
    at = None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(body + "\n").readline):
            if tok.type == tokenize.COMMENT and tok.start[0] == 1:
                at = tok.start[1]
    except (tokenize.TokenError, SyntaxError):
        pass  # a line of a statement that goes on: its tokens up to here were read
    if not at or body.startswith("#"):
        return None
    code, comment = indent + body[:at].rstrip(), indent + body[at:]
    if columns(code) > width:
        return None
    above = [comment] if columns(comment) <= width else wrapped_comment(comment, width)
    return [*above, code] if above is not None else None


_LABEL = re.compile(r"[A-Za-z]+:\s+")  # ``NOTE: ``, ``TODO: ``
_ITEM = re.compile(r"(?:\d+[.)]|[-*+\u2022])\s+")  # a list item's marker in a comment: ``1. ``, ``- ``


@dataclass(slots=True)
class _Paragraph:
    first: str  # ``#`` and the spaces (and item marker) before the first line's words
    hang: str  # ``#`` and the spaces before a continuation line's words
    lines: list[str]  # as written (moved)
    words: list[str]
    label_hang: str  # the hang under the text after a ``NOTE: `` label, should the next line take it
    aligned: bool = False  # a line lines things up with runs of spaces: not prose to refill


def refilled_comments(block: list[str], width: int, pushed: list[bool]) -> list[str] | None:
    """A block of comment lines (same indent, as the span's indent moved them) with each paragraph holding a line
    the indent pushed past ``width`` (``pushed``) refilled within it, the way a person rewraps prose: words move to
    the next line of the same paragraph instead of onto lines of their own. A paragraph ends at an empty ``#``
    line, at a list item (``1. ``, ``- ``) and where the text's indent after the ``#`` changes (a continuation
    keeps its item's hanging indent). None when a pushed paragraph cannot be refilled (a word alone too long,
    aligned text with runs of spaces, a ``#!``/``#:`` directive)."""
    indent = block[0][: len(block[0]) - len(block[0].lstrip())]
    paragraphs: list[_Paragraph | str] = []  # a str: a line kept as it is
    current: _Paragraph | None = None
    for text in block:
        rest = text.strip()[1:]
        content = rest.lstrip(" ")
        lead = rest[: len(rest) - len(content)]
        if not content or not lead:
            current = None
            paragraphs.append(text)
            continue
        item = _ITEM.match(content)
        if current is not None and not item and len(current.lines) == 1 and "#" + lead == current.label_hang:
            current.hang = current.label_hang  # ``# NOTE: text`` continued under the text after the label
        if current is not None and not item and "#" + lead == current.hang:
            current.lines.append(text)
            current.words.extend(content.split())
            current.aligned = current.aligned or "  " in content.rstrip()
            continue
        hang = "#" + lead + (" " * len(item.group(0)) if item else "")
        marker = item.group(0) if item else ""
        label = _LABEL.match(content)
        label_hang = "#" + lead + " " * len(label.group(0)) if label and not item else hang
        current = _Paragraph("#" + lead + marker, hang, [text], content[len(marker) :].split(), label_hang)
        current.aligned = "  " in content[len(marker) :].rstrip()
        paragraphs.append(current)
    out: list[str] = []
    at = 0
    for paragraph in paragraphs:
        if isinstance(paragraph, str):
            out.append(paragraph)
            at += 1
            continue
        count = len(paragraph.lines)
        if not any(pushed[at : at + count]):
            out.extend(paragraph.lines)
        elif paragraph.aligned or not paragraph.words or paragraph.first.startswith(("#!", "#:")):
            return None
        else:
            out.extend(_fill(paragraph.first, paragraph.hang, paragraph.words, indent, width))
        at += count
    return out if fits(out, width) else None


def _fill(first: str, hang: str, words: list[str], indent: str, width: int) -> list[str]:
    """``words`` filled greedily into lines within ``width``: the first led by ``first`` (``# ``, ``#  1. ``), the
    others by ``hang``."""
    lines: list[str] = []
    current = indent + first + words[0]
    for word in words[1:]:
        if columns(f"{current} {word}") > width:
            lines.append(current)
            current = indent + hang + word
        else:
            current = f"{current} {word}"
    lines.append(current)
    return lines


def one_per_line(source: SourceText, number: int, moved: str) -> list[str] | None:
    """Line ``number`` (``moved``: as the span's indent moved it) when it holds all the items of a bracket that opens
    at the end of the line before and closes at the start of the line after (``status=404, detail=...``): one item per
    line with a trailing comma, as the formatter lays out items that no longer fit on one line."""
    if not 1 < number < len(source.lines):
        return None
    before, after = source.line(number - 1).rstrip(), source.line(number + 1).lstrip()
    if not before.endswith(("(", "[", "{")) or not after.startswith((")", "]", "}")):
        return None
    indent, body = moved[: len(moved) - len(moved.lstrip())], moved.strip()
    items = _top_level_items(body)
    if items is None or len(items) < 2:
        return None
    return [f"{indent}{item}," for item in items]


def item_call(source: SourceText, number: int, moved: str) -> Statement | None:
    """Line ``number`` when it is one item of a bracket laid out one item per line (``key=Call(a, b),``): its call
    laid out as a Statement (the formatter breaks the item's own brackets)."""
    before = source.line(number - 1).rstrip() if number > 1 else ""
    body = moved.strip()
    if not body.endswith(",") or not before.endswith(("(", "[", "{", ",")):
        return None
    items = _top_level_items(body)
    if items is None or len(items) != 1:
        return None
    wrapper = f"f({items[0]})"
    try:
        call = ast.parse(wrapper, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(call, ast.Call) or len(call.args) + len(call.keywords) != 1:
        return None
    value = call.args[0] if call.args else call.keywords[0].value
    if isinstance(value, ast.Starred) or not isinstance(value, ast.Call) or not _plain_callee(value.func):
        return None
    text = SourceText(wrapper)
    statement = ast.Expr(value=value, lineno=1, col_offset=value.col_offset, end_lineno=1)
    statement.end_col_offset = value.end_col_offset
    layout = _call_layout(value, wrapper[value.col_offset : value.end_col_offset], text, statement)
    if layout is None:
        return None
    prefix = wrapper[2 : value.col_offset]  # ``key=`` or nothing
    return Statement(prefix + layout.head, layout.args, layout.tail + ",")


def _top_level_items(text: str, *, nested: bool = False) -> list[str] | None:
    """``text`` split at its commas outside brackets and strings; None when it holds a comment, a lambda or a
    ``for`` (a comprehension's commas are not items) or does not tokenize alone. ``nested``: a comprehension or a
    lambda inside an item's brackets, or a lambda's parameters, do not count (only a bare ``for`` does)."""
    cuts: list[int] = []
    depth = 0
    parameters = False  # between a lambda at the top and its colon: its commas separate parameters
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                return None
            if tok.type == tokenize.NAME and tok.string in ("lambda", "for"):
                if not nested or (depth == 0 and tok.string == "for"):
                    return None
                parameters = parameters or (depth == 0 and tok.string == "lambda")
            if tok.type == tokenize.OP:
                depth += (tok.string in "([{") - (tok.string in ")]}")
                if parameters and tok.string == ":" and depth == 0:
                    parameters = False
                elif tok.string == "," and depth == 0 and tok.start[0] == 1 and not parameters:
                    cuts.append(tok.start[1])
    except (tokenize.TokenError, SyntaxError):
        return None
    if depth:
        return None
    pieces = [text[a + 1 : b].strip() for a, b in pairwise([-1, *cuts, len(text)])]
    if pieces and not pieces[-1]:
        pieces.pop()  # a trailing comma
    return pieces if all(pieces) else None


_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_GROUPING = ("return (", "= (", "with (", "if (", "elif (", "while (", "assert (", "in (", "not (", "and (", "or (")


def with_trailing_commas(lines: list[str], unit: str) -> list[str]:
    """``lines`` (a statement our layouts split over lines) as a project checking flake8-commas (ruff's COM812) wants
    them: each bracket of a call, a signature or a display that is split holds one item per line, each followed by
    a comma (the layout ruff's formatter then keeps: a magic trailing comma). Parentheses that only group (``return
    (``, ``if (``) and subscripts are left as they are, as are items that cannot be told apart (a comprehension)."""
    out = list(lines)
    at = 0
    while at < len(out):
        line = out[at].rstrip()
        opener = line[-1:]
        if opener not in _CLOSERS or not _holds_items(line):
            at += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        closing = next(
            (n for n in range(at + 1, len(out)) if out[n].startswith(indent + _CLOSERS[opener])),
            None,
        )
        if closing is None or closing == at + 1:
            at += 1
            continue
        inner = indent + unit
        subscript = opener == "[" and _follows_value(line)  # ``x[a,]`` would index with a tuple
        if closing == at + 2:  # the items on one indented line
            items = _top_level_items(out[at + 1].strip(), nested=True)
            own = out[at + 1].startswith(inner) and not out[at + 1].startswith(inner + " ")
            if items is not None and own and (not subscript or len(items) > 1):
                out[at + 1 : at + 2] = [f"{inner}{item}," for item in items]
        else:  # one item per line already, or one item laid out over lines: the last one gets its comma
            last = out[closing - 1].rstrip()
            own = last.startswith(inner) and not last.startswith(inner + " ")
            ends_item = last.strip()[:1] in ")]}" or _top_level_items(last.strip(), nested=True) is not None
            if own and ends_item and "#" not in last and not last.endswith((",", "(", "[", "{")) and not subscript:
                out[closing - 1] = last + ","
        at += 1
    return out


def as_formatted(lines: list[str], unit: str, width: int) -> list[str]:
    """``lines`` (a line of the user's code our breaks split) with each split bracket as black and ruff's formatter
    leave it: a display (list, dict, set, tuple) that no longer fits on one line holds one item per line with a
    trailing comma (its magic trailing comma), as do a call's arguments that take more than one line (arguments that
    fit on one indented line stay there); a conditional expression in grouping parentheses is split before its ``if``
    and ``else``. Lines with a comment, a comprehension or a lambda among the items, or an item that would not fit
    within ``width`` on its line, are left as they are."""
    out = list(lines)
    at = 0
    while at < len(out):
        line = out[at].rstrip()
        opener = line[-1:]
        if opener not in _CLOSERS:
            at += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        inner = indent + unit
        closing = next((n for n in range(at + 1, len(out)) if out[n].startswith(indent + _CLOSERS[opener])), None)
        body = out[at + 1 : closing] if closing is not None else []
        if not body or not all(b.startswith(inner) and not b.startswith(inner + " ") for b in body):
            at += 1
            continue
        joined = " ".join(b.strip() for b in body)
        stripped = line.strip()
        call = opener == "(" and _follows_value(stripped) and not stripped.endswith(_GROUPING)
        subscript = opener == "[" and _follows_value(stripped)
        if opener == "(" and not call:
            parts = [inner + part for part in ternary_parts(joined) or ()]
            if parts and len(body) > 1 and fits(parts, width):  # split once already: black splits every part
                out[at + 1 : closing] = parts
                at += 1
                continue
        items = _top_level_items(joined.removesuffix(","), nested=True)
        exploded = items is not None and len(items) > 1 and not subscript and (len(body) > 1 or not call)
        one_each = [f"{inner}{item}," for item in items or ()]
        if exploded and fits(one_each, width):
            out[at + 1 : closing] = one_each
        at += 1
    return out


def ternary_parts(text: str) -> list[str] | None:
    """``body``, ``if test``, ``else orelse`` of a conditional expression written on one line (its parts as
    written), None for any other expression."""
    try:
        tree = ast.parse(f"({text}\n)", mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(tree, ast.IfExp) or "#" in text:
        return None
    found: list[int] = []
    depth = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.OP:
                depth += (tok.string in "([{") - (tok.string in ")]}")
            elif tok.type == tokenize.NAME and depth == 0 and tok.string in ("if", "else", "lambda"):
                found.append(tok.start[1] if tok.string != "lambda" else -1)
    except (tokenize.TokenError, SyntaxError):
        return None
    if len(found) != 2 or -1 in found:
        return None  # a nested conditional or a lambda at the top: left as it is
    first, second = found
    return [text[:first].strip(), text[first:second].strip(), text[second:].strip()]


def _holds_items(line: str) -> bool:
    """Whether the bracket ending ``line`` holds items (a call's arguments, a signature, a display, a subscript's
    tuple), not an expression in grouping parentheses."""
    stripped = line.strip()
    if stripped.endswith(_GROUPING) or stripped == "(":
        return False
    return _follows_value(stripped) if stripped.endswith("(") else True


def _follows_value(line: str) -> bool:
    """Whether the bracket ending ``line`` follows a value (a name, a call, a subscript): a ``[`` then opens a
    subscript (``dict[``), not a list display, and a ``(`` a call, not a grouping."""
    before = line.rstrip()[-2:-1]
    return before.isalnum() or before in "_)]"

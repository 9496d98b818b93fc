"""The ``with tracer.start_as_current_span(...) as span:`` form: one edit that re-indents the body under the block
(in a generator, under ``with tracer.start_span(...) as span:`` and a ``try`` whose handler fails the span)."""

from __future__ import annotations

import ast
import bisect
import io
import keyword
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field

from trace_advisor.datatypes import Position, Range, TextEdit
from trace_advisor.edits.existing import docstring_count
from trace_advisor.edits.handlers import HandlerPlan
from trace_advisor.edits.layout import Statement, columns
from trace_advisor.edits.locate import FunctionNode
from trace_advisor.edits.reflow import (
    as_formatted,
    comment_above,
    fits,
    item_call,
    line_layouts,
    one_per_line,
    refilled_comments,
    ternary_parts,
    with_trailing_commas,
    wrapped_comment,
)
from trace_advisor.edits.source import SourceText

_INSIGNIFICANT = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT})
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)  # Python 3.12+: an f-string's parts are tokens
_FSTRING_END = getattr(tokenize, "FSTRING_END", -1)
_BREAK_AFTER = frozenset({"(", "[", "{", ","})
_CLOSERS = frozenset({")", "]", "}"})
_BREAK_BEFORE = frozenset({"for", "if", "else", "and", "or"})  # where formatters split comprehensions, conditions
_BRACES = frozenset("{}")
_PLAIN_STRING = re.compile(r"""[uUbBfF]?(?:'(?!'')|"(?!""))""")  # no raw or triple-quoted string
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_PRAGMA = re.compile(r"#\s*(?:noqa|type:|pragma|pyright:|pylint:|fmt:|nosec|mypy:|ruff:|isort:)", re.IGNORECASE)


class BodyEditError(Exception):
    """The body cannot be rewritten safely (unusual layout); the caller reports it instead of editing."""


class Tokens:
    """Tokens of the function's lines, to find header colons, lines that start inside a string and where a line may
    break inside brackets."""

    def __init__(self, source: SourceText, first_line: int, last_line: int) -> None:
        text = "".join(source.line(n) + "\n" for n in range(first_line, last_line + 1))
        self.starts: list[tuple[int, int]] = []
        self.strings: list[str] = []
        self.inside: set[int] = set()
        self.breaks: dict[int, list[_Break]] = {}  # line -> where a line break may go (before a token in brackets)
        self.pragmas: set[int] = set()  # lines whose comment is a tool's directive: never rearranged
        # line -> plain strings in brackets: start, end, opening, where their innermost bracket opens
        self.splittable: dict[int, list[tuple[int, int, str, tuple[int, int]]]] = {}
        self.closers: dict[tuple[int, int], tuple[int, int]] = {}  # where each bracket opens -> where it closes
        self.continued: set[int] = set()  # lines that start inside brackets opened on an earlier line
        # line -> a plain string that is a dict's value and ends the line's code: start, end, opening
        self.dict_values: dict[int, tuple[int, int, str]] = {}
        fstrings = 0
        previous = ""
        brackets: list[_Open] = []  # the brackets open at this point, innermost last
        after_value = False  # the last significant token ends a value (a name, a literal, a closing bracket)
        lambdas: list[int] = []  # the bracket depth of each lambda whose parameters are being read
        try:
            for tok in tokenize.generate_tokens(io.StringIO(text).readline):
                start = (tok.start[0] + first_line - 1, tok.start[1])
                end_row = tok.end[0] + first_line - 1
                if end_row > start[0]:
                    self.inside.update(range(start[0] + 1, end_row + 1))
                if tok.type == tokenize.COMMENT and _PRAGMA.search(tok.string):
                    self.pragmas.add(start[0])
                if tok.type in _INSIGNIFICANT or tok.type == tokenize.ENDMARKER:
                    continue
                if brackets and brackets[-1].at[0] < start[0] and (not self.starts or self.starts[-1][0] < start[0]):
                    self.continued.add(start[0])
                if tok.type == tokenize.STRING and brackets and not fstrings and end_row == start[0]:
                    inner = brackets[-1]
                    opening = _PLAIN_STRING.match(tok.string)
                    if opening and "\\N" not in tok.string:  # a named escape may hold spaces
                        where = (start[1], tok.end[1], opening.group(), inner.at)
                        if not inner.display:
                            self.splittable.setdefault(start[0], []).append(where)
                        elif inner.kind == "(":
                            inner.strings.append((start[0], where))
                        elif previous == ":" and inner.kind == "{":
                            self.dict_values[start[0]] = where[:3]
                if tok.type == tokenize.OP and tok.string == "," and brackets and not fstrings:
                    brackets[-1].comma = True
                before_word = tok.type == tokenize.NAME and tok.string in _BREAK_BEFORE and previous != "("
                if tok.type == tokenize.NAME and tok.string == "lambda":
                    lambdas.append(len(brackets))
                elif lambdas and tok.string == ":" and lambdas[-1] == len(brackets):
                    lambdas.pop()
                if (
                    brackets
                    and not fstrings
                    and (previous in _BREAK_AFTER or before_word)
                    and tok.string not in _CLOSERS
                    and not (lambdas and lambdas[-1] == len(brackets))  # ``lambda r,\n i: ...``: no formatter's layout
                ):
                    cut = _Break(start[1], len(brackets), brackets[-1].at, previous in "([{" and not before_word)
                    self.breaks.setdefault(start[0], []).append(cut)
                fstrings += (tok.type == _FSTRING_START) - (tok.type == _FSTRING_END)
                if tok.type == tokenize.OP and not fstrings and tok.string in "([{":
                    brackets.append(_Open(start, tok.string, tok.string == "{" or not after_value))
                elif tok.type == tokenize.OP and not fstrings and tok.string in ")]}" and brackets:
                    closed = brackets.pop()
                    self.closers[closed.at] = start
                    if closed.strings and not closed.comma:  # a grouping, not a tuple: its strings may be cut
                        for row, where in closed.strings:
                            self.splittable.setdefault(row, []).append(where)
                        for row in {row for row, _ in closed.strings}:
                            self.splittable[row].sort()
                after_value = (tok.type == tokenize.OP and tok.string in ")]}") or (
                    tok.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING) and not keyword.iskeyword(tok.string)
                )
                previous = tok.string if tok.type == tokenize.OP else " "
                self.starts.append(start)
                self.strings.append(tok.string)
        except (tokenize.TokenError, SyntaxError) as error:
            raise BodyEditError(f"cannot tokenize the function: {error}") from error

    def wrapped(self, line: int, text: str, offset: int, unit: str, width: int) -> list[str]:
        """``text`` (line ``line`` moved ``offset`` columns right) broken inside its brackets, after an opening
        bracket or a comma, into lines within ``width`` where it can be: the same tokens, so the same code. The
        outermost brackets break first, as formatters do; a continuation line hangs one ``unit`` in after a bracket
        that ends its line, else lines up after its bracket (pycodestyle's continuation rules). A line with a
        directive comment (``# noqa``, ``# type: ignore``...) or tabs in its indent is left whole."""
        own_indent = _indent_of(text)
        if line in self.pragmas or line in self.inside or "\t" in own_indent:
            return [text]
        if text.lstrip().startswith("#"):
            return [text]  # the user's words stay on their lines: comments are kept exactly
        strings = [
            _String(start + offset, end + offset, opening, bracket)
            for start, end, opening, bracket in self.splittable.get(line, [])
        ]
        pieces: list[str] = []
        rest, shift = text, 0  # ``rest`` starts ``shift`` characters into ``text``
        shifts: list[int] = []  # each piece's ``shift``
        closing: list[tuple[int, str]] = []  # where a bracket broken after closes (in ``text``), its line's indent
        while columns(rest) > width:
            start = len(_indent_of(rest))
            fitting: list[tuple[int, bool, int, str, _Break]] = []
            for cut in self.breaks.get(line, []):
                at = cut.column + offset - shift
                if at <= start or not rest[start:at].strip() or columns(rest[:at].rstrip()) > width:
                    continue
                opener = cut.bracket[1] + offset - shift
                if cut.bracket[0] < line:
                    indent = own_indent  # a bracket opened on an earlier line: its lines keep this one's indent
                elif opener < start:
                    indent = own_indent + unit  # opened on an earlier piece: the hanging indent set there
                elif cut.hanging:
                    indent = own_indent + unit
                else:
                    indent = " " * (opener + 1)  # lined up after its bracket
                # outermost first; in one bracket, right after it opens (as formatters split), else the latest place
                fitting.append((cut.depth, not cut.hanging, -at, indent, cut))
            if fitting:
                _, _, at, indent, cut = min(fitting)
                if cut.hanging and cut.bracket[0] == line and cut.bracket[1] + offset - shift >= start:
                    closer = self.closers.get(cut.bracket)
                    if closer is not None and closer[0] == line:
                        closing.append((closer[1] + offset, _indent_of(rest)))
                shifts.append(shift)
                pieces.append(rest[:-at].rstrip())
                shift += -at
                rest = indent + text[shift:]
                shift -= len(indent)
                continue
            split = _string_split(rest, shift, strings, width)
            if split is None:
                break
            piece, at, string = split
            shifts.append(shift)
            pieces.append(_unprefixed(piece, at, string, shift, text))
            # the rest of a string that is an item of a bracket broken after its opening goes at the item's indent
            # (as the formatters put it), else lined up under the string
            opener = string.bracket[1] + offset - shift
            hanging = string.bracket[0] < line or opener < len(_indent_of(rest))
            indent = _indent_of(rest) if hanging else " " * (string.start - shift)
            rest, shift = _rest_after(text, at, string, indent)
        if columns(rest) > width:
            return [text]  # all within the width, or left whole
        if not closing:
            return [*pieces, rest]
        return _closers_apart([*pieces, rest], [*shifts, shift], closing)

    def realignments(self, line: int, source: SourceText, moved: str, wrapped: list[str]) -> dict[int, int]:
        """How far to move the lines after ``line`` that line up after a bracket it opens and leaves open, now that
        the line (its text moved right to ``moved``) was broken into ``wrapped``: the first token after the bracket
        went elsewhere, and the lines aligned to it follow it (pycodestyle's E128/E131: patroni's
        ``click.prompt('...'.format(cluster_name,\n message), ...)`` broken after ``prompt(``). Lines whose indent
        reaches the token's old column move with it; a closing bracket's line, less indented, stays."""
        offset = len(moved) - len(source.line(line))
        moves: dict[int, int] = {}
        for (row, column), (close_row, _) in sorted(self.closers.items()):
            if row != line or close_row <= line:
                continue
            rest = moved[column + 1 + offset :]
            if not rest.strip() or rest.lstrip().startswith("#"):
                continue  # a bracket ending its line: the lines below hang, aligned to nothing on this one
            anchor = column + 1 + offset + len(rest) - len(rest.lstrip())
            new = _column_in(moved, anchor, wrapped)
            if new is None or new == anchor:
                continue
            for number in range(line + 1, close_row + 1):
                text = source.line(number)
                indent = len(text) - len(text.lstrip(" "))
                if number not in self.inside and text.strip() and indent >= anchor - offset and "\t" not in text:
                    moves[number] = new - anchor  # the innermost bracket a line lines up after decides
        return moves

    def parenthesized_value(self, line: int, text: str, offset: int, unit: str, width: int) -> list[str] | None:
        """A dict's string value that ends line ``line`` (``text``, moved ``offset`` columns right) and crosses
        ``width``, put in parentheses on a line of its own, cut at spaces as adjacent strings where it still crosses,
        as people write it and black and ruff's formatter keep it (``"description": (\\n    "..."\\n    "..."\\n),``);
        None when that does not fit."""
        found = self.dict_values.get(line)
        if found is None or line in self.pragmas or line in self.inside:
            return None
        start, end, opening = found[0] + offset, found[1] + offset, found[2]
        if text[end:].strip() not in ("", ","):
            return None
        indent = _indent_of(text) + unit
        head, tail, value = text[:start] + "(", _indent_of(text) + ")" + text[end:].strip(), text[start:end]
        if opening[0] in "fF" and not _BRACES & set(value):
            value, opening = value[1:], opening[1:]  # an f-string with no field is a plain string (ruff's F541)
        alone = indent + value  # the value on its own line, which the pieces are cut from
        string = _String(len(indent), len(alone), opening, (0, -1))
        rest, shift, pieces = alone, 0, []
        while columns(rest) > width:
            split = _string_split(rest, shift, [string], width)
            if split is None:
                return None
            piece, at, string = split
            pieces.append(_unprefixed(piece, at, string, shift, alone))
            rest, shift = _rest_after(alone, at, string, indent)
        if not fits([head, *pieces, rest, tail], width):
            return None
        return [head, *pieces, rest, tail]

    def colon_before(self, line: int, column: int) -> tuple[int, int]:
        """Position of the ``:`` that ends the clause header right before ``(line, column)``."""
        index = bisect.bisect_left(self.starts, (line, column)) - 1
        if index < 0 or self.strings[index] != ":":
            raise BodyEditError(f"no ':' before line {line} column {column}")
        return self.starts[index]


@dataclass(slots=True)
class _Open:
    """A bracket open at a point of the tokens: where it opens, which one, whether it is a display (a tuple, list,
    set or dict, whose strings stay whole: two adjacent pieces in a collection read as a missing comma, ruff's
    ISC004), and for a ``(`` opened where a value starts (a tuple, or only a grouping: ``flash(("text " f"{name}"),
    queue="error")``) the strings directly in it and whether a comma stands directly in it: with none, a grouping
    whose strings may be cut."""

    at: tuple[int, int]
    kind: str
    display: bool
    strings: list[tuple[int, tuple[int, int, str, tuple[int, int]]]] = field(default_factory=list)
    comma: bool = False


@dataclass(slots=True)
class _String:
    """A plain string on the line being wrapped: where it starts and ends in the line's text, its prefix and quote."""

    start: int
    end: int
    opening: str
    bracket: tuple[int, int]  # where its innermost bracket opens (line, column in the line as it was)


def _string_split(rest: str, shift: int, strings: list[_String], width: int) -> tuple[str, int, _String] | None:
    """A plain string crossing ``width`` on ``rest`` cut after its last space that fits, as two adjacent strings
    (which Python joins into the same constant): the piece ending the first, where the second starts in ``text``
    and which string it was."""
    for string in strings:
        begin, end, opening = string.start - shift, string.end - shift, string.opening
        # a string crossing the width, or one ending the line's code before closers and a comma that cross it
        crosses = begin < width < end or (begin < width and not rest[end:].strip(" ,)]}:"))
        if not crosses or begin < len(_indent_of(rest)):
            continue
        quote = opening[-1]
        content = begin + len(opening)
        outside = _outside_fields(rest[content : end - 1]) if opening[0] in "fF" else None
        for at in range(min(width - 1, end - 2), content, -1):
            if outside is not None and not outside[at - 1 - content]:
                continue  # inside an f-string's replacement field
            if rest[at - 1] == " " and columns(rest[:at] + quote) <= width:
                return rest[:at] + quote, at + shift, string
    return None


def _unprefixed(piece: str, at: int, string: _String, shift: int, text: str) -> str:
    """The piece ending a cut f-string (cut at ``at`` in ``text``), without its ``f`` when it holds no field; the
    string's rest loses its ``f`` too (``string.opening``) when none is left in it (ruff's F541)."""
    if string.opening[0] not in "fF":
        return piece
    begin = string.start - shift + len(string.opening)
    if not _BRACES & set(piece[begin:]):
        piece = piece[: begin - len(string.opening)] + string.opening[1:] + piece[begin:]
    if not _BRACES & set(text[at : string.end - 1]):
        string.opening = string.opening[1:]
    return piece


def _rest_after(text: str, at: int, string: _String, indent: str) -> tuple[str, int]:
    """What is left of ``text`` once its string is cut at ``at``: the string reopened at ``indent`` and the rest of
    the line, and how far into ``text`` that starts (``string.start`` moves to where the rest of the string is)."""
    string.start = at - len(string.opening)
    return indent + string.opening + text[at:], at - len(indent) - len(string.opening)


def _outside_fields(content: str) -> list[bool]:
    """For each character of an f-string's content, whether it is literal text (not in a ``{...}`` field)."""
    found: list[bool] = []
    depth = index = 0
    while index < len(content):
        pair = content[index : index + 2]
        if depth == 0 and pair in ("{{", "}}"):
            found += [True, True]
            index += 2
            continue
        char = content[index]
        depth += (char == "{") - (char == "}" and depth > 0)
        found.append(depth == 0 and char != "}")
        index += 1
    return found


@dataclass(frozen=True, slots=True)
class _Break:
    """A place inside brackets where a line may break: before the token at ``column``, ``depth`` brackets deep,
    the innermost opened at ``bracket`` (line, column); ``hanging``: right after that bracket."""

    column: int
    depth: int
    bracket: tuple[int, int]
    hanging: bool


def _column_in(text: str, at: int, pieces: list[str]) -> int | None:
    """The column in ``pieces`` (``text`` broken over lines, the same characters but for spaces) where the character
    at ``text[at]`` went; None when the pieces hold other characters there (a comma a formatter's layout added)."""
    wanted = len(text[:at]) - text[:at].count(" ")
    seen = 0
    for piece in pieces:
        for column, char in enumerate(piece):
            if char == " ":
                continue
            if seen == wanted:
                return column if char == text[at] else None
            seen += 1
    return None


def _realigned(text: str, move: int) -> str:
    """``text`` with its indent ``move`` columns longer (shorter when negative, never below none)."""
    indent = len(text) - len(text.lstrip(" "))
    return " " * max(indent + move, 0) + text[indent:]


def _closers_apart(lines: list[str], shifts: list[int], closing: list[tuple[int, str]]) -> list[str]:
    """``lines`` with each bracket broken right after its opening closed on a line of its own, at the indent of the
    line that opens it, as ruff's formatter and black lay out a split (``get_by_slug(\n    slug\n)``, not
    ``get_by_slug(\n    slug)``): ``lines[i]`` holds ``text`` from ``shifts[i]`` on (after its indent); ``closing``:
    where those brackets close in ``text``, with that indent."""
    out: list[str] = []
    for line, shift in zip(lines, shifts, strict=True):
        indents = {at - shift: indent for at, indent in closing}
        own = len(_indent_of(line))
        tails: list[str] = []
        for at in sorted((at for at in indents if own < at < len(line) and line[:at].strip()), reverse=True):
            line, tail = line[:at].rstrip(), indents[at] + line[at:]  # from the right: the cuts on the left stay put
            tails.append(tail)
        out.append(line)
        out.extend(reversed(tails))
    return out


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


_RHS_STATEMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return)


def _rhs_wraps(
    node: FunctionNode,
    source: SourceText,
    tokens: Tokens,
    shift: Callable[[str, int | None], str],
    unit: str,
    width: int,
) -> dict[int, tuple[int, list[str]]]:
    """Statements the span's indent pushes past ``width`` on their first line, ``target = call(`` over lines, laid
    out as black and ruff's formatter then do: the value in parentheses they add, one level deeper (``target = (``,
    ``call(``, its lines, ``)``). First line -> (last line, the new lines, shifted); only where every new line fits
    and the value starts right after ``= ``/``return `` and ends its statement's last line."""
    found: dict[int, tuple[int, list[str]]] = {}
    for stmt in ast.walk(node):
        if not isinstance(stmt, _RHS_STATEMENTS) or stmt.value is None:
            continue
        if isinstance(stmt, ast.Assign) and (len(stmt.targets) != 1 or isinstance(stmt.targets[0], ast.Tuple)):
            continue  # ``a, b = call(...)``: the formatter splits the targets instead
        first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
        value = stmt.value
        if last == first or any(n in tokens.inside or n in tokens.pragmas for n in range(first, last + 1)):
            continue
        text = source.line(first)
        at = source.char_column(first, value.col_offset)
        head, rest = text[:at], text[at:]
        indent = _indent_of(text)
        if head.strip() != _segment_head(stmt) or not rest.rstrip().endswith(("(", "[", "{")):
            continue  # the value's own parentheses, or something before the statement on its line
        if (value.end_lineno, source.char_column(last, value.end_col_offset or 0)) != (
            last,
            len(source.line(last).rstrip()),
        ):
            continue  # a comment or more code after the value
        if columns(shift(text, first)) <= width:
            continue
        lines = [shift(head.rstrip() + " (", first), shift(indent + unit + rest, first)]
        lines += [unit + shift(source.line(n), n) if source.line(n).strip() else "" for n in range(first + 1, last + 1)]
        lines.append(shift(indent + ")", first))
        if all(columns(line) <= width for line in lines):
            found[first] = (last, lines)
    return found


def _segment_head(stmt: ast.stmt) -> str:
    """What comes before the value of an assignment or a ``return`` (``x =``, ``x: int =``, ``x +=``, ``return``),
    as the text must show it for the value to be wrapped; "" when that cannot be said without the source."""
    if isinstance(stmt, ast.Return):
        return "return"
    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name | ast.Attribute):
        return f"{ast.unparse(stmt.targets[0])} ="
    if isinstance(stmt, ast.AnnAssign):
        return f"{ast.unparse(stmt.target)}: {ast.unparse(stmt.annotation)} ="
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name | ast.Attribute):
        operator = ast.unparse(ast.BinOp(ast.Name("a"), stmt.op, ast.Name("b")))[2:-2]  # ``a + b``: ``+``
        return f"{ast.unparse(stmt.target)} {operator}="
    return ""


def _refilled_comments(
    source: SourceText,
    tokens: Tokens,
    numbers: range,
    edited: set[int],
    shift: Callable[[str, int | None], str],
    width: int,
) -> tuple[dict[int, list[str]], set[int]]:
    """Blocks of comment lines (consecutive, one indent) the span's indent pushes past ``width``, refilled as prose
    (``reflow.refilled_comments``): the new lines by the block's first line, and the block's other lines."""
    blocks: list[list[int]] = []
    for number in numbers:
        text = source.line(number)
        if (
            not text.lstrip().startswith("#")
            or number in tokens.inside
            or number in tokens.pragmas
            or number in edited
            or "\t" in _indent_of(text)
        ):
            continue
        if blocks and blocks[-1][-1] == number - 1 and _indent_of(source.line(number - 1)) == _indent_of(text):
            blocks[-1].append(number)
        else:
            blocks.append([number])
    refilled: dict[int, list[str]] = {}
    away: set[int] = set()
    for block in blocks:
        moved = [shift(source.line(n), n) for n in block]
        pushed = [columns(m) > width >= columns(source.line(n)) for m, n in zip(moved, block, strict=True)]
        if not any(pushed):
            continue
        lines = refilled_comments(moved, width, pushed)
        if lines is not None:
            refilled[block[0]] = lines
            away.update(block[1:])
    return refilled, away


_LONE_PASS = re.compile(r"pass\s*(#.*)?$")


def _lone_pass(source: SourceText, handler: ast.ExceptHandler, line: int, last_line: int) -> bool:
    """The handler's body is one ``pass`` alone on its line (but for a comment)."""
    only = handler.body[0] if len(handler.body) == 1 else None
    return isinstance(only, ast.Pass) and line <= last_line and _LONE_PASS.match(source.line(line).strip()) is not None


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
    guard: tuple[str, list[tuple[int, Statement]]] | None = None,
    *,
    commas: bool = False,
) -> WithEdit:
    """One edit replacing the body (after the docstring) with ``opener`` + ``first_lines`` + the re-indented body.

    ``opener`` is ``with ...:``; ``first_lines`` are (depth, statement) inside the block; ``handler_lines`` are
    inserted at the top of each handler in ``handlers`` (``{name}`` is replaced by the handler's exception name; a
    handler that does not fail the operation gets only the first line, the exception event). Inserted statements
    are laid out within ``width`` columns. ``guard`` (an ``except`` header and its (depth, statement) pairs) puts
    the body in a ``try`` inside the block with that handler after it. ``commas``: the project checks
    flake8-commas, so a statement laid out over lines has one item per line, each followed by a comma.
    """
    eol = source.eol

    def laid_out(stmt: Statement, indent: str, room: int) -> list[str]:
        lines = stmt.lines(indent, unit, room)
        if len(lines) == 1:
            return lines
        return with_trailing_commas(lines, unit) if commas else as_formatted(lines, unit, room)

    body = node.body
    doc = docstring_count(node)
    first, last = body[doc], body[-1]
    last_line = last.end_lineno or last.lineno
    tokens = Tokens(source, node.lineno, last_line)
    layouts = line_layouts(node, source)
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

    docstrings = _nested_docstring_lines(body[doc:])

    def shift(text: str, line: int | None) -> str:
        if not text.strip() or (line is not None and line in tokens.inside and line not in docstrings):
            return text
        if text.startswith(body_indent):
            return moved + text[len(body_indent) :]
        return step + text

    # handler edits: names added before the colon, statements inserted before the handler's first statement
    colon_inserts: dict[int, list[tuple[int, str]]] = {}
    before: dict[int, list[str]] = {}
    splits: dict[int, tuple[int, str]] = {}
    dropped: set[int] = set()
    for plan in handlers:
        h = plan.node
        h_first = h.body[0]
        h_line, h_col = _start(source, h_first)
        code = [stmt.replace("{name}", plan.name) for stmt in handler_lines[: plan.statements]]
        if plan.add_name:
            colon_line, colon_col = tokens.colon_before(h_line, h_col)
            suffix = f" as {plan.name}" if h.type is not None else f" BaseException as {plan.name}"
            types = h.type
            at = source.char_column(types.lineno, types.col_offset) if isinstance(types, ast.Tuple) else -1
            if isinstance(types, ast.Tuple) and source.line(types.lineno)[at] != "(":
                # ``except A, B:`` (PEP 758, read rewritten as ``except(A, B):``) needs its parentheses back with ``as``
                colon_inserts.setdefault(types.lineno, []).append((at + 1, "("))
                suffix = ")" + suffix
            colon_inserts.setdefault(colon_line, []).append((colon_col, suffix))
        if source.line(h_line)[:h_col].strip():
            if h_line <= first.lineno and split_first is not None:
                raise BodyEditError("handler shares the first line of the body")
            h_indent = _indent_of(source.line(h.lineno)) + unit
            splits[h_line] = (h_col, h_indent)
        else:
            h_indent = source.line(h_line)[:h_col]
        if _lone_pass(source, h, h_line, last_line) and h_line not in splits:
            dropped.add(h_line)  # the handler's statements replace its ``pass`` (which would then be unnecessary)
        # the handler's lines are shifted with the rest of the body afterwards
        narrower = width - columns(step)
        before.setdefault(h_line, []).extend(line for stmt in code for line in laid_out(stmt, h_indent, narrower))

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
    for line in laid_out(opener, body_indent, width):
        emit(line + eol, True)
    for depth, stmt in first_lines:
        for line in laid_out(stmt, inner + unit * depth, width):
            emit(line + eol, True)
    if guard is not None:
        emit(inner + "try:" + eol, True)
    if split_first is None and isinstance(first, _DEFINITIONS):
        emit(eol, False)  # formatters want an empty line before a nested def or class, but right after a def line
    if split_first is not None:
        emit(moved + split_first + (source.endings[first.lineno - 1] if first.lineno < last_line else ""), True)
    edited = set(colon_inserts) | set(before) | set(splits) | dropped
    refilled, refilled_away = _refilled_comments(source, tokens, range(rest_from, last_line), edited, shift, width)
    wraps = {
        first: wrap
        for first, wrap in _rhs_wraps(node, source, tokens, shift, unit, width).items()
        if first >= rest_from and not edited & set(range(first, wrap[0] + 1))
    }
    wrapped_away = {n for first, (end, _) in wraps.items() for n in range(first + 1, end + 1)}
    realign: dict[int, int] = {}  # lines lining up after a bracket a broken line left open -> how far it moved
    for number in range(rest_from, last_line + 1):
        if number in refilled_away or number in wrapped_away:
            continue
        if number in wraps:
            wrap_end, new_lines = wraps[number]
            for piece in new_lines[:-1]:
                emit(piece + eol, True)
            emit(new_lines[-1] + (source.endings[wrap_end - 1] if wrap_end < last_line else ""), True)
            continue
        if number in refilled:
            for piece in refilled[number]:
                emit(piece + eol, True)
            continue
        text = source.line(number)
        if number in realign:
            text = _realigned(text, realign[number])
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
        if number in dropped:
            comment = _LONE_PASS.match(text.strip())
            if comment is not None and comment.group(1):  # ``pass  # why``: the why stays, on its own line
                emit(shift(_indent_of(text) + comment.group(1), number) + ending, True)
            elif number == last_line and out and out[-1].endswith(eol):  # the edit ends where the ``pass`` ended
                out[-1] = out[-1][: -len(eol)]
                lines -= 1
            continue
        moved_text = shift(text, number)
        if inserts or columns(moved_text) <= width or columns(text) > width or number in docstrings:
            emit(moved_text + ending, bool(inserts))
            continue
        # a line the span's indent pushes past the line length: laid out as the formatter would where its shape is
        # known, else broken inside its brackets where it can be
        layout = layouts.get(number) or item_call(source, number, moved_text)
        laid = laid_out(layout, _indent_of(moved_text), width) if layout is not None else None
        if laid is None and number not in tokens.pragmas:
            laid = wrapped_comment(moved_text, width) or one_per_line(source, number, moved_text)
        if laid is not None and fits(laid, width):
            for piece in laid[:-1]:
                emit(piece + eol, True)
            emit(laid[-1] + ending, True)
            continue
        offset = len(moved_text) - len(source.line(number))  # from the source's columns (the tokens')
        wrapped = tokens.wrapped(number, moved_text, offset, unit, width)
        wrapped = as_formatted(wrapped, unit, width)
        if len(wrapped) == 1 and not fits(wrapped, width):
            wrapped = tokens.parenthesized_value(number, moved_text, offset, unit, width) or wrapped
        if len(wrapped) > 1 and number in tokens.continued:  # a conditional expression alone in its brackets
            parts = ternary_parts(moved_text.strip())
            ternary = [_indent_of(moved_text) + part for part in parts or ()]
            wrapped = ternary if ternary and fits(ternary, width) else wrapped
        joined = number > 1 and source.line(number - 1).rstrip().endswith("\\")  # a backslash continues here
        if len(wrapped) == 1 and number not in tokens.pragmas and number not in tokens.inside and not joined:
            # no break in the code brings it within the width: its trailing comment goes above it, if that does
            wrapped = comment_above(moved_text, width) or wrapped
        *pieces, last_piece = wrapped
        if pieces and number not in realign:
            realign.update(tokens.realignments(number, source, moved_text, wrapped))
        for piece in pieces:
            emit(piece + eol, True)
        emit(last_piece + ending, bool(pieces))
    if guard is not None:
        header, statements = guard
        emit(eol, False)
        emit(inner + header, True)
        for depth, stmt in statements:
            for line in laid_out(stmt, inner + unit * (1 + depth), width):
                emit(eol, False)
                emit(line, True)
    end = Position(last_line, len(source.line(last_line)))
    return WithEdit(TextEdit(Range(start, end), "".join(out)), tuple(added))


def _nested_docstring_lines(body: list[ast.stmt]) -> set[int]:
    """The lines after the first of the docstrings of the functions and classes defined in ``body``: they move with
    their code, as ruff's formatter and black re-indent a docstring to its quotes (CTFd's nested form classes: the
    text left at its old indent was 7 files ``ruff format`` rewrote); ``inspect.cleandoc`` reads the same text."""
    lines: set[int] = set()
    for statement in body:
        for node in ast.walk(statement):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) or not node.body:
                continue
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
                and first.end_lineno is not None
            ):
                lines.update(range(first.lineno + 1, first.end_lineno + 1))
    return lines


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

"""Condenses a function's source for a model: signature, evidence lines and control-flow skeleton, real line numbers.

What a model needs to judge a span is where the function does its work and how control flows around it, not every
argument of every call. The listing keeps the decorators and the signature, every line a local finding points at,
the headers of compound statements (``if``/``for``/``with``/``try``/``except``/``else``...) and the exits
(``return``/``raise``/``break``/``continue``); docstrings, comments and blank lines are dropped, and every other run of
code becomes one ``# … N lines …`` marker. Shown lines keep their number within the function (1 = its first line, the
first decorator when there is one), so numbers skip over elided regions and always name real lines.
"""

from __future__ import annotations

import ast
import io
import textwrap
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

SHOW_ALL_UP_TO = 6  # functions with at most this many code lines are shown whole: condensing would save little
MAX_SHOWN = 48  # shown lines per function; past it the deepest skeleton lines go first, then the tail
SHORT_LINE = 40  # a lone elided line this short is shown instead of a marker
MAX_CONTEXT_WIDTH = 80  # skeleton lines (not the signature or lines with findings) are cut here, marked with "…"
_EXITS = (ast.Return, ast.Raise, ast.Break, ast.Continue)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True, slots=True)
class Condensed:
    """A function's listing as sent: ``N|line`` rows and elision markers."""

    text: str
    total: int  # lines of the function; valid answer lines are 1..total
    shown: int  # numbered rows in ``text``


def condense(code: str, notes: Mapping[int, str], *, max_shown: int = MAX_SHOWN) -> Condensed:
    """The listing of ``code`` (one function, decorators included) with ``notes`` appended to their lines.

    ``notes`` maps relative line numbers to a finding; such lines are always shown (within ``max_shown``).
    Code that does not parse on its own is listed line by line, cut at ``max_shown``.
    """
    lines = textwrap.dedent(code).splitlines() or [""]
    total = len(lines)
    structure = _Structure.of("\n".join(lines), total)
    if structure is None:
        keep = dict.fromkeys(range(1, min(total, max_shown) + 1), 0)
        return _render(lines, keep, notes, set(), {}, total)
    code_lines = [n for n in range(1, total + 1) if n not in structure.hidden and lines[n - 1].strip()]
    shown_code = set(code_lines)
    first = {n: -1 for n in (*structure.signature, *notes) if n in shown_code}  # ranked first, never cut
    if len(code_lines) <= SHOW_ALL_UP_TO:
        keep = dict.fromkeys(code_lines, 0)
    else:
        keep = {n: d for n, d in structure.skeleton.items() if n in shown_code}
        keep = _fill_single_gaps(keep | first, code_lines, lines)
    keep.update(first)
    keep = _fit(keep, max_shown)
    return _render(lines, keep, notes, structure.hidden, structure.comments, total)


@dataclass(frozen=True, slots=True)
class _Structure:
    signature: tuple[int, ...]  # decorator and ``def`` lines
    skeleton: Mapping[int, int]  # line -> nesting depth of control-flow headers and exits
    hidden: frozenset[int]  # docstring and comment-only lines
    comments: Mapping[int, int]  # line -> column where a trailing comment starts

    @staticmethod
    def of(text: str, total: int) -> _Structure | None:
        try:
            tree = ast.parse(text)
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (SyntaxError, ValueError, tokenize.TokenError, RecursionError):
            return None
        func = next((n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)), None)
        if func is None:
            return None
        hidden: set[int] = set()
        comments: dict[int, int] = {}
        code_on: set[int] = set()
        for tok in tokens:
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.start[1]
            elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                code_on.update(range(tok.start[0], tok.end[0] + 1))
        hidden.update(line for line in comments if line not in code_on)
        first = func.body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            hidden.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
        body_start = first.lineno
        signature = tuple(range(1, max(func.lineno, body_start - 1) + 1))
        skeleton: dict[int, int] = {}
        lines = text.splitlines()
        for line, depth in _skeleton(func.body, 1, lines):
            if line not in skeleton and 1 <= line <= total:
                skeleton[line] = depth
        comments = {line: col for line, col in comments.items() if line in code_on}
        return _Structure(signature, skeleton, frozenset(hidden), comments)


def _skeleton(body: list[ast.stmt], depth: int, lines: list[str]) -> Iterator[tuple[int, int]]:
    """(line, depth) of every compound-statement header, clause keyword line and exit in ``body``."""
    for stmt in body:
        if isinstance(stmt, _EXITS):
            yield stmt.lineno, depth
        elif isinstance(stmt, _NESTED):
            yield stmt.lineno, depth  # nested definitions are their own candidates: header only
        elif isinstance(stmt, ast.If):
            yield stmt.lineno, depth
            yield from _skeleton(stmt.body, depth + 1, lines)
            yield from _clause(stmt.body, stmt.orelse, ("else", "elif"), depth, lines)
        elif isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
            yield stmt.lineno, depth
            yield from _skeleton(stmt.body, depth + 1, lines)
            yield from _clause(stmt.body, stmt.orelse, ("else",), depth, lines)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            yield stmt.lineno, depth
            yield from _skeleton(stmt.body, depth + 1, lines)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            yield stmt.lineno, depth
            yield from _skeleton(stmt.body, depth + 1, lines)
            previous = stmt.body
            for handler in stmt.handlers:
                yield handler.lineno, depth
                yield from _skeleton(handler.body, depth + 1, lines)
                previous = handler.body
            yield from _clause(previous, stmt.orelse, ("else",), depth, lines)
            yield from _clause(stmt.orelse or previous, stmt.finalbody, ("finally",), depth, lines)
        elif isinstance(stmt, ast.Match):
            yield stmt.lineno, depth
            for case in stmt.cases:
                yield case.pattern.lineno, depth + 1
                yield from _skeleton(case.body, depth + 2, lines)


def _clause(
    before: list[ast.stmt], clause: list[ast.stmt], keywords: tuple[str, ...], depth: int, lines: list[str]
) -> Iterator[tuple[int, int]]:
    """The ``else:``/``elif``/``finally:`` line between two blocks (the ast has no node for it), then its block."""
    if not clause or not before:
        return
    start = (before[-1].end_lineno or before[-1].lineno) + 1
    for line in range(start, clause[0].lineno + 1):
        word = lines[line - 1].lstrip().split(":", 1)[0].split(" ", 1)[0] if line <= len(lines) else ""
        if word in keywords:
            yield line, depth
            if word == "elif" and len(clause) == 1 and isinstance(clause[0], ast.If):
                inner = clause[0]
                yield from _skeleton(inner.body, depth + 1, lines)
                yield from _clause(inner.body, inner.orelse, ("else", "elif"), depth, lines)
                return
            break
    yield from _skeleton(clause, depth + 1, lines)


def _fill_single_gaps(keep: dict[int, int], code_lines: list[int], lines: list[str]) -> dict[int, int]:
    """Show a short lone hidden code line between two shown ones: its marker would cost about as much."""
    shown = [i for i, n in enumerate(code_lines) if n in keep]
    filled = dict(keep)
    for a, b in zip(shown, shown[1:], strict=False):
        lone = code_lines[a + 1]
        if b - a == 2 and len(lines[lone - 1].strip()) <= SHORT_LINE:
            filled.setdefault(lone, 99)
    return filled


def _fit(keep: dict[int, int], max_shown: int) -> dict[int, int]:
    """At most ``max_shown`` lines: the signature and findings (rank -1) first, then the shallowest skeleton lines."""
    if len(keep) <= max_shown:
        return keep
    ranked = sorted(keep.items(), key=lambda item: (item[1], item[0]))
    return dict(sorted(ranked[:max_shown]))


def _render(
    lines: list[str],
    keep: Mapping[int, int],
    notes: Mapping[int, str],
    hidden: set[int] | frozenset[int],
    comments: Mapping[int, int],
    total: int,
) -> Condensed:
    out: list[str] = []
    gap: list[int] = []  # hidden lines since the last shown one

    def flush() -> None:
        code = [n for n in gap if n not in hidden and lines[n - 1].strip()]
        if code:
            indent = lines[code[0] - 1][: len(lines[code[0] - 1]) - len(lines[code[0] - 1].lstrip())]
            count = len(gap)
            out.append(f"{indent}# … {count} line{'s' if count != 1 else ''} …")
        gap.clear()

    for number in range(1, total + 1):
        if number not in keep:
            gap.append(number)
            continue
        flush()
        text = lines[number - 1]
        if number in comments:
            text = text[: comments[number]]
        text = text.rstrip()
        if keep[number] >= 0 and len(text) > MAX_CONTEXT_WIDTH:
            text = text[: MAX_CONTEXT_WIDTH - 1] + "…"
        note = notes.get(number)
        out.append(f"{number}|{text}  #> {note}" if note else f"{number}|{text}")
    flush()
    return Condensed("\n".join(out), total, len(keep))

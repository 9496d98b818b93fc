"""Lay out an inserted statement within the project's line length, the way black and ruff's formatter would."""

from __future__ import annotations

import re
from dataclasses import dataclass

TAB_WIDTH = 4  # how ruff and pycodestyle count a tab against the line length


@dataclass(frozen=True, slots=True)
class Statement:
    """``head(args)tail`` (``args`` None: ``head`` alone, a line that needs no layout); an argument may be a call laid
    out the same way (``Status(StatusCode.ERROR, ...)`` inside ``span.set_status(...)``)."""

    head: str
    args: tuple[str | Statement, ...] | None = None
    tail: str = ""

    def lines(self, indent: str, unit: str, width: int) -> list[str]:
        """The statement at ``indent``: on one line when it fits in ``width`` columns, else its arguments on one
        indented line (a lone call argument laid out in turn when that line is too long), else one argument per line
        with a trailing comma (black's layouts)."""
        if self.args is None:
            return [indent + self.head]
        args = [str(a) for a in self.args]
        one = f"{indent}{self.head}({', '.join(args)}){self.tail}"
        if columns(one) <= width:
            return [one]
        inner = indent + unit
        joined = inner + ", ".join(args)
        only = self.args[0] if len(self.args) == 1 else None
        if isinstance(only, Statement) and columns(joined) > width:
            return [f"{indent}{self.head}(", *only.lines(inner, unit, width), f"{indent}){self.tail}"]
        if len(args) == 1 or columns(joined) <= width:
            return [f"{indent}{self.head}(", joined, f"{indent}){self.tail}"]
        return [f"{indent}{self.head}(", *(f"{inner}{arg}," for arg in args), f"{indent}){self.tail}"]

    def __str__(self) -> str:
        """The statement on one line."""
        return self.head if self.args is None else f"{self.head}({', '.join(str(a) for a in self.args)}){self.tail}"

    def replace(self, old: str, new: str) -> Statement:
        args = None if self.args is None else tuple(a.replace(old, new) for a in self.args)
        return Statement(self.head.replace(old, new), args, self.tail.replace(old, new))


@dataclass(frozen=True, slots=True)
class Condition(Statement):
    """``head(args)tail`` whose arguments are the operands of ``operator`` (``if not (a and b):``): on one line, else
    the operands on one indented line, else one operand per line, each after the first led by the operator."""

    operator: str = "and"

    def lines(self, indent: str, unit: str, width: int) -> list[str]:
        parts = [str(a) for a in self.args or ()]
        joined = f" {self.operator} ".join(parts)
        one = f"{indent}{self.head}({joined}){self.tail}"
        if columns(one) <= width:
            return [one]
        inner = indent + unit
        if columns(inner + joined) <= width:
            return [f"{indent}{self.head}(", inner + joined, f"{indent}){self.tail}"]
        led = [inner + parts[0], *(f"{inner}{self.operator} {part}" for part in parts[1:])]
        return [f"{indent}{self.head}(", *led, f"{indent}){self.tail}"]

    def __str__(self) -> str:
        return f"{self.head}({f' {self.operator} '.join(str(a) for a in self.args or ())}){self.tail}"

    def replace(self, old: str, new: str) -> Condition:
        args = None if self.args is None else tuple(str(a).replace(old, new) for a in self.args)
        return Condition(self.head.replace(old, new), args, self.tail.replace(old, new), self.operator)


@dataclass(frozen=True, slots=True)
class WithItems(Statement):
    """``with head(args)tail, *more:``: a ``with`` of several items, the first a call laid out like a Statement. On one
    line when it fits; else, when the project's Python has parenthesized context managers (3.9+, ``parenthesize``),
    the items one per line in parentheses with a trailing comma (black's and ruff's layout for those versions), else
    split inside the last item's call when the line up to its bracket fits, else the first item's call broken as a
    Statement is."""

    more: tuple[str, ...] = ()
    parenthesize: bool = False

    def lines(self, indent: str, unit: str, width: int) -> list[str]:
        one = f"{indent}{self}"
        if columns(one) <= width:
            return [one]
        rest = ", ".join(self.more)
        if not self.parenthesize:
            # the formatter splits at the last bracket first when the line up to it fits (``..., _ErrorStatus(``),
            # else at the first item's call
            *before, last = self.more
            cut = last.find("(")
            if cut > 0 and last.endswith(")") and last[cut + 1 : -1].strip():
                head = f"{indent}{Statement(self.head, self.args, self.tail)}, {', '.join([*before, last[: cut + 1]])}"
                body = f"{indent}{unit}{last[cut + 1 : -1]}"
                if columns(head) <= width and columns(body) <= width:
                    return [head, body, f"{indent}):"]
            return Statement(self.head, self.args, f"{self.tail}, {rest}:").lines(indent, unit, width)
        inner = indent + unit
        first = Statement(self.head.removeprefix("with "), self.args, f"{self.tail},")
        items = [*first.lines(inner, unit, width), *(f"{inner}{m}," for m in self.more)]
        return [f"{indent}with (", *items, f"{indent}):"]

    def __str__(self) -> str:
        return f"{Statement(self.head, self.args, self.tail)}, {', '.join(self.more)}:"

    def replace(self, old: str, new: str) -> WithItems:
        base = Statement.replace(self, old, new)
        more = tuple(m.replace(old, new) for m in self.more)
        return WithItems(base.head, base.args, base.tail, more, self.parenthesize)


def columns(line: str) -> int:
    """Width of a line as line-length checks count it (tabs as four columns)."""
    return len(line.expandtabs(TAB_WIDTH)) if "\t" in line else len(line)


# a trailing tool directive: ruff leaves it out when it measures a line (E501)
_TRAILING_PRAGMA = re.compile(r"\s*#\s*(?:noqa|type:|pyright:|pylint:|mypy:|nosec)[^#]*$", re.IGNORECASE)


def measured(line: str) -> int:
    """Width of a line as ruff's E501 counts it: a trailing directive comment (``# noqa``, ``# type: ignore``) not."""
    return columns(_TRAILING_PRAGMA.sub("", line))


# what ``requote`` reads a line as, left to right: a comment, a triple-quoted string (closed on the line or not), or a
# string with any prefix: the quotes inside one are part of it (``'<a href="{url}">'`` holds no string of its own)
_LITERAL = re.compile(
    r"#.*"
    r"|(?<!\w)([A-Za-z]{0,2})("
    r'"""(?:[^\\\n]|\\.)*?(?:"""|$)'
    r"|'''(?:[^\\\n]|\\.)*?(?:'''|$)"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r")"
)


def requote(line: str, quote: str) -> str:
    """``line`` (code this package wrote or laid out) with its plain double-quoted strings in ``quote`` (``'`` for a
    project whose formatter or flake8-quotes asks for single quotes); a string holding a quote or a backslash, a
    triple-quoted one, one with a prefix other than ``f``, and comments are left as they are."""
    if quote == '"':
        return line

    def converted(match: re.Match[str]) -> str:
        prefix, literal = match.group(1), match.group(2)
        if literal is None or prefix not in ("", "f", "F") or literal.startswith('"""') or literal[0] != '"':
            return match.group()
        content = literal[1:-1]
        if "'" in content or '"' in content or "\\" in content:
            return match.group()
        return f"{prefix}{quote}{content}{quote}"

    return _LITERAL.sub(converted, line)

"""Lay out an inserted statement within the project's line length, the way black and ruff's formatter would."""

from __future__ import annotations

import re
from dataclasses import dataclass

TAB_WIDTH = 4  # how ruff and pycodestyle count a tab against the line length


@dataclass(frozen=True, slots=True)
class Statement:
    """``head(args)tail`` (``args`` None: ``head`` alone, a line that needs no layout)."""

    head: str
    args: tuple[str, ...] | None = None
    tail: str = ""

    def lines(self, indent: str, unit: str, width: int) -> list[str]:
        """The statement at ``indent``: on one line when it fits in ``width`` columns, else its arguments on one
        indented line, else one argument per line with a trailing comma (black's three layouts)."""
        if self.args is None:
            return [indent + self.head]
        one = f"{indent}{self.head}({', '.join(self.args)}){self.tail}"
        if columns(one) <= width:
            return [one]
        inner = indent + unit
        joined = inner + ", ".join(self.args)
        if len(self.args) == 1 or columns(joined) <= width:
            return [f"{indent}{self.head}(", joined, f"{indent}){self.tail}"]
        return [f"{indent}{self.head}(", *(f"{inner}{arg}," for arg in self.args), f"{indent}){self.tail}"]

    def replace(self, old: str, new: str) -> Statement:
        args = None if self.args is None else tuple(a.replace(old, new) for a in self.args)
        return Statement(self.head.replace(old, new), args, self.tail.replace(old, new))


def columns(line: str) -> int:
    """Width of a line as line-length checks count it (tabs as four columns)."""
    return len(line.expandtabs(TAB_WIDTH)) if "\t" in line else len(line)


# a trailing tool directive: ruff leaves it out when it measures a line (E501)
_TRAILING_PRAGMA = re.compile(r"\s*#\s*(?:noqa|type:|pyright:|pylint:|mypy:|nosec)[^#]*$", re.IGNORECASE)


def measured(line: str) -> int:
    """Width of a line as ruff's E501 counts it: a trailing directive comment (``# noqa``, ``# type: ignore``) not."""
    return columns(_TRAILING_PRAGMA.sub("", line))

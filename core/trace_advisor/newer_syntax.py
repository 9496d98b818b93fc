"""Names the newer Python syntax on a line that does not parse on the running interpreter, so a lost file is
reported as "uses type parameters (PEP 695, Python 3.12)" instead of a bare syntax error."""

from __future__ import annotations

import re
import sys

# (first version, pattern on the failing line, what it is); only versions newer than the running one are named
_FEATURES: tuple[tuple[tuple[int, int], re.Pattern[str], str], ...] = (
    ((3, 12), re.compile(r"^\s*type\s+[A-Za-z_]\w*\s*(\[.*\])?\s*="), "a type alias statement (PEP 695, Python 3.12)"),
    ((3, 12), re.compile(r"^\s*(async\s+)?def\s+[A-Za-z_]\w*\s*\["), "type parameters (PEP 695, Python 3.12)"),
    ((3, 12), re.compile(r"^\s*class\s+[A-Za-z_]\w*\s*\["), "type parameters (PEP 695, Python 3.12)"),
    (
        (3, 12),
        re.compile(r"""\b[rRbB]?[fF][rR]?("|')[^\n]*\{[^}\n]*\1"""),
        "quotes reused inside an f-string (PEP 701, Python 3.12)",
    ),
    (
        # a one-quote f-string whose replacement field is still open at the end of the line
        (3, 12),
        re.compile(r"""\b[rR]?[fF][rR]?("|')(?:[^\n{]|\{\{)*\{[^}\n]*$"""),
        "an f-string expression spanning lines (PEP 701, Python 3.12)",
    ),
    (
        (3, 14),
        re.compile(r"^\s*except\*?\s+[^:()\s][^:()]*,[^:]*:"),
        "except without parentheses (PEP 758, Python 3.14)",
    ),
    ((3, 14), re.compile(r"""(?<![\w.])[tT][rR]?("|')"""), "template strings (PEP 750, Python 3.14)"),
)


def newer_syntax(line: str, version: tuple[int, int] | None = None) -> str | None:
    """What newer syntax ``line`` uses that ``version`` (default: the running Python) lacks, or None."""
    running = version or sys.version_info[:2]
    for since, pattern, what in _FEATURES:
        if running < since and pattern.search(line):
            return what
    return None


def running_python() -> str:
    """``Python 3.11``: the interpreter trace-advisor parses with."""
    return f"Python {sys.version_info[0]}.{sys.version_info[1]}"

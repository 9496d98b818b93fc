"""Names the newer Python syntax on a line that does not parse on the running interpreter, so a lost file is
reported as "uses type parameters (PEP 695, Python 3.12)" instead of a bare syntax error."""

from __future__ import annotations

import re
import sys

from trace_advisor.downlevel import (
    EXCEPT_TUPLE,
    FSTRING_BACKSLASH,
    FSTRING_LINES,
    FSTRING_QUOTES,
    TEMPLATE_STRING,
    TYPE_ALIAS,
    TYPE_PARAMETERS,
)

# (first version, pattern on the failing line, what it is: as downlevel names what it rewrites); only versions newer
# than the running one are named
_FEATURES: tuple[tuple[tuple[int, int], re.Pattern[str], str], ...] = (
    ((3, 12), re.compile(r"^\s*type\s+[A-Za-z_]\w*\s*(\[.*\])?\s*="), TYPE_ALIAS),
    ((3, 12), re.compile(r"^\s*(async\s+)?def\s+[A-Za-z_]\w*\s*\["), TYPE_PARAMETERS),
    ((3, 12), re.compile(r"^\s*class\s+[A-Za-z_]\w*\s*\["), TYPE_PARAMETERS),
    (
        (3, 12),
        re.compile(r"""\b[rRbB]?[fF][rR]?("|')[^\n]*\{[^}\n]*\1"""),
        FSTRING_QUOTES,
    ),
    (
        # a backslash inside a replacement field: ``f"{'\\n'.join(lines)}"``
        (3, 12),
        re.compile(r"""\b[rRbB]?[fF][rR]?("|')[^\n]*\{[^}\n]*\\"""),
        FSTRING_BACKSLASH,
    ),
    (
        # a one-quote f-string whose replacement field is still open at the end of the line
        (3, 12),
        re.compile(r"""\b[rR]?[fF][rR]?("|')(?:[^\n{]|\{\{)*\{[^}\n]*$"""),
        FSTRING_LINES,
    ),
    (
        (3, 14),
        re.compile(r"^\s*except\*?\s+[^:()\s][^:()]*,[^:]*:"),
        EXCEPT_TUPLE,
    ),
    ((3, 14), re.compile(r"""(?<![\w.])[tT][rR]?("|')"""), TEMPLATE_STRING),
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

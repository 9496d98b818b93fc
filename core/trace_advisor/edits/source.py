"""A module's text split into physical lines the way Python and LSP count them, and applying text edits to it."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from trace_advisor.datatypes import Position, TextEdit

# Python and LSP end lines only at \r\n, \r and \n (str.splitlines also splits at \f, \v, \x1c... which
# the stdlib uses inside lines, so it must not be used for line numbers).
_EOL = re.compile(r"(\r\n|\r|\n)")


class SourceText:
    """Immutable view of a text as lines; columns are characters (code points), lines 1-based."""

    __slots__ = ("text", "lines", "endings", "_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        parts = _EOL.split(text)
        # parts alternate line, ending, line, ending, ..., last line (empty when the text ends with a newline)
        self.lines: tuple[str, ...] = tuple(parts[0::2])
        self.endings: tuple[str, ...] = (*parts[1::2], "")
        self._starts = tuple(accumulate((len(piece) for piece in parts[:-1]), initial=0))[0::2]

    @property
    def eol(self) -> str:
        """The newline this file uses (the first one found; ``\\n`` for a file without any)."""
        for ending in self.endings:
            if ending:
                return ending
        return "\n"

    def line(self, number: int) -> str:
        """Content of 1-based line ``number`` without its line ending."""
        return self.lines[number - 1]

    def char_column(self, line: int, byte_column: int) -> int:
        """Character column of ``ast``'s UTF-8 byte column on a 1-based line."""
        text = self.lines[line - 1]
        if text.isascii():
            return byte_column
        return len(text.encode("utf-8")[:byte_column].decode("utf-8", errors="replace"))

    def offset(self, pos: Position) -> int:
        """Offset into ``text`` of a position; raises ValueError when it is outside the text."""
        if not 1 <= pos.line <= len(self.lines):
            raise ValueError(f"line {pos.line} is outside the text (1..{len(self.lines)})")
        if not 0 <= pos.column <= len(self.lines[pos.line - 1]):
            raise ValueError(f"column {pos.column} is outside line {pos.line}")
        return self._starts[pos.line - 1] + pos.column

    def line_at(self, offset: int) -> int:
        """The 1-based line the character at ``offset`` into ``text`` is on."""
        return bisect_right(self._starts, offset)


def apply_edits(text: str, edits: Sequence[TextEdit]) -> str:
    """Apply non-overlapping LSP-shaped edits to ``text``; raises ValueError for overlapping or invalid ranges."""
    if not edits:
        return text
    source = SourceText(text)
    spans = sorted(
        ((source.offset(e.range.start), source.offset(e.range.end), e.new_text) for e in edits),
        key=lambda item: (item[0], item[1]),
    )
    pieces: list[str] = []
    cursor = 0
    for start, end, new_text in spans:
        if end < start:
            raise ValueError("edit range ends before it starts")
        if start < cursor:
            raise ValueError("edits overlap")
        pieces.append(text[cursor:start])
        pieces.append(new_text)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)

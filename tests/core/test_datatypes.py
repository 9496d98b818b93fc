"""The shared value types: symbol ids, span names, ranges."""

from __future__ import annotations

import pytest
from trace_advisor.datatypes import (
    Position,
    Range,
    make_symbol,
    narrow_span,
    pack_span,
    span_name,
    split_symbol,
    unpack_span,
)
from trace_advisor.positions import char_column, source_lines


def test_symbol_round_trip() -> None:
    sym = make_symbol("shop.pricing", "discount.<locals>.apply")
    assert sym == "shop.pricing:discount.<locals>.apply"
    assert split_symbol(sym) == ("shop.pricing", "discount.<locals>.apply")


def test_split_rejects_non_symbols() -> None:
    with pytest.raises(ValueError, match="module:qualname"):
        split_symbol("no_colon_here")


def test_span_name_drops_locals() -> None:
    assert span_name("discount.<locals>.apply") == "discount.apply"
    assert span_name("OrderService.place") == "OrderService.place"


def test_range_contains() -> None:
    r = Range.of(3, 4, 5, 0)
    assert r.contains(Position(4, 99))
    assert not r.contains(Position(5, 1))


def test_char_column_counts_characters_not_bytes() -> None:
    line = 'x = "héllo"; f()'
    byte_col = line.encode().index(b"f()")
    assert char_column(line, byte_col) == line.index("f()")


def test_source_lines_break_only_where_python_does() -> None:
    text = "a = 1\r\nb = '\x0c'\x0c\nc = 3\rd = 4\n"
    assert source_lines(text) == ["a = 1", "b = '\x0c'\x0c", "c = 3", "d = 4"]
    assert len(text.splitlines()) > len(source_lines(text))  # splitlines also breaks at form feeds
    unix = "a = '\x0c'\x0c\nb = '\u2028'\x1c\n\nc = 3"  # no carriage return: split at line feeds only
    assert source_lines(unix) == ["a = '\x0c'\x0c", "b = '\u2028'\x1c", "", "c = 3"]


@pytest.mark.parametrize(
    "numbers",
    [(1, 0, 1, 0), (131071, 8191, 131071, 8191), (7, 8192, 7, 8200), (131072, 0, 131072, 4), (3, 4, 2**32 - 1, 0)],
)
def test_packed_spans_round_trip_in_either_packing(numbers: tuple[int, int, int, int]) -> None:
    key = pack_span(*numbers)
    assert unpack_span(key) == numbers
    assert narrow_span(key) == (numbers[0] < 2**17 and numbers[2] < 2**17 and max(numbers[1], numbers[3]) < 2**13)
    assert Range.packed(key) == Range.of(*numbers)  # the numbers alone choose the packing: one key per range


def test_narrow_spans_order_like_their_numbers() -> None:
    spans = [(5, 3, 9, 1), (5, 3, 5, 80), (1, 0, 200, 0), (5, 2, 131071, 8191), (12, 0, 12, 0)]
    assert sorted(spans, key=lambda numbers: pack_span(*numbers)) == sorted(spans)

"""JSON text indented as ``json.dumps(value, indent=2)`` writes it, several times faster for large documents.

With ``indent``, the standard library encodes in pure Python, one generator step per value (its C encoder writes
compact JSON only): a whole-workspace call graph (the standard library's: 40 MB of JSON) took longer to write than to
resolve. Here strings are quoted by the standard library's C function, and a list of strings (most of the graph:
callees) is joined in one call. The text is the same, character for character (``ensure_ascii``, separators ``", "``
and ``": "``, floats and special values as ``json`` writes them); other types raise ``TypeError`` as ``json`` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from json.encoder import encode_basestring_ascii  # the C function when available
from typing import Any

_SIMPLE = {True: "true", False: "false"}
_INDENT = "  "
_PIECES = 50_000  # a streamed write hands on its text when it holds this many pieces (a few hundred KB)
_RENDERED_PIECES = 1_000  # ... or this many when they are Rendered values (each a piece of hundreds of characters)
_STREAMED_LEVELS = 2  # the dicts whose items a streamed write can hand on between (the graph: data, functions)


def dumps_indented(value: object) -> str:
    """``json.dumps(value, indent=2)``."""
    out: list[str] = []
    _write(value, out, "\n")
    return "".join(out)


class Entries:
    """A JSON object whose ``(key, value)`` pairs are made as :func:`dump_indented` writes them: a large object
    (the graph's functions) whose values are never all held. Written once."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: Iterable[tuple[str, object]]) -> None:
        self.pairs = pairs


class Rendered:
    """A value's JSON text made by its producer, as :func:`dumps_indented` writes that value after ``newline`` (a
    newline and the indentation of the line it starts on): a large document's values of one shape (the graph's
    function entries) are written in one piece each, without a dict made for each. Written as it is where it is
    written after that ``newline`` (else read back and written as any value: still the same text)."""

    __slots__ = ("newline", "text")

    def __init__(self, text: str, newline: str) -> None:
        self.text = text
        self.newline = newline


quote: Callable[[str], str] = encode_basestring_ascii  # a string's JSON (``ensure_ascii``), for producers of Rendered


def strings(values: Sequence[str], newline: str) -> str:
    """What :func:`dumps_indented` writes for a list of strings written after ``newline``."""
    if not values:
        return "[]"
    inner = newline + _INDENT
    return "[" + inner + ("," + inner).join(map(encode_basestring_ascii, values)) + newline + "]"


def dump_indented(value: object, write: Callable[[str], object]) -> None:
    """``json.dump(value, file, indent=2)`` with ``file.write`` as ``write``: the same text as
    :func:`dumps_indented`, handed on in pieces between the items of the outer dicts, so that a large document (the
    standard library's graph: 40 MB of text, several million pieces) is never held whole; :class:`Entries` in them
    are written as objects."""
    out: list[str] = []
    _stream(value, out, "\n", write, _STREAMED_LEVELS)
    write("".join(out))


def _stream(value: Any, out: list[str], newline: str, write: Callable[[str], object], levels: int) -> None:
    """:func:`_write`, handing ``out`` on to ``write`` after an item of a dict ``levels`` deep or less."""
    if type(value) is Entries:
        items: Iterable[tuple[Any, Any]] = value.pairs
    elif type(value) is dict and levels:
        items = value.items()
    else:
        _write(value, out, newline)
        return
    inner = newline + _INDENT
    separator = "{" + inner
    for key, item in items:
        out.append(separator)
        out.append(encode_basestring_ascii(key if type(key) is str else _key(key)))
        out.append(": ")
        _stream(item, out, inner, write, levels - 1)
        if len(out) >= _PIECES or (type(item) is Rendered and len(out) >= _RENDERED_PIECES):
            write("".join(out))
            out.clear()
        separator = "," + inner
    out.append("{}" if separator[0] == "{" else newline + "}")


def _write(value: Any, out: list[str], newline: str) -> None:
    """Append ``value``'s JSON to ``out``; ``newline`` is a newline and the current indentation."""
    kind = type(value)
    if kind is str:
        out.append(encode_basestring_ascii(value))
    elif kind is dict:
        _write_dict(value, out, newline)
    elif kind is list or kind is tuple:
        _write_list(value, out, newline)
    elif kind is int:
        out.append(int.__repr__(value))
    elif value is None:
        out.append("null")
    elif kind is bool:
        out.append(_SIMPLE[value])
    elif kind is Rendered:  # made for another place: read back and written here (strings hold no raw newline)
        text = value.text if value.newline == newline else dumps_indented(json.loads(value.text)).replace("\n", newline)
        out.append(text)
    else:  # floats, subclasses of the types above (an IntEnum, a str Enum): as json writes them
        out.append(json.dumps(value, indent=2).replace("\n", newline))


def _write_dict(value: dict[Any, Any], out: list[str], newline: str) -> None:
    if not value:
        out.append("{}")
        return
    inner = newline + _INDENT
    separator = "{" + inner
    for key, item in value.items():
        out.append(separator)
        out.append(encode_basestring_ascii(key if type(key) is str else _key(key)))
        out.append(": ")
        kind = type(item)
        if kind is str:
            out.append(encode_basestring_ascii(item))
        elif kind is int:
            out.append(int.__repr__(item))
        else:
            _write(item, out, inner)
        separator = "," + inner
    out.append(newline + "}")


def _key(key: object) -> str:
    """A key that is not a string, as json converts it (numbers, True, False, None); raises TypeError otherwise."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool | int | float):
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _write_list(value: list[Any] | tuple[Any, ...], out: list[str], newline: str) -> None:
    if not value:
        out.append("[]")
        return
    if all(type(item) is str for item in value):
        out.append(strings(value, newline))
        return
    inner = newline + _INDENT
    separator = "[" + inner
    for item in value:
        out.append(separator)
        _write(item, out, inner)
        separator = "," + inner
    out.append(newline + "]")

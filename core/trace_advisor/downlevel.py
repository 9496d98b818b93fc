"""Rewrite the Python 3.12–3.14 forms that 3.11's parser rejects into equivalent 3.11 syntax with the same lines and
columns, so a project written for a newer Python keeps its call graph: ``except A, B:`` (PEP 758), ``type X = ...``
and type parameters (PEP 695), quotes reused inside f-string replacement fields and replacement fields spanning lines
(PEP 701), backslashes in strings inside replacement fields (PEP 701), template strings (PEP 750).

Only tried on text that does not parse. Every position the facts keep (names, calls, definitions) stays where it was;
the few characters that move are after the last token that matters on their line (see ``_except_tuple``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TYPE_ALIAS = "a type alias statement (PEP 695, Python 3.12)"
TYPE_PARAMETERS = "type parameters (PEP 695, Python 3.12)"
EXCEPT_TUPLE = "except without parentheses (PEP 758, Python 3.14)"
FSTRING_QUOTES = "quotes reused inside an f-string (PEP 701, Python 3.12)"
FSTRING_LINES = "an f-string expression spanning lines (PEP 701, Python 3.12)"
FSTRING_BACKSLASH = "a backslash inside an f-string expression (PEP 701, Python 3.12)"
TEMPLATE_STRING = "template strings (PEP 750, Python 3.14)"

_NAME = re.compile(r"[^\W\d]\w*")
_NUMBER = re.compile(r"\.?\d[\w.]*")
_STRING_START = re.compile(r"([rRbBuUfFtT]{0,2})('''|\"\"\"|'|\")")
_SPACE = " \t\f"
_OPEN = "([{"
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)  # a backslash and the character it escapes
_CLOSE = ")]}"


@dataclass(frozen=True, slots=True)
class Rewritten:
    """The text to parse instead, and what was rewritten: ``(line, what)`` in source order."""

    text: str
    handled: tuple[tuple[int, str], ...]


@dataclass(slots=True)
class _Token:
    kind: str  # "name", "op", "string", "end" (end of a logical line or ``;``)
    start: int
    end: int
    depth: int  # bracket depth before the token


class _Edit:
    __slots__ = ("end", "start", "text", "what")

    def __init__(self, start: int, end: int, text: str, what: str) -> None:
        self.start, self.end, self.text, self.what = start, end, text, what


def downlevel(text: str) -> Rewritten | None:
    """The rewritten text, or None when ``text`` uses none of the forms handled here."""
    scan = _Scanner(text)
    try:
        scan.run()
    except IndexError:  # unterminated brackets or strings: the original error stands
        return None
    edits = scan.edits + _statements(text, scan.tokens)
    if not edits:
        return None
    edits.sort(key=lambda e: e.start)
    out: list[str] = []
    last = 0
    for edit in edits:
        if edit.start < last:  # overlapping rewrites: leave the second one out
            continue
        out.append(text[last : edit.start])
        out.append(edit.text)
        last = edit.end
    out.append(text[last:])
    handled = sorted({(text.count("\n", 0, e.start) + 1, e.what) for e in edits if e.what})
    return Rewritten("".join(out), tuple(handled))


class _Scanner:
    """A small tokenizer that knows strings (nested f-strings included), comments, brackets and logical lines."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[_Token] = []
        self.edits: list[_Edit] = []

    def run(self) -> None:
        text, pos, depth = self.text, 0, 0
        size = len(text)
        while pos < size:
            char = text[pos]
            if char in _SPACE:
                pos += 1
            elif char == "\\" and text.startswith(("\\\n", "\\\r"), pos):
                pos += 2
            elif char == "#":
                pos = _line_end(text, pos)
            elif char in "\r\n":
                if depth == 0:
                    self.tokens.append(_Token("end", pos, pos + 1, 0))
                pos += 1
            elif (match := _STRING_START.match(text, pos)) and _is_prefix(match.group(1)):
                end = self.string(pos, match.group(1), match.group(2))
                self.tokens.append(_Token("string", pos, end, depth))
                pos = end
            elif match := _NAME.match(text, pos):
                self.tokens.append(_Token("name", pos, match.end(), depth))
                pos = match.end()
            elif match := _NUMBER.match(text, pos):
                pos = match.end()
            else:
                if char == ";" and depth == 0:
                    self.tokens.append(_Token("end", pos, pos + 1, 0))
                else:
                    self.tokens.append(_Token("op", pos, pos + 1, depth))
                depth = depth + 1 if char in _OPEN else max(depth - 1, 0) if char in _CLOSE else depth
                pos += 1

    def string(self, start: int, prefix: str, quote: str, outer: str = "") -> int:
        """The end of the string literal at ``start``; records the rewrites it needs. ``outer``: the quote of the
        f-string whose replacement field holds this one."""
        text = self.text
        lowered = prefix.lower()
        if "t" in lowered:
            at = start + lowered.index("t")
            self.edits.append(_Edit(at, at + 1, "f" if text[at] == "t" else "F", TEMPLATE_STRING))
        pos = start + len(prefix) + len(quote)
        formatted = "f" in lowered or "t" in lowered
        spans_lines = False
        while True:
            char = text[pos]
            if char == "\\":
                pos += 2
            elif text.startswith(quote, pos):
                end = pos + len(quote)
                reuses = bool(outer) and (quote == outer if len(outer) == 3 else quote[0] == outer)  # 3.11 ends there
                if outer and (reuses or "\\" in text[start:end]):
                    self._inner(start + len(prefix), end, quote, reuses)
                elif spans_lines and not outer:
                    self._triple(start + len(prefix), end, quote)
                return end
            elif char in "\r\n" and len(quote) == 1:
                raise IndexError("unterminated string")
            elif formatted and char == "{":
                if text.startswith("{{", pos):
                    pos += 2
                else:
                    field = pos
                    pos = self.field(pos + 1, quote)
                    spans_lines = spans_lines or (len(quote) == 1 and "\n" in text[field:pos])
            else:
                pos += 1

    def field(self, pos: int, quote: str) -> int:
        """Scan a replacement field ``{expression!r:spec}`` from after its ``{``; returns the position after ``}``."""
        text = self.text
        depth = 0
        while True:
            char = text[pos]
            if char in _OPEN:
                depth += 1
                pos += 1
            elif char in _CLOSE:
                if depth == 0:
                    return pos + 1
                depth -= 1
                pos += 1
            elif char == ":" and depth == 0:  # the format spec: literal text with nested fields
                pos += 1
                while text[pos] != "}":
                    pos = self.field(pos + 1, quote) if text[pos] == "{" else pos + 1
                return pos + 1
            elif (match := _STRING_START.match(text, pos)) and _is_prefix(match.group(1)):
                pos = self.string(pos, match.group(1), match.group(2), quote)
            elif match := _NAME.match(text, pos):
                pos = match.end()
            else:
                pos += 1

    def _triple(self, start: int, end: int, quote: str) -> None:
        """A one-quote f-string whose replacement field spans lines (legal since 3.12): triple its quotes, in which
        3.11 allows that. Its literal text holds no line break, so its value is the same. The closing line keeps its
        columns when it starts with the field's indented ``}`` (two of those spaces go); otherwise what follows the
        closing quote moves right by two columns, as does what follows the opening quote on its line."""
        self.edits.append(_Edit(start, start + 1, quote * 3, FSTRING_LINES))
        closing = self.text.rfind("\n", start, end) + 1
        line = self.text[closing : end - 1]
        if line.startswith("  ") and line.strip() == "}":
            self.edits.append(_Edit(closing, end, line[2:] + quote * 3, ""))  # reported once, at its opening line
        else:
            self.edits.append(_Edit(end - 1, end, quote * 3, ""))

    def _inner(self, start: int, end: int, quote: str, reuses: bool) -> None:
        """A string inside a replacement field that reuses the enclosing f-string's quote or holds a backslash (both
        legal since 3.12, PEP 701): its escapes become two placeholder characters, so the text keeps its length
        and lines (the facts never read such a literal's value), and it takes the other quote when it reused the
        enclosing one and its content allows (Mailu's ``f'{b.rstrip(b"\\n=")}'``)."""
        body = self.text[start + len(quote) : end - len(quote)]
        escaped = "\\" in body
        if escaped:
            if re.search(r"\\[\r\n]", body):
                return  # a line continued inside the string: no 3.11 spelling with the same lines
            body = _ESCAPE.sub("__", body)
        new = quote
        if reuses:
            new = ("'" if quote[0] == '"' else '"') * len(quote)
            if new[0] in body or quote[0] in body:  # nested quotes of either kind: no 3.11 spelling
                return
        self.edits.append(_Edit(start, end, new + body + new, FSTRING_BACKSLASH if escaped else FSTRING_QUOTES))


def _statements(text: str, tokens: list[_Token]) -> list[_Edit]:
    """The statement-level forms: ``type X = ...``, ``def f[T]``, ``class C[T]``, ``except A, B:``."""
    edits: list[_Edit] = []
    lines: list[list[_Token]] = [[]]
    for token in tokens:  # logical lines (``;`` ends one too), each with its tokens
        if token.kind == "end":
            lines.append([])
        else:
            lines[-1].append(token)
    for line in lines:
        if not line:
            continue
        token, rest = line[0], line[1:]
        word = _word(text, token)
        if word == "async" and rest and _word(text, rest[0]) == "def":
            word, rest = "def", rest[1:]
        if word == "type":
            edits.extend(_type_alias(text, token, rest))
        elif word in ("def", "class") and len(rest) > 1 and rest[0].kind == "name" and _op(text, rest[1]) == "[":
            closing = _matching(text, rest, 1)
            if closing is not None:
                blanked = _blank(text[rest[1].start : closing.end])
                edits.append(_Edit(rest[1].start, closing.end, blanked, TYPE_PARAMETERS))
        elif word == "except":
            edits.extend(_except_tuple(text, token, rest))
    return edits


def _type_alias(text: str, keyword: _Token, rest: list[_Token]) -> list[_Edit]:
    """``type X[T] = V`` -> ``0;   X    = V``: an expression statement, then a plain assignment of the alias."""
    if len(rest) < 2 or rest[0].kind != "name":
        return []
    name, after = rest[0], rest[1]
    gap = text[keyword.end : name.start]
    if not gap or any(c not in _SPACE for c in gap):
        return []
    edits = [_Edit(keyword.start, name.start, "0;" + " " * (name.start - keyword.start - 2), TYPE_ALIAS)]
    if _op(text, after) == "[":
        closing = _matching(text, rest, 1)
        if closing is None:
            return []
        edits.append(_Edit(after.start, closing.end, _blank(text[after.start : closing.end]), TYPE_ALIAS))
        after = rest[rest.index(closing) + 1] if rest.index(closing) + 1 < len(rest) else closing
    return edits if _op(text, after) == "=" else []


def _except_tuple(text: str, keyword: _Token, rest: list[_Token]) -> list[_Edit]:
    """``except A, B:`` -> ``except(A, B):`` (the space after ``except`` becomes ``(``; a space after the colon, if
    any, gives way to the ``)`` so the body on the same line keeps its columns)."""
    if rest and _op(text, rest[0]) == "*":
        keyword, rest = rest[0], rest[1:]
    commas = False
    for token in rest:
        if token.kind == "end":
            return []
        if token.depth == 0 and _word(text, token) == "as":
            return []
        if token.depth == 0 and _op(text, token) == ",":
            commas = True
        if token.depth == 0 and _op(text, token) == ":":
            colon = token
            break
    else:
        return []
    if not commas or not rest or rest[0] is colon or keyword.end >= rest[0].start:
        return []
    if text[keyword.end] not in _SPACE:
        return []
    after = 2 if text.startswith(" ", colon.end) else 1
    return [
        _Edit(keyword.end, keyword.end + 1, "(", EXCEPT_TUPLE),
        _Edit(colon.start, colon.start + after, "):", EXCEPT_TUPLE),
    ]


def _matching(text: str, tokens: list[_Token], opening: int) -> _Token | None:
    """The token closing the bracket at ``tokens[opening]``."""
    depth = tokens[opening].depth
    for token in tokens[opening + 1 :]:
        if token.kind == "end":
            return None
        if token.kind == "op" and token.depth == depth + 1 and text[token.start] in _CLOSE:
            return token
    return None


def _blank(segment: str) -> str:
    """Spaces for ``segment``, its line breaks kept, each preceded by a ``\\`` so the logical line goes on."""
    lines = re.split(r"(\r\n|\r|\n)", segment)
    out: list[str] = []
    for number, part in enumerate(lines):
        if number % 2:
            out.append(part)
        elif number + 1 < len(lines):  # a line break follows: end with a continuation
            out.append(" " * (len(part) - 1) + "\\" if part else "\\")
        else:
            out.append(" " * len(part))
    return "".join(out)


def _op(text: str, token: _Token) -> str:
    return text[token.start] if token.kind == "op" else ""


def _word(text: str, token: _Token) -> str:
    return text[token.start : token.end] if token.kind == "name" else ""


def _is_prefix(prefix: str) -> bool:
    lowered = prefix.lower()
    return lowered in ("", "r", "u", "b", "f", "t", "rb", "br", "fr", "rf", "tr", "rt")


def _line_end(text: str, pos: int) -> int:
    found = [i for i in (text.find("\n", pos), text.find("\r", pos)) if i >= 0]
    return min(found) if found else len(text)

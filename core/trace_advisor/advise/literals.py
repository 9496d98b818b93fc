"""Shortens string literals in code sent to a model: the code under analysis is data, and its strings are where
text aimed at the model (prompt injection) would hide. Lines and line numbers stay as they were."""

from __future__ import annotations

import io
import re
import tokenize

MAX_LITERAL = 48  # characters of a literal's text kept: enough for a SQL verb and table, a URL's host and path
_PREFIX = re.compile(r"^[A-Za-z]*")


def shorten_literals(code: str, limit: int = MAX_LITERAL) -> str:
    """``code`` with every string literal longer than ``limit`` characters cut to ``limit`` and ``...``.

    A cut literal becomes a raw string of the literal's source text (an f-string's ``{...}`` parts stay text), on
    as many lines as before, so the code still parses and every later line keeps its number. Code that does not
    tokenize is returned unchanged (the listing is then cut line by line anyway).
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return code
    lines = code.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    pieces: list[str] = []
    done = 0
    for token in tokens:
        if token.type != tokenize.STRING:
            continue
        shortened = _shorten(token.string, limit)
        if shortened is None:
            continue
        start = offsets[token.start[0] - 1] + token.start[1]
        end = offsets[token.end[0] - 1] + token.end[1]
        pieces.append(code[done:start])
        pieces.append(shortened)
        done = end
    if not pieces:
        return code
    pieces.append(code[done:])
    return "".join(pieces)


def _shorten(literal: str, limit: int) -> str | None:
    prefix = _PREFIX.match(literal).group(0)  # type: ignore[union-attr]
    rest = literal[len(prefix) :]
    quote = rest[:3] if rest[:3] in ('"""', "'''") else rest[:1]
    body = rest[len(quote) : len(rest) - len(quote)]
    if len(body) <= limit:
        return None
    kept = body.split("\n", 1)[0][:limit].replace('"', "'").rstrip("\\")
    breaks = body.count("\n")
    if breaks:
        # the closing quotes keep their indentation: a listing that is dedented (a method) must still parse
        indent = re.match(r"[ \t]*", body.rsplit("\n", 1)[1]).group(0)  # type: ignore[union-attr]
        return 'r"""' + kept + "..." + "\n" * breaks + indent + '"""'
    return 'r"' + kept + '..."'

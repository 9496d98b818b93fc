"""Bytes to text to ``ast`` to facts for one file, with every failure turned into a value naming the reason."""

from __future__ import annotations

import ast
import hashlib
import io
import tokenize
from dataclasses import dataclass

from trace_advisor.datatypes import SyntaxProblem
from trace_advisor.downlevel import downlevel
from trace_advisor.facts import ModuleFacts, extract_facts
from trace_advisor.newer_syntax import newer_syntax

FACTS_VERSION = "47"  # bump whenever the facts' shape or meaning changes: old cache entries are then ignored


@dataclass(frozen=True, slots=True)
class Parsed:
    """The outcome for one file: ``facts`` when it parsed, else ``problem`` (and possibly ``text``)."""

    text: str | None
    facts: ModuleFacts | None
    problem: SyntaxProblem | None = None
    tree: ast.Module | None = None  # the syntax tree the facts came from


def content_hash(data: bytes) -> str:
    """The cache key of a file's content (bytes, before decoding, so the coding cookie is part of it)."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def decode_source(data: bytes, file: str) -> str | SyntaxProblem:
    """Decode following PEP 263 (BOM, coding cookie, UTF-8 default); normalises nothing else."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return SyntaxProblem(file, f"cannot decode: {exc.msg}", exc.lineno, None)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
        return SyntaxProblem(file, f"cannot decode as {encoding}: invalid byte 0x{data[exc.start]:02x}", line, column)
    except LookupError:
        return SyntaxProblem(file, f"cannot decode: unknown encoding {encoding!r}", 1, None)


def parse_text(text: str, file: str) -> ast.Module | SyntaxProblem:
    """``ast.parse`` that reports instead of raising (syntax errors, null bytes, nesting too deep for the parser);
    newer syntax the running Python lacks is rewritten first when it can be (``downlevel.py``)."""
    parsed = _parse(text, file)
    return parsed if isinstance(parsed, SyntaxProblem) else parsed[0]


def parse_as_written(text: str) -> ast.Module:
    """``ast.parse`` of code to be edited, with the newer syntax the running Python lacks rewritten first when it can
    be (``downlevel.py``): the tree's positions are those of ``text``, so edits made from it apply to ``text`` as
    written. Raises what ``ast.parse`` raises on ``text`` when it cannot be read either way."""
    try:
        return ast.parse(text)
    except SyntaxError as error:
        rewritten = downlevel(text)
        if rewritten is None:
            raise
        try:
            return ast.parse(rewritten.text)
        except SyntaxError:
            raise error from None


def _parse(text: str, file: str) -> tuple[ast.Module, tuple[tuple[int, str], ...]] | SyntaxProblem:
    """The tree, and what newer syntax was rewritten to get it (``(line, what)``; empty when none was needed)."""
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        return SyntaxProblem(file, "source contains a null byte", line, nul - (text.rfind("\n", 0, nul) + 1))
    try:
        return ast.parse(text, filename=file), ()
    except SyntaxError as exc:
        column = exc.offset - 1 if exc.offset else None
        lines = text.splitlines()
        failing = lines[exc.lineno - 1] if exc.lineno and 0 < exc.lineno <= len(lines) else ""
        newer = newer_syntax(failing)
        # only when the first error is newer syntax: a typo being typed in the editor costs no rewrite
        rewritten = downlevel(text) if newer is not None else None
        if rewritten is not None:
            try:
                return ast.parse(rewritten.text, filename=file), rewritten.handled
            except (SyntaxError, RecursionError, MemoryError, ValueError):
                pass  # something else is wrong too: report the error in the text as written
        return SyntaxProblem(file, f"syntax error: {exc.msg}", exc.lineno, column, newer)
    except (RecursionError, MemoryError):
        return SyntaxProblem(file, "expression nesting too deep to parse", None, None)
    except ValueError as exc:
        return SyntaxProblem(file, f"cannot parse: {exc}", None, None)


def parse_bytes(data: bytes, file: str) -> Parsed:
    """Decode, parse and extract the facts of one file's content."""
    text = decode_source(data, file)
    if isinstance(text, SyntaxProblem):
        return Parsed(None, None, text)
    return parse_source(text, file)


def parse_source(text: str, file: str) -> Parsed:
    """Parse already-decoded text (an editor's buffer) and extract its facts."""
    parsed = _parse(text, file)
    if isinstance(parsed, SyntaxProblem):
        return Parsed(text, None, parsed)
    tree, rewritten = parsed
    try:
        facts = extract_facts(tree, text, rewritten)
    except (RecursionError, MemoryError):
        return Parsed(text, None, SyntaxProblem(file, "expression nesting too deep to analyse", None, None))
    return Parsed(text, facts, tree=tree)

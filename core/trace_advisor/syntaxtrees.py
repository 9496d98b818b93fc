"""Syntax trees of the files edited or analysed lately: the tree of a file's current text, from the parse that gave
its facts (an edit's splice, see ``facts.splice``) or, for a text read from disk, parsed when first needed."""

from __future__ import annotations

import ast
from collections import OrderedDict
from pathlib import Path

from trace_advisor.datatypes import SyntaxProblem
from trace_advisor.parsing import parse_text
from trace_advisor.positions import source_lines


class SyntaxTrees:
    """The latest tree of up to ``limit`` files (the open and recently edited ones; None: every file's); not
    thread-safe on its own."""

    def __init__(self, limit: int | None = 64) -> None:
        self._limit = limit
        self._trees: OrderedDict[Path, tuple[str, ast.Module]] = OrderedDict()
        # the lines of a kept text (:func:`source_lines`), split when first asked for: the analysed module and the
        # analysis' look at callees share one string per line (an ``analyze`` of twilio held every line twice)
        self._lines: dict[Path, list[str]] = {}

    def kept(self, path: Path, text: str) -> ast.Module | None:
        """The kept tree of ``path`` if it is the tree of ``text``."""
        found = self._trees.get(path)
        return found[1] if found is not None and (found[0] is text or found[0] == text) else None

    def kept_text(self, path: Path, text: str) -> str:
        """The kept text of ``path`` when it equals ``text``, else ``text``: the one string the kept tree was parsed
        from, rather than a second equal one decoded again (an ``analyze`` of twilio held each file's text twice)."""
        found = self._trees.get(path)
        return found[0] if found is not None and found[0] == text else text

    def lines(self, path: Path, text: str) -> list[str] | None:
        """``source_lines`` of ``text`` when it is the kept text of ``path`` (the same list each time: read it, never
        change it), else None."""
        found = self._trees.get(path)
        if found is None or not (found[0] is text or found[0] == text):
            return None
        lines = self._lines.get(path)
        if lines is None:
            lines = self._lines[path] = source_lines(found[0])
        return lines

    def tree(self, path: Path, text: str) -> ast.Module | SyntaxProblem:
        """The tree of ``text``, the file's current text: the kept one, else a parse of it (kept)."""
        found = self.kept(path, text)
        if found is not None:
            self._trees.move_to_end(path)
            return found
        parsed = parse_text(text, str(path))
        if isinstance(parsed, ast.Module):
            self.put(path, text, parsed)
        return parsed

    def put(self, path: Path, text: str, tree: ast.Module) -> None:
        self._trees[path] = (text, tree)
        self._lines.pop(path, None)
        self._trees.move_to_end(path)
        while self._limit is not None and len(self._trees) > self._limit:
            evicted, _ = self._trees.popitem(last=False)
            self._lines.pop(evicted, None)

    def forget(self, path: Path) -> None:
        self._trees.pop(path, None)
        self._lines.pop(path, None)

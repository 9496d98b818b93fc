"""Syntax trees of the files analysed lately, one parse per text: an edit that keeps the line count re-parses only the
statements it touched (``facts.splice.splice_tree``) and shares the rest of the previous tree."""

from __future__ import annotations

import ast
from collections import OrderedDict
from pathlib import Path

from trace_advisor.facts.splice import splice_tree
from trace_advisor.model import SyntaxProblem
from trace_advisor.parsing import parse_text


class SyntaxTrees:
    """The latest tree of up to ``limit`` files (the open and recently edited ones); not thread-safe on its own."""

    def __init__(self, limit: int = 64) -> None:
        self._limit = limit
        self._trees: OrderedDict[Path, tuple[str, ast.Module]] = OrderedDict()

    def tree(self, path: Path, text: str) -> ast.Module | SyntaxProblem:
        """The tree of ``text``, the file's current text (kept trees of an older text are spliced or replaced)."""
        kept = self._trees.get(path)
        if kept is not None and (kept[0] is text or kept[0] == text):
            self._trees.move_to_end(path)
            return kept[1]
        tree = splice_tree(kept[1], kept[0], text) if kept is not None else None
        found = tree if tree is not None else parse_text(text, str(path))
        if isinstance(found, ast.Module):
            self.put(path, text, found)
        return found

    def put(self, path: Path, text: str, tree: ast.Module) -> None:
        self._trees[path] = (text, tree)
        self._trees.move_to_end(path)
        while len(self._trees) > self._limit:
            self._trees.popitem(last=False)

    def forget(self, path: Path) -> None:
        self._trees.pop(path, None)

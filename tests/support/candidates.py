"""Builds provider Candidates straight from Python files with ``ast`` (tests do not need the analysis facade)."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from trace_advisor.advise.provider import Candidate
from trace_advisor.datatypes import Evidence, Range


def candidates_from_file(path: Path, module: str) -> tuple[Candidate, ...]:
    """One Candidate per function or method of ``path``; each call inside becomes an ``external_io`` finding."""
    text = path.read_text("utf-8")
    lines = text.splitlines()
    found: list[Candidate] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = f"{prefix}{child.name}"
                start = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                end = child.end_lineno or child.lineno
                code = "\n".join(lines[start - 1 : end])
                calls = [n for n in ast.walk(child) if isinstance(n, ast.Call)]
                evidence = tuple(
                    Evidence("external_io", f"calls {ast.unparse(c.func)}", Range.of(c.lineno, 0, c.lineno, 1))
                    for c in calls[:3]
                )
                found.append(
                    Candidate(
                        symbol=f"{module}:{qualname}",
                        file=str(path),
                        qualname=qualname,
                        range=Range.of(start, 0, end, len(lines[end - 1])),
                        code=code,
                        evidence=evidence,
                        content_hash=hashlib.sha256(code.encode()).hexdigest(),
                    )
                )
                visit(child, f"{qualname}.<locals>.")

    visit(ast.parse(text), "")
    return tuple(found)

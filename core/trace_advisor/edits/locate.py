"""Find function definitions in a module by qualname (``Class.method``, ``outer.<locals>.inner``, ``func``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from trace_advisor.datatypes import LOCALS
from trace_advisor.statements import child_blocks

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def def_lines(node: FunctionNode) -> tuple[int, int]:
    """A def's first line (its first decorator's, if any) and last line, 1-based: the lines a span edit rewrites."""
    return min([d.lineno for d in node.decorator_list] + [node.lineno]), node.end_lineno or node.lineno


@dataclass(frozen=True, slots=True)
class FunctionSite:
    """One ``def`` with its qualname, the statement of the module that contains it and its enclosing scope."""

    qualname: str
    node: FunctionNode
    top_statement: int  # index into ``module.body`` of the top-level statement holding the def
    in_class: bool  # defined directly in a class body (a method)


@dataclass(frozen=True, slots=True)
class ClassSite:
    qualname: str
    node: ast.ClassDef


def iter_definitions(module: ast.Module) -> Iterator[FunctionSite | ClassSite]:
    """Every function and class of ``module`` with its qualname, in source order."""

    def visit(
        block: list[ast.stmt], prefix: str, top: int | None, in_class: bool
    ) -> Iterator[FunctionSite | ClassSite]:
        for index, stmt in enumerate(block):
            top_index = index if top is None else top
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = prefix + stmt.name
                yield FunctionSite(qualname, stmt, top_index, in_class)
                yield from visit(stmt.body, f"{qualname}.{LOCALS}.", top_index, False)
            elif isinstance(stmt, ast.ClassDef):
                qualname = prefix + stmt.name
                yield ClassSite(qualname, stmt)
                yield from visit(stmt.body, f"{qualname}.", top_index, True)
            else:
                for child in child_blocks(stmt):
                    yield from visit(child, prefix, top_index, in_class)

    yield from visit(module.body, "", None, False)


def find_functions(module: ast.Module, qualname: str) -> list[FunctionSite]:
    """All defs named ``qualname`` (a property's getter and setter, or conditional alternatives, share one)."""
    return [site for site in iter_definitions(module) if isinstance(site, FunctionSite) and site.qualname == qualname]

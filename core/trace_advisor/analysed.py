"""One module as every feature reads it: its text, syntax tree, facts and resolved call sites, all of one text.

The index builds it (``Index.analysed``); the detectors never parse or name anything themselves. A call site is
identified by its range in the text, the same in the facts, the resolver's answer and the tree (``site_at``).
"""

from __future__ import annotations

import ast
import bisect
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from trace_advisor.callgraph import ModuleCalls
from trace_advisor.datatypes import MODULE_QUALNAME, Range, ResolvedCall, SymbolId, make_symbol
from trace_advisor.facts.records import ModuleFacts, Scope, loc_parts
from trace_advisor.positions import node_range
from trace_advisor.resolve.dependencies import imports_of
from trace_advisor.resolve.modules import ModuleInfo
from trace_advisor.statements import flatten

# Statements at module level run at import: the blocks of its if/try/with statements run there too.
MODULE_BLOCKS = (ast.If, ast.Try, ast.TryStar, ast.With)

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True, slots=True)
class FunctionSyntax:
    """One ``def`` of the module: its facts scope, its syntax node and the class directly around it."""

    symbol: SymbolId
    scope: Scope
    node: FunctionNode
    class_name: str | None  # qualname of the directly enclosing class


@dataclass(frozen=True, slots=True, eq=False)
class AnalysedModule:
    """What the analysis reads about one module; built by the index from one text (never from a second parse)."""

    path: Path
    text: str
    lines: list[str]
    tree: ast.Module
    info: ModuleInfo  # name, facts, package or not
    calls: ModuleCalls
    # the method resolution order of each class of the module (qualname -> symbol ids after the class itself;
    # classes outside the readable code are named by their import path)
    mros: Mapping[str, tuple[SymbolId, ...]] = field(default_factory=dict)
    _memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def facts(self) -> ModuleFacts:
        return self.info.facts

    def symbol(self, qualname: str) -> SymbolId:
        return make_symbol(self.info.name, qualname)

    def functions(self) -> tuple[FunctionSyntax, ...]:
        """Every function and method, in source order (defs sharing a qualname, like a property's getter and
        setter, each appear)."""
        found = self._memo.get("functions")
        if found is None:
            wanted = sorted({loc_parts(scope.name_loc)[0] for scope in self.facts.scopes if scope.kind == "function"})
            nodes = _defs_at(self.tree.body, wanted)
            scopes = self.info.scopes
            functions = []
            for scope in self.facts.scopes:
                node = nodes.get(loc_parts(scope.name_loc)[0]) if scope.kind == "function" else None
                if node is None:
                    continue
                parent = scopes.get(scope.parent) if scope.parent else None
                owner = parent.qualname if parent is not None and parent.kind == "class" else None
                functions.append(FunctionSyntax(self.symbol(scope.qualname), scope, node, owner))
            found = self._memo["functions"] = tuple(functions)
        assert isinstance(found, tuple)
        return found

    def function(self, symbol: SymbolId) -> FunctionSyntax | None:
        """The first def of ``symbol`` in the module."""
        found = self._memo.get("by_symbol")
        if found is None:
            found = self._memo["by_symbol"] = {f.symbol: f for f in reversed(self.functions())}
        assert isinstance(found, dict)
        first: FunctionSyntax | None = found.get(symbol)
        return first

    def sites_of(self, symbol: SymbolId, within: Range | None = None) -> tuple[ResolvedCall, ...]:
        """The call sites resolution attributes to ``symbol`` and to the lambdas written in it (inside ``within``
        when given: one of several defs sharing a symbol), in source order: a span around the def holds them."""
        sites = self.calls.body_sites(symbol)
        if within is None:
            return sites
        return tuple(s for s in sites if within.start <= s.range.start and s.range.end <= within.end)

    def site_at(self, rng: Range) -> ResolvedCall | None:
        """The call site whose call expression (or bare decorator) spans exactly ``rng``."""
        found = self._memo.get("sites")
        if found is None:
            found = self._memo["sites"] = {s.range: s for sites in self.calls.sites.values() for s in sites}
        assert isinstance(found, dict)
        site: ResolvedCall | None = found.get(rng)
        return site

    def imported_modules(self) -> frozenset[str]:
        """Every module this one imports (``from a import b`` counts ``a`` and ``a.b``), at any depth."""
        found = self._memo.get("imports")
        if found is None:
            found = self._memo["imports"] = imports_of(self.info)
        assert isinstance(found, frozenset)
        return found

    def main_callees(self) -> frozenset[SymbolId]:
        """What the module's ``if __name__ == "__main__":`` blocks call."""
        found = self._memo.get("main")
        if found is None:
            guards = [node_range(stmt, self.lines) for stmt in flatten(self.tree.body, MODULE_BLOCKS) if _is_main(stmt)]
            module = self.sites_of(self.symbol(MODULE_QUALNAME))
            found = self._memo["main"] = frozenset(
                callee
                for site in module
                if any(g.start <= site.range.start and site.range.end <= g.end for g in guards)
                for callee in site.callees
            )
        assert isinstance(found, frozenset)
        return found

    def range_of(self, node: ast.AST) -> Range:
        return node_range(node, self.lines)

    def code_of(self, node: ast.AST) -> str:
        """A definition's source, decorators included, dedented (a method reads like a top-level function)."""
        start = min([getattr(node, "lineno", 1), *(d.lineno for d in getattr(node, "decorator_list", []))])
        end = getattr(node, "end_lineno", None) or start
        return textwrap.dedent("\n".join(self.lines[start - 1 : end]))


def _defs_at(body: list[ast.stmt], lines: list[int]) -> dict[int, FunctionNode]:
    """The function definitions whose ``def`` keyword is on one of ``lines`` (sorted), by line; only statements
    spanning one of those lines are looked into."""
    found: dict[int, FunctionNode] = {}
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        start = getattr(node, "lineno", 0)
        end = getattr(node, "end_lineno", None) or start
        at = bisect.bisect_left(lines, start)
        if at == len(lines) or lines[at] > end:
            continue  # no wanted def inside
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and lines[at] == node.lineno:
            found[node.lineno] = node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, name, None)
            if isinstance(inner, list):
                stack.extend(inner)
    return found


def _is_main(stmt: ast.stmt) -> bool:
    test = stmt.test if isinstance(stmt, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )

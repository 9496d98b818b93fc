"""What every detector receives about one function: its ast node, module facts, typed call sites and graph facts."""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field

from trace_advisor.detect.apis import ApiMatch, match_call
from trace_advisor.detect.names import TypeScope, annotation_name, expr_text, import_map, statements, walk_body_depth
from trace_advisor.model import LOCALS, MODULE_QUALNAME, CallEdge, Range, SymbolId, make_symbol
from trace_advisor.positions import node_range, source_lines

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True, slots=True)
class CallInfo:
    node: ast.Call
    range: Range
    text: str  # the callee expression as written
    target: str | None  # dotted name from imports/types, or the call graph's callee converted to dots
    api: ApiMatch | None
    callee: SymbolId | None = None  # resolved workspace/external symbol from the call graph
    external: bool = False


@dataclass(frozen=True, slots=True)
class ObservedIo:
    """A call observed at run time that the static graph does not have, into code that does I/O."""

    callee: SymbolId
    line: int  # the caller's line
    count: int
    label: str  # "kind|what I/O" for a workspace callee (as ``callee_io``), "" for a client API outside
    external: bool


@dataclass(frozen=True, slots=True)
class ObservedFacts:
    """What a recording (``trace-advisor calls --record``) saw of one function."""

    calls: int  # calls into it
    seconds: float  # cumulative seconds in it (recursion counted once)
    share: float  # of the recorded command's wall time
    command: str  # the recorded command, for rationales
    io: tuple[ObservedIo, ...] = ()


@dataclass(frozen=True, slots=True)
class GraphFacts:
    """Call-graph facts about one function (empty when no graph is available)."""

    # by the call expression's exact range (chained calls share a start: ``a.b(x).c()``)
    edges: Mapping[Range, CallEdge] = field(default_factory=dict)
    callers: tuple[SymbolId, ...] = ()
    reachable_from_entry: bool | None = None
    # workspace callee -> "kind|what I/O it does" (kind as in the catalog: http, db, file...)
    callee_io: Mapping[SymbolId, str] = field(default_factory=dict)
    callee_forever: frozenset[SymbolId] = frozenset()  # workspace callees that run for the life of the process
    observed: ObservedFacts | None = None  # None: no recording, or the function never ran in it


@dataclass(frozen=True, slots=True)
class FunctionDef:
    qualname: str
    node: FunctionNode
    class_name: str | None  # qualname of the directly enclosing class


class ModuleFacts:
    """Per-module facts shared by all of its functions: imports, known variable types, functions, main guard."""

    def __init__(self, path: str, module: str, text: str, tree: ast.Module, *, is_package: bool = False) -> None:
        self.path = path
        self.module = module
        self.text = text
        self.lines = source_lines(text)
        self.tree = tree
        self.imports = import_map(tree, module, is_package)
        self.module_types: dict[str, str] = {}
        scope = TypeScope(self.imports, self.module_types)
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                scope.bind(stmt.targets[0], stmt.value)
                self.module_types.update(scope.local_types)
        self.functions: list[FunctionDef] = []
        self.self_types: dict[str, dict[str, str]] = {}
        self.main_calls: set[str] = set()
        self.class_bases: dict[str, tuple[str, ...]] = {}  # class qualname -> its bases as written
        self._collect(tree.body, "", None)
        self.by_qualname = {f.qualname: f for f in self.functions}

    def _collect(self, body: list[ast.stmt], prefix: str, class_name: str | None) -> None:
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = f"{prefix}{stmt.name}"
                self.functions.append(FunctionDef(qualname, stmt, class_name))
                self._collect(stmt.body, f"{qualname}.{LOCALS}.", None)
            elif isinstance(stmt, ast.ClassDef):
                qualname = f"{prefix}{stmt.name}"
                self.self_types[qualname] = self._class_types(stmt)
                self.class_bases[qualname] = tuple(expr_text(b) for b in stmt.bases)
                self._collect(stmt.body, f"{qualname}.", qualname)
            elif isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
                for node in ast.walk(stmt):
                    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                        self.main_calls.add(node.func.id)
            elif isinstance(stmt, ast.If | ast.Try | ast.With):
                self._collect([s for s in ast.iter_child_nodes(stmt) if isinstance(s, ast.stmt)], prefix, class_name)

    def _class_types(self, cls: ast.ClassDef) -> dict[str, str]:
        types: dict[str, str] = {}
        scope = TypeScope(self.imports, self.module_types)
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                known = annotation_name(stmt.annotation, scope)
                if known:
                    types[stmt.target.id] = known
        for stmt in cls.body:
            if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            method_scope = TypeScope(self.imports, self.module_types, types, _param_types(stmt, scope))
            for node in statements(stmt.body):  # assignments are statements: no expression walk
                if isinstance(node, ast.Assign | ast.AnnAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        if (
                            isinstance(target, ast.Attribute)
                            and isinstance(target.value, ast.Name)
                            and target.value.id == "self"
                        ):
                            known = None
                            if isinstance(node, ast.AnnAssign):
                                known = annotation_name(node.annotation, method_scope)
                            if known is None and node.value is not None:
                                known = method_scope.name_of(node.value)
                            if known:
                                types[target.attr] = known
        return types

    def range_of(self, node: ast.AST) -> Range:
        return node_range(node, self.lines)

    def code_of(self, node: ast.AST) -> str:
        """A definition's source, decorators included, dedented (a method reads like a top-level function)."""
        start = min([getattr(node, "lineno", 1), *(d.lineno for d in getattr(node, "decorator_list", []))])
        end = getattr(node, "end_lineno", None) or start
        return textwrap.dedent("\n".join(self.lines[start - 1 : end]))

    def symbol(self, qualname: str) -> SymbolId:
        return make_symbol(self.module, qualname)


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _param_types(func: FunctionNode, scope: TypeScope) -> dict[str, str]:
    args = func.args
    types: dict[str, str] = {}
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        known = annotation_name(arg.annotation, scope)
        if known:
            types[arg.arg] = known
    return types


def _symbol_to_dotted(symbol: SymbolId) -> str:
    module, _, qualname = symbol.partition(":")
    return module if qualname == MODULE_QUALNAME else f"{module}.{qualname}"


class FunctionContext:
    """One function as the detectors see it. Built once; detectors only read it."""

    def __init__(self, facts: ModuleFacts, fdef: FunctionDef, graph: GraphFacts | None = None) -> None:
        self.facts = facts
        self.node: FunctionNode = fdef.node
        self.qualname = fdef.qualname
        self.class_name = fdef.class_name
        self.symbol = facts.symbol(fdef.qualname)
        self.graph = graph or GraphFacts()
        self.is_async = isinstance(fdef.node, ast.AsyncFunctionDef)
        self_types = facts.self_types.get(fdef.class_name or "", {})
        self.scope = TypeScope(
            facts.imports,
            facts.module_types,
            self_types,
            _param_types(fdef.node, TypeScope(facts.imports, facts.module_types)),
        )
        walked = list(walk_body_depth(fdef.node))
        self.nodes: tuple[ast.AST, ...] = tuple(n for n, _ in walked)
        self._loops: dict[int, int] = {id(n): d for n, d in walked}
        self._bind_locals()
        self.callee_io: dict[SymbolId, str] = dict(self.graph.callee_io)
        self.calls: tuple[CallInfo, ...] = tuple(self._call_info(n) for n in self.nodes if isinstance(n, ast.Call))

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def module(self) -> str:
        return self.facts.module

    @property
    def is_method(self) -> bool:
        return self.class_name is not None

    @property
    def fan_in(self) -> int:
        return len(set(self.graph.callers))

    @property
    def crosses_package_boundary(self) -> bool:
        """Called from another top-level package than its own (a public API of its package)."""
        own = self.facts.module.split(".")[0]
        return any(c.split(":")[0].split(".")[0] != own for c in self.graph.callers)

    def range_of(self, node: ast.AST) -> Range:
        return self.facts.range_of(node)

    def full_range(self) -> Range:
        """The whole definition, decorators included (like the index's ``Definition.range``)."""
        rng = self.range_of(self.node)
        if not self.node.decorator_list:
            return rng
        first = min(self.node.decorator_list, key=lambda d: (d.lineno, d.col_offset))
        start = self.range_of(first).start
        return Range.of(start.line, max(start.column - 1, 0), rng.end.line, rng.end.column)  # include the "@"

    def name_range(self) -> Range:
        """The range of the function's name after ``def`` (falls back to the start of the def)."""
        line_no = self.node.lineno
        text = self.facts.lines[line_no - 1] if 0 < line_no <= len(self.facts.lines) else ""
        match = re.search(rf"\bdef\s+({re.escape(self.node.name)})\b", text)
        if match is None:
            rng = self.range_of(self.node)
            return Range.of(line_no, rng.start.column, line_no, rng.start.column)
        return Range.of(line_no, match.start(1), line_no, match.end(1))

    def statements(self) -> list[ast.stmt]:
        return [n for n in self.nodes if isinstance(n, ast.stmt)]

    def body_without_docstring(self) -> list[ast.stmt]:
        body = list(self.node.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        return body

    def parameters(self) -> list[ast.arg]:
        args = self.node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if self.is_method and params and params[0].arg in {"self", "cls"}:
            params = params[1:]
        return params

    def loop_depth(self, node: ast.AST) -> int:
        """How many loops (for/while/comprehensions) enclose ``node`` inside this function."""
        return self._loops.get(id(node), 0)

    def _bind_locals(self) -> None:
        ordered = sorted(
            (n for n in self.nodes if isinstance(n, ast.Assign | ast.AnnAssign | ast.With | ast.AsyncWith)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        for node in ordered:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                self.scope.bind(node.targets[0], node.value)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                known = annotation_name(node.annotation, self.scope)
                if known:
                    self.scope.local_types[node.target.id] = known
                elif node.value is not None:
                    self.scope.bind(node.target, node.value)
            elif isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    if item.optional_vars is not None:
                        self.scope.bind(item.optional_vars, item.context_expr)

    def _call_info(self, call: ast.Call) -> CallInfo:
        rng = self.range_of(call)
        edge = self.graph.edges.get(rng)
        target = self.scope.target_of(call)
        if target is None and edge is not None:
            target = _symbol_to_dotted(edge.callee)
        return CallInfo(
            node=call,
            range=rng,
            text=expr_text(call.func),
            target=target,
            # a call the graph resolved into the workspace is our own code: its I/O is found there (delegation)
            api=None if edge is not None and not edge.external else match_call(call, target),
            callee=edge.callee if edge else None,
            external=edge.external if edge else False,
        )

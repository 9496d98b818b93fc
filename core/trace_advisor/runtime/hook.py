"""The import hook: when a module with planned functions is imported, its source is compiled with one more decorator
on each planned def (innermost, directly above ``def``), so every other decorator — ``staticmethod``, route and
task registrations, caches — receives the traced function. The file on disk is not touched and line numbers do not
change. A module without source (only bytecode) is patched after it ran instead: its module-level functions and
methods are replaced by traced ones (decorators that registered the original keep it)."""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import logging
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from trace_advisor.runtime.plan import FunctionPlan
from trace_advisor.statements import child_blocks

LOG = logging.getLogger("trace_advisor.runtime")
_LOCALS = "<locals>"
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


class TracingFinder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path``: finds nothing itself, only wraps the loader of modules with planned functions."""

    def __init__(self, plans: Iterable[FunctionPlan]) -> None:
        self.by_module: dict[str, list[FunctionPlan]] = {}
        for plan in plans:
            self.by_module.setdefault(plan.module, []).append(plan)
        self.by_symbol = {(p.module, p.qualname, p.line): p for ps in self.by_module.values() for p in ps}
        self.wrapped: set[tuple[str, str]] = set()
        self._finding: set[str] = set()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.by_module or fullname in self._finding:
            return None
        self._finding.add(fullname)
        try:
            spec = _find_with_others(self, fullname, path, target)
        finally:
            self._finding.discard(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _TracingLoader(spec.loader, self)
        return spec

    def plan_for(self, module: str, qualname: str, line: int | None) -> FunctionPlan | None:
        return self.by_symbol.get((module, qualname, line))

    def trace_function(self, module: str, qualname: str, line: int | None) -> Callable[[Any], Any]:
        """The decorator compiled into a planned def."""
        plan = self.by_symbol[(module, qualname, line)]

        def decorate(function: Any) -> Any:
            from trace_advisor.runtime.wrap import traced

            if not callable(function):
                return function
            self.wrapped.add((module, qualname))
            return traced(plan, function)

        return decorate

    def patch_module(self, module: types.ModuleType) -> None:
        """Replace planned functions of an already executed module by traced ones (no source, or imported early)."""
        from trace_advisor.runtime.wrap import traced

        for plan in self.by_module.get(module.__name__, ()):
            if _LOCALS in plan.qualname:
                LOG.warning("trace_advisor.runtime: %s: a nested function can only be traced from source", plan.symbol)
                continue
            *owners, name = plan.qualname.split(".")
            holder: Any = module
            for part in owners:
                holder = vars(holder).get(part) if hasattr(holder, "__dict__") else None
            raw = vars(holder).get(name) if holder is not None and hasattr(holder, "__dict__") else None
            kind = type(raw) if isinstance(raw, staticmethod | classmethod) else None
            function = raw.__func__ if isinstance(raw, staticmethod | classmethod) else raw
            if (plan.module, plan.qualname) in self.wrapped:
                continue
            if not isinstance(function, types.FunctionType):
                LOG.warning("trace_advisor.runtime: %s: not a plain function here, not traced", plan.symbol)
                continue
            wrapped = traced(plan, function)
            setattr(holder, name, kind(wrapped) if kind is not None else wrapped)
            self.wrapped.add((plan.module, plan.qualname))


def _find_with_others(
    finder: TracingFinder, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None
) -> importlib.machinery.ModuleSpec | None:
    for other in sys.meta_path:
        if other is finder:
            continue
        find = getattr(other, "find_spec", None)
        if find is not None:
            spec: importlib.machinery.ModuleSpec | None = find(fullname, path, target)
            if spec is not None:
                return spec
    return None


class _TracingLoader(importlib.abc.Loader):
    """Delegates to the module's own loader; executes the module from its source with the planned decorators."""

    def __init__(self, loader: Any, finder: TracingFinder) -> None:
        self.loader = loader
        self.finder = finder

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, get_data, is_package... as the real loader
        return getattr(self.loader, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        create = getattr(self.loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: types.ModuleType) -> None:
        name = module.__name__
        module.__loader__ = self.loader  # the module sees its real loader, as if no hook were installed
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        code = self._decorated_code(name, module)
        if code is None:
            self.loader.exec_module(module)
            self.finder.patch_module(module)
        else:
            exec(code, module.__dict__)  # noqa: S102 - the module's own code, compiled from its own source
        missing = [
            p.qualname for p in self.finder.by_module.get(name, ()) if (name, p.qualname) not in self.finder.wrapped
        ]
        if missing and code is not None:
            LOG.debug("trace_advisor.runtime: %s: not defined at import (yet): %s", name, ", ".join(missing))

    def _decorated_code(self, name: str, module: types.ModuleType) -> types.CodeType | None:
        get_source = getattr(self.loader, "get_source", None)
        try:
            source = get_source(name) if get_source is not None else None
        except (ImportError, OSError, SyntaxError, UnicodeDecodeError):
            source = None
        if source is None:
            return None
        filename = getattr(module, "__file__", None) or f"<{name}>"
        tree = ast.parse(source, filename=filename)
        _decorate(tree, self.finder.by_module.get(name, ()))
        return compile(tree, filename, "exec", dont_inherit=True)


def _defs(body: list[ast.stmt], prefix: str = "") -> Iterator[tuple[str, FunctionNode]]:
    """Every def with its qualname (methods, nested functions, defs under ``if``/``try``/``with``)."""
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            qualname = f"{prefix}{node.name}"
            yield qualname, node
            yield from _defs(node.body, f"{qualname}.{_LOCALS}.")
        elif isinstance(node, ast.ClassDef):
            yield from _defs(node.body, f"{prefix}{node.name}.")
        else:
            for block in child_blocks(node):
                yield from _defs(block, prefix)


def _decorate(tree: ast.Module, plans: Sequence[FunctionPlan]) -> None:
    """Add the planned decorator to each planned def. A plan's ``line`` picks among defs sharing the qualname (a
    property's getter and setter); when no def spans it any more (the file changed since the export), every def of
    that qualname is traced."""
    found = list(_defs(tree.body))
    for plan in plans:
        defs = [node for qualname, node in found if qualname == plan.qualname]
        at_line = [node for node in defs if plan.line is not None and _first_line(node) <= plan.line <= node.lineno]
        for node in at_line or defs:
            node.decorator_list.append(_decorator_call(plan, node))


def _first_line(node: FunctionNode) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def _decorator_call(plan: FunctionPlan, node: FunctionNode) -> ast.expr:
    """``__import__("trace_advisor.runtime.hook", fromlist=["decorator"]).decorator(module, qualname, line)``:
    no name is added to the module's namespace."""
    hook = ast.Call(
        func=ast.Name("__import__", ast.Load()),
        args=[ast.Constant(__name__)],
        keywords=[ast.keyword("fromlist", ast.List([ast.Constant("decorator")], ast.Load()))],
    )
    call = ast.Call(
        func=ast.Attribute(hook, "decorator", ast.Load()),
        args=[ast.Constant(plan.module), ast.Constant(plan.qualname), ast.Constant(plan.line)],
        keywords=[],
    )
    for sub in ast.walk(call):  # every position is the def's line: tracebacks point at the def
        ast.copy_location(sub, node)
        sub.end_lineno, sub.end_col_offset = node.lineno, node.col_offset  # type: ignore[attr-defined]
    return call


def installed_finder() -> TracingFinder | None:
    """The finder of this process's runtime, if one was installed."""
    return next((f for f in sys.meta_path if isinstance(f, TracingFinder)), None)


def decorator(module: str, qualname: str, line: int | None) -> Callable[[Any], Any]:
    """What a decorated def calls at definition time: the installed finder's decorator (identity without one)."""
    finder = installed_finder()
    if finder is None or finder.plan_for(module, qualname, line) is None:
        return lambda function: function
    return finder.trace_function(module, qualname, line)

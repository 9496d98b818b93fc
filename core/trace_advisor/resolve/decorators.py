"""Decorators applied: a decorated name is bound to what its decorators return, and a decorator's parameter holds
the functions it decorates (a wrapper's ``fn(...)`` reaches them). Only decorators defined in the workspace apply;
one without workspace source (``functools.wraps``, ``@app.route``, ``@lru_cache``), a declarative one
(``@property``) and one that returns nothing known are transparent: the name stays the function. A task queue's
decorator that makes the function a task object (``@dramatiq.actor``) adds that object: ``send_welcome.send(7)``
enqueues a run (``Actor.send``), while ``send_welcome(7)`` still runs the function."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from trace_advisor.datatypes import SymbolId
from trace_advisor.facts.records import (
    CALL,
    CLS,
    DECLARATIVE_DECORATORS,
    DEF,
    SELF,
    Chain,
    Decorator,
    Scope,
    plain_name,
)
from trace_advisor.resolve import values as v
from trace_advisor.resolve.modules import ModuleInfo
from trace_advisor.resolve.values import NOTHING, Value, Values

_UPDATE_WRAPPER: Value = (v.EXTERNAL, "functools:update_wrapper")
# task queues' decorators that return a task object wrapping the function, as (package, decorator) -> its class, in
# the decorator's module when the library's source is on a search path, else under the package. Their overloads
# (``-> Actor[P, R]``) are not read: a task object's methods are what enqueue a run.
_TASK_OBJECTS = {("dramatiq", "actor"): "Actor"}
_TASK_DECORATORS = frozenset(name for _, name in _TASK_OBJECTS)  # (checked for every decorator applied)


class Evaluator(Protocol):
    def eval_chain(self, info: ModuleInfo, scope: str, chain: Chain) -> Values: ...

    def function_returns(self, function: SymbolId) -> Values: ...


class Decorations:
    """What decorating gives and which functions each workspace decorator receives (built on first use over the
    workspace and kept per decorating module: a module whose resolution changed is read again when next asked)."""

    def __init__(
        self,
        evaluator: Evaluator,
        workspace: Callable[[], Iterable[ModuleInfo]],
        scope_of: Callable[[SymbolId], tuple[ModuleInfo, Scope] | None],
        in_workspace: Callable[[SymbolId], bool],
        info_of: Callable[[str], ModuleInfo | None],
    ) -> None:
        self._evaluator = evaluator
        self._workspace = workspace
        self._scope_of = scope_of
        self._in_workspace = in_workspace
        self._info_of = info_of
        # decorator -> decorating module -> what it receives there
        self._received: dict[SymbolId, dict[str, frozenset[Value]]] | None = None
        self._modules: dict[str, tuple[SymbolId, ...]] = {}  # decorating module -> the decorators it applies
        self._merged: dict[SymbolId, Values] = {}
        self._stale: set[str] = set()
        self._building = False

    def clear(self) -> None:
        self._received = None
        self._modules.clear()
        self._merged.clear()
        self._stale.clear()

    def forget(self, modules: Iterable[str]) -> None:
        """These modules' resolution (or facts) changed: what their decorators receive is read again when asked."""
        if self._received is not None:
            self._stale.update(modules)

    def decorated(self, info: ModuleInfo, scope: Scope, value: Value) -> Values:
        """What the name of a decorated definition is bound to: ``value`` (its function or class) passed through
        its decorators, innermost first."""
        values: Values = frozenset({value})
        for decorator in reversed(scope.decorators):
            task = self._task_object(info, scope, decorator)
            values = values | task if task else self._apply(self._decorators(info, scope, decorator), values)
        return values

    def _task_object(self, info: ModuleInfo, scope: Scope, decorator: Decorator) -> Values:
        """The task object a task queue's decorator makes of the function (``_TASK_OBJECTS``), nothing for any other
        decorator. ``@dramatiq.actor`` and ``@dramatiq.actor(max_retries=3)`` alike."""
        chain = decorator.chain
        if chain is None or (chain[-1] == CALL and len(chain) < 2):
            return NOTHING
        named = chain[:-1] if chain[-1] == CALL else chain
        if named[-1] not in _TASK_DECORATORS:
            return NOTHING
        made: set[Value] = set()
        for kind, ident in self._evaluator.eval_chain(info, scope.parent or "<module>", named):
            module, _, qualname = ident.partition(":")
            cls = _TASK_OBJECTS.get((module.partition(".")[0], qualname))
            if cls is None or kind not in (v.FUNCTION, v.EXTERNAL):
                continue
            own = f"{module}:{cls}"
            if kind == v.FUNCTION and self._scope_of(own) is not None:
                made.add((v.INSTANCE, own))
            else:
                made.add((v.EXTERNAL_INSTANCE, f"{module.partition('.')[0]}:{cls}"))
        return frozenset(made)

    def received(self, decorator: SymbolId) -> Values:
        """The functions and classes (or what inner decorators made of them) that ``decorator`` is applied to."""
        if self._building:  # asked while building (a decorator's parameter used by another decorator)
            return NOTHING
        if self._received is None or self._stale:
            self._building = True
            try:
                self._refresh()
            finally:
                self._building = False
        assert self._received is not None
        found = self._merged.get(decorator)
        if found is None:
            by_module = self._received.get(decorator)
            found = self._merged[decorator] = frozenset().union(*by_module.values()) if by_module else NOTHING
        return found

    def _refresh(self) -> None:
        if self._received is None:
            self._received = {}
            infos: Iterable[ModuleInfo] = self._workspace()
        else:
            stale = sorted(self._stale)
            for module in stale:
                for decorator in self._modules.pop(module, ()):
                    self._received[decorator].pop(module, None)
                    self._merged.pop(decorator, None)
            infos = [info for module in stale if (info := self._info_of(module)) is not None and info.workspace]
        self._stale.clear()
        for info in infos:
            found = self._build(info)
            if found:
                self._modules[info.name] = tuple(found)
                for decorator, values in found.items():
                    self._received.setdefault(decorator, {})[info.name] = frozenset(values)
                    self._merged.pop(decorator, None)

    def _build(self, info: ModuleInfo) -> dict[SymbolId, set[Value]]:
        received: dict[SymbolId, set[Value]] = {}
        for scope in info.facts.scopes:
            if not scope.decorators or scope.kind == "module":
                continue
            kind = v.CLASS if scope.kind == "class" else v.FUNCTION
            values: Values = frozenset({(kind, f"{info.name}:{scope.qualname}")})
            for decorator in reversed(scope.decorators):
                # a factory returning a function or something else still hands the function to that function
                for kind, ident in self._decorators(info, scope, decorator, partly=True):
                    if kind == v.FUNCTION:
                        received.setdefault(ident, set()).update(values)
                values = self._apply(self._decorators(info, scope, decorator), values)
        return received

    def _decorators(self, info: ModuleInfo, scope: Scope, decorator: Decorator, partly: bool = False) -> Values:
        """The workspace functions and classes a decorator expression is (``@factory(...)``: what the factory
        returns, its functions only when it returns any); nothing for a declarative or an outside decorator, nor
        when it may also be something else (unless ``partly``: then the workspace ones)."""
        chain = decorator.chain
        if (
            chain is None
            or (chain[-2] if chain[-1] == CALL and len(chain) > 1 else chain[-1]) in DECLARATIVE_DECORATORS
        ):
            return NOTHING
        found = self._evaluator.eval_chain(info, scope.parent or "<module>", chain)
        mine = frozenset(x for x in found if x[0] in (v.FUNCTION, v.CLASS) and self._in_workspace(x[1]))
        if len(mine) != len(found) and not partly:  # also something from outside: that one's result is not known
            return NOTHING
        functions = frozenset(x for x in mine if x[0] == v.FUNCTION)
        return functions or mine

    def _apply(self, decorators: Values, values: Values) -> Values:
        """What calling each of ``decorators`` with ``values`` returns; transparent when that is not known."""
        if not decorators:
            return values
        out: set[Value] = set()
        for kind, ident in sorted(decorators):
            if kind == v.CLASS:  # ``@Retry``: an instance wrapping the function (calling it runs ``__call__``)
                out.add((v.INSTANCE, ident))
                continue
            result = self._returns(ident, values)
            if result is None:
                return values
            out.update(result)
        return frozenset(out)

    def _returns(self, decorator: SymbolId, values: Values) -> Values | None:
        """What a decorator function returns given ``values`` for the parameter that receives the function: that
        parameter itself (``return fn``), the closures and other values its ``return`` statements name, or its
        return annotation's instances. None when nothing is known."""
        located = self._scope_of(decorator)
        if located is None:
            return None
        info, scope = located
        parameter = decorated_parameter(info.scopes, scope)
        if parameter is None:
            return None
        if scope.returns and not any(chain[-1] == "Callable" for chain in scope.returns):
            return self._evaluator.function_returns(decorator) or None
        out: set[Value] = set()
        for chain in scope.return_values:
            if chain == (parameter,):
                out.update(values)
            elif chain[0] != parameter:
                wrapper = _unwrapped(info, scope, chain)
                if wrapper is not None and _UPDATE_WRAPPER in self._evaluator.eval_chain(
                    info, scope.qualname, chain[:-1]
                ):
                    chain = wrapper
                out.update(self._evaluator.eval_chain(info, scope.qualname, chain))
        return frozenset(out) or None


def _unwrapped(info: ModuleInfo, scope: Scope, chain: Chain) -> Chain | None:
    """``return update_wrapper(wrapper, fn)`` returns ``wrapper`` (its first argument, as written in ``scope``)."""
    if len(chain) < 2 or chain[-1] != CALL or chain[-2] != "update_wrapper":
        return None
    callee = chain[:-1]
    for call in info.facts.calls:
        if call.scope == scope.qualname and call.chain == callee:
            return next((arg for key, arg in call.args if key in ("0", "wrapper")), None)
    return None


def decorated_parameter(scopes: Mapping[str, Scope], scope: Scope) -> str | None:
    """The parameter that receives the function when ``scope`` is applied as a decorator: the receiving parameter
    of a function written as a decorator, or the first parameter of the function a decorator factory returns
    (``def command(): def decorator(f): return Command(f); return decorator``)."""
    found = receiving_parameter(scope)
    if found is not None or scope.kind != "function" or not scope.params or scope.parent is None:
        return found
    parent = scopes.get(scope.parent)
    if parent is None or parent.kind != "function" or (scope.qualname.rpartition(".")[2],) not in parent.return_values:
        return None
    bound = any(b.kind in (SELF, CLS) for b in scope.bindings.get(scope.params[0], ()))
    return scope.params[1] if bound and len(scope.params) > 1 else None if bound else scope.params[0]


def receiving_parameter(scope: Scope) -> str | None:
    """The parameter a decorator function receives the decorated function in: its first, after ``self``/``cls``
    for a method used as a decorator (``@registry.register``). None for a function that returns neither that
    parameter nor a function it defines (not written as a decorator)."""
    if scope.kind != "function" or not scope.params or not scope.return_values:
        return None
    bound = any(b.kind in (SELF, CLS) for b in scope.bindings.get(scope.params[0], ()))
    if len(scope.params) <= bound:
        return None
    parameter = scope.params[1 if bound else 0]
    for chain in scope.return_values:
        if chain[-2:] == ("update_wrapper", CALL) or chain == (parameter,):
            return parameter
        if len(chain) == 1 and any(b.kind == DEF for b in scope.bindings.get(plain_name(chain[0]), ())):
            return parameter
    return None

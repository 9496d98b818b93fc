"""Calls whose target the caller chooses: ``op()`` on a parameter ``op``, or a parameter handed to a library function
that runs it (``loop.run_in_executor(None, funct)``). The call graph's edges there go to every function any caller
passes (parameter flow is one answer per parameter, not per call), so what those functions do is not what the
function itself does: a runner called by fifty functions would give each of them the I/O of whichever one passes a
file remover. The I/O found in or below a function (its evidence, its callers') does not go through such calls; a
call of a runner does the I/O of what it hands over (``Analyzer._passed``). A parameter annotated with a class
(``uow: UnitOfWork``) is no such choice: its calls go where its type says, whoever calls. A closure calling a parameter
of the function it is defined in (a decorator's ``wrapper`` calling ``func``) is the same choice, made by whoever
called that function (for a decorator: each decorated definition, so a call of ``charge`` does what ``charge`` does,
not what every function decorated alike does)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from trace_advisor.datatypes import CallEdge, Range, ResolvedCall, SpanKey
from trace_advisor.facts.records import ANNOTATION, PARAMETER, REACHING, ModuleFacts, Scope
from trace_advisor.resolve.callbacks import called_argument
from trace_advisor.resolve.modules import ModuleInfo

# annotations that say a callable is expected, not which: the caller's argument decides
_CALLABLE_TYPES = frozenset({"Callable", "Coroutine", "Awaitable", "Any", "object", "partial"})


@dataclass(frozen=True, slots=True)
class CallerChosen:
    """One function's calls of its parameters and calls handing a parameter on, by packed span."""

    calls: frozenset[SpanKey] = frozenset()  # ``op()``: every edge there goes to a value of the parameter
    # ``run_in_executor(None, funct)``: the arguments (position or keyword, as ``CallSite.args``) that are parameters
    hands: Mapping[SpanKey, frozenset[str]] = field(default_factory=dict)

    def __contains__(self, edge: CallEdge) -> bool:
        if edge.span in self.calls:
            return True
        keys = self.hands.get(edge.span)
        if keys is None or not edge.via:
            return False
        position, keyword = called_argument(edge.via) or (None, None)
        return (position is not None and str(position) in keys) or (keyword is not None and keyword in keys)


NONE = CallerChosen()


def chosen_in(info: ModuleInfo, qualname: str) -> CallerChosen:
    """The calls of one function of ``info``'s module whose targets its callers choose, the module's worked out once
    per version of its facts (kept on its ``ModuleInfo``, which a new version replaces)."""
    if info.chosen is None:
        info.chosen = caller_chosen(info.facts, info.scopes)
    found = info.chosen.get(qualname, NONE)
    assert isinstance(found, CallerChosen)
    return found


def caller_chosen(facts: ModuleFacts, scopes: Mapping[str, Scope]) -> dict[str, CallerChosen]:
    """Each function of a module (by qualname) that calls or hands on one of its parameters, with those calls."""
    chosen: dict[str, frozenset[str]] = {}  # a function -> its parameters holding what a caller chose
    calls: dict[str, set[SpanKey]] = {}
    hands: dict[str, dict[SpanKey, frozenset[str]]] = {}
    for site in facts.calls:
        params = chosen.get(site.scope)
        if params is None:
            scope = scopes.get(site.scope)
            params = chosen[site.scope] = _chosen_params(scope, scopes) if scope is not None else frozenset()
        if not params:
            continue
        if site.chain is not None and len(site.chain) == 1 and _parameter(site.chain[0], params):
            calls.setdefault(site.scope, set()).add(site.loc)
            continue
        keys = frozenset(key for key, chain in site.args if len(chain) == 1 and _parameter(chain[0], params))
        if keys:
            hands.setdefault(site.scope, {})[site.loc] = keys
    return {
        name: CallerChosen(frozenset(calls.get(name, ())), hands.get(name, {})) for name in calls.keys() | hands.keys()
    }


def _parameter(head: str, params: frozenset[str]) -> bool:
    """Whether a chain's head reads one of ``params`` as the caller passed it: the name, or the name where its
    parameter binding (the scope's first binding of it) still reaches (``funct#0``, not ``funct#1`` after
    ``funct = partial(funct)``: ``records.REACHING``)."""
    if head in params:
        return True
    name, _, reach = head.partition(REACHING)
    return name in params and "0" in reach.split(",")


def _chosen_params(scope: Scope, scopes: Mapping[str, Scope]) -> frozenset[str]:
    """A function's parameters whose value its callers choose, and those of the functions it is nested in that it
    reads (not bound again on the way in)."""
    if scope.kind != "function":
        return frozenset()
    found = set(_own_chosen(scope))
    bound = set(scope.bindings)
    outer = scopes.get(scope.parent) if scope.parent else None
    while outer is not None and outer.kind == "function":
        found.update(name for name in _own_chosen(outer) if name not in bound)
        bound.update(outer.bindings)
        outer = scopes.get(outer.parent) if outer.parent else None
    return frozenset(found)


def _own_chosen(scope: Scope) -> frozenset[str]:
    """A function's own parameters whose value its callers choose: unannotated, or annotated as some callable."""
    found = set()
    for name in scope.params:
        bindings = scope.bindings.get(name, ())
        if any(b.kind == PARAMETER for b in bindings) or any(
            b.kind == ANNOTATION and all(chain[-1] in _CALLABLE_TYPES for chain in b.chains) for b in bindings
        ):
            found.add(name)
    return frozenset(found)


def own_site(site: ResolvedCall, chosen: CallerChosen) -> ResolvedCall | None:
    """``site`` as its function's own call: None for a call of a parameter, without the ``via`` edges to the values
    of a parameter it hands on (its own callee stays: ``requests.post(url, data=body)`` is a request)."""
    if site.span in chosen.calls:
        return None
    if site.span in chosen.hands and any(e in chosen for e in site.edges):
        edges = tuple(e for e in site.edges if e not in chosen)
        return ResolvedCall(site.caller, Range.keyed(site.span), site.text, edges, site.unresolved)
    return site

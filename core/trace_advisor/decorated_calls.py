"""Which decorated function a call runs through the closure its decorator returned.

The call graph gives a call of a decorated function (``incident_service.get(...)``, ``charge(1)``) an edge to the
decorator's closure (``timer.<locals>.wrapper``), and the closure's call of the decorator's parameter (``func(...)``)
edges to every function the decorator is applied to: the graph has one answer per parameter, not per call. The
function a given call runs is the one it names: of the functions the closure may run, those named like the call,
narrowed to the one its receiver names when that is a module the calling code imports (``incident_service`` bound
by ``from dispatch.incident import service as incident_service``: ``dispatch.incident.service:get``, not every
``get`` decorated with ``@timer``) or the calling module itself. The analysis (its I/O), the editor's call hierarchy
and the CLI read the same answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from trace_advisor.caller_chosen import chosen_in
from trace_advisor.datatypes import LOCALS, MODULE_QUALNAME, CallEdge, SpanKey, SymbolId
from trace_advisor.facts.records import CLASS, DEF, FROM, IMPORT, Chain, plain_name
from trace_advisor.resolve.modules import ModuleInfo, absolute_module

CLOSURE = f".{LOCALS}."  # in the qualname of a function defined in another one


def closure_targets(
    info_of: Callable[[str], ModuleInfo | None], callees: Callable[[SymbolId], Iterable[CallEdge]], closure: SymbolId
) -> tuple[SymbolId, ...]:
    """The functions a closure calls through a parameter of the function it is defined in (a decorator's
    ``wrapper`` calling ``func``): what its callers' decorated definitions are."""
    if CLOSURE not in closure:
        return ()
    module, _, qualname = closure.partition(":")
    info = info_of(module)
    chosen = chosen_in(info, qualname) if info is not None else None
    if chosen is None or not chosen.calls:
        return ()
    return tuple(dict.fromkeys(e.callee for e in callees(closure) if e.span in chosen.calls and not e.external))


def runs_through(
    info_of: Callable[[str], ModuleInfo | None],
    callees: Callable[[SymbolId], Iterable[CallEdge]],
    caller: SymbolId,
    target: SymbolId,
    chain: Callable[[], Chain],
) -> tuple[SymbolId, ...]:
    """The decorated functions a call in ``caller`` (written as ``chain()``, read only when ``target`` may run any)
    runs through ``target``, when ``target`` is the closure a decorator returned (:func:`closure_targets` it may run,
    :func:`named_by_call` by this call)."""
    wrapped = closure_targets(info_of, callees, target)
    return named_by_call(info_of, caller, chain(), wrapped) if wrapped else ()


def named_by_call(
    info_of: Callable[[str], ModuleInfo | None], caller: SymbolId, chain: Chain, targets: Iterable[SymbolId]
) -> tuple[SymbolId, ...]:
    """Of ``targets``, those a call written as ``chain`` in ``caller`` names: by the called name, and by the module
    its receiver (or the name itself) is imported from when the calling module says so."""
    if not chain:
        return ()
    name = plain_name(chain[-1])
    named = [t for t in targets if t.rpartition(":")[2].rpartition(".")[2] == name]
    home = _home_module(info_of(caller.partition(":")[0]), chain, name) if named else None
    if home is not None:  # the module it names, or a package re-exporting it from one of its modules
        exact = [t for t in named if t == f"{home}:{name}"]
        return tuple(exact or sorted(t for t in named if t.startswith(f"{home}.")))
    return tuple(sorted(named))


def _home_module(info: ModuleInfo | None, chain: Chain, name: str) -> str | None:
    """The module a call's name is defined in, as the calling module's top-level bindings say: ``alias.name`` with
    ``alias`` a module import, ``name`` imported from a module, or ``name`` defined in the module itself."""
    if info is None:
        return None
    scope = info.scopes.get(MODULE_QUALNAME)
    if scope is None:
        return None
    head = plain_name(chain[0])
    for binding in scope.bindings.get(head, ()):
        if binding.kind == IMPORT and len(chain) == 2:
            return binding.target
        if binding.kind == FROM:
            base = absolute_module(info.name, info.is_package, binding.target, binding.level)
            if base is None:
                continue
            return f"{base}.{binding.name}" if len(chain) == 2 else base
        if len(chain) == 1 and binding.kind in (DEF, CLASS):
            return info.name
    return None


def closure_callees(
    info_of: Callable[[str], ModuleInfo | None],
    callees: Callable[[SymbolId], Iterable[CallEdge]],
    closure: SymbolId,
    runs: Iterable[SymbolId],
) -> tuple[CallEdge, ...]:
    """The closure's calls where a call runs ``runs`` through it: its calls of the decorator's parameter go to
    those only (the call hierarchy at ``incident_service.get(...)``: ``wrapper`` then ``get``, not every function
    ``@timer`` decorates)."""
    module, _, qualname = closure.partition(":")
    info = info_of(module)
    chosen = chosen_in(info, qualname).calls if info is not None else frozenset()
    kept = set(runs)
    return tuple(e for e in callees(closure) if e.span not in chosen or e.callee in kept)


def closure_callers(
    info_of: Callable[[str], ModuleInfo | None],
    callers: Callable[[SymbolId], Iterable[CallEdge]],
    closure: SymbolId,
    runs: Iterable[SymbolId],
) -> tuple[CallEdge, ...]:
    """The calls of the closure that run one of ``runs`` through it (the callers of ``incident.service:get`` among
    those of ``timer``'s ``wrapper``)."""
    wanted = tuple(runs)
    sites: dict[str, dict[SpanKey, Chain | None]] = {}  # module -> packed span -> the call's chain
    found = []
    for edge in callers(closure):
        module = edge.caller.partition(":")[0]
        if module not in sites:
            info = info_of(module)
            sites[module] = {c.loc: c.chain for c in info.facts.calls} if info is not None else {}
        chain = sites[module].get(edge.span)
        if chain and named_by_call(info_of, edge.caller, chain, wanted):
            found.append(edge)
    return tuple(found)

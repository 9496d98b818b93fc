"""Which modules a change can affect: module interfaces and the (reverse) import graph of the workspace."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from trace_advisor.facts.records import (
    CALL,
    DEF,
    FROM,
    IMPORT,
    NEWTYPE,
    TYPEVAR,
    CallSite,
    Chain,
    ModuleFacts,
    Scope,
    plain_name,
)
from trace_advisor.resolve.flow import site_keys
from trace_advisor.resolve.modules import ModuleInfo, absolute_module

_NO_LOC = 0
# bindings other modules read wherever they are: imports (the import graph), type variables and new types (named by
# their scope)
_SEEN_OUTSIDE = frozenset({IMPORT, FROM, TYPEVAR, NEWTYPE})


def same_interface(old: ModuleFacts, new: ModuleFacts) -> bool:
    """Whether other modules can observe a difference: anything but positions and call sites (scopes an edit did not
    touch are the same objects, compared at no cost)."""
    if old.all_names != new.all_names or len(old.scopes) != len(new.scopes):
        return False
    return all(
        a is b or replace(a, loc=_NO_LOC, name_loc=_NO_LOC) == replace(b, loc=_NO_LOC, name_loc=_NO_LOC)
        for a, b in zip(old.scopes, new.scopes, strict=True)
    )


@dataclass(frozen=True, slots=True)
class LocalChange:
    """A change of bindings no other module sees: the functions whose own bindings changed (their calls, and those of
    the definitions nested in them, are resolved again), and the keys (``resolve/flow.py``) of their calls that may
    now pass other values or reach another function (the modules whose parameters read such calls are resolved
    again)."""

    functions: frozenset[str]
    passing: frozenset[str]


def runs_in(scope: str, functions: Iterable[str]) -> bool:
    """Whether the code of ``scope`` runs in one of ``functions`` (is one, or a definition nested in one)."""
    return any(scope == function or scope.startswith(f"{function}.<locals>.") for function in functions)


def local_change(old: ModuleFacts, new: ModuleFacts) -> LocalChange | None:
    """The change when two versions of a module differ (positions and call sites aside) only in the bindings of
    function bodies that no other module can see; else None (an interface change).

    Other modules read a function's own names only when they evaluate what it returns or yields, what it stores on
    ``self``, a definition nested in it (a closure, a returned function) or what its calls pass to their parameters; a
    name bound to a value read from a changed one changes too (``session = client.session()``). Parameters, imports
    and type variables are always seen."""
    if old.all_names != new.all_names or len(old.scopes) != len(new.scopes):
        return None
    changed: dict[str, set[str]] = {}  # function -> its names whose bindings differ
    for a, b in zip(old.scopes, new.scopes, strict=True):
        if a is b:
            continue
        plain_a, plain_b = _unplaced(a), _unplaced(b)
        if plain_a == plain_b:
            continue
        if a.kind != "function" or _outside_view(plain_a) != _outside_view(plain_b):
            return None
        names = {name for name in a.bindings.keys() | b.bindings.keys() if a.bindings.get(name) != b.bindings.get(name)}
        kinds = {binding.kind for name in names for binding in (*a.bindings.get(name, ()), *b.bindings.get(name, ()))}
        if names & set(a.params) or kinds & _SEEN_OUTSIDE:
            return None
        changed.setdefault(a.qualname, set()).update(names)
    keys: set[str] = set()
    old_scopes, new_scopes = old.scope_map(), new.scope_map()
    for function, names in changed.items():
        reached = _reaching(names, [s for facts in (old, new) for s in facts.scopes if s.qualname == function])
        if _seen(function, reached, old) or _seen(function, reached, new):
            return None
        for site in (*old.calls, *new.calls):
            if runs_in(site.scope, changed) and _names_of(_site_chains(site)) & reached:
                keys.update(site_keys(site, old_scopes), site_keys(site, new_scopes))
    return LocalChange(frozenset(changed), frozenset(keys))


def _unplaced(scope: Scope) -> Scope:
    return replace(scope, loc=_NO_LOC, name_loc=_NO_LOC)


def _outside_view(scope: Scope) -> Scope:
    """A function scope without what other modules never read of it: its bindings (told apart by the caller) and,
    when its return annotation decides what it returns, its ``return`` values."""
    if _returns_unread(scope):
        return replace(scope, bindings={}, return_values=())
    return replace(scope, bindings={})


def _returns_unread(scope: Scope) -> bool:
    """Whether no other module reads the function's ``return`` values: its annotation names what it returns and no
    ``Callable`` (``Resolver._returns`` then evaluates the annotation alone; ``_receiver_returns`` only unannotated
    methods), and none of them makes it look like a decorator (returning a parameter, a function defined in it, or
    ``update_wrapper(...)``: ``decorators.receiving_parameter`` and ``decorated_parameter`` read them whatever the
    annotation says). A typed function's body edits, ``return`` lines included, then stay inside its module."""
    if not scope.returns or any(chain[-1] == "Callable" for chain in scope.returns):
        return False
    for chain in scope.return_values:
        if chain[-2:] == ("update_wrapper", CALL):
            return False
        if len(chain) == 1:
            name = plain_name(chain[0])
            if chain[0] in scope.params or name in scope.params:
                return False
            if any(binding.kind == DEF for binding in scope.bindings.get(name, ())):
                return False
    return True


def _reaching(names: set[str], scopes: Iterable[Scope]) -> set[str]:
    """``names`` and the names of ``scopes`` bound to a value read from one of them, at any remove."""
    scopes = list(scopes)
    found = set(names)
    grown = True
    while grown:
        grown = False
        for scope in scopes:
            for name, bindings in scope.bindings.items():
                if name not in found and any(_names_of(binding.chains) & found for binding in bindings):
                    found.add(name)
                    grown = True
    return found


def _seen(function: str, reached: set[str], facts: ModuleFacts) -> bool:
    """Whether something other modules evaluate reads ``reached`` names of ``function``: its return and yield
    values, bindings evaluated in it but held by another scope (``self.client = client``: the class's attribute), the
    definitions nested in it."""
    inner = f"{function}.<locals>."
    for scope in facts.scopes:
        returned = () if _returns_unread(scope) else scope.return_values
        if scope.qualname == function and _names_of((*returned, *scope.yield_values)) & reached:
            return True
        if scope.qualname.startswith(inner) and _scope_names(scope) & reached:
            return True
        for bindings in (*scope.bindings.values(), *scope.attributes.values()):
            if any(binding.scope == function and _names_of(binding.chains) & reached for binding in bindings):
                return True
    return False


def _scope_names(scope: Scope) -> set[str]:
    """The names a scope's evaluation may look up in the scopes around it."""
    held = (*scope.bindings.values(), *scope.attributes.values())
    return _names_of(
        (
            *(chain for bindings in held for binding in bindings for chain in binding.chains),
            *scope.return_values,
            *scope.yield_values,
            *scope.returns,
            *(decorator.chain for decorator in scope.decorators if decorator.chain),
            *(chain for _, chain in scope.defaults),
            *(base for base in scope.bases if base),
        )
    )


def _site_chains(site: CallSite) -> tuple[Chain, ...]:
    return ((site.chain,) if site.chain else ()) + tuple(chain for _, chain in site.args)


def _names_of(chains: Iterable[Chain]) -> set[str]:
    return {plain_name(chain[0]) for chain in chains if chain}


def ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def imports_of(info: ModuleInfo) -> frozenset[str]:
    """Every module ``info`` imports (``from a import b`` counts ``a`` and the possible submodule ``a.b``)."""
    found: set[str] = set()
    for scope in info.facts.scopes:
        for bindings in scope.bindings.values():
            for binding in bindings:
                if binding.kind == IMPORT:
                    found.add(binding.target)
                elif binding.kind == FROM:
                    base = absolute_module(info.name, info.is_package, binding.target, binding.level)
                    if base:
                        found.update((base, f"{base}.{binding.name}"))
        for target, level in scope.star_imports:
            base = absolute_module(info.name, info.is_package, target, level)
            if base:
                found.add(base)
    return frozenset(found)


class Importers:
    """The reverse import graph, kept up to date one module at a time."""

    def __init__(self) -> None:
        self._imports: dict[str, frozenset[str]] = {}
        self._importers: dict[str, set[str]] = {}

    def update(self, module: str, info: ModuleInfo | None) -> None:
        """Record what ``module`` imports now (``info`` None: the module is gone)."""
        for imported in self._imports.pop(module, ()):
            self._importers.get(imported, set()).discard(module)
        found = imports_of(info) if info is not None else frozenset()
        self._imports[module] = found
        for imported in found:
            self._importers.setdefault(imported, set()).add(module)

    def affected_by(self, module: str) -> set[str]:
        """The module and every module importing it or one of its packages, transitively."""
        return self.affected_by_all((module,))

    def affected_by_all(self, modules: Iterable[str]) -> set[str]:
        """These modules and every module importing one of them or one of their packages, transitively."""
        affected = set(modules)
        pending = [*affected, *{package for module in affected for package in ancestors(module)}]
        while pending:
            for importer in self._importers.get(pending.pop(), ()):
                if importer not in affected:
                    affected.add(importer)
                    pending.append(importer)
        return affected

"""Which modules a change can affect: module interfaces and the (reverse) import graph of the workspace."""

from __future__ import annotations

from dataclasses import replace

from trace_advisor.facts.records import FROM, IMPORT, ModuleFacts
from trace_advisor.resolve.modules import ModuleInfo, absolute_module

_NO_LOC = 0


def same_interface(old: ModuleFacts, new: ModuleFacts) -> bool:
    """Whether other modules can observe a difference: anything but positions and call sites (scopes an edit did not
    touch are the same objects, compared at no cost)."""
    if old.all_names != new.all_names or len(old.scopes) != len(new.scopes):
        return False
    return all(
        a is b or replace(a, loc=_NO_LOC, name_loc=_NO_LOC) == replace(b, loc=_NO_LOC, name_loc=_NO_LOC)
        for a, b in zip(old.scopes, new.scopes, strict=True)
    )


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
        affected = {module}
        pending = [module, *ancestors(module)]
        while pending:
            for importer in self._importers.get(pending.pop(), ()):
                if importer not in affected:
                    affected.add(importer)
                    pending.append(importer)
        return affected

"""The workspace's class hierarchy read downwards: which workspace classes derive from a class (for class-hierarchy
edges: ``self.save()`` in a base class also reaches the subclasses' overrides), and the names of its properties."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from trace_advisor.datatypes import SymbolId
from trace_advisor.resolve import values as v
from trace_advisor.resolve.modules import ModuleInfo
from trace_advisor.resolve.values import Value


class Hierarchy:
    """Subclasses of every class, built on first use from the MROs of all workspace classes and dropped whenever
    a module that could change it changed (see :meth:`modules_above`)."""

    def __init__(
        self,
        workspace: Callable[[], Iterable[ModuleInfo]],
        mro: Callable[[SymbolId], tuple[Value, ...]],
    ) -> None:
        self._workspace = workspace
        self._mro = mro
        self._below: dict[SymbolId, tuple[SymbolId, ...]] | None = None
        self._properties: frozenset[str] | None = None

    def clear(self) -> None:
        self._below = None
        self._properties = None

    def property_names(self) -> frozenset[str]:
        """The names of the workspace's properties: an attribute read of any other name runs no getter (checked
        before evaluating the receiver, which for a parameter means reading what every call passes it)."""
        if self._properties is None:
            self._properties = frozenset(
                scope.qualname.rpartition(".")[2]
                for info in self._workspace()
                for scope in info.facts.scopes
                if scope.method_kind == "property"
            )
        return self._properties

    def subclasses(self, cls: SymbolId) -> tuple[SymbolId, ...]:
        """Every workspace class that has ``cls`` in its MRO (``cls`` excluded), sorted."""
        if self._below is None:
            below: dict[SymbolId, set[SymbolId]] = {}
            for info in self._workspace():
                for symbol in classes_of(info):
                    for kind, base in self._mro(symbol)[1:]:
                        if kind == v.CLASS:
                            below.setdefault(base, set()).add(symbol)
            self._below = {base: tuple(sorted(found)) for base, found in below.items()}
        return self._below.get(cls, ())

    def modules_above(self, info: ModuleInfo) -> set[str]:
        """The modules defining classes that ``info``'s classes derive from: their ``self.m()`` calls can reach
        ``info``'s overrides, so they are re-resolved when ``info``'s classes change."""
        return {
            base.partition(":")[0]
            for symbol in classes_of(info)
            for kind, base in self._mro(symbol)[1:]
            if kind == v.CLASS
        }


def classes_of(info: ModuleInfo) -> list[SymbolId]:
    return [f"{info.name}:{scope.qualname}" for scope in info.facts.scopes if scope.kind == "class"]

"""The workspace's class hierarchy read downwards: which workspace classes derive from a class (for class-hierarchy
edges: ``self.save()`` in a base class also reaches the subclasses' overrides), and the names of its properties."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from trace_advisor.datatypes import SymbolId
from trace_advisor.resolve import values as v
from trace_advisor.resolve.modules import ModuleInfo
from trace_advisor.resolve.values import Value

# per module: its classes, each with the workspace classes above it in its MRO
_Above = tuple[tuple[SymbolId, tuple[SymbolId, ...]], ...]


class Hierarchy:
    """Subclasses of every class and the workspace's property names, built on first use from the MROs of all
    workspace classes and kept per module: a module whose resolution changed is read again when next asked (a class
    whose MRO changes is in a module whose resolution changed: it names the class that changed, or imports a module
    that does)."""

    def __init__(
        self,
        workspace: Callable[[], Iterable[ModuleInfo]],
        info_of: Callable[[str], ModuleInfo | None],
        mro: Callable[[SymbolId], tuple[Value, ...]],
    ) -> None:
        self._workspace = workspace
        self._info_of = info_of
        self._mro = mro
        self._above: dict[str, _Above] | None = None
        self._below: dict[SymbolId, tuple[SymbolId, ...]] = {}
        self._stale: set[str] = set()  # modules whose classes' MROs are read again on the next question
        self._property_names: dict[str, frozenset[str]] | None = None  # per module
        self._property_counts: dict[str, int] = {}  # property name -> how many modules define one of that name
        self._unread: set[str] = set()  # modules whose property names are read again
        self._properties: frozenset[str] | None = None

    def clear(self) -> None:
        self._above = None
        self._below = {}
        self._stale.clear()
        self._property_names = None
        self._property_counts.clear()
        self._unread.clear()
        self._properties = None

    def forget(self, modules: Iterable[str]) -> None:
        """These modules' resolution (or facts) changed: their classes are read again on the next question."""
        modules = tuple(modules)
        if self._above is not None:
            self._stale.update(modules)
        if self._property_names is not None:
            for module in modules:
                for name in self._property_names.pop(module, _NONE):
                    self._property_counts[name] -= 1
                    if not self._property_counts[name]:
                        del self._property_counts[name]
                        self._properties = None
                self._unread.add(module)

    def property_names(self) -> frozenset[str]:
        """The names of the workspace's properties: an attribute read of any other name runs no getter (checked
        before evaluating the receiver, which for a parameter means reading what every call passes it)."""
        if self._property_names is None:
            self._property_names = {}
            self._add_properties(self._workspace())
        elif self._unread:
            unread = sorted(self._unread)
            self._unread.clear()
            self._add_properties(info for module in unread if (info := self._info_of(module)) and info.workspace)
        if self._properties is None:
            self._properties = frozenset(self._property_counts)
        return self._properties

    def _add_properties(self, infos: Iterable[ModuleInfo]) -> None:
        assert self._property_names is not None
        for info in infos:
            found = self._property_names[info.name] = _properties_of(info)
            for name in found:
                if name not in self._property_counts:
                    self._property_counts[name] = 0
                    self._properties = None
                self._property_counts[name] += 1

    def subclasses(self, cls: SymbolId) -> tuple[SymbolId, ...]:
        """Every workspace class that has ``cls`` in its MRO (``cls`` excluded), sorted."""
        if self._above is None:
            above: dict[str, _Above] = {}
            below: dict[SymbolId, set[SymbolId]] = {}
            for info in self._workspace():  # (a question asked meanwhile, an MRO reading values, builds it too)
                found = above[info.name] = self._read(info)
                for symbol, bases in found:
                    for base in bases:
                        below.setdefault(base, set()).add(symbol)
            self._above = above
            self._below = {base: tuple(sorted(found)) for base, found in below.items()}
            self._stale.clear()
        elif self._stale:
            self._refresh()
        return self._below.get(cls, ())

    def _refresh(self) -> None:
        assert self._above is not None
        stale = sorted(self._stale)
        self._stale.clear()  # a question asked while reading them (an MRO reads values) sees the hierarchy as it was
        touched: dict[SymbolId, set[SymbolId]] = {}
        for module in stale:
            for symbol, bases in self._above.pop(module, ()):
                for base in bases:
                    self._touch(touched, base).discard(symbol)
        for module in stale:
            info = self._info_of(module)
            if info is None or not info.workspace:
                continue
            found = self._above[module] = self._read(info)
            for symbol, bases in found:
                for base in bases:
                    self._touch(touched, base).add(symbol)
        for base, subclasses in touched.items():
            if subclasses:
                self._below[base] = tuple(sorted(subclasses))
            else:
                self._below.pop(base, None)

    def _touch(self, touched: dict[SymbolId, set[SymbolId]], base: SymbolId) -> set[SymbolId]:
        found = touched.get(base)
        if found is None:
            found = touched[base] = set(self._below.get(base, ()))
        return found

    def _read(self, info: ModuleInfo) -> _Above:
        return tuple(
            (symbol, tuple(base for kind, base in self._mro(symbol)[1:] if kind == v.CLASS))
            for symbol in classes_of(info)
        )

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


def _properties_of(info: ModuleInfo) -> frozenset[str]:
    found = frozenset(
        scope.qualname.rpartition(".")[2] for scope in info.facts.scopes if scope.method_kind == "property"
    )
    return found or _NONE


_NONE: frozenset[str] = frozenset()

"""Classes during resolution: their bases and MRO, and where a class's or an instance's attribute comes from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from trace_advisor.datatypes import SymbolId
from trace_advisor.facts.records import CALL, Binding, Chain, Scope
from trace_advisor.resolve import values as v
from trace_advisor.resolve.external import names_attribute
from trace_advisor.resolve.memo import UNSETTLED, Frames
from trace_advisor.resolve.modules import ModuleInfo, ModuleProvider
from trace_advisor.resolve.mro import linearize
from trace_advisor.resolve.returns import RELATED, descriptor_holds, known_attribute, listed_method, listed_name
from trace_advisor.resolve.values import NOTHING, Value, Values


class Evaluator(Protocol):
    """What class lookups ask the resolver: chains and bindings evaluated, what functions return, memo tables."""

    frames: Frames

    def eval_chain(self, info: ModuleInfo, scope: str, chain: Chain) -> Values: ...

    def eval_bindings(self, info: ModuleInfo, scope: str, bindings: tuple[Binding, ...]) -> Values: ...

    def function_returns(self, function: SymbolId) -> Values: ...

    def table(self, module: str) -> dict[tuple[object, ...], Values]: ...

    def share(self, values: Values) -> Values: ...


class Classes:
    """Class-related answers of one resolver, memoised per module like its other answers."""

    def __init__(self, modules: ModuleProvider, evaluator: Evaluator) -> None:
        self._modules = modules
        self._evaluator = evaluator
        self._mros: dict[str, dict[str, tuple[Value, ...]]] = {}
        # attribute answers per module, class and kind of lookup (instance, skip_first), by name: about 150k on the
        # standard library, kept without a key tuple each
        self._attributes: dict[str, dict[tuple[str, bool, bool], dict[str, Values]]] = {}
        # the classes an instance attribute was found on through their ``__getattr__`` (``getattr_hooks``), since
        # the last ``clear``: only calls on their instances are asked which ``__getattr__`` they run
        self.hooked: set[SymbolId] = set()

    def clear(self) -> None:
        self._mros.clear()
        self._attributes.clear()
        self.hooked.clear()

    def forget(self, modules: Iterable[str]) -> None:
        for module in modules:
            self._mros.pop(module, None)
            self._attributes.pop(module, None)

    def scope_of(self, symbol: SymbolId) -> tuple[ModuleInfo, Scope] | None:
        """The module and scope defining ``symbol`` (None outside readable modules)."""
        module, _, qualname = symbol.partition(":")
        info = self._modules.module_info(module)
        if info is None:
            return None
        scope = info.scopes.get(qualname)
        return (info, scope) if scope is not None else None

    def bases(self, item: Value) -> list[Value]:
        kind, ident = item
        found = self.scope_of(ident) if kind == v.CLASS else None
        if found is None:
            return []
        info, scope = found
        bases: list[Value] = []
        for chain in scope.bases:
            if chain is None:
                continue
            for value in sorted(self._evaluator.eval_chain(info, scope.parent or "<module>", chain)):
                if value[0] in (v.CLASS, v.EXTERNAL) and value not in bases:
                    bases.append(value)
        return bases

    def mro(self, cls: SymbolId) -> tuple[Value, ...]:
        """The C3 linearisation of ``cls`` and its bases (external bases stay as they are named)."""
        module = cls.partition(":")[0]
        table = self._mros.get(module)
        if table is None:
            table = self._mros[module] = {}
        found = table.get(cls)
        if found is None:
            saved = self._evaluator.frames.watch()
            found = linearize((v.CLASS, cls), self.bases)
            if self._evaluator.frames.settled(saved):  # its bases read no value still being computed
                table[cls] = found
        return found

    def attribute(self, cls: SymbolId, name: str, instance: bool, skip_first: bool) -> Values:
        """What ``name`` is on class ``cls`` (``instance``: on its instances, properties evaluated; ``skip_first``:
        from the class after ``cls`` in its MRO, for ``super()``); one external base names it by that base."""
        module = cls.partition(":")[0]
        tables = self._attributes.get(module)
        if tables is None:
            tables = self._attributes[module] = {}
        table = tables.get((cls, instance, skip_first))
        if table is None:
            table = tables[(cls, instance, skip_first)] = {}
        found = table.get(name)
        if found is not None:
            return self._evaluator.frames.seen(found) if type(found) in UNSETTLED else found
        marker = self._evaluator.frames.enter(table, name)
        while True:
            result = self._evaluator.share(self._attribute(cls, name, instance, skip_first))
            if self._evaluator.frames.leave(marker, result):
                return result

    def _attribute(self, cls: SymbolId, name: str, instance: bool, skip_first: bool) -> Values:
        order = self.mro(cls)
        externals: list[str] = []
        result: Values | None = None
        for info, scope in self.scopes_in(order[1:] if skip_first else order, externals):
            bindings = scope.bindings.get(name)
            attributes = scope.attributes.get(name) if instance else None
            if bindings:
                result = self._evaluator.eval_bindings(info, scope.qualname, bindings)
                if instance:
                    result = self._through_descriptors(info, scope, name, result)
                if attributes:  # ``x: T`` declared or ``x = None`` a default, set in methods: either is read
                    result |= self._evaluator.eval_bindings(info, scope.qualname, attributes)
                break
            if attributes:
                result = self._evaluator.eval_bindings(info, scope.qualname, attributes)
                break
        if result is None:
            held = next((h for _, ident in order if (h := known_attribute(ident, name)) is not None), None)
            if held is not None:  # set at run time as the factory table says (a Django model's ``objects`` manager)
                result = frozenset({(v.EXTERNAL_INSTANCE, held)})
            elif len(externals) == 1 and names_attribute(externals[0], name, self._modules):
                result = frozenset({(v.EXTERNAL, listed_name(externals[0], name))})
            elif (listed := listed_method((ident for _, ident in order), name)) is not None:
                result = frozenset({(v.EXTERNAL, listed)})  # made at run time: Django's Manager's QuerySet methods
            elif not externals and name in v.OBJECT_ATTRIBUTES:  # only ``object`` is left to provide it
                result = frozenset({(v.EXTERNAL, f"builtins:object.{name}")})
            elif instance and not skip_first and (hooks := self.getattr_hooks(cls, name)):
                # not found: Python asks the class's ``__getattr__``, and the attribute is what that returns
                result = frozenset().union(*(self._evaluator.function_returns(hook) for hook in sorted(hooks)))
            else:
                result = NOTHING
        elif instance:
            result = self._through_properties(result)
        return result

    def scopes_in(self, order: Sequence[Value], externals: list[str]) -> Iterator[tuple[ModuleInfo, Scope]]:
        """The scopes of the workspace classes of ``order`` (an MRO), in turn; the library classes met on the way
        (not the opaque ones) are added to ``externals``."""
        for kind, ident in order:
            if kind == v.EXTERNAL:
                if ident not in v.OPAQUE_BASES:
                    externals.append(ident)
                continue
            located = self.scope_of(ident)
            if located is not None:
                yield located

    def getattr_hooks(self, cls: SymbolId, name: str) -> tuple[SymbolId, ...]:
        """The ``__getattr__`` methods with source that reading ``name`` on an instance of ``cls`` calls: those its
        MRO finds, when nothing else there defines ``name`` (a class's or a base's binding, ``self.name = ...``, a
        library base that has it, the factory table); none for a special name (``__call__``, ``__iter__``): Python
        looks those up on the type, never through ``__getattr__``."""
        if name[:2] == "__" and name[-2:] == "__":
            return ()
        order = self.mro(cls)
        hooked = False
        externals: list[str] = []
        for _, scope in self.scopes_in(order, externals):
            bindings, attributes = scope.bindings, scope.attributes
            if name in bindings or name in attributes:
                return ()
            hooked = hooked or "__getattr__" in bindings
        if not hooked or any(known_attribute(ident, name) is not None for _, ident in order):
            return ()
        if len(externals) == 1 and names_attribute(externals[0], name, self._modules):
            return ()
        found = self.attribute(cls, "__getattr__", True, False)
        hooks = tuple(sorted(ident for kind, ident in found if kind == v.FUNCTION))
        if hooks:
            self.hooked.add(cls)
        return hooks

    def _through_descriptors(self, info: ModuleInfo, scope: Scope, name: str, values: Values) -> Values:
        """What an instance's attribute holds when its class sets it to ``values``: a descriptor the factory table
        lists gives its value's class instead of itself (a Django model's ``CharField`` a ``str``: the field object
        is never what ``self.name`` is), the model a relation names (``ForeignKey(Customer)``: a ``Customer``), or
        nothing known (a relation named by a string)."""
        if not any(kind in (v.INSTANCE, v.EXTERNAL_INSTANCE) for kind, _ in values):
            return values
        out: set[Value] = set()
        for kind, ident in values:
            held = descriptor_holds(ident) if kind in (v.INSTANCE, v.EXTERNAL_INSTANCE) else None
            if held is None:
                out.add((kind, ident))
            elif held == RELATED:
                out.update(self._related(info, scope, name))
            elif held:
                out.add((v.EXTERNAL_INSTANCE, held))
        return frozenset(out)

    def _related(self, info: ModuleInfo, scope: Scope, name: str) -> Values:
        """An instance of the class a relation field's first argument (or ``to=``) names: ``customer =
        models.ForeignKey(Customer, ...)`` in class ``scope``. Its call is found among the class body's calls of the
        same callee, in the order of the names they bind (one binding each; anything else: not known)."""
        chain = next(iter(scope.bindings[name][-1].chains), None)
        if chain is None or chain[-1] != CALL:
            return NOTHING
        same = [n for n, found in scope.bindings.items() if len(found) == 1 and found[0].chains[:1] == (chain,)]
        sites = [c for c in info.facts.calls if c.scope == scope.qualname and c.chain == chain[:-1] and not c.implicit]
        if name not in same or len(same) != len(sites):
            return NOTHING
        site = sites[same.index(name)]
        target = next((arg for key, arg in site.args if key in ("0", "to")), None)
        if target is None:
            return NOTHING
        found = self._evaluator.eval_chain(info, scope.qualname, target)
        return frozenset(
            (v.INSTANCE if kind == v.CLASS else v.EXTERNAL_INSTANCE, ident)
            for kind, ident in found
            if kind in (v.CLASS, v.EXTERNAL)
        )

    def _through_properties(self, values: Values) -> Values:
        out: set[Value] = set()
        for value in values:
            located = self.scope_of(value[1]) if value[0] == v.FUNCTION else None
            if located is not None and located[1].method_kind == "property":
                out.update(self._evaluator.function_returns(value[1]))
            else:
                out.add(value)
        return frozenset(out)

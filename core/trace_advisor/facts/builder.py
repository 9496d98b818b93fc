"""The mutable scope record the extractor fills while walking a module, frozen into a ``Scope`` at the end."""

from __future__ import annotations

from trace_advisor.datatypes import LOCALS
from trace_advisor.facts.records import ANNOTATION, NO_BINDINGS, VALUE, Binding, Chain, Decorator, Loc, Scope


class ScopeBuilder:
    __slots__ = (
        "qualname",
        "kind",
        "parent",
        "loc",
        "name_loc",
        "bindings",
        "is_async",
        "decorators",
        "bases",
        "params",
        "positional",
        "posonly",
        "defaults",
        "returns",
        "return_values",
        "yield_values",
        "attributes",
        "star_imports",
        "method_kind",
        "declared",
        "globals",
        "self_name",
        "owner",
        "returns_receiver",
        "flow",
        "dead",
        "tracked",
        "unrestricted",
        "sticky",
    )

    def __init__(self, qualname: str, kind: str, parent: ScopeBuilder | None, loc: Loc, name_loc: Loc) -> None:
        self.qualname = qualname
        self.kind = kind
        self.parent = parent
        self.loc = loc
        self.name_loc = name_loc
        self.bindings: dict[str, list[Binding]] = {}
        self.is_async = False
        self.decorators: tuple[Decorator, ...] = ()
        self.bases: tuple[Chain | None, ...] = ()
        self.params: tuple[str, ...] = ()
        self.positional = 0
        self.posonly = 0
        self.defaults: tuple[tuple[str, Chain], ...] = ()
        self.returns: tuple[Chain, ...] = ()
        self.return_values: list[Chain] = []
        self.yield_values: list[Chain] = []
        self.attributes: dict[str, list[Binding]] = {}
        self.star_imports: list[tuple[str, int]] = []
        self.method_kind = ""
        self.declared: set[str] = set()  # names declared ``global``/``nonlocal``: not local bindings
        self.globals: set[str] = set()
        self.self_name: str | None = None  # methods: the name of the instance parameter
        self.owner: ScopeBuilder | None = None  # methods: the class whose attributes ``self.x = ...`` sets
        self.returns_receiver = False
        # reaching definitions while the scope is walked (``facts/reaching.py``): the names bound more than once,
        # each one's provisional head now, whether the code here is reached, the names left plain (``del``,
        # ``nonlocal``/``global`` from a nested function) and the bindings that always reach (annotations)
        self.tracked: frozenset[str] = frozenset()
        self.flow: dict[str, str] = {}
        self.dead = False
        self.unrestricted: set[str] = set()
        self.sticky: dict[str, list[int]] = {}

    def freeze(self) -> Scope:
        return Scope(
            qualname=self.qualname,
            kind=self.kind,
            parent=self.parent.qualname if self.parent else None,
            loc=self.loc,
            name_loc=self.name_loc,
            bindings={name: tuple(found) for name, found in self.bindings.items()} if self.bindings else NO_BINDINGS,
            is_async=self.is_async,
            decorators=self.decorators,
            bases=self.bases,
            params=self.params,
            positional=self.positional,
            posonly=self.posonly,
            defaults=self.defaults,
            returns=self.returns,
            return_values=tuple(self.return_values),
            yield_values=tuple(self.yield_values),
            attributes={name: tuple(found) for name, found in self.attributes.items()}
            if self.attributes
            else NO_BINDINGS,
            star_imports=tuple(self.star_imports),
            method_kind=self.method_kind,
            returns_receiver=self.returns_receiver,
        )


def child_qualname(parent: ScopeBuilder, name: str) -> str:
    if parent.kind == "module":
        return name
    if parent.kind == "class":
        return f"{parent.qualname}.{name}"
    return f"{parent.qualname}.{LOCALS}.{name}"


def with_scope(binding: Binding, scope: ScopeBuilder) -> Binding:
    if binding.kind in (VALUE, ANNOTATION) and not binding.scope:
        return Binding(binding.kind, binding.target, binding.name, binding.level, binding.chains, scope.qualname)
    return binding

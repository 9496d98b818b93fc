"""Turn a module's scopes into the shared ``Definition`` values (functions, methods, classes, the module body)."""

from __future__ import annotations

from trace_advisor.datatypes import Definition, DefinitionKind, Range
from trace_advisor.facts.records import LAMBDA_KIND, ModuleFacts, Scope


def definition_kind(scope: Scope, scopes: dict[str, Scope]) -> DefinitionKind:
    if scope.kind == "module":
        return "module"
    if scope.kind == "class":
        return "class"
    if scope.kind == LAMBDA_KIND:
        return "lambda"
    parent = scopes.get(scope.parent) if scope.parent else None
    return "method" if parent is not None and parent.kind == "class" else "function"


def definition_of(scope: Scope, kind: DefinitionKind, module: str, file: str) -> Definition:
    """The definition of one scope of ``module`` (in ``file``), of kind ``kind`` (:func:`definition_kind`)."""
    return Definition(
        symbol=f"{module}:{scope.qualname}",
        kind=kind,
        file=file,
        range=Range.packed(scope.loc),
        name_range=Range.packed(scope.name_loc),
        is_async=scope.is_async,
    )


def definitions_of(facts: ModuleFacts, module: str, file: str) -> tuple[Definition, ...]:
    """Every scope's definition in source order, except that ``@overload`` stubs come after the other definitions of
    their name: where a symbol is (the first definition of it is taken: a property's getter before its setter) is
    the function that runs, not the first of its typing stubs."""
    scopes = facts.scope_map()
    ordered = sorted(facts.scopes, key=_is_overload)  # stable: source order within each group
    return tuple(definition_of(scope, definition_kind(scope, scopes), module, file) for scope in ordered)


def _is_overload(scope: Scope) -> bool:
    return any(d.chain is not None and d.chain[-1] == "overload" for d in scope.decorators)

"""What resolution needs to know about modules, supplied by the index (facts loaded lazily, never imported)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from trace_advisor.facts.records import ModuleFacts, Scope


@dataclass(slots=True)
class ModuleInfo:
    """A module whose source is available: a workspace file or a file on a search path (site-packages)."""

    name: str
    facts: ModuleFacts
    is_package: bool
    workspace: bool
    file: str
    scopes: dict[str, Scope] = field(default_factory=dict)
    # its functions' calls whose targets their callers choose, worked out when first asked (caller_chosen.chosen_in,
    # which owns the values' type: resolution never reads them)
    chosen: Mapping[str, object] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.scopes:
            self.scopes = self.facts.scope_map()


class ModuleProvider(Protocol):
    def module_info(self, name: str) -> ModuleInfo | None:
        """Facts of a module with source on the search paths (workspace first); None otherwise."""

    def workspace_modules(self) -> tuple[str, ...]:
        """Every workspace module's name (not search-path modules), sorted."""

    def workspace_read(self) -> bool:
        """Whether every workspace file has been read (so a question about all of them reads nothing more)."""

    def module_exists(self, name: str) -> bool:
        """Whether ``name`` is a module or package anywhere: search paths, namespace folders or the stdlib."""

    def stdlib_exports(self, module: str) -> frozenset[str]:
        """The names ``from <stdlib module> import *`` binds (its ``__all__``, else its public names)."""

    def stdlib_literal(self, symbol: str) -> str | None:
        """The builtin type (``dict``) of a stdlib module's name bound only to literal displays or comprehensions
        (``http.client:responses``, a dict of status phrases); None otherwise."""

    def is_external_class(self, symbol: str) -> bool | None:
        """Whether an import-path symbol (``subprocess:Popen``, ``builtins:dict``) names a class in the stdlib;
        None when no source says (not a stdlib module)."""

    def external_class_attributes(self, symbol: str) -> frozenset[str] | None:
        """The attributes of a stdlib or builtin class (``subprocess:Popen``, ``socket:socket``: its source, or the
        light C module defining it); None when nothing says (not a stdlib class, or one that answers any name)."""


def absolute_module(current: str, is_package: bool, target: str, level: int) -> str | None:
    """Resolve ``from <level dots><target> import ...`` written in module ``current``; None if it escapes the top."""
    if level == 0:
        return target
    parts = current.split(".")
    if not is_package:
        parts = parts[:-1]
    drop = level - 1
    if drop > len(parts) or (drop == len(parts) and not target):
        return None
    base = parts[: len(parts) - drop]
    joined = ".".join(base)
    if target:
        return f"{joined}.{target}" if joined else target
    return joined or None

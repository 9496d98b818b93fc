"""Which attributes a standard-library class has, read from the stdlib's own source (the class body, ``self.x``
stores, its bases) or, for a class a light C module defines (``socket.socket`` derives from ``_socket.socket``), from
that module in the running interpreter (as builtins are read: ``resolve/external.py``). Issue 13, S9: an attribute of a
stdlib instance is named only when its class has it.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import sys
from collections.abc import Callable
from typing import NamedTuple

from trace_advisor.facts import ModuleFacts
from trace_advisor.facts.records import CLASS, FROM, IMPORT, Chain
from trace_advisor.resolve.modules import absolute_module

# a class answering any attribute: what it has cannot be listed
_DYNAMIC = frozenset({"__getattr__", "__getattribute__"})


class StdlibSource(NamedTuple):
    """How the stdlib's source is read: a module's facts (None without source: a C module, or not the stdlib) and
    whether it is a package."""

    facts_of: Callable[[str], ModuleFacts | None]
    is_package: Callable[[str], bool]


class StdlibClasses:
    """Attribute names of stdlib classes, memoised per class (``None``: nothing says, e.g. a class with
    ``__getattr__``, a base that is not a plain name, or a name that is not a class). The reader is passed in with
    each question, not kept: the index owning this table holds no reference cycle through it."""

    def __init__(self) -> None:
        self._found: dict[str, frozenset[str] | None] = {}

    def attributes(self, symbol: str, source: StdlibSource) -> frozenset[str] | None:
        """The attributes of the class ``symbol`` (``subprocess:Popen``, ``sqlite3:Connection``), None when nothing
        says what they are."""
        if symbol not in self._found:
            self._found[symbol] = None  # while it is read: a class deriving from itself through imports says nothing
            module, _, qualname = symbol.partition(":")
            self._found[symbol] = self._attributes(module, qualname, source)
        return self._found[symbol]

    def _of(self, found: tuple[str, str] | None, source: StdlibSource) -> frozenset[str] | None:
        return self.attributes(f"{found[0]}:{found[1]}", source) if found is not None else None

    def _attributes(self, module: str, qualname: str, source: StdlibSource) -> frozenset[str] | None:
        if module == "builtins":
            return _runtime_class(builtins, qualname)
        facts = source.facts_of(module)
        if facts is None:
            return _c_module_class(module, qualname)
        scopes = facts.scope_map()
        scope = scopes.get(qualname)
        if scope is None:
            if "." in qualname:
                return None
            return self._of(self._named(module, facts, (qualname,), source), source)
        if scope.kind != "class":
            return None
        names = {*scope.bindings, *scope.attributes}
        if names & _DYNAMIC:
            return None
        for base in scope.bases or (("object",),):
            if base is None:
                return None
            inherited = self._of(self._named(module, facts, base, source), source)
            if inherited is None:
                return None
            names.update(inherited)
        return frozenset(names)

    def _named(
        self, module: str, facts: ModuleFacts, chain: Chain, source: StdlibSource, seen: frozenset[str] = frozenset()
    ) -> tuple[str, str] | None:
        """The module and qualname a module-level name chain (a base, a re-exported name) stands for, when its
        module's source says so plainly: a class of the module, ``from x import C``, ``import m`` then ``m.C``, a
        star import that provides it, or a builtin."""
        top = facts.scopes[0]
        head, rest = chain[0], chain[1:]
        bindings = top.bindings.get(head)
        if not bindings:
            for target, level in top.star_imports:
                base = absolute_module(module, source.is_package(module), target, level)
                if base is not None and (base_facts := source.facts_of(base)) is None:
                    if _c_module_class(base, ".".join(chain)) is not None:
                        return base, ".".join(chain)
                elif base is not None and base_facts is not None and base not in seen:
                    found = self._named(base, base_facts, chain, source, seen | {module})
                    if found is not None:
                        return found
            return ("builtins", ".".join(chain)) if hasattr(builtins, head) else None
        if len(bindings) != 1:
            return None  # bound more than once (``try: from _x import C`` / ``except ImportError: class C``)
        binding = bindings[0]
        if binding.kind == CLASS:
            return module, ".".join((binding.target, *rest))
        if binding.kind == FROM:
            origin = absolute_module(module, source.is_package(module), binding.target, binding.level)
            return (origin, ".".join((binding.name, *rest))) if origin is not None else None
        if binding.kind == IMPORT and binding.target == head and len(rest) == 1:
            return binding.target, rest[0]
        return None


# The C modules read in the running interpreter: light ones behind the stdlib's I/O, processes and data classes (what
# the analyser's own process has loaded does not matter: the same modules are read, or not, in every process). Not
# the others: ``_tkinter`` loads Tcl/Tk, ``_asyncio`` all of asyncio, ``_curses`` and ``readline`` their libraries
# (the stdlib's own C classes the factory table lists, ``sqlite3``'s, need none).
_C_MODULES = frozenset(
    {
        "_io", "_socket", "select", "mmap", "_queue", "_thread", "_multiprocessing", "_posixsubprocess", "fcntl",
        "termios", "resource", "zlib", "_bz2", "_lzma", "_hashlib", "_json", "_pickle", "_csv", "_struct",
        "_datetime", "_collections", "array", "_random", "_heapq", "_bisect", "_functools", "_operator",
        "itertools", "math", "time", "binascii", "_codecs", "_weakref", "_abc", "_signal", "_stat", "posix", "pyexpat",
    }
)  # fmt: skip


def _c_module_class(module: str, qualname: str) -> frozenset[str] | None:
    """A class a C module of the stdlib that :data:`_C_MODULES` lists defines (``_socket.socket``), as the running
    interpreter has it (importing a C extension runs no Python code); None for any other module."""
    if module not in _C_MODULES:
        return None
    if module not in sys.modules:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            return None
        origin = spec.origin if spec is not None else None
        if origin != "built-in" and not (origin or "").endswith((".so", ".pyd")):
            return None
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - a module this platform lacks: nothing says
            return None
    return _runtime_class(sys.modules[module], qualname)


def _runtime_class(owner: object, qualname: str) -> frozenset[str] | None:
    found = owner
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return frozenset(dir(found)) if isinstance(found, type) else None

"""Which attributes of code without source resolution names (issue 13, S9: no made-up names).

An attribute of something without source is named by its import path (``requests:Session.get``) only when nothing
says the name is made up: a builtin is looked up on the analyser's own ``builtins`` module (``Exception.new_url``
does not exist, and ``e.__traceback__.tb_frame`` is an attribute of a value whose class is not known: the descriptor
``Exception.__traceback__`` has none), and a value a stdlib class holds (``Popen.stdout``, ``Thread.name``, a method)
has no attributes resolution knows; a stdlib class has the attributes its source gives it (its body, ``self.x``
stores, its bases) or, for a class a light C module defines (``_socket.socket``), that module in the running
interpreter (``stdlib_classes.py``): ``proc.made_up()`` is unresolved. A class the factory table lists
(``resolve/returns.py``: ``redis:Pipeline``, ``psycopg:Connection``, sqlite3's C ``Connection``) has the methods it
lists, and nothing else.
Without any source or table entry (a package that is not installed) names stay as written.
"""

from __future__ import annotations

import builtins

from trace_advisor.resolve.modules import ModuleProvider
from trace_advisor.resolve.returns import known_class

_MISSING = object()
_TYPING_MODULES = frozenset({"typing", "typing_extensions"})


def names_attribute(ident: str, name: str, modules: ModuleProvider) -> bool:
    """Whether ``<ident>.<name>`` may be named, ``ident`` being an import-path symbol (``builtins:str``,
    ``subprocess:Popen.stdout``) of a class, an instance's class or an attribute."""
    module, _, qualname = ident.partition(":")
    if module == "builtins":
        found = _builtin(qualname)
        return found is not _MISSING and hasattr(found, name)
    owner, dot, _ = qualname.partition(".")
    if module in _TYPING_MODULES and modules.is_external_class(f"{module}:{owner}") is not True:
        return False  # a special form (``Callable``, ``Any``): what a value annotated with it has is not known
    listed = known_class(ident)
    if listed is not None:  # a class the factory table lists: its methods
        return name in listed.methods
    if dot and any(known_class(f"{module}:{outer}") is not None for outer in _outer_names(qualname)):
        return False  # what a method of such a class is, or returns when the table does not say: not known
    if dot and modules.is_external_class(ident) is not True:
        # a value a stdlib class holds (a method, an attribute): what it has is not known
        owner_symbol = f"{module}:{owner}"
        return not (
            modules.is_external_class(owner_symbol) is True
            or modules.external_class_attributes(owner_symbol) is not None
        )
    # a stdlib class (or an instance of one) has what its source, or the light C module defining it, says it has
    attributes = modules.external_class_attributes(ident)
    return attributes is None or name in attributes


def _outer_names(qualname: str) -> list[str]:
    """``a.b.c`` -> ``a``, ``a.b``."""
    parts = qualname.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def _builtin(qualname: str) -> object:
    found: object = builtins
    for part in qualname.split("."):
        found = getattr(found, part, _MISSING)
        if found is _MISSING:
            return _MISSING
    return found

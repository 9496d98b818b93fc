"""Which attributes of code without source resolution names (issue 13, S9: no made-up names).

An attribute of something without source is named by its import path (``requests:Session.get``) only when nothing
says the name is made up: a builtin is looked up on the analyser's own ``builtins`` module (``Exception.new_url``
does not exist, and ``e.__traceback__.tb_frame`` is an attribute of a value whose class is not known: the descriptor
``Exception.__traceback__`` has none), and a value a stdlib class holds (``Popen.stdout``, ``Thread.name``, a method)
has no attributes resolution knows. A class the factory table lists (``resolve/returns.py``: ``redis:Pipeline``,
``psycopg:Connection``) has the methods it lists, and nothing else. Without any source or table entry (a package that
is not installed) names stay as written.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable

from trace_advisor.resolve.returns import known_class

_MISSING = object()


def names_attribute(ident: str, name: str, is_class: Callable[[str], bool | None]) -> bool:
    """Whether ``<ident>.<name>`` may be named, ``ident`` being an import-path symbol (``builtins:str``,
    ``subprocess:Popen.stdout``) of a class, an instance's class or an attribute; ``is_class`` says whether a symbol
    names a stdlib or builtin class (None when no source says)."""
    module, _, qualname = ident.partition(":")
    if module == "builtins":
        found = _builtin(qualname)
        return found is not _MISSING and hasattr(found, name)
    owner, dot, _ = qualname.partition(".")
    listed = known_class(f"{module}:{owner}")
    if listed is not None:  # a class the factory table lists: its methods; what they hold is not known
        return not dot and name in listed.methods
    if not dot:
        return True
    # an attribute of a stdlib class: its attributes are known only when it is a class itself (a nested class)
    return is_class(f"{module}:{owner}") is not True or is_class(ident) is True


def _builtin(qualname: str) -> object:
    found: object = builtins
    for part in qualname.split("."):
        found = getattr(found, part, _MISSING)
        if found is _MISSING:
            return _MISSING
    return found

"""The abstract values resolution computes for an expression: modules, classes, functions, instances, externals."""

from __future__ import annotations

from typing import Final

# A value is (kind, name). Small tuples keep memo tables compact and hashing cheap.
Value = tuple[str, str]
Values = frozenset[Value]

MODULE: Final = "module"  # name: dotted module name (indexed, on a search path, or only known by its import path)
CLASS: Final = "class"  # name: symbol id of a class whose source is indexed or on a search path
FUNCTION: Final = "function"  # name: symbol id of a function or method
INSTANCE: Final = "instance"  # name: symbol id of the class
EXTERNAL: Final = "external"  # name: import-path symbol id of something whose source is not available
EXTERNAL_INSTANCE: Final = "external_instance"  # name: import-path symbol id of its class (from an annotation)
SUPER: Final = "super"  # name: symbol id of the class whose ``super()`` this is

NOTHING: Values = frozenset()

# Annotation bases that say nothing about which methods exist.
OPAQUE_BASES = frozenset(
    {
        "builtins:object",
        "abc:ABC",
        "typing:Generic",
        "typing:Protocol",
        "typing_extensions:Protocol",
        "typing:NamedTuple",
        "typing:TypedDict",
    }
)

# Well-known attributes of stdlib modules that are modules themselves but not files of that package.
STDLIB_MODULE_ATTRIBUTES = frozenset({"os.path"})

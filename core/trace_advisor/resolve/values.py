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
CONTEXT: Final = "context"  # name: symbol id of a @contextmanager function; this is what calling it returns
ENTER: Final = "enter"  # name: as CONTEXT; its ``__enter__``, which returns what the function yields
TYPEVAR: Final = "typevar"  # name: "module:scope:T" of a ``T = TypeVar(...)``; as an annotation, its bound
# name: "module:scope:X" of a ``X = NewType("X", B)``: as an annotation an instance of B; calling it constructs
# nothing (it returns its argument: the result is read as a B)
NEWTYPE: Final = "newtype"

ELEMENTS: Final = "elements"  # name: symbol id of a class; a collection of its instances
EXTERNAL_ELEMENTS: Final = "external_elements"  # name: import-path symbol id of a class; a collection of instances
FUNCTIONS: Final = "functions"  # name: symbol id of a function; a collection holding it (``(a, b)``, a dispatch table)
CLASSES: Final = "classes"  # name: symbol id of a class; a collection holding the class itself
# name: "<method> <collection kind> <symbol id>": a method of one of the collections above that gives its elements
# (``HANDLERS.get``, ``.pop``, ``.setdefault``: an element, or the default passed; ``.values``, ``.copy``: the same
# collection). Calling it is no edge: the call reaches the collection's class's method (``builtins:dict.get``)
HELD_METHOD: Final = "held_method"
# the methods of a collection that give its elements (``d.get(k, default)``: an element, or the default) ...
ELEMENT_METHODS: Final = frozenset({"get", "pop", "setdefault"})
# ... and the ones that give the collection again
COLLECTION_METHODS: Final = frozenset({"values", "copy"})

CONTEXT_MANAGER_DECORATORS = frozenset({"contextmanager", "asynccontextmanager"})

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

# Attributes every class has through ``object`` (``super().__init__()`` in a class without bases).
OBJECT_ATTRIBUTES = frozenset(name for name in dir(object) if name.startswith("__"))

# typing's aliases of builtin and collections classes: ``x: List[str]`` is a ``builtins:list``.
TYPING_ALIASES = {
    f"{module}:{alias}": target
    for module in ("typing", "typing_extensions")
    for alias, target in {
        "List": "builtins:list",
        "Dict": "builtins:dict",
        "Set": "builtins:set",
        "FrozenSet": "builtins:frozenset",
        "Tuple": "builtins:tuple",
        "Text": "builtins:str",
        "DefaultDict": "collections:defaultdict",
        "Deque": "collections:deque",
        "OrderedDict": "collections:OrderedDict",
        "Counter": "collections:Counter",
        "Pattern": "re:Pattern",
        "Match": "re:Match",
    }.items()
}

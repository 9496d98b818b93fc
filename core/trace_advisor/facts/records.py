"""The frozen per-module facts (scopes, bindings, call sites) that resolution works from; they depend only on the text.

Facts never hold module names or paths, so one cached entry serves every file with the same content. Positions
(``Loc``) are ``(line, column, end_line, end_column)`` with 1-based lines and 0-based character columns, packed into
one int (``datatypes.pack_span``: below 2**60 for lines below 2**17 and columns below 2**13, 32 bytes each; such keys
order like their tuples): a module's facts hold two per call site and per scope, which as tuples were a sixth of the
index's memory. ``loc_parts`` unpacks one; ``Range.packed`` makes it a range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from trace_advisor.datatypes import pack_span, unpack_span
from trace_advisor.slotted import fast_init

Loc = int  # a packed (line, column, end_line, end_column)
Pos = tuple[int, int, int, int]  # the same, unpacked
loc_of: Final = pack_span
loc_parts: Final = unpack_span
# An expression that resolution can follow: a name, then attribute names, with CALL marking "the result of calling
# what came before": ``Repository.in_memory().save`` is ("Repository", "in_memory", "()", "save").
Chain = tuple[str, ...]
CALL: Final = "()"
# Collections in binding chains. ELEMENT ends a chain for "an element of" it (``for x in items``); ELEMENTS_OF
# ends an annotation chain for "a collection of instances of" a class (``list[Order]``); VALUES_OF ends a value chain
# for "a collection of" the values it evaluates to (``[Worker() for ...]``).
ELEMENT: Final = "[]"
ELEMENTS_OF: Final = "[*]"
VALUES_OF: Final = "[v]"
# KEY follows the CALL of a factory keyed by its first argument, a literal (``boto3.client("s3")`` is ("boto3",
# "client", "()", "=s3")): resolution reads what the factory's class becomes for that key (``resolve/returns.py``), and
# passes any other value on unchanged. KEYED_FACTORIES are the callee names whose literal is kept.
KEY: Final = "="
KEYED_FACTORIES: Final = frozenset({"client", "resource"})
# KEY_NAME after KEY: the factory's argument is that name (``boto3.client(SERVICE)`` is (..., "()", "=$SERVICE")); its
# key is each literal the name's bindings hold (a short literal string's value chain keeps it: ("<str>", "=s3")), and
# not known when one of them holds anything else (a parameter, a call's result)
KEY_NAME: Final = "$"
# CLASS_OF ends an annotation chain for "the class itself" (``type[Order]``: calling it constructs an Order).
CLASS_OF: Final = "[cls]"
# ITEM: "an item of" what came before, looked up by a key or index (``HANDLERS[kind]``, ``steps[0]``): any of a
# collection's elements (a literal key is a SELECT part before it), or what the class's ``__getitem__`` returns.
ITEM: Final = "[k]"
# Container slots (issue 13, S5). A literal key is written ``repr``-like (``'a'``, ``1``: ``1`` is not ``"1"``):
# - VALUES_OF followed by a key (``[v]'a'``) ends a value chain for "a collection holding it under that key" (a dict
#   display's ``"a": on_a``, a tuple's element ``0``); a plain VALUES_OF holds it under any key;
# - SELECT followed by a key, just before ITEM (``("d", "[=]'a'", "[k]")`` for ``d["a"]``): keep the slots of that key
#   (and those under any key); when no slot has it, every slot;
# - CLEARED followed by a key: the collection without the slots of that key (``d["a"] = f2`` replaces ``d``'s slot);
# - SLOTS: the collections in what came before, with their keys (not what else it is: ``dict(x)`` is a dict, whatever
#   ``x`` is);
# - UNKEYED: the collections in what came before, their keys forgotten (``list(x)``, ``[*x]``, ``first, *rest = x``);
# - SLICE: as UNKEYED, and a builtin sequence stays what it is (``steps[1:]``, ``text[1:]``);
# - OR: what came before, or what the rest of the chain evaluates to in the same scope (``getattr(obj, "name",
#   default)``: the attribute, or the default; an attribute of code without source that nothing checks is left out,
#   as the default says the attribute may be missing).
SELECT: Final = "[=]"
CLEARED: Final = "[-]"
SLOTS: Final = "[s]"
UNKEYED: Final = "[u]"
SLICE: Final = "[:]"
OR: Final = "[|]"
# CAST follows the callee of a call that may be ``typing.cast(T, value)`` (a callee named ``cast`` given a type first),
# then the length of T's annotation chain, then that chain: ``cast(Client, v).run`` is ("cast", "[as]", "1", "Client",
# "run"). Resolution reads it as an instance of T when the callee is ``typing.cast`` or ``typing_extensions.cast``
# (through imports and aliases), else as the call's result, (..., "()", "run") (``ctypes.cast``, a function of one's
# own named ``cast``).
CAST: Final = "[as]"
MAX_KEY: Final = 60  # longer literal keys are not kept (any key)


# LAMBDA starts a value chain for a lambda expression, followed by the qualname of the lambda's own scope (``lambda:
# Client(url)`` in ``f`` is (LAMBDA, "f.<locals>.<lambda1>")): a function of the module, whose scope has the kind
# LAMBDA_KIND, numbered per enclosing scope in source order (``<lambda1>``, ``<lambda2>``, as PyCG names them).
LAMBDA: Final = "[lambda]"
LAMBDA_KIND: Final = "lambda"
# MODULE_PATH starts an annotation chain that names a module by its import path, then what is in it, whether or not the
# scope imports it: a type a docstring writes as ``hvac.adapters.Adapter`` is (MODULE_PATH, "hvac", "adapters",
# "Adapter") (``facts/doctypes.py``)
MODULE_PATH: Final = "[module]"
FUNCTION_KINDS: Final = frozenset({"function", LAMBDA_KIND})  # scopes with parameters, calls and return values

# REACHING in a chain's head names the bindings of a name that reach that use, by their index among the scope's
# bindings of the name: ``h = ping; h = pong; h()`` is the call ("h#1",). Only where the scope binds the name and
# fewer than all of its bindings reach (straight-line code of one scope: ``facts/flow.py``); a plain name (a use
# from another scope, a ``global``/``nonlocal`` or ``del``eted name) reads every binding.
REACHING: Final = "#"


def plain_name(head: str) -> str:
    """A chain head as written: ``h`` for ``h#1`` (and for ``h``)."""
    return head.partition(REACHING)[0]


# Binding kinds: what a name in a scope is bound to (every binding of the name, unless a head says which reach).
DEF: Final = "def"  # a function defined in this module: ``target`` is its qualname
CLASS: Final = "class"  # a class defined in this module: ``target`` is its qualname
IMPORT: Final = "import"  # ``import a.b as c``: ``target`` is the module "a.b" (``import a.b`` binds "a" to "a")
FROM: Final = "from"  # ``from .x import y``: ``target`` is "x", ``level`` 1, ``name`` "y"
VALUE: Final = "value"  # ``x = <chain>``: the value of ``chains[0]`` evaluated in ``scope``
ANNOTATION: Final = "annotation"  # ``x: T`` or a parameter ``x: T`` (``target``: its name): an instance of ``chains``
SELF: Final = "self"  # first parameter of a method: an instance of the enclosing class
CLS: Final = "cls"  # first parameter of a classmethod: the enclosing class itself
ALIAS: Final = "alias"  # ``X = Optional[T]``, ``X: TypeAlias = ...``: the classes ``chains`` (annotation chains) name
TYPEVAR: Final = "typevar"  # ``T = TypeVar("T", bound=B)``: ``target`` is "T"; ``chains`` its bound or constraints
NEWTYPE: Final = "newtype"  # ``X = NewType("X", B)``: ``target`` is "X"; ``chains`` its base (an annotation chain)
# an unannotated parameter: ``target`` is its name (what pytest passes a test is known); ``chains``: the classes its
# docstring gives it (``:type client: Adapter``), as annotation chains evaluated in ``scope``
PARAMETER: Final = "parameter"
# ``if isinstance(x, T):`` in the arm where it holds: ``chains[0]`` is ``x`` as it reached the test, the others the
# classes ``T`` names (annotation chains): the values of ``x`` that may be a ``T``, else an instance of ``T``
NARROWED: Final = "narrowed"
UNKNOWN: Final = "unknown"  # bound to something resolution cannot follow (loop variable, tuple unpacking...)


# Decorators that only declare something: no call edge, and applying them leaves the function as it is.
DECLARATIVE_DECORATORS: Final = frozenset(
    {
        "staticmethod",
        "classmethod",
        "property",
        "setter",
        "getter",
        "deleter",
        "abstractmethod",
        "overload",
        "override",
        "final",
        "cached_property",
        "wraps",
        "total_ordering",
        "runtime_checkable",
    }
)


@fast_init
@dataclass(frozen=True, slots=True)
class Binding:
    kind: str
    target: str = ""
    name: str = ""
    level: int = 0
    chains: tuple[Chain, ...] = ()
    scope: str = ""  # qualname of the scope ``chains`` are evaluated in ("" = the scope holding the binding)


# one shared empty mapping for the scopes that bind nothing or set no ``self.x`` (most of them): not a dict each
NO_BINDINGS: Final[Mapping[str, tuple[Binding, ...]]] = MappingProxyType({})


@fast_init
@dataclass(frozen=True, slots=True)
class Decorator:
    text: str
    chain: Chain | None


@fast_init
@dataclass(frozen=True, slots=True)
class Scope:
    """The module body, a class body, a function body or a lambda."""

    qualname: str  # "<module>", "Cls", "Cls.method", "outer.<locals>.inner", "outer.<locals>.<lambda1>"
    kind: str  # "module" | "class" | "function" | "lambda" (its ``loc`` the lambda, ``name_loc`` its keyword)
    parent: str | None  # the enclosing scope's qualname (None for the module)
    loc: Loc  # whole definition, decorators included
    name_loc: Loc
    bindings: Mapping[str, tuple[Binding, ...]]
    is_async: bool = False
    decorators: tuple[Decorator, ...] = ()
    bases: tuple[Chain | None, ...] = ()  # classes: one per base expression (None when it is not a plain chain)
    params: tuple[str, ...] = ()  # functions: parameter names in order
    # functions: how many of ``params`` are positional (``posonly`` of them positional-only); the rest are ``*args``,
    # keyword-only and ``**kwargs``
    positional: int = 0
    posonly: int = 0
    # functions: (parameter, chain) of each default value that is a name or attribute chain (evaluated in the parent)
    defaults: tuple[tuple[str, Chain], ...] = ()
    returns: tuple[Chain, ...] = ()  # functions: the return annotation's classes
    return_values: tuple[Chain, ...] = ()  # functions: ``return <chain>`` expressions (used when not annotated)
    yield_values: tuple[Chain, ...] = ()  # functions: ``yield <chain>`` (what a @contextmanager's ``with`` binds)
    attributes: Mapping[str, tuple[Binding, ...]] = field(default_factory=dict)  # classes: ``self.x = ...``
    star_imports: tuple[tuple[str, int], ...] = ()  # (module, level) of ``from m import *`` in this scope
    method_kind: str = ""  # "", "static", "class", "property"
    # methods: ``def m(self: T) -> T``, ``def m(cls: type[T]) -> T`` or ``-> Self``: a call returns its receiver (when
    # the annotation is a TypeVar or Self; resolution checks which)
    returns_receiver: bool = False


# Calls Python makes without a call expression (``CallSite.implicit``):
APPLY: Final = "decorator"  # ``@route("/x")`` applies ``route("/x")``'s result to the function (``loc`` from the ``@``)
ENTER_EXIT: Final = "with"  # ``with cm:``: ``__enter__`` and ``__exit__`` (``loc`` from ``with`` to the item's end)
ASYNC_ENTER_EXIT: Final = "async with"  # ``__aenter__`` and ``__aexit__``
ITERATE: Final = "for"  # ``for x in it`` / ``yield from it``: ``__iter__``, then the iterator's ``__next__``
ASYNC_ITERATE: Final = "async for"  # ``__aiter__``, then ``__anext__``
RAISE: Final = "raise"  # ``raise Cls``: constructs ``Cls`` (``__init__``)
# ``obj.attr`` read (not called): runs the getter when ``attr`` is a property (``loc``: the attribute expression)
READ: Final = "read"


@fast_init
@dataclass(frozen=True, slots=True)
class CallSite:
    scope: str  # qualname of the enclosing scope (decorators and defaults belong to the defining scope)
    chain: Chain | None  # None when the callee is not a followable expression (``handlers[0]()``)
    text: str  # the callee expression as written (normalised for chains): ``self.repo.save``
    loc: Loc  # the whole call expression
    name_loc: Loc  # the called name: ``save`` in ``self.repo.save(x)`` (the whole callee when it has no name)
    # the arguments resolution can follow (names, attribute chains, calls: ``f(Repo(), op=q.flush)``), by position
    # ("0", up to a ``*spread``) or keyword (not ``**spread``); a key appears once per chain the argument may be
    # (``a if c else b``). What parameters receive (``resolve/flow.py``) and what ``sorted(key=f)`` calls
    args: tuple[tuple[str, Chain], ...] = ()
    # a call made without a call expression (one of the IMPLICIT_* kinds below, "" for a call expression); ``chain``
    # is then the expression the statement works on. Unknown or external targets are transparent: no edge, and not
    # unresolved
    implicit: str = ""


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    scopes: tuple[Scope, ...]  # the module scope first, then definitions in source order
    calls: tuple[CallSite, ...]  # in source order
    all_names: tuple[str, ...] | None = None  # ``__all__`` when it is a literal list/tuple of strings
    line_count: int = 0
    top_level: tuple[tuple[int, int], ...] = ()  # (first line incl. decorators, last line) of each module statement
    # (line, what) of the newer syntax rewritten so the running Python could parse the file (``downlevel.py``)
    rewritten: tuple[tuple[int, str], ...] = ()
    # attribute reads that are not calls (``result.output``, ``a.b`` in ``a.b.c()``), in source order: READ sites,
    # kept apart from ``calls`` (most are plain attributes: resolution looks only at names of properties). Facts
    # read from the cache keep them encoded, decoded each time they are iterated (``codec.EncodedReads``)
    reads: Sequence[CallSite] = ()

    def scope_map(self) -> dict[str, Scope]:
        return {scope.qualname: scope for scope in self.scopes}

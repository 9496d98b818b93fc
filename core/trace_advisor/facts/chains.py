"""Turn callee, value and annotation expressions into chains that resolution can follow."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from sys import intern

from trace_advisor.facts.records import (
    CALL,
    CAST,
    CLASS_OF,
    CLEARED,
    ELEMENT,
    ELEMENTS_OF,
    ITEM,
    KEY,
    KEY_NAME,
    KEYED_FACTORIES,
    LAMBDA,
    MAX_KEY,
    OR,
    REACHING,
    SELECT,
    SLICE,
    SLOTS,
    UNKEYED,
    VALUES_OF,
    Chain,
    plain_name,
)

# Subscripted annotations that mean "one of the arguments" rather than a generic container.
_UNWRAP_FIRST = frozenset({"Annotated", "Final", "ClassVar", "Required", "NotRequired", "ReadOnly"})
_UNWRAP_ALL = frozenset({"Optional", "Union"})
# Generic mappings: an alias of one (freqtrade's ``Config = dict[str, Any]``) is the mapping class
_MAPPINGS = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "defaultdict", "DefaultDict", "OrderedDict"})
_CLASS_OF = frozenset({"type", "Type"})  # ``type[A]``: the class A itself
# Builtin classes a ``|`` union of names may name (``Number = int | float`` is a type alias, ``R | W`` flags are not).
_BUILTIN_TYPES = frozenset({"int", "float", "complex", "str", "bytes", "bytearray", "bool", "list", "dict", "set"})
# Generic containers whose first argument is the type of their elements (what ``for x in ...`` gives).
_CONTAINERS = frozenset(
    {
        "list",
        "List",
        "set",
        "Set",
        "frozenset",
        "FrozenSet",
        "Sequence",
        "MutableSequence",
        "Iterable",
        "Iterator",
        "Collection",
        "AbstractSet",
        "MutableSet",
        "deque",
        "Deque",
        "Generator",
        "AsyncIterator",
        "AsyncIterable",
        "AsyncGenerator",
        "KeysView",
        "tuple",
        "Tuple",
    }
)

# A literal as the receiver of a chain: ``", ".join(parts)`` is ("<str>", "join"); resolution reads these names as
# instances of the builtin type.
LITERAL_NAMES = {
    str: "<str>",
    bytes: "<bytes>",
    int: "<int>",
    float: "<float>",
    ast.JoinedStr: "<str>",
    ast.List: "<list>",
    ast.ListComp: "<list>",
    ast.Dict: "<dict>",
    ast.DictComp: "<dict>",
    ast.Set: "<set>",
    ast.SetComp: "<set>",
    ast.Tuple: "<tuple>",
}


def chain_of(node: ast.expr, keys: bool = True) -> Chain | None:
    """``a.b().c`` -> ("a", "b", "()", "c"); ``await`` is looked through; ``a[k]`` is ("a", ITEM) (not a slice),
    ``a["k"]`` ("a", SELECT + "'k'", ITEM) (unless ``keys`` is false: attribute reads, which only properties' getters
    read); ``getattr(a, "b")`` is ("a", "b"); ``(a or b).c`` is ``b.c``; anything else is not followable."""
    # by exact type (trees come from ``ast.parse``): this runs for every call and attribute read
    if type(node) is ast.Name:
        return (node.id,)
    parts: list[str] = []
    current: ast.expr = node
    while True:
        if type(current) is ast.Name:
            parts.append(current.id)
            break
        if type(current) is ast.Attribute:
            parts.append(current.attr)
            current = current.value
        elif type(current) is ast.Call:
            named = _named_attribute(current)
            if named is None and (cast := _inline_cast(current)) is not None:  # ``cast(Repo, r).load``
                parts.extend(reversed(cast))
                current = current.func
            elif named is None:
                if (key := _factory_key(current)) is not None:
                    parts.append(key)
                parts.append(CALL)
                current = current.func
            else:  # ``getattr(obj, "name")`` is ``obj.name``
                parts.append(named)
                current = current.args[0]
        elif type(current) is ast.Await:
            current = current.value
        elif type(current) is ast.BoolOp and type(current.op) is ast.Or and parts:
            # ``(session or _get_session()).post``: the fallback after ``or`` is what the receiver is when the optional
            # value before it is not given (posthog's HTTP post, celery's ``(backend or self.app.backend)``)
            current = current.values[-1]
        elif type(current) is ast.Subscript and type(current.slice) is not ast.Slice:
            parts.append(ITEM)
            if keys and type(current.slice) is ast.Constant and (key := literal_key(current.slice)) is not None:
                parts.append(intern(SELECT + key))  # ``d["a"]``: the slots of key "a"
            current = current.value
        else:
            literal = LITERAL_NAMES.get(type(current.value) if isinstance(current, ast.Constant) else type(current))
            if literal is None or not parts:
                return None
            parts.append(literal)
            break
    parts.reverse()
    return tuple(parts)


def literal_key(node: ast.expr) -> str | None:
    """The key a literal subscript or dict key is written with (``'a'``, ``1``; ``True`` is ``1``, as Python hashes
    it), None for anything else."""
    value = node.value if type(node) is ast.Constant else None
    if type(value) is str:
        text = repr(value)
        return text if len(text) <= MAX_KEY else None
    if type(value) is int or type(value) is bool:
        return str(int(value))
    return None


def getattr_default(call: ast.expr) -> tuple[ast.expr, str, ast.expr] | None:
    """(obj, name, default) of ``getattr(obj, "name", default)`` (a literal name), None for anything else."""
    if type(call) is not ast.Call:
        return None
    assert isinstance(call, ast.Call)
    func = call.func
    if type(func) is not ast.Name or func.id != "getattr" or len(call.args) != 3 or call.keywords:
        return None
    name = call.args[1]
    if type(name) is ast.Constant and isinstance(name.value, str) and name.value.isidentifier():
        return call.args[0], name.value, call.args[2]
    return None


def _named_attribute(call: ast.Call) -> str | None:
    """The attribute name of ``getattr(obj, "name")`` (without a default: with one, the attribute may be missing);
    None for any other call."""
    func = call.func
    if type(func) is not ast.Name or func.id != "getattr" or len(call.args) != 2 or call.keywords:
        return None
    name = call.args[1]
    if type(name) is ast.Constant and isinstance(name.value, str) and name.value.isidentifier():
        return name.value
    return None


def _factory_key(call: ast.Call) -> str | None:
    """The KEY part of a keyed factory's call (``boto3.client("s3")``: ``=s3``): its first argument or
    ``service_name=``, a short lower-case literal; None for any other call."""
    func = call.func
    name = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
    if name not in KEYED_FACTORIES:
        return None
    first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "service_name"), None)
    if type(first) is ast.Name:  # ``boto3.client(SERVICE)``: the literals the name holds (``KEY_NAME``)
        assert isinstance(first, ast.Name)
        return KEY + KEY_NAME + first.id
    if type(first) is not ast.Constant or type(first.value) is not str or not _KEY_TEXT.fullmatch(first.value):
        return None
    return KEY + first.value


_KEY_TEXT = re.compile(r"[a-z0-9][a-z0-9.-]{0,62}")
_KEY_CHAINS: dict[str, Chain] = {}  # one chain per literal, shared by every value, argument and default written so


def key_chain(node: ast.expr | None) -> Chain | None:
    """``("<str>", "=s3")`` for a short lower-case literal string (what a keyed factory may be given through a name, a
    parameter's default or an argument), None for anything else: it evaluates as a ``str`` (``KEY`` leaves it)."""
    if type(node) is not ast.Constant:
        return None
    assert isinstance(node, ast.Constant)
    value = node.value
    if type(value) is not str or not _KEY_TEXT.fullmatch(value):
        return None
    found = _KEY_CHAINS.get(value)
    if found is None:
        found = _KEY_CHAINS[value] = ("<str>", intern(KEY + value))
    return found


def has_call(node: ast.expr) -> bool:
    """Whether a callee's attribute chain goes through a call (``getattr(obj, "x").run``, whose chain has none)."""
    while True:
        kind = type(node)
        if kind is ast.Attribute or kind is ast.Await:
            node = node.value  # type: ignore[attr-defined]
        elif kind is ast.Call:
            return True
        else:
            return False


# Names a lambda expression: its scope's qualname (``f.<locals>.<lambda1>``), None when it has none
LambdaNames = Callable[[ast.Lambda], str | None]
_PLAIN_CHAINS = frozenset({ast.Name, ast.Attribute, ast.Call})


def value_chains(
    node: ast.expr | None, lambdas: LambdaNames | None = None, *, positions: bool = False
) -> tuple[Chain, ...]:
    """The chains a value expression can evaluate to: ``a if c else B()`` and ``a or B()`` give both; a lambda is
    (LAMBDA, its qualname) when ``lambdas`` names it (the extractor's numbering), else nothing. ``positions``: a list
    display's elements are held by their position, as a tuple's (the caller knows the list is not reordered)."""
    if node is None:
        return ()
    if type(node) is ast.Constant:  # ``0``, ``"x"``: an instance of the literal's type (``None``: nothing)
        assert isinstance(node, ast.Constant)
        factory_key = key_chain(node)  # or a factory's key a name may hold (``SERVICE = "s3"``)
        return (factory_key,) if factory_key is not None else _CONSTANT_VALUES.get(type(node.value), ())
    if type(node) in _PLAIN_CHAINS:  # the commonest values
        if type(node) is ast.Call and type(node.func) is ast.Name:
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            called = node.func.id
            if called in _COPIES:
                return _copied(node, lambdas)
            if called == "getattr" and (named := getattr_default(node)) is not None:  # the attribute, or the default
                target, name, default = named
                held = chain_of(target)
                if held is None:
                    return value_chains(default, lambdas)
                fallbacks = value_chains(default, lambdas)
                return tuple((*held, name, OR, *f) for f in fallbacks) if fallbacks else ((*held, name, OR),)
        if type(node) is ast.Call and (cast := _cast_chains(node)) is not None:  # ``cast(Client, v)``
            return cast
        chain = chain_of(node)
        return (chain,) if chain is not None else ()
    if isinstance(node, ast.IfExp):
        return value_chains(node.body, lambdas) + value_chains(node.orelse, lambdas)
    if isinstance(node, ast.BoolOp):
        found: tuple[Chain, ...] = ()
        for value in node.values:
            found += value_chains(value, lambdas)
        return found
    if isinstance(node, ast.NamedExpr):
        return value_chains(node.value, lambdas)
    if isinstance(node, ast.Lambda):  # a function of its own: calling it gives what its body evaluates to
        qualname = lambdas(node) if lambdas is not None else None
        return ((LAMBDA, qualname),) if qualname is not None else ()
    if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        kind = _COMPREHENSION_KINDS.get(type(node))
        # a dict comprehension's values under no known key (any key read sees each): unlike a dict display's values,
        # one expression makes them all, so an item's attribute is looked up on every value it can be
        elements = _comprehended(node, node.value if isinstance(node, ast.DictComp) else node.elt, lambdas)
        return ((kind,), *elements) if kind else elements
    if isinstance(node, ast.List | ast.Set | ast.Tuple) and node.elts:
        kind = LITERAL_NAMES[type(node)]
        shown: list[Chain] = [(kind,)]
        # a tuple's elements by position, up to a ``*spread`` (lists change: only when the caller says it cannot)
        keyed = type(node) is ast.Tuple or (positions and type(node) is ast.List)
        for position, element in enumerate(node.elts):
            if type(element) is ast.Starred:  # ``[*steps, audit]``: the elements of ``steps``, by no key
                assert isinstance(element, ast.Starred)
                keyed = False
                shown.extend((*c, UNKEYED) for c in value_chains(element.value, lambdas) if _reference(c))
                continue
            if element_chains := value_chains(element, lambdas):
                at = _POSITIONS[position] if keyed and position < len(_POSITIONS) else VALUES_OF
                shown.extend((*chain, at) for chain in element_chains)
        return tuple(shown)
    if isinstance(node, ast.Dict) and node.values:
        # a dispatch table: the functions, classes and objects its values name are what an item can be, under their
        # literal keys. Not what calls and literals make: a table of data (``{"n": 1, "s": frozenset()}``) is not
        # followed (an item's attribute would otherwise be looked up on only some of its values)
        table: list[Chain] = [("<dict>",)]
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # ``{**base, ...}``: the slots of ``base``
                table.extend((*c, SLOTS) for c in value_chains(value, lambdas) if _reference(c))
                continue
            if references := [chain for chain in value_chains(value, lambdas) if _reference(chain)]:
                slot = intern(VALUES_OF + key_text) if (key_text := literal_key(key)) is not None else VALUES_OF
                table.extend((*chain, slot) for chain in references)
        return tuple(table)
    if type(node) is ast.Subscript and type(node.slice) is ast.Slice:  # ``steps[1:]``: its elements, by no key
        assert isinstance(node, ast.Subscript)
        return tuple((*chain, SLICE) for chain in value_chains(node.value, lambdas) if not chain[0].startswith("<"))
    literal = LITERAL_NAMES.get(type(node.value) if isinstance(node, ast.Constant) else type(node))
    if literal is not None:  # ``lines = []``, ``name = "x"``: an instance of the literal's type
        factory_key = key_chain(node)  # a factory's key a name may hold (``SERVICE = "s3"``)
        return (factory_key,) if factory_key is not None else ((literal,),)
    chain = chain_of(node)
    return (chain,) if chain is not None else ()


# what a constant of each literal type evaluates to (one object per type: value chains are never changed in place)
_CONSTANT_VALUES = {kind: ((name,),) for kind, name in LITERAL_NAMES.items() if not issubclass(kind, ast.AST)}
# the builtin type a comprehension makes (a generator expression: none of them)
_COMPREHENSION_KINDS: dict[type[ast.expr], str] = {ast.ListComp: "<list>", ast.SetComp: "<set>", ast.DictComp: "<dict>"}
_POSITIONS = tuple(VALUES_OF + str(position) for position in range(32))  # a tuple's slots (more: any position)
# builtins that make a new collection of their argument's elements (``dict`` keeps the keys, the others do not)
_COPIES = frozenset({"dict", "list", "tuple", "set", "frozenset", "sorted", "reversed"})


_CAST_LENGTHS = tuple(str(n) for n in range(16))  # CAST's length part, one string per length


def _cast_chains(node: ast.Call) -> tuple[Chain, ...] | None:
    """``cast(T, value)`` through a callee named ``cast`` (a name or an attribute): the callee's chain, CAST and each
    annotation chain of ``T`` (``records.CAST``); None for any other call, or when ``T`` names no class."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name != "cast" or len(node.args) != 2 or node.keywords or any(type(a) is ast.Starred for a in node.args):
        return None
    callee = chain_of(func)
    types = [chain for chain in annotation_chains(node.args[0]) if len(chain) < len(_CAST_LENGTHS)]
    if callee is None or not types:
        return None
    return tuple((*callee, CAST, _CAST_LENGTHS[len(chain)], *chain) for chain in types)


def _inline_cast(node: ast.Call) -> Chain | None:
    """CAST, its length and the one type of ``cast(T, value)`` called in a chain (``cast(Repo, r).load()``), None
    for any other call or a type that reads as several classes (a union: a chain holds one)."""
    if type(node.func) is ast.Name:
        if node.func.id != "cast":  # the common call: one string comparison
            return None
    elif type(node.func) is not ast.Attribute or node.func.attr != "cast":
        return None
    found = _cast_chains(node)
    if found is None or len(found) != 1:
        return None
    cut = found[0].index(CAST)
    return found[0][cut:]


def _copied(node: ast.Call, lambdas: LambdaNames | None) -> tuple[Chain, ...]:
    """``dict(base)``, ``list(steps)``: the new collection, holding the slots of its argument (``dict``'s keyword
    arguments under their names)."""
    own = chain_of(node)
    found: list[Chain] = [own] if own is not None else []
    assert isinstance(node.func, ast.Name)
    keeps = node.func.id == "dict"
    pairs = node.args[0] if keeps and len(node.args) == 1 else None
    if isinstance(pairs, ast.ListComp | ast.SetComp | ast.GeneratorExp) and _pair(pairs.elt):
        # ``dict((k, f) for ...)``: a dict comprehension's values (the pairs' second elements), not the pairs
        assert isinstance(pairs.elt, ast.Tuple)
        found.extend(_comprehended(pairs, pairs.elt.elts[1], lambdas))
    elif len(node.args) == 1 and type(node.args[0]) is not ast.Starred:
        for chain in value_chains(node.args[0], lambdas):
            if _reference(chain) or chain[-1].startswith(VALUES_OF):
                found.append((*chain, SLOTS if keeps else UNKEYED))
    if keeps:
        for keyword in node.keywords:
            held = VALUES_OF + repr(keyword.arg) if keyword.arg else SLOTS  # ``dict(**base)``: base's slots
            found.extend((*chain, held) for chain in value_chains(keyword.value, lambdas) if _reference(chain))
    return tuple(found)


def _comprehended(
    node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp, held: ast.expr, lambdas: LambdaNames | None
) -> tuple[Chain, ...]:
    """A collection of what ``held``, an expression inside the comprehension ``node``, evaluates to (its targets read
    under their own names, ``own_names``), under no known key."""
    clauses = own_names(node, None, lambdas)
    names = {name: own for _, _, bound in clauses for own, _ in bound for name in [own.partition("@")[0]]}
    return tuple((*renamed(chain, names), VALUES_OF) for chain in value_chains(held, lambdas))


def _pair(node: ast.expr) -> bool:
    """A tuple display of two elements, none starred (a key and its value)."""
    return type(node) is ast.Tuple and len(node.elts) == 2 and not any(type(e) is ast.Starred for e in node.elts)


def _reference(chain: Chain) -> bool:
    """A name or attribute chain: no call, item or literal in it."""
    return not chain[0].startswith("<") and CALL not in chain and ITEM not in chain


_SLOT_MARKERS = frozenset({SELECT, CLEARED, SLOTS, UNKEYED, SLICE, VALUES_OF, OR})
# what only a part ``chain_text`` does not write as it is can hold: CALL, ITEM, LAMBDA and the slot markers ("(", "["),
# a factory's KEY ("="), a comprehension's own name ("@") or a head naming reaching bindings (REACHING)
_MARKED = re.compile(f"[\\[(=@{re.escape(REACHING)}]")


def chain_text(chain: Chain) -> str:
    """Render a chain as source-like text: ("a", "b", "()", "c") -> ``a.b().c``."""
    joined = ".".join(chain)
    if not _MARKED.search(joined):  # names only (most chains): no call, item, marker, key or spelled head
        return joined
    out: list[str] = []
    skip = 0
    for position, part in enumerate(chain):
        if skip:  # the type a ``cast`` is given: an argument, not written in a callee's text
            skip -= 1
        elif part == CAST:
            out.append("()")  # (a prefix may end inside the cast: a callee's receiver, ``cast(T, v)`` cut short)
            skip = 1 + int(chain[position + 1]) if position + 1 < len(chain) else 0
        elif part == CALL:
            out.append("()")
        elif part == ITEM:
            out.append("[...]")
        elif part[:1] == "[" and part[:3] in _SLOT_MARKERS:
            continue
        elif part == LAMBDA:
            out.append("(lambda)")
        elif part[:1] == KEY:
            continue  # a factory's key: the call's argument, not written in a callee's text
        elif out:
            out.append("." + part if out[-1] != "(lambda)" else "")
        else:
            head = part.partition("@")[0]  # a comprehension's own name or one naming reaching bindings, as written
            out.append(plain_name(head) if REACHING in head else head)
    return "".join(out)


def own_names(
    node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp,
    outer: dict[str, str] | None = None,
    lambdas: LambdaNames | None = None,
) -> list[tuple[ast.comprehension, dict[str, str], list[tuple[str, tuple[Chain, ...]]]]]:
    """Per ``for`` clause of a comprehension: the names its iterable sees, and the targets it binds, each under its
    own name in the enclosing scope with the chains it is an element of. An own name no code can spell, made of
    what it iterates (``job@jobs``): a comprehension's ``job`` never meets an outer ``job``, and two comprehensions
    over the same iterable share one binding of the same value (so facts do not depend on positions)."""
    names = dict(outer or {})
    clauses = []
    for generator in node.generators:
        seen = dict(names)
        iterated = tuple(renamed(chain, seen) for chain in value_chains(generator.iter, lambdas))
        bound: list[tuple[str, tuple[Chain, ...]]] = []
        values = item_values(generator.target, iterated)
        for target in ast.walk(generator.target):
            if values and isinstance(generator.target, ast.Tuple) and target is generator.target.elts[1]:
                assert isinstance(target, ast.Name)  # ``for k, v in d.items()``: ``v`` is an element of d.values()
                spelled = ";".join(".".join((plain_name(c[0]), *c[1:-1])) for c in values)
                names[target.id] = f"{target.id}@{spelled}"
                bound.append((names[target.id], values))
            elif isinstance(target, ast.Name):
                plain = target is generator.target and bool(iterated)
                spelled = ";".join(".".join((plain_name(c[0]), *c[1:])) for c in iterated)  # as written
                own = f"{target.id}@{spelled}" if plain else f"{target.id}@?"
                names[target.id] = own
                bound.append((own, tuple((*c, ELEMENT) for c in iterated) if plain else ()))
        clauses.append((generator, seen, bound))
    return clauses


def item_values(target: ast.expr, iterated: tuple[Chain, ...]) -> tuple[Chain, ...]:
    """What the second name of ``for key, value in d.items()`` is bound to: an element of ``d.values()`` (when every
    chain ``iterated`` is a call of ``items``); else nothing."""
    if type(target) is not ast.Tuple or not iterated:
        return ()
    assert isinstance(target, ast.Tuple)
    if len(target.elts) != 2 or type(target.elts[1]) is not ast.Name:
        return ()
    if any(chain[-2:] != _ITEMS or len(chain) < 3 for chain in iterated):
        return ()
    return tuple((*chain[:-2], "values", CALL, ELEMENT) for chain in iterated)


_ITEMS = ("items", CALL)


def renamed(chain: Chain, names: dict[str, str] | None) -> Chain:
    """``chain`` with its head replaced by its own name when it is a comprehension's name."""
    if names and chain and chain[0] in names:
        return (names[chain[0]], *chain[1:])
    return chain


def annotation_chains(node: ast.expr | None, depth: int = 0) -> tuple[Chain, ...]:
    """The classes an annotation names: ``Optional[A]``, ``A | None``, ``"A"``, ``Annotated[A, ...]`` -> (A,).

    A generic container (``list[A]``) names the container, ``None`` names nothing.
    """
    if node is None or depth > 20:
        return ()
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            try:
                parsed = ast.parse(node.value.strip(), mode="eval")
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return ()
            return annotation_chains(parsed.body, depth + 1)
        return ()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return annotation_chains(node.left, depth + 1) + annotation_chains(node.right, depth + 1)
    if isinstance(node, ast.Subscript):
        base = chain_of(node.value)
        if base is None:
            return ()
        head = base[-1]
        if head in _UNWRAP_ALL:
            inner = node.slice
            elements = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            found: tuple[Chain, ...] = ()
            for element in elements:
                found += annotation_chains(element, depth + 1)
            return found
        inner = node.slice
        first = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
        if head in _UNWRAP_FIRST:
            return annotation_chains(first, depth + 1)
        if head in _CLASS_OF:
            return tuple((*chain, CLASS_OF) for chain in annotation_chains(first, depth + 1) if chain[-1] != CLASS_OF)
        if head in _CONTAINERS:
            return (base, *((*chain, ELEMENTS_OF) for chain in annotation_chains(first, depth + 1)))
        return (base,)
    if isinstance(node, ast.Name | ast.Attribute):
        chain = chain_of(node)
        return (chain,) if chain is not None else ()
    return ()


def alias_chains(node: ast.expr) -> tuple[Chain, ...] | None:
    """The annotation chains of an assigned value that is a type expression (``Annotated[Session, ...]``,
    ``Optional[A]``, ``list[A]``, ``dict[str, Any]``, ``A | None``, ``int | float``), or None when it is not one
    (``d[key]``, ``Perm.READ | Perm.WRITE``)."""
    if isinstance(node, ast.Subscript):
        base = chain_of(node.value)
        typing_words = _UNWRAP_FIRST | _UNWRAP_ALL | _CONTAINERS | _CLASS_OF | _MAPPINGS
        return annotation_chains(node) if base is not None and base[-1] in typing_words else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        operands = _union_operands(node)
        if operands is None:
            return None
        with_none = any(isinstance(o, ast.Constant) for o in operands)
        names = [chain_of(o) for o in operands if isinstance(o, ast.Name | ast.Attribute)]
        if not with_none and not all(c is not None and _names_a_class(c[-1]) for c in names):
            return None
        return annotation_chains(node)
    return None


def _union_operands(node: ast.expr) -> list[ast.expr] | None:
    """The operands of ``a | b | None`` when each is a name, an attribute, ``None`` or a type subscript."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _union_operands(node.left), _union_operands(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Constant) and node.value is None:
        return [node]
    if isinstance(node, ast.Name | ast.Attribute) or (isinstance(node, ast.Subscript) and alias_chains(node)):
        return [node]
    return None


def _names_a_class(name: str) -> bool:
    """CapWords (PEP 8's class names, not CONSTANTS) or a builtin class."""
    return name in _BUILTIN_TYPES or (name[:1].isupper() and not name.isupper())

"""Walk one module's ``ast`` once and collect its facts: scopes, bindings, call sites, attributes, decorators.

Statements are walked recursively (their nesting is bounded by the parser's indentation limit); expressions, which
can nest thousands deep in generated code, are walked with an explicit stack.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from operator import attrgetter
from sys import intern
from types import MappingProxyType

from trace_advisor.datatypes import MODULE_QUALNAME, narrow_span
from trace_advisor.facts.builder import ScopeBuilder, child_qualname, with_scope
from trace_advisor.facts.chains import (
    LambdaNames,
    alias_chains,
    annotation_chains,
    chain_of,
    chain_text,
    getattr_default,
    has_call,
    item_values,
    key_chain,
    literal_key,
    own_names,
    renamed,
    value_chains,
)
from trace_advisor.facts.doctypes import docstring_types
from trace_advisor.facts.reaching import (
    NARROWING_TOPS,
    WALRUS_TOPS,
    Reaching,
    flowed,
    narrowings,
    provisional,
    respelled,
    walrus_target,
)
from trace_advisor.facts.records import (
    ALIAS,
    ANNOTATION,
    APPLY,
    ASYNC_ENTER_EXIT,
    ASYNC_ITERATE,
    CALL,
    CLASS,
    CLEARED,
    CLS,
    DECLARATIVE_DECORATORS,
    DEF,
    ELEMENT,
    ENTER_EXIT,
    FROM,
    IMPORT,
    ITEM,
    ITERATE,
    LAMBDA,
    LAMBDA_KIND,
    NARROWED,
    NEWTYPE,
    OR,
    PARAMETER,
    RAISE,
    REACHING,
    READ,
    SELECT,
    SELF,
    SLOTS,
    TYPEVAR,
    UNKEYED,
    UNKNOWN,
    VALUE,
    VALUES_OF,
    Binding,
    CallSite,
    Chain,
    Decorator,
    Loc,
    ModuleFacts,
    Pos,
    Scope,
    loc_of,
    loc_parts,
    plain_name,
)
from trace_advisor.positions import char_column, split_at_line_breaks

_DEF_KEYWORD = re.compile(r"(?:async\s+)?def\s+|class\s+")
_MAX_TEXT = 200
_STATIC = frozenset({"staticmethod"})
_CLASSMETHOD = frozenset({"classmethod"})
_PROPERTY = frozenset({"property", "cached_property", "abstractproperty", "setter", "getter", "deleter"})
_IMPLICIT_CLS = frozenset({"__new__", "__init_subclass__", "__class_getitem__"})
_UNKNOWN_BINDING = Binding(UNKNOWN)
_LOC = attrgetter("loc")
_NO_HEADS: frozenset[str] = frozenset()
_OWN_SCOPES = frozenset({ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda})
# for expressions evaluated where the order of bindings is not followed (decorators, defaults, bases: a splice
# extracts top-level definitions without the module's other statements): every binding of a name reaches
_PLAIN: dict[str, str] = {}
# fields that never hold a node (names, flags, the context, a constant's value)
# and the operators of ``BinOp``, ``BoolOp``, ``UnaryOp``, ``Compare`` and ``AugAssign`` (nodes without fields)
_SCALAR_FIELDS = frozenset(
    {"ctx", "attr", "arg", "id", "conversion", "is_async", "kind", "type_comment", "level", "op", "ops"}
)
# per node type, the fields that can hold sub-expressions
_FIELDS: Mapping[type, tuple[str, ...]] = MappingProxyType(
    {
        cls: tuple(f for f in cls._fields if f not in _SCALAR_FIELDS and not (cls is ast.Constant and f == "value"))
        for cls in vars(ast).values()
        if isinstance(cls, type) and issubclass(cls, ast.AST)
    }
)


class _Extractor:
    def __init__(self, text: str, part: bool = False) -> None:
        self._text = text
        self._part = part  # a part of a module (``facts/splice.py``): a write into a name it does not bind shows
        self._ascii = text.isascii()
        self._lines: list[str] | None = None
        # one int object per line number (``ast`` makes one per node): positions share them, in memory and in the cache
        self._numbers = list(range(text.count("\n") + 2))
        self._scopes: list[ScopeBuilder] = []
        self._calls: list[CallSite] = []
        self._reads: list[CallSite] = []
        self._texts: dict[Chain, str] = {}  # each chain's text (``chain_text``, interned): most are written many times
        self._all_names: list[str] | None = None
        self._all_dynamic = False
        # lambdas: id(node) -> the qualname of its scope, numbered per enclosing scope in source order (all the
        # lambdas of one statement's expression at once, when the first is met: ``_name_lambdas``)
        self._lambda_names: dict[int, str] = {}
        self._lambda_counts: dict[str, int] = {}  # enclosing scope's qualname -> lambdas numbered in it so far
        self._root: ast.expr | None = None  # the outermost expression being walked, and its scope
        self._root_scope: ScopeBuilder | None = None
        self._lambda_scopes_from: int | None = None  # where the root's lambda scopes start in ``_scopes``
        # reaching definitions (``facts/reaching.py``), and what holds a provisional head, respelled at the end:
        # call sites and reads (by index), bindings and return/yield values (list, index)
        self._reaching = Reaching()
        self._patch_calls: list[int] = []
        self._patch_reads: list[int] = []
        self._patch_bindings: list[tuple[list[Binding], int]] = []
        self._patch_chains: list[tuple[list[Chain], int]] = []
        self._patch_defaults: list[ScopeBuilder] = []  # lambdas whose default values are read with ``h#1``
        # (function, name, index of its binding) of the lists bound to a display, positions kept until the function's
        # uses of the name are seen (``_keep_positions``)
        self._positions: list[tuple[ScopeBuilder, str, int]] = []
        # per scope (``id``): (alias, its binding, name it was bound to, the bindings of that name that reached) of
        # the names bound to a collection another name holds, and the bindings writes into them made
        self._aliases: dict[int, list[tuple[str, int, str, frozenset[int] | None]]] = {}
        self._writes: dict[tuple[int, str], set[int]] = {}
        # (class, attribute, binding) of the writes of methods into ``self.x`` (``_class_writes``)
        self._held_writes: list[tuple[ScopeBuilder, str, Binding]] = []
        self._statement: ast.stmt | None = None  # the statement being walked, in a scope that follows names

    # ---- positions ------------------------------------------------------------------------------------------
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = split_at_line_breaks(self._text)  # the parser's line breaks
        return self._lines

    def _line(self, number: int) -> str:
        lines = self.lines()
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def pos(self, node: ast.expr | ast.stmt) -> Pos:
        line, col = node.lineno, node.col_offset
        end_line = node.end_lineno or line
        end_col = node.end_col_offset if node.end_col_offset is not None else col
        numbers = self._numbers
        if end_line < len(numbers):
            line, end_line = numbers[line], numbers[end_line]
        if not self._ascii:
            col = char_column(self._line(line), col)
            end_col = char_column(self._line(end_line), end_col)
        return (line, col, end_line, end_col)

    def site_locs(self, node: ast.expr, callee: ast.expr) -> tuple[Loc, Loc]:
        """``loc_of(*self.pos(node)), loc_of(*self.name_pos(callee))``: a call site's two positions, packed (the hot
        path of indexing: an ASCII file's columns are its byte offsets, no tuples are made)."""
        if not self._ascii:
            return loc_of(*self.pos(node)), loc_of(*self.name_pos(callee))
        line, col, end_line, end_col = node.lineno, node.col_offset, node.end_lineno, node.end_col_offset
        loc = loc_of(line, col, end_line or line, end_col if end_col is not None else col)
        line, col, end_line, end_col = callee.lineno, callee.col_offset, callee.end_lineno, callee.end_col_offset
        end_line = end_line or line
        end_col = end_col if end_col is not None else col
        if type(callee) is ast.Attribute:
            assert isinstance(callee, ast.Attribute)
            return loc, loc_of(end_line, end_col - len(callee.attr), end_line, end_col)
        return loc, loc_of(line, col, end_line, end_col)

    def name_pos(self, callee: ast.expr) -> Pos:
        """Where the called name is: the attribute of ``a.b.c``, the name of ``f``, else the whole callee."""
        pos = self.pos(callee)
        if isinstance(callee, ast.Attribute):
            return (pos[2], pos[3] - len(callee.attr), pos[2], pos[3])
        return pos

    def _def_locs(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> tuple[Pos, Pos]:
        line, col, end_line, end_col = self.pos(node)
        start_line, start_col = line, col
        for decorator in node.decorator_list:
            if decorator.lineno < start_line or (decorator.lineno == start_line and decorator.col_offset < col):
                text = self._line(decorator.lineno)
                byte_col = decorator.col_offset
                at = text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace").rfind("@")
                start_line, start_col = decorator.lineno, max(at, 0)
        def_line = self._line(line)
        match = _DEF_KEYWORD.match(def_line, col)
        name_col = match.end() if match else col
        name_loc = (line, name_col, line, name_col + len(node.name)) if match else (line, col, line, col)
        return (start_line, start_col, end_line, end_col), name_loc

    def _segment(self, node: ast.expr) -> str:
        lines = self.lines()
        line, end_line = node.lineno, node.end_lineno or node.lineno
        if not 0 < line <= end_line <= len(lines):
            return "<expression>"
        chunk = lines[line - 1 : end_line]
        first = self.pos(node)
        if len(chunk) == 1:
            text = chunk[0][first[1] : first[3]]
        else:
            text = " ".join([chunk[0][first[1] :].strip(), *(c.strip() for c in chunk[1:-1]), chunk[-1][: first[3]]])
        return text[:_MAX_TEXT]

    # ---- scopes and bindings ---------------------------------------------------------------------------------
    def _bind(
        self,
        scope: ScopeBuilder,
        name: str,
        binding: Binding,
        *,
        runs: bool = True,
        sticky: bool = False,
        kill: bool = True,
    ) -> None:
        """Record a binding of ``name``; ``runs``: it replaces what reached before (an annotation without a value
        does not), ``sticky``: it reaches every use of the scope (it declares the name's type), ``kill``: false when
        it joins what reached (a write into the collection the name holds)."""
        if name in scope.declared:
            # ``global x; x = ...`` binds the module's x, ``nonlocal x`` the x of the function around
            held = self._scopes[0] if name in scope.globals else _enclosing_function(scope, name)
            if held is not None:
                found = held.bindings.setdefault(name, [])
                found.append(with_scope(binding, scope))
                self._patch_binding(found)
            return
        found = scope.bindings.setdefault(name, [])
        found.append(binding)
        if scope.flow or binding.scope:  # a value read with the bindings that reach it (here or where it was set)
            for chain in binding.chains:
                if REACHING in chain[0]:
                    self._patch_bindings.append((found, len(found) - 1))
                    break
        if name in scope.tracked:
            if sticky:
                scope.sticky.setdefault(name, []).append(len(found) - 1)
            if runs:
                self._reaching.bound(scope, name, len(found) - 1, kill=kill)

    def _patch_binding(self, found: list[Binding]) -> None:
        if self._reaching.active and found[-1].chains and provisional(found[-1].chains):
            self._patch_bindings.append((found, len(found) - 1))

    def _value(self, value: ast.expr | None, scope: ScopeBuilder) -> tuple[Chain, ...]:
        """The chains ``value`` may evaluate to, read where it is (with the bindings that reach here)."""
        chains = value_chains(value, self.lambda_name)
        return flowed(scope, chains, lazy=type(value) is ast.GeneratorExp) if scope.flow and chains else chains

    def _bind_target(
        self, target: ast.expr, scope: ScopeBuilder, value: ast.expr | None, chains: tuple[Chain, ...] | None = None
    ) -> None:
        if isinstance(target, ast.Name):
            own_list = type(value) is ast.List and scope.kind == "function" and target.id not in scope.declared
            if chains is None and own_list:
                # a function's own list: its positions are kept unless a use may reorder it (``_keep_positions``)
                chains = value_chains(value, self.lambda_name, positions=True)
                chains = flowed(scope, chains) if scope.flow and chains else chains
                if any(c[-1][:3] == VALUES_OF and len(c[-1]) > 3 for c in chains):
                    self._positions.append((scope, target.id, len(scope.bindings.get(target.id, ()))))
            chains = self._value(value, scope) if chains is None else chains
            self._bind(scope, target.id, Binding(VALUE, chains=chains) if chains else _UNKNOWN_BINDING)
            if isinstance(value, ast.Name) and scope.kind != "class" and target.id not in scope.declared:
                self._alias(scope, target.id, value.id)
        elif isinstance(target, ast.Tuple | ast.List):
            values = value.elts if isinstance(value, ast.Tuple | ast.List) else None
            starred = any(type(element) is ast.Starred for element in target.elts)
            if values is not None and (starred or len(values) != len(target.elts)):
                values = None
            if starred and value is not None:  # ``first, *rest = steps``: ``rest`` is a list of its elements
                whole = self._value(value, scope) if chains is None else chains
                rest = tuple((*c, UNKEYED) for c in whole if c[0][:1] != "<" or c[-1].startswith(VALUES_OF))
                for element in target.elts:
                    if isinstance(element, ast.Starred):
                        self._bind_target(element.value, scope, None, (("<list>",), *rest))
                    else:
                        self._bind_target(element, scope, None)
                return
            # every value is read before any target is bound (``a, b = b, a``)
            read = [self._value(v, scope) for v in values] if values is not None else None
            for position, element in enumerate(target.elts):
                if read is not None and values is not None:
                    self._bind_target(element, scope, values[position], read[position])
                else:
                    self._bind_target(element, scope, None)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, scope, None)
        elif isinstance(target, ast.Attribute):
            self._self_attribute(target, scope, self._value_binding(value, scope))
            self.expr(target.value, scope)
        else:
            if type(target) is ast.Subscript and value is not None:
                assert isinstance(target, ast.Subscript)
                self._subscript_write(target, value, scope)
            self.expr(target, scope)

    # ---- writes into collections -----------------------------------------------------------------------------
    def _subscript_write(self, target: ast.Subscript, value: ast.expr, scope: ScopeBuilder) -> None:
        """``d[k] = f``: ``d`` also holds ``f`` (under the literal key, replacing that slot in the scope's
        straight-line code; under any key otherwise). Only values that name something (functions, classes,
        objects) are written down: data does not change what a call reaches."""
        if type(target.slice) is ast.Slice or type(value) not in _WRITTEN:
            return
        attribute = self._own_attribute(target.value, scope)
        name = target.value.id if isinstance(target.value, ast.Name) else None
        if attribute is None and (name is None or not self._into_collection(scope, name)):
            return
        key = literal_key(target.slice) if type(target.slice) is ast.Constant else None
        held = intern(VALUES_OF + key) if key is not None else VALUES_OF
        chains = tuple((*c, held) for c in self._value(value, scope) if c[0][:1] != "<")
        if attribute is not None:
            self._attribute_write(scope, attribute, chains)
        elif name is not None:
            self._write(scope, name, chains, key)

    def _own_attribute(self, node: ast.expr, scope: ScopeBuilder) -> str | None:
        """``x`` for ``self.x`` in a method (its instance parameter), else None."""
        if not isinstance(node, ast.Attribute) or scope.owner is None:
            return None
        held = node.value
        return node.attr if isinstance(held, ast.Name) and held.id == scope.self_name else None

    def _attribute_write(self, scope: ScopeBuilder, attribute: str, chains: tuple[Chain, ...]) -> None:
        """``self.handlers[kind] = f`` (or ``self.handlers.append(f)``) in a method: the collection the attribute
        holds also holds ``f``, seen by every use, when the class makes that collection (``_class_writes``, at the
        end of the class: any method may make it)."""
        if chains and scope.owner is not None:
            self._held_writes.append((scope.owner, attribute, with_scope(Binding(VALUE, chains=chains), scope)))

    def _class_writes(self, owner: ScopeBuilder) -> None:
        """The writes of the class's methods into collections its attributes hold: one binding of the attribute
        each (of the class body's name, for a collection the class body makes: shared by its instances)."""
        mine = [found for found in self._held_writes if found[0] is owner]
        self._held_writes = [found for found in self._held_writes if found[0] is not owner]
        for _, attribute, binding in mine:
            if _holds_collection(owner.bindings.get(attribute, ())):
                found = owner.bindings[attribute]
                owner.unrestricted.add(attribute)  # written from a method: every use sees every write
            elif _holds_collection(owner.attributes.get(attribute, ())):
                found = owner.attributes[attribute]
            else:
                continue
            found.append(binding)
            self._patch_binding(found)

    def _method_write(self, call: ast.Call, scope: ScopeBuilder) -> None:
        """``steps.append(f)``, ``insert``, ``add``, ``extend``, ``update``, ``setdefault``: the collection
        ``steps`` holds also holds what is added (``update`` and ``setdefault`` under the keys they name)."""
        func = call.func
        assert isinstance(func, ast.Attribute)
        method, args = func.attr, call.args
        attribute = self._own_attribute(func.value, scope)
        name = func.value.id if isinstance(func.value, ast.Name) else None
        if attribute is None and (name is None or not self._into_collection(scope, name)):
            return
        found: list[Chain] = []
        if method in ("append", "add") and len(args) == 1:
            found.extend((*c, VALUES_OF) for c in self._written(args[0], scope))
        elif method == "insert" and len(args) == 2:
            found.extend((*c, VALUES_OF) for c in self._written(args[1], scope))
        elif method == "setdefault" and len(args) == 2:
            key = literal_key(args[0]) if type(args[0]) is ast.Constant else None
            held = intern(VALUES_OF + key) if key is not None else VALUES_OF
            found.extend((*c, held) for c in self._written(args[1], scope))
        elif method in ("extend", "update") and len(args) <= 1:
            if args:
                found.extend(self._slots(args[0], scope, keep=method == "update"))
            if method == "update":
                for keyword in call.keywords:
                    slot = intern(VALUES_OF + repr(keyword.arg)) if keyword.arg else VALUES_OF
                    found.extend((*c, slot) for c in self._written(keyword.value, scope))
        if found and attribute is not None:
            self._attribute_write(scope, attribute, tuple(found))
        elif found and name is not None:
            self._write(scope, name, tuple(found), None)

    def _written(self, value: ast.expr, scope: ScopeBuilder) -> tuple[Chain, ...]:
        """The chains of a value written into a collection, when it names something."""
        if type(value) not in _WRITTEN:
            return ()
        return tuple(c for c in self._value(value, scope) if c[0][:1] != "<")

    def _slots(self, value: ast.expr, scope: ScopeBuilder, *, keep: bool) -> tuple[Chain, ...]:
        """The slots of a collection ``value`` (a display, a name, an attribute), with their keys when ``keep``."""
        chains = [c for c in self._value(value, scope) if c[0][:1] != "<" or c[-1].startswith(VALUES_OF)]
        return tuple((*c, SLOTS if keep else UNKEYED) for c in chains)

    def _into_collection(self, scope: ScopeBuilder, name: str) -> bool:
        """Whether a write into ``name`` from ``scope`` is followed: the binding a use there reads holds a collection
        the code makes (in a part of a module (``facts/splice.py``), any name it does not bind may be one)."""
        if name in scope.declared:
            return _holds_collection(self._scopes[0].bindings.get(name, ()))
        if (pairs := self._aliases.get(id(scope))) and any(name == pair[0] for pair in pairs):
            return True  # ``view = table``: the collection ``table`` holds
        if name in scope.bindings:
            return _holds_collection(scope.bindings[name])
        owner = _binding_scope(scope, name)
        return self._part if owner is None else _holds_collection(owner.bindings[name])

    def _write(self, scope: ScopeBuilder, name: str, chains: tuple[Chain, ...], key: str | None) -> None:
        """Record a write into the collection ``name`` holds (``_into_collection``): in the scope binding ``name``,
        a binding that joins what reached (or, for a literal key in that scope's followed names, replaces the key's
        slot); from another scope, one every use of the name sees."""
        if name in scope.declared:
            if chains:
                self._bind(scope, name, Binding(VALUE, chains=chains), runs=False)
            return
        if name in scope.bindings:
            self._write_here(scope, name, chains, key)
            self._write_aliases(scope, name, chains, key)
            return
        owner = _binding_scope(scope, name)
        if owner is None and self._part:  # the module may bind it: the splicer sees a binding it cannot splice
            owner = self._scopes[0]
            owner.bindings.setdefault(name, [])
        if owner is None or not chains:
            return
        found = owner.bindings[name]
        found.append(with_scope(Binding(VALUE, chains=chains), scope))
        self._patch_binding(found)
        owner.unrestricted.add(name)  # written from another scope: every use of the name sees every write

    # ---- aliases of collections -------------------------------------------------------------------------------
    def _alias(self, scope: ScopeBuilder, name: str, held: str) -> None:
        """``view = table`` where ``table`` holds a collection: both names hold the same one, so a write into either
        is a write into both (``_write_aliases``). Kept with the binding of ``name`` it is and the bindings of
        ``held`` that reached it (None when ``held`` is not followed here)."""
        if held == name or not self._into_collection(scope, held):
            return
        reach = self._reaching.reach(scope, held)
        pair = (name, len(scope.bindings[name]) - 1, held, frozenset(reach) if reach is not None else None)
        self._aliases.setdefault(id(scope), []).append(pair)

    def _write_aliases(self, scope: ScopeBuilder, name: str, chains: tuple[Chain, ...], key: str | None) -> None:
        """A write into ``name`` is one into the names it is an alias of, or aliased by: it replaces their slot too
        when both surely hold the same collection here (``_same_collection``), else it joins what they hold."""
        pairs = self._aliases.get(id(scope))
        if not pairs:
            return
        seen, todo = {name}, [(name, True)]
        while todo:
            written, sure = todo.pop()
            for pair in pairs:
                alias, _, held, _ = pair
                other = held if written == alias else alias if written == held else None
                if other is None or other in seen:
                    continue
                seen.add(other)
                same = sure and self._same_collection(scope, pair)
                if other in scope.bindings:
                    self._write_here(scope, other, chains, key if same else None)
                else:  # a name of the scope around: every use of it sees the write
                    self._write(scope, other, chains, None)
                todo.append((other, same))

    def _same_collection(self, scope: ScopeBuilder, pair: tuple[str, int, str, frozenset[int] | None]) -> bool:
        """Whether both names of an alias pair surely hold the collection they held when it was made: only that
        binding of the alias reaches (or writes since), and only what reached it of the name it was bound to."""
        alias, index, held, reached = pair
        now, held_now = self._reaching.reach(scope, alias), self._reaching.reach(scope, held)
        if now is None or held_now is None or reached is None:
            return False
        writes = self._writes
        return now <= writes.get((id(scope), alias), set()) | {index} and held_now <= writes.get(
            (id(scope), held), set()
        ) | set(reached)

    def _write_here(self, scope: ScopeBuilder, name: str, chains: tuple[Chain, ...], key: str | None) -> None:
        """A write into the collection a name of ``scope`` holds: a binding that joins what reached, or for a literal
        key in the scope's followed names, that replaces the key's slot."""
        if key is not None and name in scope.flow:  # a strong update: the slot of ``key`` is replaced
            head = scope.flow[name]
            self._bind(scope, name, Binding(VALUE, chains=((head, intern(CLEARED + key)), *chains)))
        elif chains:
            self._bind(scope, name, Binding(VALUE, chains=chains), kill=False)
        else:
            return
        if self._aliases:
            self._writes.setdefault((id(scope), name), set()).add(len(scope.bindings[name]) - 1)

    def _value_binding(self, value: ast.expr | None, scope: ScopeBuilder) -> Binding | None:
        chains = self._value(value, scope)
        return Binding(VALUE, chains=chains) if chains else None

    def _self_attribute(self, target: ast.Attribute, scope: ScopeBuilder, binding: Binding | None) -> None:
        owner = scope.owner
        if owner is None or not isinstance(target.value, ast.Name) or target.value.id != scope.self_name:
            return
        found = owner.attributes.setdefault(target.attr, [])
        found.append(with_scope(binding if binding is not None else _UNKNOWN_BINDING, scope))
        self._patch_binding(found)

    # ---- statements ------------------------------------------------------------------------------------------
    def body(self, statements: list[ast.stmt], scope: ScopeBuilder) -> None:
        for statement in statements:
            self.statement(statement, scope)

    def statement(self, node: ast.stmt, scope: ScopeBuilder) -> None:  # noqa: C901 - one branch per statement
        kind = type(node)
        if scope.tracked:
            self._statement = node
        # the commonest statements first, by exact type: this is the hot loop of indexing
        if kind is ast.Expr:
            assert isinstance(node, ast.Expr)
            self.expr(node.value, scope)
            value = node.value
            if type(value) is ast.Call and type(value.func) is ast.Attribute:
                assert isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                if value.func.attr in WRITE_METHODS and type(value.func.value) in _HELD_COLLECTIONS:
                    self._method_write(value, scope)
            if scope.tracked and type(node.value) in WALRUS_TOPS:
                self._walrus_always(node.value, scope)
            if scope.kind == "module":
                self._record_all_call(node.value, scope)
            return
        if kind is ast.If:
            assert isinstance(node, ast.If)
            self.expr(node.test, scope)
            if scope.tracked and type(node.test) in WALRUS_TOPS:
                self._walrus_always(node.test, scope)
            if not scope.tracked:
                self.body(node.body, scope)
                self.body(node.orelse, scope)
                return
            reaching = self._reaching
            before = reaching.save(scope)
            narrows = type(node.test) in NARROWING_TOPS
            narrowed = self._narrow(node.test, True, scope) if narrows else ()
            self.body(node.body, scope)
            taken = reaching.save(scope)
            reaching.restore(scope, before)
            otherwise = self._narrow(node.test, False, scope) if narrows else ()
            self.body(node.orelse, scope)
            left = reaching.save(scope)
            if narrowed and not left[1]:  # the narrowing holds after the ``if`` only if the other arm ends there
                taken = reaching.widened(scope, taken, narrowed, before)
            if otherwise and not taken[1]:
                left = reaching.widened(scope, left, otherwise, before)
            reaching.merge(scope, [taken, left])
            return
        if kind is ast.Assign:
            assert isinstance(node, ast.Assign)
            self.expr(node.value, scope)
            declared = _type_binding(node.targets, node.value) if scope.kind != "function" else None
            for target in node.targets:
                if declared is not None and isinstance(target, ast.Name):
                    self._bind(scope, target.id, declared)
                else:
                    self._bind_target(target, scope, node.value)
            if scope.tracked and type(node.value) in WALRUS_TOPS:
                self._walrus_always(node.value, scope)
            if scope.kind == "module":
                self._record_all(node.targets, node.value, scope, extend=False)
            return
        if kind is ast.Return:
            assert isinstance(node, ast.Return)
            if node.value is not None:
                self.expr(node.value, scope)
                self._extend(scope.return_values, self._value(node.value, scope))
            scope.dead = True
            return
        if kind is ast.Pass:
            return
        if kind is ast.Break or kind is ast.Continue:
            scope.dead = True
            return
        if kind is ast.Raise:
            assert isinstance(node, ast.Raise)
            if node.exc is not None:
                self.expr(node.exc, scope)
                if isinstance(node.exc, ast.Name | ast.Attribute):  # ``raise Cls`` constructs it
                    self._implicit(RAISE, node.exc, self.pos(node), self.name_pos(node.exc), scope)
            if node.cause is not None:
                self.expr(node.cause, scope)
            scope.dead = True
            return
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            self._function(node, scope)
        elif isinstance(node, ast.ClassDef):
            self._class(node, scope)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self._bind(scope, alias.asname, Binding(IMPORT, target=alias.name))
                else:
                    top = alias.name.partition(".")[0]
                    self._bind(scope, top, Binding(IMPORT, target=top))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            for alias in node.names:
                if alias.name == "*":
                    scope.star_imports.append((module, node.level))
                else:
                    binding = Binding(FROM, target=module, name=alias.name, level=node.level)
                    self._bind(scope, alias.asname or alias.name, binding)
        elif isinstance(node, ast.AnnAssign):
            self._annotated(node, scope)
        elif isinstance(node, ast.AugAssign):  # binds nothing new: the same object, or one of the same type
            self.expr(node.value, scope)
            self.expr(node.target, scope)
            target = node.target
            if isinstance(node.op, ast.BitOr) and isinstance(target, ast.Name):  # ``d |= {"x": f}``: a write
                if self._into_collection(scope, target.id) and (slots := self._slots(node.value, scope, keep=True)):
                    self._write(scope, target.id, slots, None)
            self._record_all([node.target], node.value, scope, extend=True)
        elif isinstance(node, ast.For | ast.AsyncFor):
            self.expr(node.iter, scope)
            line, col, _, _ = self.pos(node)
            keyword = (line, col, line, col + (9 if isinstance(node, ast.AsyncFor) else 3))
            iterate = ASYNC_ITERATE if isinstance(node, ast.AsyncFor) else ITERATE
            self._implicit(iterate, node.iter, (line, col, *self.pos(node.iter)[2:]), keyword, scope)
            iterated = self._value(node.iter, scope)  # the iterable is read once, before the loop
            loop = self._reaching.enter_loop(scope, node) if scope.tracked else None
            if isinstance(node.target, ast.Name) and iterated:
                self._bind(scope, node.target.id, Binding(VALUE, chains=tuple((*c, ELEMENT) for c in iterated)))
            elif values := item_values(node.target, iterated):  # ``for key, value in d.items()``
                assert isinstance(node.target, ast.Tuple) and isinstance(node.target.elts[1], ast.Name)
                self._bind_target(node.target.elts[0], scope, None)
                self._bind(scope, node.target.elts[1].id, Binding(VALUE, chains=values))
            else:
                self._bind_target(node.target, scope, None)
            self.body(node.body, scope)
            self._after_loop(scope, loop, node.orelse)
        elif isinstance(node, ast.While):
            loop = self._reaching.enter_loop(scope, node) if scope.tracked else None
            self.expr(node.test, scope)  # evaluated before each iteration
            if scope.tracked and type(node.test) in WALRUS_TOPS:
                self._walrus_always(node.test, scope)
            self.body(node.body, scope)
            self._after_loop(scope, loop, node.orelse)
        elif isinstance(node, ast.With | ast.AsyncWith):
            line, col, _, _ = self.pos(node)
            keyword = (line, col, line, col + (10 if isinstance(node, ast.AsyncWith) else 4))
            enter = ASYNC_ENTER_EXIT if isinstance(node, ast.AsyncWith) else ENTER_EXIT
            for item in node.items:
                self.expr(item.context_expr, scope)
                end = self.pos(item.optional_vars or item.context_expr)[2:]
                self._implicit(enter, item.context_expr, (line, col, *end), keyword, scope)
                if item.optional_vars is not None:
                    entered = "__aenter__" if enter == ASYNC_ENTER_EXIT else "__enter__"
                    self._bind_entered(item.optional_vars, scope, chain_of(item.context_expr), entered)
            if not scope.tracked:
                self.body(node.body, scope)
                return
            reaching = self._reaching
            before, counts = reaching.save(scope), reaching.counts(scope)
            self.body(node.body, scope)
            # the manager's ``__exit__`` may swallow an exception raised after any statement of the body
            reaching.merge(scope, [reaching.save(scope), reaching.since(scope, before, counts)])
        elif isinstance(node, ast.Global | ast.Nonlocal):
            scope.declared.update(node.names)
            if isinstance(node, ast.Global):
                scope.globals.update(node.names)
                if scope.kind != "module":  # the module's bindings of the names may change at any time
                    self._scopes[0].unrestricted.update(node.names)
            else:
                outer = scope.parent
                while outer is not None:
                    if outer.kind == "function":
                        outer.unrestricted.update(node.names)
                    outer = outer.parent
        elif isinstance(node, ast.Try | ast.TryStar):
            self._try(node, scope)
        elif isinstance(node, ast.Match):
            self._match(node, scope)
        else:
            if isinstance(node, ast.Assert) and scope.tracked and type(node.test) in NARROWING_TOPS:
                self.expr(node.test, scope)
                if node.msg is not None:
                    self.expr(node.msg, scope)
                self._narrow(node.test, True, scope)  # ``assert isinstance(x, T)``: the code after it reads a T
                return
            if isinstance(node, ast.Delete):  # unbound from here: every binding is left to reach every use
                for target in node.targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            scope.unrestricted.add(name.id)
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    self.statement(child, scope)
                elif isinstance(child, ast.expr):
                    self.expr(child, scope)

    def _narrow(self, test: ast.expr, holds: bool, scope: ScopeBuilder) -> list[tuple[str, int]]:
        """Bind the names ``test`` proves instances of classes when it is ``holds`` (``isinstance(x, T)``); the
        bindings made, by name and index. Only in a scope that follows the name (counted by ``rebound``)."""
        made = []
        for name, classes in narrowings(test, holds):
            if name in scope.tracked and name not in scope.declared:
                types = classes.elts if isinstance(classes, ast.Tuple) else [classes]
                chains = tuple(chain for t in types for chain in annotation_chains(t))
                if chains:
                    self._bind(scope, name, Binding(NARROWED, chains=(*flowed(scope, ((name,),)), *chains)))
                    made.append((name, len(scope.bindings[name]) - 1))
        return made

    def _narrowed_arms(self, node: ast.IfExp, scope: ScopeBuilder) -> None:
        """``x.get() if isinstance(x, dict) else None``: each arm read with what its test proves of ``x``; after the
        expression, what reached before it (an expression's arms both end there)."""
        flow = scope.flow
        self.expr(node.test, scope)
        for arm, holds in ((node.body, True), (node.orelse, False)):
            before = {name: flow[name] for name, _ in narrowings(node.test, holds) if name in flow}
            self._narrow(node.test, holds, scope)
            self.expr(arm, scope)
            flow.update(before)  # in place: the walk that led here reads names through this very mapping

    def _annotated(self, node: ast.AnnAssign, scope: ScopeBuilder) -> None:
        if node.value is not None:
            self.expr(node.value, scope)
        chains = annotation_chains(node.annotation)
        annotated = Binding(ANNOTATION, chains=chains) if chains else None
        if isinstance(node.target, ast.Name):
            head = chain_of(node.annotation)
            if head is not None and head[-1] == "TypeAlias" and node.value is not None:
                self._bind(scope, node.target.id, Binding(ALIAS, chains=annotation_chains(node.value)))
            elif node.value is not None and (annotated is None or value_chains(node.value, self.lambda_name)):
                if annotated is not None:  # ``iface: Base = Impl()``: either (a subclass may set another)
                    self._bind(scope, node.target.id, annotated, runs=False, sticky=True)
                self._bind_target(node.target, scope, node.value)
            else:
                binding = annotated or _UNKNOWN_BINDING
                self._bind(scope, node.target.id, binding, runs=node.value is not None, sticky=True)
            if node.value is not None:
                self._record_all([node.target], node.value, scope, extend=False)
        elif isinstance(node.target, ast.Attribute):
            self._self_attribute(node.target, scope, annotated or self._value_binding(node.value, scope))
            self.expr(node.target.value, scope)

    def _after_loop(
        self,
        scope: ScopeBuilder,
        entered: tuple[int, tuple[dict[str, str], bool], dict[str, int]] | None,
        orelse: list[ast.stmt],
    ) -> None:
        """After a loop's body: what reached before it or was bound in it, then the ``else`` clause (which a
        ``break`` skips)."""
        if entered is None:
            self.body(orelse, scope)
            return
        reaching = self._reaching
        reaching.leave_loop(scope, entered)
        if orelse:
            left = reaching.save(scope)
            self.body(orelse, scope)
            reaching.merge(scope, [reaching.save(scope), left])

    def _try(self, node: ast.Try | ast.TryStar, scope: ScopeBuilder) -> None:
        reaching = self._reaching
        tracked = bool(scope.tracked)
        if tracked:
            before, counts = reaching.save(scope), reaching.counts(scope)
        self.body(node.body, scope)
        ends = []
        if tracked:
            finished = reaching.save(scope)
            caught = reaching.since(scope, before, counts)  # an exception may come after any statement
        for handler in node.handlers:
            if tracked:
                reaching.restore(scope, (caught[0], False))
            if handler.type is not None:
                self.expr(handler.type, scope)
            if handler.name:
                self._bind(scope, handler.name, _caught(handler.type))
            self.body(handler.body, scope)
            if tracked:
                ends.append(reaching.save(scope))
        if tracked:
            reaching.restore(scope, finished)
        self.body(node.orelse, scope)
        if not tracked:
            self.body(node.finalbody, scope)
            return
        reaching.merge(scope, [reaching.save(scope), *ends])
        if node.finalbody:  # runs after every path, an exception or a return included
            completed = reaching.save(scope)
            reaching.merge(scope, [completed, (reaching.since(scope, before, counts)[0], False)])
            self.body(node.finalbody, scope)
            scope.dead = scope.dead or completed[1]

    def _match(self, node: ast.Match, scope: ScopeBuilder) -> None:
        self.expr(node.subject, scope)
        reaching = self._reaching
        tracked = bool(scope.tracked)
        before = reaching.save(scope) if tracked else None
        ends = []
        for case in node.cases:
            if before is not None:
                reaching.restore(scope, before)
            for pattern in ast.walk(case.pattern):
                name = getattr(pattern, "name", None)
                if isinstance(name, str):
                    self._bind(scope, name, _UNKNOWN_BINDING)
                if isinstance(pattern, ast.MatchValue | ast.MatchClass):
                    self.expr(pattern.value if isinstance(pattern, ast.MatchValue) else pattern.cls, scope)
            if case.guard is not None:
                self.expr(case.guard, scope)
            self.body(case.body, scope)
            if tracked:
                ends.append(reaching.save(scope))
        if before is not None:
            reaching.merge(scope, [*ends, before])  # no case may match

    def _walrus_always(self, test: ast.expr, scope: ScopeBuilder) -> None:
        """A walrus the statement always runs replaces what reached its name before (``if (m := f()):``)."""
        found = walrus_target(test)
        if found is not None and isinstance(found.target, ast.Name) and found.target.id in scope.flow:
            name = found.target.id
            self._reaching.bound(scope, name, len(scope.bindings[name]) - 1)

    def _walrus(self, node: ast.NamedExpr, scope: ScopeBuilder) -> None:
        """``(h := value)`` inside an expression: joins what reaches ``h`` (it may not run); the statement's other
        uses of ``h``, which may run after it, see both."""
        target = node.target
        old = scope.flow.get(target.id) if isinstance(target, ast.Name) else None
        self._bind_target(target, scope, node.value)
        if old is None:
            return
        assert isinstance(target, ast.Name)
        name = target.id
        found = scope.bindings[name]
        reaching = self._reaching
        scope.flow[name] = old
        reaching.bound(scope, name, len(found) - 1, kill=False)
        now = scope.flow[name]
        statement = self._statement
        first = statement.lineno if statement is not None else 0
        for sites in (self._calls, self._reads):  # the statement's own sites: the last ones, from its first line
            index = len(sites) - 1
            while index >= 0 and loc_parts(sites[index].loc)[0] >= first:
                site = sites[index]
                if (site.chain and site.chain[0] == old) or any(chain[0] == old for _, chain in site.args):
                    sites[index] = _respelled_site(site, lambda chain: (now, *chain[1:]) if chain[0] == old else chain)
                index -= 1

    def _extend(self, found: list[Chain], chains: tuple[Chain, ...]) -> None:
        for chain in chains:
            found.append(chain)
            if REACHING in chain[0]:
                self._patch_chains.append((found, len(found) - 1))

    def _implicit(
        self,
        kind: str,
        node: ast.expr,
        loc: Pos,
        name_loc: Pos,
        scope: ScopeBuilder,
        names: dict[str, str] | None = None,
    ) -> None:
        """A call Python makes for a statement (``with``, ``for``, ``raise``, ``yield from``) or a comprehension's
        ``for`` on ``node``'s value; its site spans from the keyword to the end of what it works on (never the range
        of a call expression). ``names``: as for :meth:`expr`."""
        chain = chain_of(node)
        if chain is not None:
            text = f"{kind} {chain_text(chain) if CALL not in chain else self._segment(node)}"
            if names is None:
                names = scope.flow
            if names:
                chain = renamed(chain, names)
                if REACHING in chain[0]:
                    self._patch_calls.append(len(self._calls))
            self._calls.append(CallSite(scope.qualname, chain, text, loc_of(*loc), loc_of(*name_loc), implicit=kind))

    def _bind_entered(self, target: ast.expr, scope: ScopeBuilder, context: Chain | None, entered: str) -> None:
        """``with Foo() as f``: f is what ``Foo().__enter__()`` returns (``async with``: ``__aenter__``)."""
        if isinstance(target, ast.Name) and context is not None:
            if scope.flow:
                context = renamed(context, scope.flow)
            self._bind(scope, target.id, Binding(VALUE, chains=((*context, entered, "()"),)))
        else:
            self._bind_target(target, scope, None)

    def _decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scope: ScopeBuilder) -> None:
        """Decorator expressions run in the defining scope; a bare ``@name`` is itself a call of ``name``, and
        ``@factory(...)`` calls what ``factory(...)`` returns (an implicit call site, from the ``@``)."""
        for decorator in node.decorator_list:
            self.expr(decorator, scope, _PLAIN)
            chain = chain_of(decorator)
            if not isinstance(decorator, ast.Call):
                if chain is not None and chain[-1] not in DECLARATIVE_DECORATORS:
                    loc, name_loc = loc_of(*self.pos(decorator)), loc_of(*self.name_pos(decorator))
                    self._calls.append(CallSite(scope.qualname, chain, chain_text(chain), loc, name_loc))
            elif chain is not None and len(chain) > 1 and chain[-2] not in DECLARATIVE_DECORATORS:
                line, col, end_line, end_col = self.pos(decorator)
                at = self._line(line).rfind("@", 0, col + 1)
                loc = loc_of(line, at if at >= 0 else col, end_line, end_col)
                name_loc = loc_of(*self.name_pos(decorator.func))
                self._calls.append(CallSite(scope.qualname, chain, chain_text(chain), loc, name_loc, implicit=APPLY))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, parent: ScopeBuilder) -> None:
        self._decorators(node, parent)
        args = node.args
        has_defaults = bool(args.defaults or args.kw_defaults)
        if has_defaults:
            for default in (*args.defaults, *(d for d in args.kw_defaults if d is not None)):
                self.expr(default, parent, _PLAIN)
        loc, name_loc = self._def_locs(node)
        scope = ScopeBuilder(child_qualname(parent, node.name), "function", parent, loc_of(*loc), loc_of(*name_loc))
        self._scopes.append(scope)
        self._bind(parent, node.name, Binding(DEF, target=scope.qualname))
        scope.is_async = isinstance(node, ast.AsyncFunctionDef)
        if node.decorator_list:
            decorators = tuple(Decorator(self._segment(d), chain_of(d)) for d in node.decorator_list)
            scope.decorators = decorators
            heads = frozenset(d.chain[-1] for d in decorators if d.chain)
        else:
            heads = _NO_HEADS
        if heads and parent.kind == "class":
            if heads & _STATIC:
                scope.method_kind = "static"
            elif heads & _CLASSMETHOD:
                scope.method_kind = "class"
            elif heads & _PROPERTY:
                scope.method_kind = "property"
        positional = self._parameters(args, scope, parent)
        if parent.kind == "class" and positional and scope.method_kind != "static":
            first = positional[0].arg
            implicit_cls = scope.method_kind == "class" or node.name in _IMPLICIT_CLS
            # ``self: Client`` on a mixin's method: the class it is mixed into, whose attributes ``self`` reads
            annotated = () if implicit_cls else annotation_chains(positional[0].annotation)
            scope.bindings[first] = [Binding(CLS if implicit_cls else SELF, chains=annotated)]
            if not implicit_cls:
                scope.self_name = first
                scope.owner = parent
        scope.returns = annotation_chains(node.returns)
        if parent.kind == "class" and positional and scope.method_kind != "static":
            scope.returns_receiver = _returns_receiver(positional[0].annotation, node.returns)
        if (doc := _docstring(node)) is not None:
            self._documented(doc, scope, parent.qualname)
        self._reaching.start(scope, node.body, scope.params)
        self.body(node.body, scope)
        if self._positions and self._positions[-1][0] is scope:
            self._keep_positions(node, scope)

    def _keep_positions(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: ScopeBuilder) -> None:
        """The function's lists bound to a display keep their elements' positions only when every use of the name
        (nested scopes included) reads them in place: an item, a slice, iteration, ``len``, an item store. Any other
        use (``append``, ``sort``, passed to a call, another name bound to it) may move them: any position then."""
        mine = [found for found in self._positions if found[0] is scope]
        del self._positions[len(self._positions) - len(mine) :]
        moved = _moved_lists(node, {name for _, name, _ in mine})
        for _, name, index in mine:
            if name in moved:
                found = scope.bindings[name]
                b = found[index]
                chains = tuple((*c[:-1], VALUES_OF) if c[-1][:3] == VALUES_OF else c for c in b.chains)
                found[index] = Binding(b.kind, b.target, b.name, b.level, chains, b.scope)

    @staticmethod
    def _documented(doc: str, scope: ScopeBuilder, parent: str) -> None:
        """The types a docstring gives the parameters and the return value the function does not annotate."""
        for name, chains in docstring_types(doc).items():
            if not name:  # ``:rtype: Foo``: what calling ``Foo`` makes is one of the values it returns
                if not scope.returns:
                    scope.return_values.extend((*c, CALL) for c in chains if all(p[0] != "[" for p in c[1:]))
            elif (bindings := scope.bindings.get(name)) and len(bindings) == 1 and bindings[0].kind == PARAMETER:
                bindings[0] = Binding(PARAMETER, target=name, chains=chains, scope=parent)

    def _parameters(self, args: ast.arguments, scope: ScopeBuilder, parent: ScopeBuilder) -> list[ast.arg]:
        """Bind a function's or lambda's parameters in its scope (defaults: evaluated in ``parent``); returns the
        positional ones."""
        positional = [*args.posonlyargs, *args.args]
        everything = [*positional, *([args.vararg] if args.vararg else []), *args.kwonlyargs]
        if args.kwarg:
            everything.append(args.kwarg)
        scope.params = tuple(a.arg for a in everything)
        scope.positional, scope.posonly = len(positional), len(args.posonlyargs)
        with_default = (*positional[len(positional) - len(args.defaults) :], *args.kwonlyargs)
        defaulted = zip(with_default, (*args.defaults, *args.kw_defaults), strict=True)
        scope.defaults = tuple((a.arg, c) for a, d in defaulted for c in _default_chains(d, self.lambda_name))
        parent_qualname = parent.qualname
        for arg in everything:
            if arg is args.vararg or arg is args.kwarg:  # ``*args`` is a tuple, ``**kwargs`` a dict
                binding = Binding(VALUE, chains=((("<tuple>",) if arg is args.vararg else ("<dict>",)),))
            elif chains := annotation_chains(arg.annotation):
                binding = Binding(ANNOTATION, target=arg.arg, chains=chains, scope=parent_qualname)
            else:
                binding = Binding(PARAMETER, target=arg.arg)
            scope.bindings.setdefault(arg.arg, []).append(binding)
        return positional

    def _class(self, node: ast.ClassDef, parent: ScopeBuilder) -> None:
        self._decorators(node, parent)
        for base in (*node.bases, *(k.value for k in node.keywords)):
            self.expr(base, parent, _PLAIN)
        loc, name_loc = self._def_locs(node)
        scope = ScopeBuilder(child_qualname(parent, node.name), "class", parent, loc_of(*loc), loc_of(*name_loc))
        self._scopes.append(scope)
        self._bind(parent, node.name, Binding(CLASS, target=scope.qualname))
        scope.decorators = tuple(Decorator(self._segment(d), chain_of(d)) for d in node.decorator_list)
        scope.bases = tuple(chain_of(b.value if isinstance(b, ast.Subscript) else b) for b in node.bases)
        self._reaching.start(scope, node.body)
        self.body(node.body, scope)
        if self._held_writes:
            self._class_writes(scope)

    # ---- __all__ ---------------------------------------------------------------------------------------------
    def _record_all(self, targets: list[ast.expr], value: ast.expr, scope: ScopeBuilder, *, extend: bool) -> None:
        if scope.kind != "module" or not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return
        names = _literal_strings(value)
        if names is None:
            self._all_dynamic = True
        elif extend:
            self._all_names = [*(self._all_names or []), *names]
        else:
            self._all_names = list(names)

    def _record_all_call(self, value: ast.expr, scope: ScopeBuilder) -> None:
        if scope.kind != "module" or not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute):
            return
        owner = value.func.value
        if not (isinstance(owner, ast.Name) and owner.id == "__all__") or len(value.args) != 1:
            return
        method = value.func.attr
        arg = value.args[0]
        if method == "append" and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            self._all_names = [*(self._all_names or []), arg.value]
        elif method == "extend" and (names := _literal_strings(arg)) is not None:
            self._all_names = [*(self._all_names or []), *names]
        else:
            self._all_dynamic = True

    # ---- expressions -----------------------------------------------------------------------------------------
    def expr(self, node: ast.expr, scope: ScopeBuilder, names: dict[str, str] | None = None) -> None:
        """Record every call (and walrus binding) inside an expression; iterative, so depth does not matter.
        ``names``: the heads names are written with: inside a comprehension, its own names (see ``_own_scope``); by
        default, those naming the bindings that reach here (``facts/reaching.py``)."""
        if type(node) is ast.Name or type(node) is ast.Constant:  # most expressions walked: nothing to record
            return
        if names is None:
            names = scope.flow
        rooted = self._root is None
        if rooted:
            self._root, self._root_scope = node, scope
        stack: list[object] = [node]
        pop, push, append = stack.pop, stack.extend, stack.append
        calls = self._calls
        texts = self._texts
        fields = _FIELDS
        while stack:
            current = pop()
            kind = type(current)
            if kind is ast.Name or kind is ast.Constant:
                continue
            if kind is ast.Attribute:
                assert isinstance(current, ast.Attribute)
                if type(current.ctx) is ast.Load:
                    self._read(current, scope, names)
                append(current.value)  # the generic walk below, for the two commonest nodes
                continue
            if kind is ast.Call:
                assert isinstance(current, ast.Call)
                func = current.func
                chain = chain_of(func)
                if chain is None and type(func) is ast.Lambda:  # ``(lambda x: ...)(1)``: calls the lambda
                    chain = next(iter(value_chains(func, self.lambda_name)), None)
                elif chain is not None and len(chain) == 2 and chain[0] == "getattr":
                    chain = _getattr_chain(func, names) or chain
                # a chain with a call in it keeps its arguments in the text: ``f(x).run()``, ``getattr(obj, "x")()``
                readable = (
                    chain is not None
                    and CALL not in chain
                    and ITEM not in chain
                    and not chain[0].startswith(("<", LAMBDA))
                    and (type(func) is ast.Name or not has_call(func))
                )
                # one text object for all modules (``os.path.join`` is written in hundreds): marshal keeps it interned
                if readable and chain is not None:
                    text = texts.get(chain) or texts.setdefault(chain, intern(chain_text(chain)))
                else:
                    text = self._segment(func)
                if chain is not None and chain[0] in _DISPLAYS and len(chain) > 1 and chain[1][:3] in _LOOKUPS:
                    chain = self._displayed(func, chain, scope, names)
                if names and chain is not None:
                    chain = renamed(chain, names)
                args = _argument_chains(current, names, self.lambda_name) if chain is not None else ()
                loc, name_loc = self.site_locs(current, func)
                if names and chain is not None:
                    if REACHING in chain[0]:
                        self._patch_calls.append(len(calls))
                    else:
                        for _, arg in args:
                            if REACHING in arg[0]:
                                self._patch_calls.append(len(calls))
                                break
                calls.append(CallSite(scope.qualname, chain, text, loc, name_loc, args))
                # the callee is a call, not an attribute read: only what it is looked up on is walked
                if type(func) is ast.Attribute:
                    assert isinstance(func, ast.Attribute)
                    append(func.value)
                else:
                    append(func)
                push(current.args)
                if current.keywords:
                    push([keyword.value for keyword in current.keywords])
                continue
            if kind in _OWN_SCOPES:
                assert isinstance(current, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp | ast.Lambda)
                self._own_scope(current, scope, names)
                continue
            elif kind is ast.Yield:
                assert isinstance(current, ast.Yield)
                self._extend(scope.yield_values, self._value(current.value, scope))
            elif kind is ast.YieldFrom:
                assert isinstance(current, ast.YieldFrom)
                where = self.pos(current)
                self._implicit(ITERATE, current.value, where, (*where[:2], where[0], where[1] + 5), scope)
            elif kind is ast.NamedExpr:
                assert isinstance(current, ast.NamedExpr)
                self._walrus(current, scope)
            elif kind is ast.IfExp and scope.tracked and names is scope.flow:
                assert isinstance(current, ast.IfExp)
                if type(current.test) in NARROWING_TOPS:
                    self._narrowed_arms(current, scope)
                    continue
            for name in fields.get(kind, ()):
                value = getattr(current, name, None)
                if type(value) is list:
                    push(value)
                elif value is not None:
                    append(value)
        if rooted:
            self._root = self._root_scope = None
            if self._lambda_scopes_from is not None:  # the lambdas' scopes in source order (walked last to first)
                self._scopes[self._lambda_scopes_from :] = sorted(
                    self._scopes[self._lambda_scopes_from :], key=lambda scope: loc_parts(scope.loc)
                )
                self._lambda_scopes_from = None

    def _displayed(self, func: ast.expr, chain: Chain, scope: ScopeBuilder, names: dict[str, str] | None) -> Chain:
        """The callee chain of an item of a display (``{"a": f1, "b": f2}[kind]()``, ``(f1, f2)[0]()``,
        ``[f1, f2][1]()``): a name no code can spell, made of the display's text and bound in the scope to what the
        display holds (a list's positions too: nothing else sees it), heads the chain."""
        display = func
        while type(display) is not ast.Dict and type(display) not in _SEQUENCE_DISPLAYS:
            if isinstance(display, ast.Attribute | ast.Subscript):
                display = display.value
            elif isinstance(display, ast.Call):
                display = display.func
            else:
                return chain
        held = value_chains(display, self.lambda_name, positions=True)
        if names:
            held = tuple(renamed(c, names) for c in held)
        own = intern(f"{_DISPLAY_NAME}{self._segment(display)}")
        self._bind(scope, own, Binding(VALUE, chains=held) if held else _UNKNOWN_BINDING)
        return (own, *chain[1:])

    def lambda_name(self, node: ast.Lambda) -> str | None:
        """The qualname of a lambda's scope (``f.<locals>.<lambda2>``); the lambdas of the expression being walked
        are numbered when the first of them is asked about."""
        name = self._lambda_names.get(id(node))
        if name is None and self._root is not None and self._root_scope is not None:
            self._name_lambdas(self._root, self._root_scope)
            name = self._lambda_names.get(id(node))
        return name

    def _name_lambdas(self, root: ast.expr, scope: ScopeBuilder) -> None:
        """Number every lambda in ``root`` (an expression of ``scope``) in source order, per scope that holds it:
        ``scope`` itself, or the lambda whose body it is in (``<lambda1>.<locals>.<lambda1>``); a lambda's default
        values belong to the scope around the lambda."""
        found: list[tuple[int, int, ast.Lambda, ast.Lambda | None]] = []
        stack: list[tuple[ast.AST, ast.Lambda | None]] = [(root, None)]
        while stack:
            node, owner = stack.pop()
            if type(node) is ast.Lambda:
                assert isinstance(node, ast.Lambda)
                found.append((node.lineno, node.col_offset, node, owner))
                args = node.args
                stack.extend((d, owner) for d in (*args.defaults, *args.kw_defaults) if d is not None)
                stack.append((node.body, node))
            else:
                stack.extend((child, owner) for child in ast.iter_child_nodes(node))
        found.sort(key=lambda item: (item[0], item[1]))
        names, counts = self._lambda_names, self._lambda_counts
        for _, _, node, owner in found:
            if id(node) in names:
                continue
            parent = names[id(owner)] if owner is not None else scope.qualname
            counts[parent] = number = counts.get(parent, 0) + 1
            own = f"<lambda{number}>"
            names[id(node)] = f"{parent}.<locals>.{own}" if owner is not None else child_qualname(scope, own)
        if self._lambda_scopes_from is None:
            self._lambda_scopes_from = len(self._scopes)

    def _read(self, node: ast.Attribute, scope: ScopeBuilder, names: dict[str, str] | None) -> None:
        chain = chain_of(node, False)
        if chain is None or chain[0].startswith("<"):
            return
        if names:
            chain = renamed(chain, names)
            if REACHING in chain[0]:
                self._patch_reads.append(len(self._reads))
        if self._ascii:  # its columns are the byte offsets: ``pos`` without its tuple
            line, col, end_line, end_col = node.lineno, node.col_offset, node.end_lineno, node.end_col_offset
            end_line = end_line or line
            end_col = end_col if end_col is not None else col
        else:
            line, col, end_line, end_col = self.pos(node)
        loc, name_loc = (
            loc_of(line, col, end_line, end_col),
            loc_of(end_line, max(end_col - len(node.attr), 0), end_line, end_col),
        )
        text = self._texts.get(chain) or self._texts.setdefault(chain, intern(chain_text(chain)))
        self._reads.append(CallSite(scope.qualname, chain, text, loc, name_loc, (), READ))

    def _own_scope(
        self,
        node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp | ast.Lambda,
        scope: ScopeBuilder,
        outer: dict[str, str] | None,
    ) -> None:
        """Comprehension targets belong to their own scope: a call on ``x`` in ``[x.run() for x in items]`` never
        reaches a module-level ``x``. Each is bound in the enclosing scope under its own name
        (``chains.own_names``); the calls inside stay the enclosing function's. A lambda is a scope of its own."""
        if isinstance(node, ast.Lambda):
            self._lambda(node, scope, outer)
            return
        names = dict(outer or {})
        lazy = isinstance(node, ast.GeneratorExp)
        if lazy:  # runs later: any binding of an outer name may reach
            names = {name: own for name, own in names.items() if REACHING not in own}
        for generator, seen, bound in own_names(node, names if lazy else outer, self.lambda_name):
            # a generator's first iterable is read where it is written
            heads = outer if lazy and generator is node.generators[0] else seen
            self.expr(generator.iter, scope, heads)
            self._iterated(generator, scope, heads)
            for own, chains in bound:
                names[own.partition("@")[0]] = own
                self._bind(scope, own, Binding(VALUE, chains=chains) if chains else _UNKNOWN_BINDING)
            for condition in generator.ifs:
                self.expr(condition, scope, names)
        parts = (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,)
        for part in parts:
            self.expr(part, scope, names)

    def _iterated(self, generator: ast.comprehension, scope: ScopeBuilder, names: dict[str, str] | None) -> None:
        """A comprehension's ``for`` iterates its iterable (``[d.title for d in Doc.objects.all()]`` runs the
        queryset's ``__iter__``): an implicit call from its ``for`` keyword (the clause has no position of its own: the
        last ``for`` before its target on the target's line, else the target) to the iterable's end."""
        line, col, _, _ = self.pos(generator.target)
        keyword = self._line(line).rfind("for", 0, col)
        col = keyword if keyword >= 0 else col
        where = (line, col, *self.pos(generator.iter)[2:])
        iterate = ASYNC_ITERATE if generator.is_async else ITERATE
        self._implicit(iterate, generator.iter, where, (line, col, line, col + 3), scope, names)

    def _lambda(self, node: ast.Lambda, parent: ScopeBuilder, outer: dict[str, str] | None) -> None:
        """A lambda is a function of its own (``f.<locals>.<lambda1>``): its parameters are bound in it, the calls
        of its body are its own, and calling it gives what its body evaluates to. Its default values are
        evaluated where it is defined (with the bindings that reach there)."""
        args = node.args
        for default in (*args.defaults, *(d for d in args.kw_defaults if d is not None)):
            self.expr(default, parent, outer)
        qualname = self.lambda_name(node)
        if qualname is None:  # not met while walking an expression (not expected): numbered alone
            self._name_lambdas(node, parent)
            qualname = self._lambda_names[id(node)]
        line, col, end_line, end_col = self.pos(node)
        loc, keyword = loc_of(line, col, end_line, end_col), loc_of(line, col, line, col + 6)
        scope = ScopeBuilder(qualname, LAMBDA_KIND, parent, loc, keyword)
        self._scopes.append(scope)
        self._parameters(args, scope, parent)
        if outer and scope.defaults:  # a default is read where the lambda is: a comprehension's own name, ``h#1``
            scope.defaults = tuple((name, renamed(chain, outer)) for name, chain in scope.defaults)
            if provisional(chain for _, chain in scope.defaults):
                self._patch_defaults.append(scope)
        # the body runs later, with its own parameters: an outer name read there sees every binding of it (no
        # ``h#1``, ``facts/reaching.py``), a comprehension's variable around it keeps its own name
        names = (
            {name: own for name, own in outer.items() if name not in scope.params and REACHING not in own}
            if outer
            else None
        )
        scope.return_values.extend(renamed(c, names) for c in value_chains(node.body, self.lambda_name))
        self.expr(node.body, scope, names or None)

    def _respell(self) -> None:
        """Write each provisional head as the name (every binding reaches) or with the bindings that reach."""
        if not self._reaching.active:
            return
        final = self._reaching.final()

        def respell(chain: Chain) -> Chain:
            return respelled(chain, final)

        for sites, indices in ((self._calls, self._patch_calls), (self._reads, self._patch_reads)):
            for index in indices:
                sites[index] = _respelled_site(sites[index], respell)
        for bindings, index in self._patch_bindings:
            b = bindings[index]
            chains = tuple(respelled(chain, final) for chain in b.chains)
            bindings[index] = Binding(b.kind, b.target, b.name, b.level, chains, b.scope)
        for values, at in self._patch_chains:
            values[at] = respelled(values[at], final)
        for scope in self._patch_defaults:
            scope.defaults = tuple((name, respelled(chain, final)) for name, chain in scope.defaults)

    def facts(self, tree: ast.Module) -> ModuleFacts:
        lines = self.lines()
        last = len(lines)
        loc, name_loc = loc_of(1, 0, last, len(lines[-1])), loc_of(1, 0, 1, len(lines[0]))
        module = ScopeBuilder(MODULE_QUALNAME, "module", None, loc, name_loc)
        self._scopes.append(module)
        self._reaching.start(module, tree.body)
        self.body(tree.body, module)
        self._respell()
        for sites in (self._calls, self._reads):  # in source order
            if sites:
                sites.sort(key=_LOC if narrow_span(max(map(_LOC, sites))) else _loc_order)
        all_names = None if self._all_dynamic or self._all_names is None else tuple(self._all_names)
        top_level = tuple(
            (min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", ()))]), s.end_lineno or s.lineno)
            for s in tree.body
        )
        scopes = tuple(s.freeze() for s in self._scopes)
        reads = kept_reads(self._reads, {scope.qualname: scope for scope in scopes})
        return ModuleFacts(scopes, tuple(self._calls), all_names, last, top_level, reads=reads)


def kept_reads(reads: Iterable[CallSite], scopes: Mapping[str, Scope]) -> tuple[CallSite, ...]:
    """The attribute reads that can run a getter: not an attribute of an imported module (``os.sep``, the
    ``urllib.request`` of ``urllib.request.urlopen()``), which a fifth of all reads are; ``scopes`` by qualname."""
    return tuple(read for read in reads if read.chain is None or not _module_attribute(read.chain, read.scope, scopes))


def _module_attribute(chain: Chain, scope: str, scopes: Mapping[str, Scope]) -> bool:
    """Whether ``chain`` is ``name.attr`` where Python's scoping finds ``name`` bound only by imports."""
    if len(chain) != 2:
        return False
    current = scopes.get(scope)
    first = True
    while current is not None:
        if first or current.kind != "class":
            head = chain[0]
            bindings = current.bindings.get(plain_name(head) if REACHING in head else head)
            if bindings:
                return all(binding.kind == IMPORT for binding in bindings)
        first = False
        current = scopes.get(current.parent) if current.parent else None
    return False


def _loc_order(site: CallSite) -> tuple[int, int, int, int]:
    """A site's place in source order in a module with a position too large for the narrow packing."""
    return loc_parts(site.loc)


def _enclosing_function(scope: ScopeBuilder, name: str) -> ScopeBuilder | None:
    """The function scope a ``nonlocal`` name of ``scope`` is bound in: the nearest one around it binding the name
    (so far), else the nearest one."""
    nearest = None
    outer = scope.parent
    while outer is not None:
        if outer.kind == "function":
            if name in outer.bindings:
                return outer
            nearest = nearest or outer
        outer = outer.parent
    return nearest


def _respelled_site(site: CallSite, respell: Callable[[Chain], Chain]) -> CallSite:
    chain = respell(site.chain) if site.chain is not None else None
    args = tuple((key, respell(arg)) for key, arg in site.args)
    return CallSite(site.scope, chain, site.text, site.loc, site.name_loc, args, site.implicit)


def _type_binding(targets: list[ast.expr], value: ast.expr) -> Binding | None:
    """``X = Optional[A]`` (a type alias), ``X = NewType("X", A)`` or ``T = TypeVar("T", bound=B)`` at module or
    class level; None otherwise."""
    if len(targets) != 1 or not isinstance(targets[0], ast.Name):
        return None
    callee = chain_of(value.func) if isinstance(value, ast.Call) else None
    if isinstance(value, ast.Call) and callee is not None and callee[-1] == "TypeVar":
        bound = next((k.value for k in value.keywords if k.arg == "bound"), None)
        limits = [bound] if bound is not None else value.args[1:]
        return Binding(TYPEVAR, target=targets[0].id, chains=tuple(c for e in limits for c in annotation_chains(e)))
    if isinstance(value, ast.Call) and callee is not None and callee[-1] == "NewType":
        base = annotation_chains(value.args[1]) if len(value.args) == 2 else ()
        return Binding(NEWTYPE, target=targets[0].id, chains=base) if base else None
    chains = alias_chains(value)
    return Binding(ALIAS, chains=chains) if chains else None


# values written into a collection that can change what a call reaches (a name, an attribute, a lambda)
_WRITTEN = frozenset({ast.Name, ast.Attribute, ast.Lambda})
# methods that add to the collection they are called on
WRITE_METHODS = frozenset({"append", "add", "insert", "extend", "update", "setdefault"})
_HELD_COLLECTIONS = frozenset({ast.Name, ast.Attribute})  # ``steps.append(f)``, ``self.steps.append(f)``


_DISPLAYS = frozenset({"<dict>", "<list>", "<set>", "<tuple>"})
_LOOKUPS = frozenset({ITEM, SELECT})  # a chain's part right after a display it looks an item up in
_SEQUENCE_DISPLAYS = frozenset({ast.List, ast.Tuple})
_DISPLAY_NAME = "[d]@"  # heads the own name of a display a call looks an item up in (``Extractor._displayed``)
_COPIES = frozenset({"dict", "list", "set"})


def _moved_lists(node: ast.FunctionDef | ast.AsyncFunctionDef, names: set[str]) -> set[str]:
    """The names among ``names`` that a use in the function (or a scope in it) may reorder the list of: every use that
    is not an item or slice read, an item store, iteration or ``len(name)``."""
    kept: set[int] = set()
    used: list[ast.Name] = []
    # every node, in no particular order (what it finds is a set): by exact type and the fields that can hold nodes,
    # as ``Extractor.expr`` walks (``ast.walk`` costs several times as much)
    stack: list[object] = [node]
    pop, push, append = stack.pop, stack.extend, stack.append
    fields = _FIELDS
    while stack:
        child = pop()
        kind = type(child)
        if kind is ast.Name:
            assert isinstance(child, ast.Name)
            if child.id in names and type(child.ctx) is ast.Load:
                used.append(child)
            continue
        if kind is ast.Subscript:
            assert isinstance(child, ast.Subscript)
            ctx = type(child.ctx)
            if ctx is ast.Load or (ctx is ast.Store and type(child.slice) is not ast.Slice):
                kept.add(id(child.value))
        elif kind is ast.For or kind is ast.AsyncFor or kind is ast.comprehension:
            assert isinstance(child, ast.For | ast.AsyncFor | ast.comprehension)
            kept.add(id(child.iter))
        elif kind is ast.Call:
            assert isinstance(child, ast.Call)
            func, args = child.func, child.args
            if type(func) is ast.Name and func.id == "len" and len(args) == 1:
                kept.add(id(args[0]))
        for name in fields.get(kind, ()):
            value = getattr(child, name, None)
            if type(value) is list:
                push(value)
            elif value is not None:
                append(value)
    return {name.id for name in used if id(name) not in kept}


def _holds_collection(bindings: Iterable[Binding]) -> bool:
    """Whether a name is bound to a collection the scope makes (a display, a comprehension, ``dict(...)``): a write
    into it is followed; ``session.add(obj)`` on anything else is not a write into a collection."""
    return any(
        chain[0] in _DISPLAYS or (len(chain) == 2 and chain[1] == CALL and plain_name(chain[0]) in _COPIES)
        for binding in bindings
        for chain in binding.chains
    )


def _binding_scope(scope: ScopeBuilder, name: str) -> ScopeBuilder | None:
    """The scope around ``scope`` (not a class body) whose binding of ``name`` (so far) a use in ``scope`` reads."""
    outer = scope.parent
    while outer is not None:
        if outer.kind != "class" and name in outer.bindings:
            return outer
        outer = outer.parent
    return None


def _getattr_chain(call: ast.expr, names: dict[str, str] | None) -> Chain | None:
    """The callee chain of ``getattr(obj, "name", default)(...)``: the attribute, OR the default (its name as
    written: every binding of it; not a name ``names`` gives a head of its own, a comprehension's)."""
    named = getattr_default(call)
    if named is None:
        return None
    target, name, default = named
    found = chain_of(target)
    if found is None:
        return None
    fallback = chain_of(default) if type(default) is not ast.Constant else None
    if fallback is not None and names and "@" in names.get(fallback[0], ""):
        fallback = None
    return (*found, name, OR, *fallback) if fallback is not None else (*found, name, OR)


def _argument_chains(
    call: ast.Call, names: dict[str, str] | None, lambdas: LambdaNames
) -> tuple[tuple[str, Chain], ...]:
    """The arguments resolution can follow (``Queue().drain``, ``a if c else b``), by position (until a
    ``*spread``: the positions after it are not known) or keyword (``**spread`` ones are not known)."""
    if not call.args and not call.keywords:
        return ()
    found: list[tuple[str, Chain]] = []
    for position, arg in enumerate(call.args):
        kind = type(arg)
        if kind is ast.Name:  # most arguments: a name (or a literal, skipped but a factory's key: ``key_chain``)
            assert isinstance(arg, ast.Name)
            found.append((_POSITIONS[position] if position < 16 else str(position), renamed((arg.id,), names)))
        elif kind is ast.Starred:
            break
        elif kind in _FOLLOWABLE:
            key = _POSITIONS[position] if position < 16 else str(position)
            found.extend((key, renamed(chain, names)) for chain in _followable(arg, lambdas))
        elif kind is ast.Constant and (literal := key_chain(arg)) is not None:
            found.append((_POSITIONS[position] if position < 16 else str(position), literal))
    for keyword in call.keywords:
        if keyword.arg is not None and type(keyword.value) in _FOLLOWABLE:
            found.extend((keyword.arg, renamed(chain, names)) for chain in _followable(keyword.value, lambdas))
        elif keyword.arg is not None and (literal := key_chain(keyword.value)) is not None:
            found.append((keyword.arg, literal))
    return tuple(found) if found else ()


_POSITIONS = tuple(str(position) for position in range(16))
# argument and default expressions whose value can change what a call reaches (literals never do)
_FOLLOWABLE = frozenset({ast.Name, ast.Attribute, ast.Call, ast.Await, ast.IfExp, ast.BoolOp, ast.Lambda})


def _followable(node: ast.expr | None, lambdas: LambdaNames) -> tuple[Chain, ...]:
    if node is None or type(node) not in _FOLLOWABLE:
        return ()
    if type(node) is ast.Name:
        assert isinstance(node, ast.Name)
        return ((node.id,),)
    if type(node) is ast.Attribute or type(node) is ast.Call:
        chain = chain_of(node)
        return (chain,) if chain is not None and not chain[0].startswith("<") else ()
    return tuple(chain for chain in value_chains(node, lambdas) if not chain[0].startswith("<"))


def _default_chains(node: ast.expr | None, lambdas: LambdaNames) -> tuple[Chain, ...]:
    """A parameter's default as resolution follows it: a followable value, or a literal a factory may be keyed by."""
    found = _followable(node, lambdas)
    if not found and (literal := key_chain(node)) is not None:
        return (literal,)
    return found


def _docstring(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """A function's docstring as written (not cleaned: only its typed lines are read)."""
    first = node.body[0] if node.body else None
    if type(first) is ast.Expr and type(first.value) is ast.Constant and isinstance(first.value.value, str):
        return first.value.value
    return None


def _caught(handler: ast.expr | None) -> Binding:
    """``except E as e`` / ``except (E1, E2) as e``: an instance of one of the exception classes."""
    types = handler.elts if isinstance(handler, ast.Tuple) else [handler] if handler is not None else []
    chains = tuple(chain for t in types for chain in annotation_chains(t))
    return Binding(ANNOTATION, chains=chains) if chains else _UNKNOWN_BINDING


def _returns_receiver(first: ast.expr | None, returns: ast.expr | None) -> bool:
    """``def m(self: T) -> T``, ``def m(cls: type[T]) -> T`` or ``def m(self) -> Self``."""
    returned = _annotation_name(returns)
    if returned is None:
        return False
    if returned == "Self":
        return True
    if isinstance(first, ast.Subscript) and _annotation_name(first.value) in ("type", "Type"):
        first = first.slice
    return _annotation_name(first) == returned


def _annotation_name(node: ast.expr | None) -> str | None:
    """The last name of a plain annotation: ``T``, ``"T"``, ``typing.Self``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    chain = chain_of(node) if isinstance(node, ast.Name | ast.Attribute) else None
    return chain[-1] if chain is not None else None


def _literal_strings(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.List | ast.Tuple):
        names = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        return names if len(names) == len(node.elts) else None
    return None


def extract_facts(
    tree: ast.Module, text: str, rewritten: tuple[tuple[int, str], ...] = (), *, part: bool = False
) -> ModuleFacts:
    """The facts of one parsed module; ``text`` is the source ``tree`` was parsed from (for character columns), with
    the newer syntax ``rewritten`` to parse it (same positions: ``downlevel.py``). ``part``: ``tree`` holds some of
    the module's definitions only (a write from them into a name the part does not bind is a module binding)."""
    facts = _Extractor(text, part).facts(tree)
    return replace(facts, rewritten=rewritten) if rewritten else facts

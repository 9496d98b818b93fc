"""Reaching definitions within one scope: which bindings of a rebound name reach each use, while the extractor walks.

``h = ping; h = pong; h()`` calls ``pong`` only. Only the names a scope binds more than once are followed
(``rebound``: counted per statement before the scope is walked); a use of one is written with a provisional head
(``h#7``) naming a record of the bindings that reach it, and at the end of the module each provisional head becomes
the name itself when every binding reaches (most uses), else ``h#0,2`` (``records.REACHING``). What reaches:

- a binding statement (assignment, ``import``, ``def``, ``class``, ``for``/``with`` targets, ``except ... as``,
  ``match`` captures, an unconditional walrus) replaces what reached before; an annotation without a value binds
  nothing at run time and always reaches (it declares the name's type for the whole scope), as do annotated
  parameters;
- after ``if``/``match``/``try``: the union of the arms (an arm ending in ``return``, ``raise``, ``break`` or
  ``continue`` contributes nothing); an exception can leave a ``try`` (or a ``with`` whose manager swallows it)
  after any of its statements, so handlers and the code after a ``with`` see what reached before it too, and
  ``finally`` sees everything;
- a loop body also sees every binding the body makes (the next iteration), and so does the code after the loop;
- ``if isinstance(x, T):`` binds ``x`` to an instance of ``T`` in the arm where the test holds (``not isinstance``:
  the other arm; ``assert isinstance(x, T)``: the code after it); after the ``if`` the narrowing still holds only
  when the other arm cannot reach there (``if not isinstance(x, T): raise``), else what reached before it does;
- a ``del``eted name, a name declared ``global`` or ``nonlocal`` (in the scope or by a nested function), and a
  name a scope uses before binding it where that falls back to an enclosing scope (module and class bodies) are
  left plain: every binding. Uses from other scopes (nested functions, lambdas, generator bodies, decorators,
  defaults, other modules) are plain too: they may run after any binding.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence

from trace_advisor.facts.builder import ScopeBuilder
from trace_advisor.facts.records import REACHING, VALUES_OF, Chain, plain_name

UNBOUND = -1  # in a record: the name may be unbound there
State = tuple[dict[str, str], bool]  # (name -> provisional head, dead: no path reaches here)


class Reaching:
    """The records of one module's walk: provisional head -> (scope, name, binding indices and loop marks)."""

    __slots__ = ("_records", "_loops", "_serial", "_bound_in", "active")

    def __init__(self) -> None:
        self._records: dict[str, tuple[ScopeBuilder, str, set[int]]] = {}
        # per loop: how many bindings each followed name of its scope had when it started, and when it ended
        self._loops: list[tuple[dict[str, int], dict[str, int]]] = []
        self._serial = 0
        self._bound_in: dict[int, set[str]] = {}  # the names each loop's body binds, by ``id`` of the loop
        self.active = False  # some scope follows a name: provisional heads exist

    def start(self, scope: ScopeBuilder, body: Sequence[ast.stmt], params: Iterable[str] = ()) -> None:
        """Follow the names ``body`` binds more than once (parameters count as one binding each)."""
        names = rebound(body, params, self._bound_in)
        if not names:
            return
        self.active = True
        scope.tracked = names
        for name in names:
            count = len(scope.bindings.get(name, ()))
            scope.flow[name] = self._record(scope, name, set(range(count)) if count else {UNBOUND})

    def _record(self, scope: ScopeBuilder, name: str, reach: set[int]) -> str:
        head = f"{name}{REACHING}{self._serial}"
        self._serial += 1
        self._records[head] = (scope, name, reach)
        return head

    def reach(self, scope: ScopeBuilder, name: str) -> set[int] | None:
        """The bindings of a followed name that reach here (with the marks of loops and of unbound), else None."""
        head = scope.flow.get(name)
        return self._records[head][2] if head is not None else None

    def bound(self, scope: ScopeBuilder, name: str, index: int, *, kill: bool = True) -> None:
        """Binding ``index`` of ``name`` was made: it replaces what reached (``kill``) or joins it."""
        head = scope.flow.get(name)
        if head is not None:
            reach = {index} if kill else self._records[head][2] | {index}
            scope.flow[name] = self._record(scope, name, reach)

    # ---- branches --------------------------------------------------------------------------------------------
    @staticmethod
    def save(scope: ScopeBuilder) -> State:
        return dict(scope.flow), scope.dead

    @staticmethod
    def restore(scope: ScopeBuilder, state: State) -> None:
        scope.flow, scope.dead = dict(state[0]), state[1]

    def merge(self, scope: ScopeBuilder, states: Sequence[State]) -> None:
        """Continue from the union of ``states`` (the dead ones contribute nothing; all dead: the code after is not
        reached, and reads the first)."""
        live = [flow for flow, dead in states if not dead]
        if not live:
            self.restore(scope, states[0])
            scope.dead = True
            return
        merged = dict(live[0])
        for flow in live[1:]:
            for name, head in flow.items():
                if merged[name] != head:
                    merged[name] = self._record(scope, name, self._records[merged[name]][2] | self._records[head][2])
        scope.flow, scope.dead = merged, False

    def widened(self, scope: ScopeBuilder, state: State, narrowed: Iterable[tuple[str, int]], before: State) -> State:
        """``state`` at the end of an ``if`` arm whose entry narrowed names (binding indices ``narrowed``), as seen
        after the ``if`` when another arm also reaches there: what reached before the ``if`` instead of the
        narrowing (which says nothing about the object on that arm's way)."""
        flow = state[0]
        for name, index in narrowed:
            head = flow.get(name)
            if head is None or index not in (reach := self._records[head][2]):
                continue
            if flow is state[0]:
                flow = dict(flow)
            flow[name] = self._record(scope, name, (reach - {index}) | self._records[before[0][name]][2])
        return flow, state[1]

    def counts(self, scope: ScopeBuilder) -> dict[str, int]:
        return {name: len(scope.bindings.get(name, ())) for name in scope.tracked}

    def since(self, scope: ScopeBuilder, state: State, counts: dict[str, int]) -> State:
        """``state`` joined with every binding made since ``counts`` were taken (an exception may leave a block
        after any of its statements)."""
        flow = dict(state[0])
        for name, before in counts.items():
            after = len(scope.bindings.get(name, ()))
            if after > before:
                flow[name] = self._record(scope, name, self._records[flow[name]][2] | set(range(before, after)))
        return flow, state[1]

    # ---- loops -----------------------------------------------------------------------------------------------
    def enter_loop(self, scope: ScopeBuilder, node: ast.stmt) -> tuple[int, State, dict[str, int]]:
        """Before a loop's body (and a ``while`` test): every use there also sees what the body binds."""
        before = self.save(scope)
        counts = self.counts(scope)
        loop = len(self._loops)
        self._loops.append((counts, {}))
        mark = -2 - loop
        for name in self._bound_in.get(id(node), ()):
            head = before[0].get(name)
            if head is not None:
                scope.flow[name] = self._record(scope, name, self._records[head][2] | {mark})
        return loop, before, counts

    def leave_loop(self, scope: ScopeBuilder, entered: tuple[int, State, dict[str, int]]) -> None:
        """After the body: what reached before the loop or was bound in it (no iteration, or any number)."""
        loop, before, counts = entered
        self._loops[loop][1].update(self.counts(scope))
        self.restore(scope, self.since(scope, before, counts))

    # ---- the end ---------------------------------------------------------------------------------------------
    def final(self) -> dict[str, str]:
        """Each provisional head's final spelling: the plain name, or the name with the bindings that reach
        (spelled when first asked)."""
        return _Spellings(self)

    def spelled(self, head: str) -> str | None:
        found = self._records.get(head)
        return self._spelled(*found) if found is not None else None

    def _spelled(self, scope: ScopeBuilder, name: str, reach: set[int]) -> str:
        if name in scope.unrestricted or name in scope.declared:
            return name
        count = len(scope.bindings.get(name, ()))
        indices = set(scope.sticky.get(name, ()))
        for mark in reach:
            if mark >= 0:
                indices.add(mark)
            elif mark == UNBOUND:
                if scope.kind != "function":  # read from the scopes around it (module: builtins, star imports)
                    return name
            else:
                starts, ends = self._loops[-2 - mark]
                indices.update(range(starts.get(name, 0), ends.get(name, count)))
        if len(indices) >= count:
            return name
        return f"{name}{REACHING}{','.join(str(index) for index in sorted(indices))}"


class _Spellings(dict[str, str]):
    """Provisional head -> final spelling, each spelled when first asked (a head no use kept is never spelled)."""

    __slots__ = ("_reaching",)

    def __init__(self, reaching: Reaching) -> None:
        super().__init__()
        self._reaching = reaching

    def __missing__(self, head: str) -> str:
        spelled = self._reaching.spelled(head)
        if spelled is None:  # not a provisional head: every binding (never expected)
            spelled = plain_name(head)
        self[head] = spelled
        return spelled


def flowed(scope: ScopeBuilder, chains: tuple[Chain, ...], *, lazy: bool = False) -> tuple[Chain, ...]:
    """``chains`` (a value evaluated here) with the heads of followed names provisional; not a generator's elements
    (``lazy``: they run later). A lambda's chain is its own scope's name (its body is walked in that scope)."""
    flow = scope.flow
    if not flow or not chains:
        return chains
    out = []
    changed = False
    for chain in chains:
        head = flow.get(chain[0])
        if head is None or (lazy and chain[-1] == VALUES_OF):
            out.append(chain)
        else:
            out.append((head, *chain[1:]))
            changed = True
    return tuple(out) if changed else chains


def provisional(chains: Iterable[Chain]) -> bool:
    return any(REACHING in chain[0] for chain in chains)


def respelled(chain: Chain, final: dict[str, str]) -> Chain:
    """``chain`` with its provisional head (if any) spelled as ``final`` says (``Reaching.final``)."""
    head = chain[0]
    return (final[head], *chain[1:]) if REACHING in head else chain


def rebound(
    body: Sequence[ast.stmt], params: Iterable[str] = (), loops: dict[int, set[str]] | None = None
) -> frozenset[str]:
    """The names a scope's statements (not nested scopes') bind more than once, counting one binding per statement
    and each parameter as one (fewer counted only means a name is not followed: every binding then reaches); names
    declared ``global``/``nonlocal`` are not the scope's. ``loops``: filled with the names each loop's body binds
    (by ``id`` of the loop statement)."""
    counts: dict[str, int] = dict.fromkeys(params, 1)
    declared: list[list[str]] = []
    _count(body, counts, declared, (), loops if loops is not None else {}, {})
    rebound = [name for name, count in counts.items() if count > 1]
    if not rebound:
        return _NONE
    return frozenset(rebound).difference(*declared) if declared else frozenset(rebound)


_NONE: frozenset[str] = frozenset()
WALRUS_TOPS = frozenset({ast.NamedExpr, ast.Compare, ast.UnaryOp})
# statements that bind nothing (an expression statement only through a walrus, counted apart)
_PLAIN_STATEMENTS = frozenset({ast.Pass, ast.Raise, ast.AugAssign, ast.Break, ast.Continue, ast.Delete})
_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def _count(
    body: Sequence[ast.stmt],
    counts: dict[str, int],
    declared: list[list[str]],
    inside: tuple[set[str], ...],
    loops: dict[int, set[str]],
    aliases: dict[str, list[str]],
) -> None:
    # by exact type, the commonest statements first (trees come from ``ast.parse``): this runs for every statement
    for node in body:
        kind = type(node)
        if kind is ast.Assign:
            assert isinstance(node, ast.Assign)
            for target in node.targets:
                if type(target) is ast.Name:
                    assert isinstance(target, ast.Name)
                    _add(target.id, counts, inside)
                    if type(node.value) is ast.Name:  # ``view = table``: a write into either is one into both
                        assert isinstance(node.value, ast.Name)
                        aliases.setdefault(node.value.id, []).append(target.id)
                        aliases.setdefault(target.id, []).append(node.value.id)
                elif type(target) is ast.Subscript:
                    assert isinstance(target, ast.Subscript)
                    _add_write(target, node.value, counts, inside, aliases)
                else:
                    _add_target(target, counts, inside)
            if type(node.value) in WALRUS_TOPS:
                _add_walrus(node.value, counts, inside)
            elif type(node.value) is ast.IfExp:
                _add_narrowed(node.value, counts, inside)
        elif kind is ast.Return:
            assert isinstance(node, ast.Return)
            if type(node.value) is ast.IfExp:
                _add_narrowed(node.value, counts, inside)
        elif kind is ast.Expr:
            assert isinstance(node, ast.Expr)
            if type(node.value) in WALRUS_TOPS:
                _add_walrus(node.value, counts, inside)
        elif kind in _PLAIN_STATEMENTS:
            continue
        elif kind is ast.If:
            assert isinstance(node, ast.If)
            if type(node.test) in WALRUS_TOPS:
                _add_walrus(node.test, counts, inside)
            if type(node.test) in NARROWING_TOPS:
                for name, _ in narrowings(node.test, True) + narrowings(node.test, False):
                    _add(name, counts, inside)
            _count(node.body, counts, declared, inside, loops, aliases)
            if node.orelse:
                _count(node.orelse, counts, declared, inside, loops, aliases)
        elif kind in _DEFINITIONS:
            assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            _add(node.name, counts, inside)
        elif kind is ast.Assert:
            assert isinstance(node, ast.Assert)
            if type(node.test) in NARROWING_TOPS:
                for name, _ in narrowings(node.test, True):
                    _add(name, counts, inside)
        else:
            _count_compound(node, counts, declared, inside, loops, aliases)


def _count_compound(  # noqa: C901 - one branch per statement
    node: ast.stmt,
    counts: dict[str, int],
    declared: list[list[str]],
    inside: tuple[set[str], ...],
    loops: dict[int, set[str]],
    aliases: dict[str, list[str]],
) -> None:
    kind = type(node)
    if kind is ast.For or kind is ast.AsyncFor or kind is ast.While:
        assert isinstance(node, ast.For | ast.AsyncFor | ast.While)
        bound: set[str] = set()
        loops[id(node)] = bound
        within = (*inside, bound)
        if isinstance(node, ast.While):
            if type(node.test) in WALRUS_TOPS:
                _add_walrus(node.test, counts, within)
        else:
            _add_target(node.target, counts, within)
        _count(node.body, counts, declared, within, loops, aliases)
        if node.orelse:
            _count(node.orelse, counts, declared, inside, loops, aliases)
    elif kind is ast.AnnAssign:
        assert isinstance(node, ast.AnnAssign)
        _add_target(node.target, counts, inside)
    elif kind is ast.With or kind is ast.AsyncWith:
        assert isinstance(node, ast.With | ast.AsyncWith)
        for item in node.items:
            if item.optional_vars is not None:
                _add_target(item.optional_vars, counts, inside)
        _count(node.body, counts, declared, inside, loops, aliases)
    elif kind is ast.Import or kind is ast.ImportFrom:
        assert isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names:
            if alias.name != "*":
                _add(alias.asname or alias.name.partition(".")[0], counts, inside)
    elif kind is ast.Try or kind is ast.TryStar:
        assert isinstance(node, ast.Try | ast.TryStar)
        _count(node.body, counts, declared, inside, loops, aliases)
        for handler in node.handlers:
            if handler.name:
                _add(handler.name, counts, inside)
            _count(handler.body, counts, declared, inside, loops, aliases)
        _count(node.orelse, counts, declared, inside, loops, aliases)
        _count(node.finalbody, counts, declared, inside, loops, aliases)
    elif kind is ast.Match:
        assert isinstance(node, ast.Match)
        for case in node.cases:
            for pattern in ast.walk(case.pattern):
                name = getattr(pattern, "name", None) or getattr(pattern, "rest", None)
                if isinstance(name, str):
                    _add(name, counts, inside)
            _count(case.body, counts, declared, inside, loops, aliases)
    elif kind is ast.Global or kind is ast.Nonlocal:
        assert isinstance(node, ast.Global | ast.Nonlocal)
        declared.append(node.names)


def _add(name: str, counts: dict[str, int], inside: tuple[set[str], ...]) -> None:
    counts[name] = counts.get(name, 0) + 1
    for bound in inside:
        bound.add(name)


def _add_target(target: ast.expr, counts: dict[str, int], inside: tuple[set[str], ...]) -> None:
    if type(target) is ast.Name:
        _add(target.id, counts, inside)
    elif type(target) is ast.Tuple or type(target) is ast.List:
        for element in target.elts:
            _add_target(element, counts, inside)
    elif type(target) is ast.Starred:
        _add_target(target.value, counts, inside)


_WRITTEN = frozenset({ast.Name, ast.Attribute, ast.Lambda})


def _add_write(
    target: ast.Subscript,
    value: ast.expr,
    counts: dict[str, int],
    inside: tuple[set[str], ...],
    aliases: dict[str, list[str]],
) -> None:
    """``d["a"] = f`` replaces a slot of the collection a name of the scope holds: a binding of ``d`` to follow, and
    of the names bound to ``d`` or that ``d`` was bound to (``view = d``: the write replaces their slot too)."""
    held = target.value
    if type(held) is ast.Name and type(target.slice) is ast.Constant and type(value) in _WRITTEN:
        assert isinstance(held, ast.Name)
        if held.id in counts:
            _add(held.id, counts, inside)
            for alias in aliases.get(held.id, ()):
                if alias in counts:
                    _add(alias, counts, inside)


def walrus_target(test: ast.expr) -> ast.NamedExpr | None:
    """The walrus a statement's expression always runs: ``(m := f())``, ``(m := f()) is not None``,
    ``not (m := f())``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if isinstance(test, ast.Compare):
        test = test.left
    return test if isinstance(test, ast.NamedExpr) else None


def _add_walrus(test: ast.expr, counts: dict[str, int], inside: tuple[set[str], ...]) -> None:
    found = walrus_target(test)
    if found is not None and isinstance(found.target, ast.Name):
        _add(found.target.id, counts, inside)


NARROWING_TOPS = frozenset({ast.Call, ast.BoolOp, ast.UnaryOp})


def _add_narrowed(node: ast.expr, counts: dict[str, int], inside: tuple[set[str], ...]) -> None:
    """``x.get() if isinstance(x, dict) else None`` (an assigned or returned value): one binding per arm."""
    assert isinstance(node, ast.IfExp)
    if type(node.test) in NARROWING_TOPS:
        for name, _ in narrowings(node.test, True) + narrowings(node.test, False):
            _add(name, counts, inside)


def narrowings(test: ast.expr, holds: bool) -> list[tuple[str, ast.expr]]:
    """The names ``test`` proves instances of classes when it is ``holds``: ``isinstance(x, T)`` (true),
    ``not isinstance(x, T)`` (false), and each part of an ``and`` (true) or ``or`` (false); with the classes'
    expression."""
    kind = type(test)
    if kind is ast.Call:
        assert isinstance(test, ast.Call)
        func, args = test.func, test.args
        if holds and isinstance(func, ast.Name) and func.id == "isinstance" and len(args) == 2 and not test.keywords:
            subject = args[0]
            return [(subject.id, args[1])] if isinstance(subject, ast.Name) else []
        return []
    if kind is ast.UnaryOp:
        assert isinstance(test, ast.UnaryOp)
        return narrowings(test.operand, not holds) if type(test.op) is ast.Not else []
    if kind is ast.BoolOp:
        assert isinstance(test, ast.BoolOp)
        if (type(test.op) is ast.And) == holds:  # every part holds (``and``) or every part fails (``or``)
            return [found for value in test.values for found in narrowings(value, holds)]
    return []

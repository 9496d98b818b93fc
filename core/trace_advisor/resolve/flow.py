"""Parameter flow: what a workspace function's parameter holds is what the calls reaching it pass there.

Arguments bind to parameters by position and keyword (after a ``*spread`` positions are not known, ``**spread``
keywords are not known: those sites pass nothing known), defaults count, a bound method gets its receiver as
``self`` (its arguments shift by one), a class call feeds ``__init__``. Only values that can change what a call
reaches flow: functions, classes, instances, collections of instances, modules and code without source (not
literals: a ``str`` parameter never makes up ``str.save``).

The calls looked at are the workspace call sites whose callee's last name is the function's name (its class's and
subclasses' names, ``__init__`` and calls of a ``type[X]`` or ``cls`` value for an ``__init__``); each one's callee
is resolved to check it reaches the function, or a method of a base class the function stands for on its class's
instances (``executor.execute(task)`` resolved to an abstract ``Executor.execute`` passes ``task`` to
``AsyncioExecutor.execute`` too). A call through another name (``h = retry; h(ping)``) is not seen: the
parameter then holds less, never something made up. Evaluated on demand and memoised like every other value (a
parameter still being computed reads as unknown, and what read it is not kept once it is done: ``resolve/memo.py``);
the modules that read a name's calls are its readers, re-resolved when a call of that name changes
(``Resolver.flow_readers``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Final, Protocol

from trace_advisor.datatypes import SymbolId
from trace_advisor.facts.records import (
    ANNOTATION,
    CALL,
    CLASS_OF,
    CLS,
    FUNCTION_KINDS,
    LAMBDA,
    LAMBDA_KIND,
    Binding,
    CallSite,
    Chain,
    ModuleFacts,
    Scope,
    plain_name,
)
from trace_advisor.resolve import values as v
from trace_advisor.resolve.memo import UNSETTLED, Frames
from trace_advisor.resolve.modules import ModuleInfo
from trace_advisor.resolve.values import NOTHING, Value, Values

# the key of calls whose callee is a class held by a variable (``cls(...)``, ``factory: type[Base]``)
CLASS_VALUE_CALLS: Final = "()"
_FLOWING = frozenset(
    {
        v.FUNCTION,
        v.CLASS,
        v.INSTANCE,
        v.CONTEXT,
        v.ELEMENTS,
        v.FUNCTIONS,
        v.CLASSES,
        v.MODULE,
        v.EXTERNAL,
        v.EXTERNAL_INSTANCE,
    }
)
_BOUND_RECEIVERS = frozenset({v.INSTANCE, v.SUPER, v.EXTERNAL_INSTANCE})
_MAX_SITES = 2000  # calls read per parameter: beyond that (a name called everywhere), the parameter holds nothing


class Evaluator(Protocol):
    frames: Frames

    def eval_chain(self, info: ModuleInfo, scope: str, chain: Chain) -> Values: ...

    def table(self, module: str) -> dict[tuple[object, ...], Values]: ...

    def share(self, values: Values) -> Values: ...


class ParameterFlow:
    """The workspace's call sites by called name (kept per module, a module's dropped when it changes), which
    functions the calls of each name reach (per resolver generation), and the values they pass to parameters."""

    def __init__(
        self,
        evaluator: Evaluator,
        workspace: Callable[[], Iterable[ModuleInfo]],
        info_of: Callable[[str], ModuleInfo | None],
        scope_of: Callable[[SymbolId], tuple[ModuleInfo, Scope] | None],
        subclasses: Callable[[SymbolId], tuple[SymbolId, ...]],
        init_of: Callable[[SymbolId], Values],
        implementations: Callable[[SymbolId, SymbolId], tuple[SymbolId, ...]] = lambda *_: (),
    ) -> None:
        self._evaluator = evaluator
        self._workspace = workspace
        self._info_of = info_of
        self._scope_of = scope_of
        self._subclasses = subclasses
        self._init_of = init_of
        self._implementations = implementations  # a method -> the workspace subclasses' own versions of it
        # key -> module -> (its info, its call sites with that key, those of them passing more than literals)
        self._sites: dict[str, dict[str, tuple[ModuleInfo, tuple[CallSite, ...], tuple[CallSite, ...]]]] = {}
        self._indexed: dict[str, tuple[str, ...]] = {}  # module -> its keys
        # module -> its info and entries of ``_sites`` when its text changed, until it is indexed again: then only the
        # call sites the edit made anew are read, and the keys they (and calls of the names it bound otherwise) are
        # under are made again (``_reindexed``)
        self._before: dict[str, tuple[ModuleInfo, dict[str, tuple[tuple[CallSite, ...], tuple[CallSite, ...]]]]] = {}
        # key -> ``_sites[key]``'s values in module order (read by every scan of the key), made when first read
        self._ordered: dict[str, tuple[tuple[ModuleInfo, tuple[CallSite, ...], tuple[CallSite, ...]], ...]] = {}
        self._complete = False
        self._stale: set[str] = set()  # modules whose call sites are read again on the next question
        # module -> id of a call site -> the functions it reaches, each with the parameters bound before its
        # arguments; per generation (the sites are kept alive by ``_sites``)
        self._reached: dict[str, dict[int, tuple[tuple[SymbolId, int], ...]]] = {}
        # key -> the modules whose parameter values read its calls -> the functions whose parameters those are
        self._readers: dict[str, dict[str, set[str]]] = {}
        # (module, function, literals) -> the calls reaching it, with the keys they were found under: what every
        # parameter of the function reads (one scan of the sites per function, not per parameter). Kept only when
        # computed from answers that stand; dropped whenever anything above changes (the scan is then done again)
        self._reaching: dict[tuple[str, str, bool], tuple[list[str], list[tuple[ModuleInfo, CallSite, int]]]] = {}

    def clear(self) -> None:
        self._sites.clear()
        self._before.clear()
        self._ordered.clear()
        self._indexed.clear()
        self._complete = False
        self._stale.clear()
        self._reached.clear()
        self._readers.clear()
        self._reaching.clear()

    def forget(self, modules: Iterable[str]) -> None:
        """Resolution changed in these modules: which of their calls reach which functions is computed again (the
        other modules' calls reach what they reached: their values stand)."""
        self._reaching.clear()  # any function's callers may be among them
        for module in modules:
            self._reached.pop(module, None)

    def keys_of(self, info: ModuleInfo | None) -> Iterable[str]:
        """Every key the module's call sites with arguments are found under (as indexed, when they are)."""
        if info is None:
            return ()
        indexed = self._indexed.get(info.name)
        return indexed if indexed is not None and info.name not in self._stale else all_keys(info.facts)

    def drop(self, module: str) -> None:
        """Forget one module's call sites (its text changed); read again on the next question. What other modules'
        calls reach stands until :meth:`forget` (the index calls it when resolution may have changed)."""
        entries: dict[str, tuple[tuple[CallSite, ...], tuple[CallSite, ...]]] = {}
        info = None
        for key in self._indexed.pop(module, ()):
            found = self._sites.get(key, {}).pop(module, None)
            self._ordered.pop(key, None)
            if found is not None:
                info, entries[key] = found[0], found[1:]
        if info is not None:  # (else not indexed since its last change: what was indexed before that stands)
            self._before[module] = (info, entries)
        self._stale.add(module)
        self._reached.pop(module, None)
        self._reaching.clear()

    def readers(self, keys: Iterable[str]) -> set[str]:
        """The modules whose parameter values read calls of these keys."""
        out: set[str] = set()
        for key in keys:
            out.update(self._readers.get(key, ()))
        return out

    def crowded(self, key: str, more: int) -> bool:
        """Whether ``more`` calls under ``key`` could change which calls a parameter reads (past the first
        ``_MAX_SITES``)."""
        self._index()
        found = self._sites.get(key, {}).values()
        return sum(len(flowing) for _, _, flowing in found) + more > _MAX_SITES

    def functions_reading(self, module: str, keys: Iterable[str]) -> set[str]:
        """The functions of ``module`` whose parameter values read calls of these keys."""
        out: set[str] = set()
        for key in keys:
            out.update(self._readers.get(key, {}).get(module, ()))
        return out

    def received(self, info: ModuleInfo, function: str, name: str) -> Values:
        """What parameter ``name`` of workspace function ``function`` (a qualname in ``info``) receives: its
        default and the arguments the calls reaching it pass there."""
        scope = info.scopes.get(function)
        if not info.workspace or scope is None or scope.kind not in FUNCTION_KINDS or name not in scope.params:
            return NOTHING
        table = self._evaluator.table(info.name)
        key = ("flow", function, name)
        found = table.get(key)
        if found is not None:
            return self._evaluator.frames.seen(found) if type(found) in UNSETTLED else found
        marker = self._evaluator.frames.enter(table, key)  # a call in the function passing the parameter on reads it
        while True:
            result = self._evaluator.share(self._received(info, scope, name))
            if self._evaluator.frames.leave(marker, result):
                return result

    def _received(self, info: ModuleInfo, scope: Scope, name: str) -> Values:
        out: set[Value] = set()
        where = scope.parent or "<module>"
        for parameter, chain in scope.defaults:
            if parameter == name and chain[0] != _LITERAL:  # a literal is no value a parameter holds
                out.update(self._evaluator.eval_chain(info, where, chain))
        position = scope.params.index(name)
        for site_info, site, offset in self._calls_reaching(info, scope):
            keys = _argument_keys(scope, position, offset)
            for key_name, chain in site.args:
                if key_name in keys and chain[0] != _LITERAL:
                    out.update(self._evaluator.eval_chain(site_info, site.scope, chain))
        return frozenset(value for value in out if _flows(value))

    def passed(self, info: ModuleInfo, function: str, name: str) -> list[tuple[ModuleInfo, str, Chain]] | None:
        """What parameter ``name`` of workspace function ``function`` is given, as chains with the module and scope to
        read them in: its default and the arguments the calls reaching it pass there (a literal a factory may be
        keyed by is one: ``facts.chains.key_chain``). None when it is not a parameter of a workspace function."""
        scope = info.scopes.get(function)
        if not info.workspace or scope is None or scope.kind not in FUNCTION_KINDS or name not in scope.params:
            return None
        where = scope.parent or "<module>"
        out = [(info, where, chain) for parameter, chain in scope.defaults if parameter == name]
        position = scope.params.index(name)
        for site_info, site, offset in self._calls_reaching(info, scope, literals=True):
            keys = _argument_keys(scope, position, offset)
            out.extend((site_info, site.scope, chain) for key_name, chain in site.args if key_name in keys)
        return out

    def _calls_reaching(
        self, info: ModuleInfo, scope: Scope, *, literals: bool = False
    ) -> list[tuple[ModuleInfo, CallSite, int]]:
        """The workspace call sites whose callee is the function ``scope`` (directly, as a bound method, or as the
        ``__init__`` of the class called), each with how many parameters the call binds before its arguments; the
        calls that pass only literals a factory may be keyed by (``d.get("key")``) only when ``literals``: they pass
        parameters no value that flows, and would crowd out those that do (``_MAX_SITES``)."""
        self._index()
        memo = (info.name, scope.qualname, literals)
        kept = self._reaching.get(memo)
        if kept is not None:
            keys, out = kept
            for key in keys:
                self._readers.setdefault(key, {}).setdefault(info.name, set()).add(scope.qualname)
            return out
        saved = self._evaluator.frames.watch()
        keys, out = self._scan_calls(info, scope, literals)
        if self._evaluator.frames.settled(saved):  # read no value still being computed
            self._reaching[memo] = (keys, out)
        return out

    def _scan_calls(
        self, info: ModuleInfo, scope: Scope, literals: bool
    ) -> tuple[list[str], list[tuple[ModuleInfo, CallSite, int]]]:
        """:meth:`_calls_reaching` computed: the keys read, and the calls."""
        short = scope.qualname.rpartition(".")[2]
        keys = [short]
        owner = info.scopes.get(scope.parent) if scope.parent else None
        if short == "__init__" and owner is not None and owner.kind == "class":
            cls = f"{info.name}:{owner.qualname}"
            names = {c.rpartition(":")[2].rpartition(".")[2] for c in (cls, *self._subclasses(cls))}
            keys = [*sorted(names), CLASS_VALUE_CALLS]
        elif scope.kind == LAMBDA_KIND:  # called by the names holding it, or where it is written: ``(lambda: x)()``
            keys = [*_holders(info, scope), scope.qualname]
        symbol = f"{info.name}:{scope.qualname}"
        out: list[tuple[ModuleInfo, CallSite, int]] = []
        read = 0
        reached_in = self._reached
        for number, key in enumerate(keys):
            self._readers.setdefault(key, {}).setdefault(info.name, set()).add(scope.qualname)
            ordered = self._ordered.get(key)
            if ordered is None:
                ordered = self._ordered[key] = tuple(found for _, found in sorted(self._sites.get(key, {}).items()))
            for site_info, every, flowing in ordered:
                reached = reached_in.get(site_info.name)
                for site in every if literals else flowing:
                    read += 1
                    if read > _MAX_SITES:  # a name called everywhere: the parameter holds what the first calls pass
                        return keys[: number + 1], out
                    # what the site reaches, as ``_site_targets`` keeps it (looked up here: most sites are read often)
                    targets = reached.get(id(site)) if reached is not None else None
                    if targets is None:
                        targets = self._site_targets(site_info, site)
                        reached = reached_in.get(site_info.name)
                    for target, offset in targets:
                        if target == symbol or (
                            owner is not None
                            and symbol in self._implementations(target, f"{site_info.name}:{site.scope}")
                        ):
                            out.append((site_info, site, offset))
        return keys, out

    def _site_targets(self, info: ModuleInfo, site: CallSite) -> tuple[tuple[SymbolId, int], ...]:
        """What one call reaches, resolved once per generation. Not kept when it read a value still being computed
        (``ctx.invoke`` while evaluating ``ctx``): the memo completes that value later (``resolve/memo.py``)."""
        reached = self._reached.get(info.name)
        if reached is None:
            reached = self._reached[info.name] = {}
        found = reached.get(id(site))
        if found is None:
            assert site.chain is not None
            saved = self._evaluator.frames.watch()
            found = tuple(self._targets(info, site.scope, site.chain))  # kept: a list would over-allocate
            if self._evaluator.frames.settled(saved):  # read no value still being computed
                reached[id(site)] = found
        return found

    def _targets(self, info: ModuleInfo, where: str, chain: Chain) -> list[tuple[SymbolId, int]]:
        """The functions a call of ``chain`` runs, each with how many parameters it binds before the arguments (1
        for a bound method or a class's ``__init__``); a method whose binding is not known is left out."""
        out: list[tuple[SymbolId, int]] = []
        for kind, ident in sorted(self._evaluator.eval_chain(info, where, chain)):
            if kind == v.CLASS:
                out.extend((init, 1) for init_kind, init in sorted(self._init_of(ident)) if init_kind == v.FUNCTION)
            elif kind == v.FUNCTION and (offset := self._offset(info, where, chain, ident)) is not None:
                out.append((ident, offset))
        return out

    def _offset(self, info: ModuleInfo, where: str, chain: Chain, function: SymbolId) -> int | None:
        located = self._scope_of(function)
        if located is None:
            return None
        defined, scope = located
        owner = defined.scopes.get(scope.parent) if scope.parent else None
        if owner is None or owner.kind != "class" or scope.method_kind == "static":
            return 0
        if len(chain) == 1 or chain[-1] == CALL:
            return 1  # a method held as a value: bound (``handler = self.on_event``)
        receivers = {kind for kind, _ in self._evaluator.eval_chain(info, where, chain[:-1])}
        if receivers <= _BOUND_RECEIVERS:
            return 1
        if receivers == {v.CLASS}:  # ``Cls.method(obj, ...)`` passes self; a classmethod gets cls
            return 1 if scope.method_kind == "class" else 0
        return None  # called on a class and on instances: which argument is which is not known

    def _index(self) -> None:
        if not self._complete:
            self._reaching.clear()
            for info in self._workspace():
                if info.name not in self._indexed:
                    self._add(info)
            self._complete = True
        elif self._stale:
            self._reaching.clear()
            for module in sorted(self._stale):
                found = self._info_of(module)
                if found is not None and found.workspace and module not in self._indexed:
                    self._add(found)
                else:
                    self._before.pop(module, None)
        self._stale.clear()

    def _add(self, info: ModuleInfo) -> None:
        before = self._before.pop(info.name, None)
        by_key = _reindexed(*before, info) if before is not None else None
        if by_key is None:
            by_key = {}
            for key, sites in _sites_by_key(info).items():
                # tuples: a list would over-allocate
                by_key[key] = (tuple(sites), tuple(site for site in sites if not _literal_only(site)))
        self._indexed[info.name] = tuple(by_key)
        for key, (every, flowing) in by_key.items():
            self._sites.setdefault(key, {})[info.name] = (info, every, flowing)
            self._ordered.pop(key, None)


def _holders(info: ModuleInfo, scope: Scope) -> list[str]:
    """The names a lambda is kept under, whose calls can reach it: the names of the scope defining it and the
    attributes of the class around it (``self.get = lambda key: ...``) bound to it."""
    mark = (LAMBDA, scope.qualname)
    found: set[str] = set()
    holder = info.scopes.get(scope.parent) if scope.parent else None
    while holder is not None:
        for table in (holder.bindings, holder.attributes):
            for name, bindings in table.items():
                if any(chain[:2] == mark for binding in bindings for chain in binding.chains):
                    found.add(name)
        if holder.kind == "class":
            break
        holder = info.scopes.get(holder.parent) if holder.parent and holder.kind in FUNCTION_KINDS else None
    return sorted(found)


def _reindexed(
    old: ModuleInfo, entries: dict[str, tuple[tuple[CallSite, ...], tuple[CallSite, ...]]], info: ModuleInfo
) -> dict[str, tuple[tuple[CallSite, ...], tuple[CallSite, ...]]] | None:
    """A module's call sites with arguments by key (all of them, and those passing more than literals) in its new
    version ``info``, from those of ``old`` (``entries``), reading only what the edit changed: the sites it made
    anew, between the ones it kept (the same objects) before and the ones it kept or moved after (the same chains,
    ``facts/splice.py``), and the kept calls of the names whose bindings it changed (a call's keys read nothing
    else: ``site_keys``). None when that is not less work than reading them all: most of the sites are new, or a
    scope changed its kind, place or bases."""
    before, after = old.facts.calls, info.facts.calls
    shortest = min(len(before), len(after))
    head = 0
    while head < shortest and before[head] is after[head]:
        head += 1
    tail = 0
    while tail < shortest - head and _kept(before[-1 - tail], after[-1 - tail]):
        tail += 1
    gone, made = before[head : len(before) - tail], after[head : len(after) - tail]
    if 2 * (len(gone) + len(made)) > len(after):
        return None
    names = _rebound(old.scopes, info.scopes)
    if names is None:
        return None
    scopes, old_scopes = info.scopes, old.scopes
    keys: set[str] = set()
    for site in gone:
        if site.args and site.chain is not None and not site.implicit:
            keys.update(site_keys(site, old_scopes))
    made_keys: dict[int, tuple[str, ...]] = {}
    for site in made:
        if site.args and site.chain is not None and not site.implicit:
            keys.update(made_keys.setdefault(id(site), site_keys(site, scopes)))
    # where each old site is, and which new site it is when the edit moved it
    position = {id(site): number for number, site in enumerate(before)}
    shift, end = len(after) - len(before), len(before) - tail
    # the kept calls of the names the edit bound otherwise, read again: they are under their name
    rebound: dict[int, tuple[int, CallSite, tuple[str, ...]]] = {}
    for name in names & entries.keys():
        keys.update((name, CLASS_VALUE_CALLS))
        for site in entries[name][0]:
            number = position[id(site)]
            if len(site.chain or ()) == 1 and (number < head or number >= end):
                now = after[number + shift] if number >= end else site
                rebound[id(site)] = (number + shift if number >= end else number, now, site_keys(now, scopes))
    if tail and before[-1] is not after[-1]:  # the edit moved the sites after it: the keys holding them are made again
        keys.update(key for key, (every, _) in entries.items() if position[id(every[-1])] >= end)
    out = {key: found for key, found in entries.items() if key not in keys}
    for key in keys:
        placed: list[tuple[int, CallSite]] = []
        for site in entries[key][0] if key in entries else ():
            number = position[id(site)]
            if id(site) in rebound or head <= number < end:
                continue
            placed.append((number + shift, after[number + shift]) if number >= end else (number, site))
        placed.extend((head + offset, site) for offset, site in enumerate(made) if key in made_keys.get(id(site), ()))
        placed.extend((number, site) for number, site, found in rebound.values() if key in found)
        if placed:
            placed.sort(key=lambda item: item[0])
            every = tuple(site for _, site in placed)
            out[key] = (every, tuple(site for site in every if not _literal_only(site)))
    return out


def _kept(old: CallSite, new: CallSite) -> bool:
    """Whether an edit kept a call site, maybe moving it (``facts/splice.py`` moves the same chains)."""
    return old is new or (
        old.args is new.args and old.chain is new.chain and old.scope == new.scope and old.implicit == new.implicit
    )


def _rebound(old: Mapping[str, Scope], new: Mapping[str, Scope]) -> set[str] | None:
    """The names whose bindings differ in a scope of both versions of a module (what a kept call's keys read of
    scopes: ``site_keys``); None when a scope changed its kind, its place or its bases."""
    names: set[str] = set()
    for qualname, scope in new.items():
        was = old.get(qualname)
        if scope.parent is not None and scope.parent not in new:
            return None
        if was is None or was is scope:  # (a new scope holds no kept call, and encloses none: their parents are kept)
            continue
        if was.kind != scope.kind or was.parent != scope.parent or was.bases != scope.bases:
            return None
        if was.bindings is not scope.bindings:  # what a call's keys read of a name: is it bound, to a class value
            for name in was.bindings.keys() | scope.bindings.keys():
                then, now = was.bindings.get(name), scope.bindings.get(name)
                if then is not now and (
                    (then is None) != (now is None) or _class_value(then or ()) != _class_value(now or ())
                ):
                    names.add(name)
    return names


def _sites_by_key(info: ModuleInfo) -> dict[str, list[CallSite]]:
    out: dict[str, list[CallSite]] = {}
    for site in info.facts.calls:
        if site.args and site.chain is not None and not site.implicit:
            for key in site_keys(site, info.scopes):
                out.setdefault(key, []).append(site)
    return out


def site_keys(site: CallSite, scopes: dict[str, Scope]) -> tuple[str, ...]:
    """The keys a call site with arguments is found under: its callee's last name, and CLASS_VALUE_CALLS for a call
    of a parameter holding a class (``cls(...)``, ``factory: type[Base]``)."""
    chain = site.chain
    if chain is None or chain[-1] == CALL:
        return ()
    chain = (plain_name(chain[0]), *chain[1:])  # ``h#1(...)`` calls a function named ``h``
    if chain[-1] == "__init__" and len(chain) > 1:  # ``super().__init__(...)``, ``Base.__init__(self, ...)``
        if chain[0] != "super":
            return (chain[-2],)
        owner = scopes.get(site.scope)
        while owner is not None and owner.kind != "class":
            owner = scopes.get(owner.parent) if owner.parent else None
        return tuple(base[-1] for base in owner.bases if base) if owner is not None else ()
    if len(chain) == 1:
        scope = scopes.get(site.scope)
        while scope is not None and scope.kind in FUNCTION_KINDS and chain[0] not in scope.bindings:
            scope = scopes.get(scope.parent) if scope.parent else None  # a closure's free variable
        if scope is not None and _class_value(scope.bindings.get(chain[0], ())):
            return chain[0], CLASS_VALUE_CALLS
    return (chain[-1],)


def _class_value(bindings: Iterable[Binding]) -> bool:
    """Whether a name's bindings hold a class as a value (``cls``, an annotation ``type[X]``)."""
    return any(b.kind == CLS or (b.kind == ANNOTATION and any(c[-1] == CLASS_OF for c in b.chains)) for b in bindings)


def changed_keys(old: ModuleFacts | None, new: ModuleFacts | None) -> set[str]:
    """The keys of the call sites with arguments that differ between two versions of a module (positions aside)."""
    before = _contributions(old)
    after = _contributions(new)
    if before == after:
        return set()
    changed = before.symmetric_difference(after)
    old_scopes = old.scope_map() if old is not None else {}
    new_scopes = new.scope_map() if new is not None else {}
    keys: set[str] = set()
    for site in changed:
        keys.update(site_keys(site, old_scopes) + site_keys(site, new_scopes))
    return keys


def all_keys(facts: ModuleFacts | None) -> set[str]:
    """Every key a module's call sites with arguments are found under."""
    if facts is None:
        return set()
    scopes = facts.scope_map()
    return {key for site in _contributions(facts) for key in site_keys(site, scopes)}


def _contributions(facts: ModuleFacts | None) -> frozenset[CallSite]:
    """A module's call sites with arguments, without positions (what parameters receive does not depend on them)."""
    if facts is None:
        return frozenset()
    return frozenset(
        CallSite(site.scope, site.chain, "", _NO_LOC, _NO_LOC, site.args)
        for site in facts.calls
        if site.args and site.chain is not None and not site.implicit
    )


_NO_LOC = 0


def _literal_only(site: CallSite) -> bool:
    """Whether a call passes only literals (``facts.chains.key_chain``): no value a parameter holds."""
    return all(chain[0] == _LITERAL for _, chain in site.args)


_LITERAL = "<str>"  # the head of a literal's chain among arguments and defaults (``facts.chains.key_chain``)


def _argument_keys(scope: Scope, position: int, offset: int) -> frozenset[str]:
    """The argument keys that bind parameter number ``position`` when the call binds ``offset`` parameters first:
    its position (a positional parameter) and its name (unless positional-only)."""
    keys: set[str] = set()
    if position < scope.positional and position >= offset:
        keys.add(str(position - offset))
    if position >= scope.posonly:
        keys.add(scope.params[position])
    return frozenset(keys)


def flows(value: Value) -> bool:
    """Whether a value passed to a parameter is one it holds (one that can change what a call reaches)."""
    return _flows(value)


def _flows(value: Value) -> bool:
    kind, ident = value
    if kind not in _FLOWING:
        return False
    # a literal, or an abstract annotation of the caller's (``Callable``): nothing known about the value
    return kind != v.EXTERNAL_INSTANCE or not ident.startswith(_NOT_VALUES)


_NOT_VALUES = ("builtins:", "typing:", "typing_extensions:", "collections.abc:")

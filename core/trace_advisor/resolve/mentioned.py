"""What interface edits read of a module's facts (``resolve/interface.py``), kept between edits by object identity:
the names each scope, module-level binding and call site mentions, a token per call's contribution, and tallies of
them over the sites of each version of the facts. An edit's new facts share every object the edit did not touch with
the old ones (``facts/splice.py``): what was read of those is looked up, not read again."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from trace_advisor.facts.records import Binding, CallSite, Chain, ModuleFacts, Scope, plain_name

T = TypeVar("T")
K = TypeVar("K")


def top_name(qualname: str) -> str:
    """The module-level name a scope belongs to (``C.m`` -> ``C``, ``f.<locals>.g`` -> ``f``)."""
    return qualname.partition(".")[0]


@dataclass(slots=True)
class Tally:
    """Sites of one version of a module's facts, in their order, with how many of them mention each name, run in
    each top-level name, and pass each contribution (by token: ``Mentioned``)."""

    facts: ModuleFacts
    sites: tuple[CallSite, ...]
    names: dict[str, int]
    tops: dict[str, int]
    tokens: dict[int, int]

    def touches(self, names: Iterable[str]) -> int:
        """How often its sites may read one of ``names``: for each name, the sites running in it and those
        mentioning it (0: none may)."""
        return sum(self.names.get(name, 0) + self.tops.get(name, 0) for name in names)


class Mentioned:
    """What :func:`changed_names` and :func:`changed_calls` read of a module's facts, kept by object identity: the
    names each top-level name's facts mention (per scope, per module-level binding), and per call site the names it
    mentions and a token for what it passes (equal contributions, equal tokens), tallied over the facts' sites. An
    edit's new facts share the objects of everything it did not touch with the old ones (``facts/splice.py``), so
    what was read of those is looked up, not read again, and a tally is the last one's with the sites the edit
    removed and added. Kept for the objects of the facts last read (``keep``)."""

    __slots__ = ("_objects", "_tokens", "_made", "_refs", "_tallies")

    def __init__(self) -> None:
        self._objects: dict[int, tuple[object, frozenset[str], int]] = {}  # id -> (object, names, token)
        self._tokens: dict[tuple[str, Chain | None, tuple[tuple[str, Chain], ...]], int] = {}
        self._made = 0  # tokens handed out (a token is never reused for another contribution)
        self._refs: list[tuple[ModuleFacts, dict[str, frozenset[str]]]] = []  # of the last two facts asked about
        self._tallies: dict[bool, list[Tally]] = {True: [], False: []}  # the last two, of sites passing values or all

    def _names(self, held: T, read: Callable[[T], set[str]]) -> frozenset[str]:
        found = self._objects.get(id(held))
        if found is not None and found[0] is held:
            return found[1]
        names = frozenset(read(held))
        self._objects[id(held)] = (held, names, 0)
        return names

    def refs(self, facts: ModuleFacts) -> dict[str, frozenset[str]]:
        """Per top-level name of ``facts``, the names its facts mention (its module-level bindings, the scopes of
        its definitions, and a ``return update_wrapper(wrapper, fn)`` in them)."""
        for known, found in self._refs:
            if known is facts:
                return found
        refs: dict[str, set[str]] = {}
        for name, bindings in facts.scopes[0].bindings.items():
            refs.setdefault(name, set()).update(self._names(bindings, binding_names))
        for scope in facts.scopes[1:]:
            refs.setdefault(top_name(scope.qualname), set()).update(self._names(scope, scope_names))
        for site in facts.calls:
            if site.chain and site.chain[-1] == "update_wrapper":  # ``return update_wrapper(wrapper, fn)``
                refs.setdefault(top_name(site.scope), set()).update(site_names(site))
        found = {name: frozenset(named) for name, named in refs.items()}
        self._refs = [*self._refs[-1:], (facts, found)]
        return found

    def site(self, site: CallSite, token: bool = False) -> tuple[frozenset[str], int]:
        """The names a call site or property read mentions (its callee's chain and its arguments', as written) and,
        with ``token``, the token of its contribution (scope, callee, arguments)."""
        held = self._objects.get(id(site))
        if held is not None and held[0] is site and (held[2] or not token):
            return held[1], held[2]
        names = held[1] if held is not None and held[0] is site else frozenset(site_names(site))
        made = 0
        if token:
            made = self._tokens.get(contribution := (site.scope, site.chain, site.args), 0)
            if not made:
                self._made += 1
                made = self._tokens[contribution] = self._made
        self._objects[id(site)] = (site, names, made)
        return names, made

    def mentions(self, site: CallSite) -> frozenset[str]:
        """The names a call site or property read mentions."""
        return self.site(site)[0]

    def passing(self, facts: ModuleFacts) -> Tally:
        """The call sites of ``facts`` with arguments that may pass values, tallied (with their contributions)."""
        return self._tally(facts, True)

    def every(self, facts: ModuleFacts) -> Tally:
        """Every call site of ``facts`` and its property reads when the facts hold them decoded, tallied."""
        return self._tally(facts, False)

    def _tally(self, facts: ModuleFacts, passing: bool) -> Tally:
        kept = self._tallies[passing]
        for tally in kept:
            if tally.facts is facts:
                return tally
        if passing:
            sites = tuple(site for site in facts.calls if site.args and site.chain is not None and not site.implicit)
        else:
            sites = (*facts.calls, *(facts.reads if type(facts.reads) is tuple else ()))
        if kept:  # the last tally, with the sites that went and came
            last = kept[-1]
            names, tops, tokens = dict(last.names), dict(last.tops), dict(last.tokens)
            removed, added = only(last.sites, sites), only(sites, last.sites)
        else:
            names, tops, tokens = {}, {}, {}
            removed, added = [], list(sites)
        for step, changed in ((-1, removed), (1, added)):
            for site in changed:
                mentioned, token = self.site(site, passing)
                for name in mentioned:
                    _count(names, name, step)
                _count(tops, top_name(site.scope), step)
                if passing:
                    _count(tokens, token, step)
        tally = Tally(facts, sites, names, tops, tokens)
        self._tallies[passing] = [*kept[-1:], tally]
        return tally

    def keep(self, facts: ModuleFacts) -> None:
        """Forget what was read of objects ``facts`` does not hold (once they are many more than it holds)."""
        reads = facts.reads if type(facts.reads) is tuple else ()
        if len(self._objects) <= 2 * (len(facts.scopes) + len(facts.calls) + len(reads)) + 64:
            return
        held = [*facts.scopes[1:], *facts.scopes[0].bindings.values(), *facts.calls, *reads]
        objects = self._objects
        self._objects = {id(o): found for o in held if (found := objects.get(id(o))) is not None and found[0] is o}
        self._tokens = {}
        for site, _, token in self._objects.values():
            if token and isinstance(site, CallSite):
                self._tokens[(site.scope, site.chain, site.args)] = token
        for passing, tallies in self._tallies.items():  # a tally of other facts may count tokens forgotten now
            self._tallies[passing] = [tally for tally in tallies if tally.facts is facts]


def _count(counts: dict[K, int], key: K, step: int) -> None:
    """Count ``key`` ``step`` more times (a key counted no more times is dropped)."""
    count = counts.get(key, 0) + step
    if count:
        counts[key] = count
    else:
        del counts[key]


def touches(seen: Mentioned, site: CallSite, names: Iterable[str]) -> int:
    """How often ``site`` may read one of ``names``, as ``Tally.touches`` counts."""
    mentioned, top = seen.mentions(site), top_name(site.scope)
    return sum((name in mentioned) + (name == top) for name in names)


def only(sites: Sequence[CallSite], others: Sequence[CallSite]) -> list[CallSite]:
    """Those of ``sites`` (in their order) that are not among ``others`` (by identity)."""
    held = set(map(id, others))
    return [site for site in sites if id(site) not in held]


def binding_names(bindings: Iterable[Binding]) -> set[str]:
    return {plain_name(part) for binding in bindings for chain in binding.chains for part in chain}


def scope_names(scope: Scope) -> set[str]:
    held = (*scope.bindings.values(), *scope.attributes.values())
    chains: list[Chain] = [
        *(chain for bindings in held for binding in bindings for chain in binding.chains),
        *scope.return_values,
        *scope.yield_values,
        *scope.returns,
        *(decorator.chain for decorator in scope.decorators if decorator.chain),
        *(chain for _, chain in scope.defaults),
        *(base for base in scope.bases if base),
    ]
    return {plain_name(part) for chain in chains for part in chain}


def site_names(site: CallSite) -> set[str]:
    chains = ((site.chain,) if site.chain else ()) + tuple(chain for _, chain in site.args)
    return {plain_name(part) for chain in chains for part in chain}

"""Interface edits by name (issue #13): which top-level names of a module an edit changed, with the names of that
module whose answers read them, and a filter saying which other modules may name them.

Resolution reads a module's top-level name ``x`` (a module-level binding, or a def or class with everything in it)
only where some chain names ``x``: ``from m import x``, ``m.x``, a star import looking ``x`` up, or inside ``m``
itself; a value derived from ``x`` (an instance of class ``x``, what function ``x`` returns) reaches other modules
only through one of those, through the import graph from there, or through parameters, fixtures, decorators and the
class hierarchy (which the index follows as before). So an edit that changes names nobody names elsewhere (typing a
new ``def``) re-resolves the edited module alone, and one that changes a name only the modules naming it (and their
importers) again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from trace_advisor.facts.records import CallSite, Chain, ModuleFacts, Scope, plain_name
from trace_advisor.resolve.flow import site_keys
from trace_advisor.resolve.mentioned import Mentioned, only, site_names, top_name, touches
from trace_advisor.resolve.modules import ModuleInfo, absolute_module

_NO_LOC = 0
_ALL = "__all__"


def changed_names(old: ModuleFacts, new: ModuleFacts, seen: Mentioned | None = None) -> set[str] | None:
    """The top-level names whose facts differ between two versions of a module, and the module's names whose facts
    name one of them (at any remove); None when a change cannot be told by name (the module's star imports).
    ``seen``: what was read of the module's earlier facts (their objects the new facts share are not read again)."""
    before, after = old.scopes[0], new.scopes[0]
    if before.star_imports != after.star_imports:
        return None
    if before is not after and replace(before, bindings={}, loc=_NO_LOC, name_loc=_NO_LOC) != replace(
        after, bindings={}, loc=_NO_LOC, name_loc=_NO_LOC
    ):
        return None
    changed: set[str] = set()
    if old.all_names != new.all_names:  # what star imports of the module see (its star importers are read again)
        changed.add(_ALL)
        changed.update(set(old.all_names or ()) ^ set(new.all_names or ()))
        if old.all_names is None or new.all_names is None:  # its public names appear or go
            changed.update(n for scope in (before, after) for n in scope.bindings if not n.startswith("_"))
    if before.bindings is not after.bindings:
        for name in before.bindings.keys() | after.bindings.keys():
            if before.bindings.get(name) != after.bindings.get(name):
                changed.add(name)
    old_defs, new_defs = _by_qualname(old), _by_qualname(new)
    for qualname in old_defs.keys() | new_defs.keys():
        a, b = old_defs.get(qualname, ()), new_defs.get(qualname, ())
        if len(a) != len(b) or any(x is not y and _unplaced(x) != _unplaced(y) for x, y in zip(a, b, strict=True)):
            changed.add(top_name(qualname))
    return _closure(changed, old, new, seen or Mentioned()) if changed else changed


def changed_closure(
    names: set[str], old: ModuleFacts, new: ModuleFacts | None = None, seen: Mentioned | None = None
) -> set[str]:
    """``names`` and the module's top-level names whose facts name one of them, at any remove (in either version of
    its facts)."""
    return _closure(names, old, new or old, seen or Mentioned()) if names else set()


def exported(facts: ModuleFacts, names: set[str]) -> set[str]:
    """Those of ``names`` a star import of the module can bind (``__all__`` changing counts as all of them)."""
    if _ALL in names:
        return names
    listed = facts.all_names
    return {name for name in names if not name.startswith("_") and (listed is None or name in listed)}


def passing_sites(facts: ModuleFacts, names: set[str]) -> Iterator[CallSite]:
    """The call sites with arguments that may pass other values now: those in a changed definition or naming a
    changed name."""
    for site in facts.calls:
        if site.args and site.chain is not None and not site.implicit:
            if top_name(site.scope) in names or site_names(site) & names:
                yield site


def changed_calls(
    old: ModuleFacts, new: ModuleFacts, names: set[str], seen: Mentioned | None = None
) -> tuple[dict[str, list[CallSite]], dict[str, list[CallSite]]]:
    """The call sites that may pass other values now, by key (``resolve/flow.py``), in the old version (they went,
    changed or are in a changed definition) and in the new one (new, changed or in a changed definition): when none
    of them passes anything a parameter holds, every parameter receives what it did. ``seen``: as for
    :func:`changed_names`."""
    seen = seen or Mentioned()
    before, after = seen.passing(old), seen.passing(new)
    found: tuple[dict[str, list[CallSite]], dict[str, list[CallSite]]] = ({}, {})
    for facts, tally, other, out in ((old, before, after, found[0]), (new, after, before, found[1])):
        # a site in both versions passes what it did: it counts when it runs in or names a changed name, and when
        # none of those in both does, only the sites of one version are looked at
        sites = only(tally.sites, other.sites)
        touched = tally.touches(names)
        if touched and touched != sum(touches(seen, site, names) for site in sites):
            sites = list(tally.sites)
        scopes: dict[str, Scope] | None = None
        for site in sites:
            named, token = seen.site(site, True)
            if token not in other.tokens or top_name(site.scope) in names or not named.isdisjoint(names):
                scopes = scopes if scopes is not None else facts.scope_map()
                for key in site_keys(site, scopes):
                    out.setdefault(key, []).append(site)
    return found


def classes_moved(old: ModuleFacts, new: ModuleFacts, names: set[str]) -> bool:
    """Whether a class of a changed name appeared, went or changed its bases (the class hierarchy changed)."""
    before = {s.qualname: s.bases for s in old.scopes if s.kind == "class" and top_name(s.qualname) in names}
    after = {s.qualname: s.bases for s in new.scopes if s.kind == "class" and top_name(s.qualname) in names}
    return before != after


def decorated(facts: ModuleFacts, names: set[str]) -> bool:
    """Whether a definition of a changed name is decorated (what workspace decorators receive may change)."""
    return any(scope.decorators for scope in facts.scopes[1:] if top_name(scope.qualname) in names)


@dataclass(frozen=True, slots=True)
class Mentions:
    """What the index keeps per module to tell whether it may read a name of another module: a filter of the names
    it may read there (three bits a name, 32 bits a name: false positives only, checked against the facts), the
    modules it star-imports, and whether it decorates anything."""

    mask: int
    size: int
    stars: tuple[str, ...]
    decorates: bool

    @staticmethod
    def of(info: ModuleInfo) -> Mentions:
        stars = {
            base
            for scope in info.facts.scopes
            for target, level in scope.star_imports
            if (base := absolute_module(info.name, info.is_package, target, level))
        }
        names = readable_names(info.facts, bool(stars))
        size = 64
        while size < 32 * len(names):
            size *= 2
        bits = bytearray(size // 8)
        for name in names:
            for bit in _bits(name, size):
                bits[bit >> 3] |= 1 << (bit & 7)
        decorates = any(s.decorators for s in info.facts.scopes[1:])
        return Mentions(int.from_bytes(bits, "little"), size, tuple(sorted(stars)), decorates)

    def may_name(self, names: Iterable[str]) -> bool:
        """Whether the module may read one of ``names`` of another module (false positives are possible)."""
        mask, size = self.mask, self.size
        return any(all(mask >> bit & 1 for bit in _bits(name, size)) for name in names)


def readable_names(facts: ModuleFacts, stars: bool) -> set[str]:
    """The names a module's resolution may look up in another module: names it imports from one, attribute names
    (``m.x``: ``m`` may be a module), and with a star import every name it reads (a name it binds itself, or a local
    variable, is no other module's)."""
    found: set[str] = set()
    heads: set[str] = set()
    for chain in _chains(facts):
        found.update(chain[1:])
        heads.add(chain[0])
    for scope in facts.scopes:
        for bindings in scope.bindings.values():
            for binding in bindings:
                if binding.name:
                    found.add(binding.name)
    if stars:
        found.update(plain_name(head) for head in heads)
    return found


def _bits(name: str, size: int) -> tuple[int, int, int]:
    found = hash(name)
    return found % size, (found >> 20) % size, (found >> 40) % size


def _chains(facts: ModuleFacts) -> Iterator[Chain]:
    for scope in facts.scopes:
        for held in (scope.bindings, scope.attributes):
            for bindings in held.values():
                for binding in bindings:
                    yield from binding.chains
        for chain in (*scope.returns, *scope.return_values, *scope.yield_values, *scope.bases):
            if chain:
                yield chain
        for decorator in scope.decorators:
            if decorator.chain:
                yield decorator.chain
        for _, chain in scope.defaults:
            yield chain
    for site in (*facts.calls, *facts.reads):
        if site.chain:
            yield site.chain
        for _, chain in site.args:
            yield chain


def _by_qualname(facts: ModuleFacts) -> dict[str, list[Scope]]:
    found: dict[str, list[Scope]] = {}
    for scope in facts.scopes[1:]:
        found.setdefault(scope.qualname, []).append(scope)
    return found


def _unplaced(scope: Scope) -> Scope:
    return replace(scope, loc=_NO_LOC, name_loc=_NO_LOC)


def _closure(changed: set[str], old: ModuleFacts, new: ModuleFacts, seen: Mentioned) -> set[str]:
    """``changed`` and the module's top-level names whose facts name one of them, at any remove (the definitions
    whose parameters receive other values are added by the index, which knows which parameters were read)."""
    refs = dict(seen.refs(old))
    if new is not old:
        for name, mentioned in seen.refs(new).items():
            held = refs.get(name)
            refs[name] = mentioned if held is None or held == mentioned else held | mentioned
    found = set(changed)
    grown = True
    while grown:
        grown = False
        for name, named in refs.items():
            if name not in found and not named.isdisjoint(found):
                found.add(name)
                grown = True
    return found

"""Encode module facts as plain nested tuples for ``marshal`` (fast, cannot run code) and decode them back.

An entry is a 16-byte BLAKE2b checksum followed by the marshalled tuples.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterator, Mapping, Sequence
from itertools import starmap
from typing import Any, overload

from trace_advisor.facts.records import NO_BINDINGS, READ, Binding, CallSite, Chain, Decorator, ModuleFacts, Scope

_FORMAT = 14
_DIGEST = 16  # a checksum before the payload: a damaged entry is detected, not decoded into wrong facts


def encode(facts: ModuleFacts) -> bytes:
    return _entry(_rows(facts))


def compacted(facts: ModuleFacts) -> tuple[bytes, ModuleFacts]:
    """``encode(facts)`` and what ``decode`` makes of it, without reading the entry back: the facts are made from
    the tuples the entry is marshalled from (the same values, shared as decoding shares them; a cold index parsing
    every file skips ``marshal.loads`` and the checksum of each entry it just wrote)."""
    rows = _rows(facts)
    return _entry(rows), _facts(rows)


def _rows(facts: ModuleFacts) -> tuple[Any, ...]:
    """The facts as the plain nested tuples an entry holds."""
    # equal chains, texts, argument lists and bindings become one object, which ``marshal`` writes once and refers to
    # after: a module repeats most of them (``self.assertEqual`` hundreds of times), so the entry is smaller and
    # decoding it makes (and keeps) one object for all
    shared: dict[Any, Any] = {}
    share = shared.setdefault

    def chains(found: tuple[Chain, ...]) -> Any:
        known = shared.get(found)
        if known is None:
            known = share(found, tuple([share(chain, chain) for chain in found]))
        return known

    def arguments(args: tuple[tuple[str, Chain], ...]) -> Any:
        found = shared.get(args)
        if found is None:  # its pairs and their chains too: ``("0", ("self",))`` is in most argument lists
            found = share(args, tuple([share(pair, (pair[0], share(pair[1], pair[1]))) for pair in args]))
        return found

    encoded: dict[int, Any] = {}  # id of a Binding (the facts, alive meanwhile, share many) -> its shared tuple

    def bindings(found: tuple[Binding, ...]) -> Any:
        items = []
        for b in found:
            item = encoded.get(id(b))
            if item is None:
                item = (b.kind, b.target, b.name, b.level, chains(b.chains), b.scope)
                item = encoded[id(b)] = share(item, item)
            items.append(item)
        shared_items = tuple(items)
        return share(shared_items, shared_items)

    # list comprehensions, not generators: this runs for every file a cold index parses
    scopes = tuple(
        [
            (
                s.qualname,
                s.kind,
                s.parent,
                s.loc,
                s.name_loc,
                tuple([(name, bindings(found)) for name, found in s.bindings.items()]) if s.bindings else (),
                s.is_async,
                tuple([(d.text, d.chain) for d in s.decorators]) if s.decorators else (),
                s.bases,
                share(s.params, s.params),
                chains(s.returns),
                chains(s.return_values),
                tuple([(name, bindings(found)) for name, found in s.attributes.items()]) if s.attributes else (),
                s.star_imports,
                s.method_kind,
                chains(s.yield_values),
                s.returns_receiver,
                s.positional,
                s.posonly,
                s.defaults,
            )
            for s in facts.scopes
        ]
    )
    calls = tuple(
        [
            (c.scope, share(c.chain, c.chain), share(c.text, c.text), c.loc, c.name_loc, arguments(c.args), c.implicit)
            for c in facts.calls
        ]
    )
    reads = (
        facts.reads.data
        if isinstance(facts.reads, EncodedReads)
        else marshal.dumps(
            tuple((r.scope, share(r.chain, r.chain), share(r.text, r.text), r.loc, r.name_loc) for r in facts.reads)
        )
    )
    return (_FORMAT, scopes, calls, facts.all_names, facts.line_count, facts.top_level, facts.rewritten, reads)


def _entry(rows: tuple[Any, ...]) -> bytes:
    payload = marshal.dumps(rows)
    return _checksum(payload) + payload


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_DIGEST).digest()


def decode(data: bytes) -> ModuleFacts:
    """Raises ValueError (or EOFError/TypeError) on data that is not an encoded ModuleFacts."""
    payload = data[_DIGEST:]
    if len(data) <= _DIGEST or _checksum(payload) != data[:_DIGEST]:
        raise ValueError("checksum mismatch (truncated or damaged entry)")
    raw = marshal.loads(payload)
    if not isinstance(raw, tuple) or len(raw) != 8 or raw[0] != _FORMAT:
        raise ValueError("not an encoded ModuleFacts")
    return _facts(raw)


def _facts(rows: tuple[Any, ...]) -> ModuleFacts:
    """The facts of an entry's tuples (``rows`` keeps them all alive meanwhile: objects are told apart by ``id``)."""
    _, scopes, calls, all_names, line_count, top_level, rewritten, reads = rows
    # equal bindings were written once (see encode): decode each object once, by identity (``rows`` keeps them all)
    decoded: dict[int, tuple[Binding, ...]] = {}
    single: dict[int, Binding] = {}

    def bindings(items: tuple[Any, ...]) -> Mapping[str, tuple[Binding, ...]]:
        if not items:
            return NO_BINDINGS  # most scopes set no ``self.x``: one shared empty mapping, not a dict each
        out: dict[str, tuple[Binding, ...]] = {}
        for name, found in items:
            known = decoded.get(id(found))
            if known is None:
                made = []
                for item in found:
                    one = single.get(id(item))
                    if one is None:
                        one = single[id(item)] = Binding(*item)
                    made.append(one)
                known = decoded[id(found)] = tuple(made)
            out[name] = known
        return out

    # this runs for every module a cold index parses (and a warm one reads): list comprehensions, positional fields
    return ModuleFacts(
        tuple(
            [
                Scope(
                    s[0],  # qualname, kind, parent, loc, name_loc
                    s[1],
                    s[2],
                    s[3],
                    s[4],
                    bindings(s[5]),
                    s[6],  # is_async
                    tuple([Decorator(text, chain) for text, chain in s[7]]) if s[7] else (),
                    s[8],  # bases
                    s[9],  # params
                    s[17],  # positional
                    s[18],  # posonly
                    s[19],  # defaults
                    s[10],  # returns
                    s[11],  # return_values
                    s[15],  # yield_values
                    bindings(s[12]),  # attributes
                    s[13],  # star_imports
                    s[14],  # method_kind
                    s[16],  # returns_receiver
                )
                for s in scopes
            ]
        ),
        tuple(starmap(CallSite, calls)),
        all_names,
        line_count,
        top_level,
        rewritten,
        EncodedReads(reads) if isinstance(reads, bytes) else (),
    )


class EncodedReads(Sequence[CallSite]):
    """A module's attribute reads, kept ``marshal``-ed and decoded each time they are iterated: only resolving the
    module (once per resolution) and re-parsing part of it read them, and decoded they would be a sixth of all the
    facts kept in memory."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def rows(self) -> tuple[tuple[str, Chain, str, int, int], ...]:
        """Each read as ``(scope, chain, text, loc, name_loc)``, no ``CallSite`` made (resolution skips most)."""
        return marshal.loads(self.data)  # type: ignore[no-any-return]

    def _decoded(self) -> tuple[CallSite, ...]:
        return tuple(
            [CallSite(scope, chain, text, loc, name_loc, (), READ) for scope, chain, text, loc, name_loc in self.rows()]
        )

    def __iter__(self) -> Iterator[CallSite]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    @overload
    def __getitem__(self, index: int) -> CallSite: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[CallSite, ...]: ...

    def __getitem__(self, index: int | slice) -> CallSite | tuple[CallSite, ...]:
        return self._decoded()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EncodedReads | tuple):
            return self._decoded() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._decoded())

    def __repr__(self) -> str:
        return repr(self._decoded())

"""Memo entries whose answers do not depend on the order questions are asked (issue #13: deterministic results).

Every memoised answer of the resolver (a chain, a name, a class attribute, what a function returns, what a parameter
receives...) is computed on demand, and the code being read has cycles (``Adapter.session`` is what ``__init__``
receives, which is what ``from_adapter`` passes, which is ``adapter.session``...). An entry being computed holds a
:class:`Pending` marker; a question that meets it reads the marker's approximation (nothing at first) instead of
recursing. What was computed from such an approximation is not an answer yet:

- an entry that read the marker of a shallower frame (one still being computed further up the stack) is kept only
  while that frame computes (so the frame's own work reuses it), then dropped unless the frame's answer is final;
- a frame whose own marker was read may compute again with its last answer as the approximation, until the answer
  no longer changes (at most ``MAX_ROUNDS`` rounds, 0 for now: see there); then its answer stands, and what read
  another approximation than that answer is dropped;
- an entry that read no marker of a frame still on the stack is final the moment it is computed.

So the answer to a question does not depend on which question was asked before (a file elsewhere, or an edit, no
longer changes an unrelated answer). The depth cut-off (a chain nested deeper than the resolver follows) is the one
place an answer depends on where the question was asked: :meth:`Frames.cut` keeps nothing computed below the
outermost question that hit it, and an answer computed there is :class:`Provisional` for whoever reads it meanwhile
(so a question that read it is dropped too, and asked again as its own); that outermost answer is memoised as it is.
"""

from __future__ import annotations

from typing import Any

from trace_advisor.resolve.values import NOTHING, Values

# Rounds are off: external attribute names make the values an unbounded lattice (``def walk(n): walk(n.next)`` gives
# ``root.next``, ``root.next.next``... each round), which made names up and ran the standard library out of memory
# (22 GB). With 0 rounds a cycle's first answer stands and whatever read an approximation is dropped when the frame
# ends (asked again later as its own question). Turning rounds on needs a widening for external names first.
MAX_ROUNDS = 0
_NONE = 1 << 30  # no marker read

Table = dict[Any, Values]


class Pending(frozenset):  # type: ignore[type-arg]
    """The memo entry of a question being computed. Reads as empty; :meth:`Frames.seen` gives its approximation."""

    __slots__ = ("depth", "values", "read", "outer", "table", "key", "provisional", "rounds", "truncated")

    depth: int
    values: Values
    read: bool
    outer: int
    table: Table
    key: object
    provisional: list[tuple[Table, object]] | None
    rounds: int
    truncated: bool


class Provisional(frozenset):  # type: ignore[type-arg]
    """The memo entry of an answer computed from the approximation of a frame still being computed (its ``owner``),
    kept while that frame computes. A question that reads it depends on that approximation too: it is no more final
    than this entry (else ``a.b`` read under a depth cut-off stood as "nothing" for good)."""

    __slots__ = ("owner", "values")

    owner: Pending
    values: Values


UNSETTLED = frozenset({Pending, Provisional})  # the types of memo entries read through :meth:`Frames.seen`


class Frames:
    """The stack of memo entries being computed, shared by the resolver and the parts that memoise for it."""

    def __init__(self) -> None:
        self._stack: list[Pending] = []
        self._low = _NONE  # the shallowest marker read by the frame being computed (and what it asked)

    def seen(self, marker: Values) -> Values:
        """A question met an entry being computed: its approximation (what its last round gave; nothing at first);
        or a provisional answer: it, read as the approximation of the frame it depends on."""
        if isinstance(marker, Provisional):
            owner = marker.owner
            if owner.depth < len(self._stack) and self._stack[owner.depth] is owner and owner.depth < self._low:
                self._low = owner.depth
            return marker.values
        assert isinstance(marker, Pending)
        if marker.depth >= len(self._stack) or self._stack[marker.depth] is not marker:
            return NOTHING  # left by a computation an exception ended (not on the stack): too deep, as :meth:`reset`
        if marker.depth < self._low:
            self._low = marker.depth
        marker.read = True
        return marker.values

    def enter(self, table: Table, key: object) -> Pending:
        """Start computing ``table[key]`` (absent from the table): the table holds a marker meanwhile."""
        marker = Pending()
        marker.depth = len(self._stack)
        marker.values = NOTHING
        marker.read = False
        marker.outer = self._low
        marker.table = table
        marker.key = key
        marker.provisional = None
        marker.rounds = 0
        marker.truncated = False
        table[key] = marker
        self._stack.append(marker)
        self._low = _NONE
        return marker

    def leave(self, marker: Pending, result: Values) -> bool:
        """The frame computed ``result``. False: compute again (its own marker was read with another approximation:
        it now reads ``result``). True: done; the table holds ``result`` (final or provisional, see the module)."""
        if marker.read and result != marker.values and marker.rounds < MAX_ROUNDS:
            marker.values = result
            marker.read = False
            marker.rounds += 1
            self._drop(marker)  # they read the previous approximation
            return False
        self._stack.pop()
        low = self._low
        if low < marker.depth:  # read a shallower frame's approximation: kept while that frame computes
            owner = self._stack[low]
            if owner.truncated:  # below a depth cut-off: whatever reads it is cut off too
                entry = Provisional(result)
                entry.owner, entry.values = owner, result
                marker.table[marker.key] = entry
            else:
                marker.table[marker.key] = result
            if owner.provisional is None:
                owner.provisional = []
            owner.provisional.append((marker.table, marker.key))
            if marker.provisional:
                owner.provisional.extend(marker.provisional)
                for table, key in marker.provisional:  # they now stand or fall with ``owner``
                    kept = table.get(key)
                    if type(kept) is Provisional:
                        kept.owner = owner
            self._low = min(marker.outer, low)
        else:  # final; so is what read its marker, unless it read another approximation than the answer
            marker.table[marker.key] = result
            if marker.truncated or result != marker.values:
                self._drop(marker)
            self._low = marker.outer
        return True

    def cut(self) -> None:
        """The depth cut-off answered "nothing" below the outermost question: keep nothing computed under it."""
        if self._stack:
            self._low = 0
            self._stack[0].truncated = True

    def watch(self) -> int:
        """Before a computation kept outside the memo tables: pass the result to :meth:`settled`."""
        saved = self._low
        self._low = _NONE
        return saved

    def settled(self, saved: int) -> bool:
        """Whether what was computed since :meth:`watch` read no approximation of a frame still being computed."""
        low = self._low
        self._low = min(saved, low)
        return low >= len(self._stack)

    def reset(self) -> None:
        """After a RecursionError unwound the stack: the entries being computed are nothing (too deep to follow)."""
        for marker in self._stack:
            self._drop(marker)
            marker.table[marker.key] = NOTHING
        self._stack.clear()
        self._low = _NONE

    @staticmethod
    def _drop(marker: Pending) -> None:
        if marker.provisional:
            for table, key in marker.provisional:
                table.pop(key, None)
            marker.provisional = None

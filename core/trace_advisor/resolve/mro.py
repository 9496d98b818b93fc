"""C3 linearisation of a class hierarchy (falls back to depth-first order when the hierarchy is inconsistent)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


def linearize(cls: T, bases_of: Callable[[T], Sequence[T]], limit: int = 200) -> tuple[T, ...]:
    """The method resolution order of ``cls``; cycles in (broken) code are cut, never followed forever."""
    return _Linearization(bases_of, limit).mro(cls, 0)


class _Linearization(Generic[T]):
    """One linearisation's state (a class, not a recursive closure: that would be a reference cycle, garbage only
    the cyclic collector frees, and the index freezes what is alive after resolving everything)."""

    def __init__(self, bases_of: Callable[[T], Sequence[T]], limit: int) -> None:
        self.bases_of = bases_of
        self.limit = limit
        self.memo: dict[T, tuple[T, ...]] = {}
        self.visiting: set[T] = set()

    def mro(self, current: T, depth: int) -> tuple[T, ...]:
        if current in self.memo:
            return self.memo[current]
        if current in self.visiting or depth > self.limit:
            return (current,)
        self.visiting.add(current)
        bases = [b for b in self.bases_of(current) if b != current]
        sequences = [list(self.mro(b, depth + 1)) for b in bases] + [list(bases)]
        merged = _merge(sequences)
        if merged is None:  # inconsistent hierarchy: Python would reject it; keep a usable order
            merged = list(dict.fromkeys(item for seq in sequences for item in seq))
        self.visiting.discard(current)
        result = (current, *(item for item in merged if item != current))
        self.memo[current] = result
        return result


def _merge(sequences: list[list[T]]) -> list[T] | None:
    result: list[T] = []
    pending = [seq for seq in sequences if seq]
    while pending:
        for seq in pending:
            head = seq[0]
            if not any(head in other[1:] for other in pending):
                break
        else:
            return None
        result.append(head)
        pending = [[item for item in seq if item != head] for seq in pending]
        pending = [seq for seq in pending if seq]
    return result

"""C3 linearisation of a class hierarchy (falls back to depth-first order when the hierarchy is inconsistent)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def linearize(cls: T, bases_of: Callable[[T], Sequence[T]], limit: int = 200) -> tuple[T, ...]:
    """The method resolution order of ``cls``; cycles in (broken) code are cut, never followed forever."""
    memo: dict[T, tuple[T, ...]] = {}
    visiting: set[T] = set()

    def mro(current: T, depth: int) -> tuple[T, ...]:
        if current in memo:
            return memo[current]
        if current in visiting or depth > limit:
            return (current,)
        visiting.add(current)
        bases = [b for b in bases_of(current) if b != current]
        sequences = [list(mro(b, depth + 1)) for b in bases] + [list(bases)]
        merged = _merge(sequences)
        if merged is None:  # inconsistent hierarchy: Python would reject it; keep a usable order
            merged = list(dict.fromkeys(item for seq in sequences for item in seq))
        visiting.discard(current)
        result = (current, *(item for item in merged if item != current))
        memo[current] = result
        return result

    return mro(cls, 0)


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

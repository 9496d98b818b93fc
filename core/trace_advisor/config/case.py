"""Key-case conversion for editor settings: camelCase on the wire, snake_case in Python, one converter each way."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

# Mappings whose keys are names chosen by the user (priority names), not setting names: never converted.
VERBATIM_KEYS: tuple[str, ...] = ("priorities",)

_UPPER = re.compile(r"[A-Z]")


def snake_to_camel(key: str) -> str:
    """``min_confidence`` -> ``minConfidence``; keys without underscores are unchanged."""
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_to_snake(key: str) -> str:
    """``minConfidence`` -> ``min_confidence``; already snake_case keys are unchanged."""
    return _UPPER.sub(lambda m: "_" + m.group(0).lower(), key)


def to_camel_case(tree: object, *, verbatim: Collection[str] = VERBATIM_KEYS) -> object:
    """Copy ``tree`` with every mapping key in camelCase, except the keys of the mappings named in ``verbatim``."""
    return _convert(tree, snake_to_camel, verbatim, keep=False)


def from_camel_case(tree: object, *, verbatim: Collection[str] = VERBATIM_KEYS) -> object:
    """Copy ``tree`` with every mapping key in snake_case, except the keys of the mappings named in ``verbatim``."""
    return _convert(tree, camel_to_snake, verbatim, keep=False)


def _convert(tree: object, convert: Callable[[str], str], verbatim: Collection[str], *, keep: bool) -> object:
    if isinstance(tree, dict):
        out: dict[str, object] = {}
        for key, value in tree.items():
            name = str(key) if keep else convert(str(key))
            # the children of a verbatim mapping are user-chosen names; their own contents are settings again
            out[name] = _convert(value, convert, verbatim, keep=(not keep and name in verbatim))
        return out
    if isinstance(tree, list | tuple):
        return [_convert(item, convert, verbatim, keep=False) for item in tree]
    return tree

"""Classifies one call as a client API interaction (HTTP, database, queue...) from its target name or receiver."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from trace_advisor.detect.catalog import APIS, Api
from trace_advisor.detect.hints import DISTINCT_METHODS, ORM_MANAGER_METHODS, PUBLISH_METHODS, RECEIVER_HINTS
from trace_advisor.detect.names import expr_text, is_io_name

_WORD = re.compile(r"[a-z0-9]+")
_NEVER_IO_METHODS = frozenset(
    {
        "close",
        "__enter__",
        "__exit__",
        "json",
        "raise_for_status",
        "copy",
        "keys",
        "items",
        "values",
        "format",
        "append",
        "extend",
        "join",
        "split",
        "strip",
        "lower",
        "upper",
    }
)


@dataclass(frozen=True, slots=True)
class ApiMatch:
    kind: str
    system: str
    label: str
    target: str  # dotted name when resolved, else the call text
    resolved: bool  # from imports/types (True) or from the receiver's name (False)
    instrumentation: str | None = None
    operation: str = ""

    @property
    def strength(self) -> float:
        return 1.0 if self.resolved else 0.7


_ARGS = re.compile(r"\([^()]*\)")


def _collapse_arguments(text: str) -> str:
    """``self.connection().execute('SELECT ...', (sku,)).fetchone`` -> ``self.connection().execute(...).fetchone``."""
    # private-use characters stand in for collapsed groups: no parentheses, so the enclosing group collapses next
    hole, empty = "\ue000", "\ue001"
    previous = None
    while previous != text:
        previous, text = text, _ARGS.sub(lambda m: empty if m.group(0) == "()" else hole, text)
    return text.replace(hole, "(...)").replace(empty, "()")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _by_root() -> Mapping[str, tuple[Api, ...]]:
    grouped: dict[str, list[Api]] = {}
    for api in APIS:  # keeps the catalog's order (most specific first) within each root
        grouped.setdefault(api.pattern.split(".")[0], []).append(api)
    return MappingProxyType({root: tuple(apis) for root, apis in grouped.items()})


_APIS_BY_ROOT = _by_root()  # read-only index of the catalog by root module


def match_target(target: str) -> ApiMatch | None:
    """Catalog lookup of a resolved dotted target."""
    for api in _APIS_BY_ROOT.get(target.split(".", 1)[0], ()):
        exact = target == api.pattern
        prefixed = api.pattern.endswith(".") and target.startswith(api.pattern)
        if exact or (prefixed and is_io_name(target)):
            return ApiMatch(api.kind, api.system, api.label, target, True, api.instrumentation, api.operation)
    return None


def match_call(call: ast.Call, target: str | None) -> ApiMatch | None:
    """Resolved target first; otherwise distinctive method names and words in the receiver (``self.db.execute``)."""
    if target is not None:
        found = match_target(target)
        if found is not None:
            return found
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr in _NEVER_IO_METHODS:
        return None
    method = func.attr
    receiver = func.value
    text = _collapse_arguments(expr_text(func, 200))
    if method in DISTINCT_METHODS:
        kind, system, label = DISTINCT_METHODS[method]
        op = "publish" if method in {"send_message", "basic_publish"} else ""
        op = "receive" if method in {"receive_message", "basic_consume"} else op
        return ApiMatch(kind, system, label, text, False, None, op)
    if (
        method in ORM_MANAGER_METHODS
        and isinstance(receiver, ast.Attribute)
        and receiver.attr == "objects"
        and isinstance(receiver.value, ast.Name)
        and receiver.value.id[:1].isupper()
    ):
        write = method in {
            "create",
            "update",
            "delete",
            "get_or_create",
            "update_or_create",
            "bulk_create",
            "bulk_update",
        }
        return ApiMatch(
            "db",
            "sql",
            "Django ORM query",
            text,
            False,
            "opentelemetry-instrumentation-django",
            "write" if write else "read",
        )
    receiver_words = _words(expr_text(receiver, 120)) - {"self", "cls"}
    if not receiver_words or {"request", "session"} <= receiver_words:
        return None  # nothing known, or a web framework's session dictionary
    for words, methods, kind, system, label in RECEIVER_HINTS:
        if receiver_words & words and (not methods or method in methods) and not method.startswith("_"):
            if kind == "rpc" and method in {"get", "set", "items", "update", "pop"}:
                continue
            op = ""
            if kind == "messaging":
                op = "publish" if method in PUBLISH_METHODS else "receive"
            return ApiMatch(kind, system, label, text, False, None, op)
    return None

"""What well-known callables return and which methods the classes they return have, for code resolution does not
read (the stdlib's C classes) or cannot follow (client libraries that are not installed, untyped, or built at run
time: boto3 clients, DB-API connections, redis pipelines).

The table is data, ``resources/factories.json``: keys and values are import-path symbol ids. A library's callable is
looked up as resolution names it and under each module above it (``redis.asyncio.utils:from_url`` is also
``redis.asyncio:from_url``, then ``redis:from_url``), so one entry serves both layouts, installed or not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TypeVar

from trace_advisor.datatypes import SymbolId

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class FactoryClass:
    """A class the table lists: its methods (with its bases'), and, for a class that queues commands (a redis
    pipeline), the methods that do not queue theirs (``execute`` sends the batch)."""

    methods: frozenset[str]
    queues_except: frozenset[str] | None = None


_Table = tuple[
    dict[SymbolId, SymbolId],
    dict[SymbolId, SymbolId],
    dict[SymbolId, FactoryClass],
    dict[SymbolId, dict[str, SymbolId]],
    dict[SymbolId, SymbolId],
    dict[SymbolId, SymbolId],
]


def _load() -> _Table:
    data = json.loads(resources.files("trace_advisor.resources").joinpath("factories.json").read_text("utf-8"))
    listed: Mapping[str, Mapping[str, list[str]]] = data["classes"]

    def methods(symbol: str) -> frozenset[str]:
        entry = listed[symbol]
        return frozenset(entry["methods"]).union(*(methods(base) for base in entry.get("bases", ())))

    classes = {
        symbol: FactoryClass(methods(symbol), frozenset(entry["queues_except"]) if "queues_except" in entry else None)
        for symbol, entry in listed.items()
    }
    return (
        dict(data["returns"]),
        dict(data["attributes"]),
        classes,
        dict(data["keyed"]),
        dict(data["descriptors"]),
        dict(data["decorated"]),
    )


KNOWN_RETURNS, KNOWN_ATTRIBUTES, KNOWN_CLASSES, KEYED, DESCRIPTORS, DECORATED = _load()
RELATED = "@related"  # a descriptor that holds an instance of the class its field's first argument (or ``to=``) names
# what a symbol may be in a table at all (its qualname): a fast no for the calls of everything else
_QUALNAMES = {
    table: frozenset(symbol.partition(":")[2] for symbol in found)
    for table, found in (
        ("returns", KNOWN_RETURNS),
        ("attributes", KNOWN_ATTRIBUTES),
        ("classes", KNOWN_CLASSES),
        ("descriptors", DESCRIPTORS),
        ("decorated", DECORATED),
    )
}


def _submodules(symbols: Iterable[SymbolId]) -> Iterator[str]:
    for symbol in symbols:
        module = symbol.partition(":")[0]
        while "." in module:
            yield module
            module = module.rpartition(".")[0]


# the submodules the table names (``redis.asyncio``): ``import redis.asyncio`` names a module, installed or not
KNOWN_MODULES = frozenset(
    _submodules(
        [*KNOWN_RETURNS, *KNOWN_RETURNS.values(), *KNOWN_ATTRIBUTES, *KNOWN_ATTRIBUTES.values(), *KNOWN_CLASSES]
    )
)
# the top-level packages of classes that queue commands: where a call may be a queued one
QUEUE_PACKAGES = frozenset(s.partition(":")[0].partition(".")[0] for s, c in KNOWN_CLASSES.items() if c.queues_except)


def known_return(symbol: SymbolId) -> SymbolId | None:
    """The class whose instance calling ``symbol`` returns, when the table knows it."""
    return _known(KNOWN_RETURNS, _QUALNAMES["returns"], symbol)


def known_attribute(owner: SymbolId, name: str) -> SymbolId | None:
    """The class whose instance the attribute ``name`` of an instance of ``owner`` holds, when the table knows it
    (``celery.app.base:Celery`` or, without celery's source, ``celery:Celery``: ``control`` holds a ``Control``)."""
    return _known(KNOWN_ATTRIBUTES, _QUALNAMES["attributes"], f"{owner}.{name}")


def keyed_class(symbol: SymbolId, key: str) -> SymbolId | None:
    """The class an instance of ``symbol`` that a factory made is when the factory was given ``key``
    (``botocore.client:BaseClient`` from ``boto3.client("s3")`` is a ``botocore.client:S3``)."""
    found = KEYED.get(symbol)
    return found.get(key) if found is not None else None


def known_class(symbol: SymbolId) -> FactoryClass | None:
    """What the table says of a class (``redis:Pipeline``, or ``redis.asyncio.client:Pipeline`` as its source names
    it), when it lists it."""
    return _known(KNOWN_CLASSES, _QUALNAMES["classes"], symbol)


def known_decorated(decorator: SymbolId) -> SymbolId | None:
    """The class of the object a library decorator makes of the function it decorates, when the table knows it
    (``click:group``, or as resolved ``click.decorators:group``: a ``click.core:Group``)."""
    return _known(DECORATED, _QUALNAMES["decorated"], decorator)


def descriptor_holds(cls: SymbolId) -> SymbolId | None:
    """The class whose instance an instance's attribute holds when its class sets that attribute to an instance of
    the descriptor class ``cls`` (``django.db.models:CharField``: ``builtins:str``); :data:`RELATED` for a relation
    (the model its field names); "" when that is not known; None when ``cls`` is no descriptor the table lists.
    ``cls`` is looked up as written too when the module path was guessed from an import of a package not installed
    (``from django.db import models`` names ``django.db:models.CharField``)."""
    module, _, qualname = cls.partition(":")
    parts = qualname.split(".")
    for split in range(len(parts)):
        found = _known(
            DESCRIPTORS, _QUALNAMES["descriptors"], ".".join([module, *parts[:split]]) + ":" + ".".join(parts[split:])
        )
        if found is not None:
            return found
    return None


def _known(table: Mapping[SymbolId, _T], qualnames: frozenset[str], symbol: SymbolId) -> _T | None:
    """``symbol`` in ``table``, or the same name under each module above its own."""
    module, _, qualname = symbol.partition(":")
    if qualname not in qualnames:
        return None
    while True:
        found = table.get(f"{module}:{qualname}")
        if found is not None or "." not in module:
            return found
        module = module.rpartition(".")[0]

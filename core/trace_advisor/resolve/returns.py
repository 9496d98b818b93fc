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
from dataclasses import dataclass, field
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
    # method -> the base listing it, for a class whose inherited methods are named after their base (a Django user
    # manager's ``filter`` is the ``Manager``'s); a redis ``Pipeline`` keeps its own names: it queues what ``Redis``
    # sends
    inherited: Mapping[str, SymbolId] = field(default_factory=dict)


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

    def defined(symbol: str) -> dict[str, str]:
        """Each method of ``symbol`` -> the listed class whose own list has it (the first base's first)."""
        entry = listed[symbol]
        out: dict[str, str] = {}
        for base in reversed(entry.get("bases", ())):
            out.update(defined(base))
        out.update((method, symbol) for method in entry["methods"])
        return out

    classes = {}
    for symbol, entry in listed.items():
        where = defined(symbol)
        classes[symbol] = FactoryClass(
            frozenset(where),
            frozenset(entry["queues_except"]) if "queues_except" in entry else None,
            {method: base for method, base in where.items() if base != symbol} if entry.get("named_as_base") else {},
        )
    return (
        dict(data["returns"]),
        dict(data["attributes"]),
        classes,
        dict(data["keyed"]),
        dict(data["descriptors"]),
        dict(data["decorated"]),
    )


KNOWN_RETURNS, KNOWN_ATTRIBUTES, KNOWN_CLASSES, KEYED, DESCRIPTORS, DECORATED = _load()
RECEIVER = "@receiver"  # a return: an instance of the class the method was called on (``QuerySet.as_manager``)
RELATED = "@related"  # a descriptor that holds an instance of the class its field's first argument (or ``to=``) names
# the names of the library methods returning an instance of what they are called on (``as_manager``): resolution
# keeps the receivers of only these (and of functions with source)
RECEIVER_METHODS = frozenset(s.rpartition(".")[2] for s, returned in KNOWN_RETURNS.items() if returned == RECEIVER)
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


def listed_name(ident: SymbolId, name: str) -> SymbolId:
    """How the attribute ``name`` of ``ident`` (a class, or an instance's class) is named: after the listed base it
    comes from when the table says so (``django.contrib.auth:UserManager.filter`` is Django's
    ``django.db.models:Manager.filter``, whose return and client the table and the catalog know), else after
    ``ident``."""
    listed = known_class(ident)
    return f"{listed.inherited.get(name, ident) if listed is not None else ident}.{name}"


def listed_method(order: Iterable[SymbolId], name: str) -> SymbolId | None:
    """The method ``name`` as the table names it on the first class of ``order`` (an MRO read from source) that the
    table lists with it: what a library builds at run time and its source does not say (Django's ``Manager`` gets the
    ``QuerySet`` methods from ``from_queryset``)."""
    for ident in order:
        key = _known_key(KNOWN_CLASSES, _QUALNAMES["classes"], ident)
        if key is not None and name in KNOWN_CLASSES[key].methods:
            return listed_name(key, name)
    return None


def _known_key(table: Mapping[SymbolId, object], qualnames: frozenset[str], symbol: SymbolId) -> SymbolId | None:
    """The key ``symbol`` is in ``table`` under: itself, or the same name under a module above its own."""
    module, _, qualname = symbol.partition(":")
    if qualname not in qualnames:
        return None
    while True:
        if f"{module}:{qualname}" in table:
            return f"{module}:{qualname}"
        if "." not in module:
            return None
        module = module.rpartition(".")[0]


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
    key = _known_key(table, qualnames, symbol)
    return table[key] if key is not None else None

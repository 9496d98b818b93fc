"""Which OpenTelemetry auto-instrumentation the analysed project has: packages installed (by distribution name), and
instrumentation its own code sets up (instrumentors, server middleware, Sentry with tracing)."""

from __future__ import annotations

import ast
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.added_instrumentation import STRAWBERRY
from trace_advisor.datatypes import Range, ResolvedCall
from trace_advisor.detect.django_databases import DJANGO_QUERIES
from trace_advisor.facts.records import FROM, ModuleFacts


def site_packages_for(python: str | None) -> list[Path]:
    """site-packages folders of an interpreter (or of $VIRTUAL_ENV / the running one), found on disk, never run."""
    if python:
        root = Path(python).resolve().parent.parent if Path(python).is_file() else Path(python)
    elif os.environ.get("VIRTUAL_ENV"):
        root = Path(os.environ["VIRTUAL_ENV"])
    else:
        return [Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    found = sorted(root.glob("lib/python3*/site-packages")) + sorted(root.glob("Lib/site-packages"))
    return [p for p in found if p.is_dir()]


_INSTRUMENTATION = "opentelemetry-instrumentation-"
_SEPARATORS = re.compile(r"[-_.]+")


def installed_instrumentations(python: str | None = None, paths: list[Path] | None = None) -> frozenset[str]:
    """Distribution names starting with ``opentelemetry-instrumentation-`` in the given site-packages.

    A distribution installed there has a ``NAME-VERSION.dist-info`` (or ``.egg-info``) folder named after its
    normalized name: only those named like an instrumentation have their metadata read for the name (reading every
    distribution's, as ``importlib.metadata`` does, took 60-150 ms on a language server's first refresh)."""
    names = set()
    for folder in paths if paths is not None else site_packages_for(python):
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for entry in entries:
            stem, _, suffix = entry.rpartition(".")
            if suffix not in ("dist-info", "egg-info"):
                continue
            if _SEPARATORS.sub("-", stem.partition("-")[0]).lower().startswith(_INSTRUMENTATION):
                name = _SEPARATORS.sub("-", _metadata_name(folder / entry) or "").lower()  # PEP 503 form
                if name.startswith(_INSTRUMENTATION):
                    names.add(name)
    return frozenset(names)


def _metadata_name(info: Path) -> str | None:
    """The ``Name:`` of a distribution's metadata (``METADATA``, or ``PKG-INFO`` for an egg), None if unreadable."""
    for file in (info / "METADATA", info / "PKG-INFO", info) if info.is_dir() else (info,):
        try:
            with file.open(encoding="utf-8", errors="replace") as lines:
                for line in lines:
                    if not line.strip():
                        break  # the headers end at the first blank line
                    key, _, value = line.partition(":")
                    if key.strip().lower() == "name":
                        return value.strip()
        except OSError:
            continue
    return None


class InstalledInstrumentations:
    """:func:`installed_instrumentations` remembered per interpreter and its site-packages folders, read again only
    when a folder's modification time changes (installing or removing a distribution adds or removes its
    ``.dist-info`` folder there)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str | None, tuple[Path, ...]], tuple[tuple[int, ...], frozenset[str]]] = {}

    def get(self, python: str | None = None) -> frozenset[str]:
        paths = tuple(site_packages_for(python))
        stamp = tuple(_mtime(p) for p in paths)
        known = self._known.get((python, paths))
        if known is not None and known[0] == stamp:
            return known[1]
        found = installed_instrumentations(paths=list(paths))
        self._known[(python, paths)] = (stamp, found)
        return found


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


# Instrumentation set up in the project's own code: an OpenTelemetry instrumentor called (``FlaskInstrumentor()
# .instrument_app(app)``, ``RequestsInstrumentor().instrument()``), a WSGI/ASGI middleware wrapped around the app, or
# Sentry initialised with tracing, whose integrations span the same requests and client calls. Each counts as the
# OpenTelemetry package that gives the same spans, so the scorer weighs it exactly like an installed one.
_OTEL = "opentelemetry.instrumentation."
_PACKAGE = "opentelemetry-instrumentation-"
_OTEL_DISTRIBUTIONS = {"kafka": "kafka-python"}  # instrumentation modules whose distribution is named otherwise
_SERVER_MIDDLEWARE = {  # a server middleware gives each request its span, whichever framework sits inside it
    "wsgi": ("flask", "django", "falcon", "pyramid"),
    "asgi": ("fastapi", "starlette", "django"),
}
# sentry_sdk.integrations.<module> -> the OpenTelemetry packages whose spans it gives when tracing is on
_SENTRY = {
    "flask": ("flask",),
    "django": ("django", DJANGO_QUERIES),  # Sentry's Django integration spans the ORM's queries too
    "fastapi": ("fastapi", "starlette"),
    "starlette": ("starlette",),
    "falcon": ("falcon",),
    "pyramid": ("pyramid",),
    "tornado": ("tornado",),
    "aiohttp": ("aiohttp-server", "aiohttp-client"),
    "celery": ("celery",),
    "sqlalchemy": ("sqlalchemy",),
    "redis": ("redis",),
    "httpx": ("httpx",),
    "boto3": ("botocore",),
    "asyncpg": ("asyncpg",),
    "pymongo": ("pymongo",),
    "grpc": ("grpc",),
    "openai": ("openai-v2",),
    "stdlib": ("requests", "urllib", "urllib3"),  # http.client, under requests, urllib3 and urllib
}
_SENTRY_DEFAULT = ("stdlib",)  # on unless ``default_integrations=False``
# logfire's ``logfire.instrument_<name>(...)`` -> the OpenTelemetry packages it runs (logfire wraps them)
_LOGFIRE = {
    "fastapi": ("fastapi",),
    "starlette": ("starlette",),
    "django": ("django",),
    "flask": ("flask",),
    "asgi": _SERVER_MIDDLEWARE["asgi"],
    "wsgi": _SERVER_MIDDLEWARE["wsgi"],
    "aiohttp_server": ("aiohttp-server",),
    "aiohttp_client": ("aiohttp-client",),
    "httpx": ("httpx",),
    "requests": ("requests",),
    "sqlalchemy": ("sqlalchemy",),
    "psycopg": ("psycopg", "psycopg2"),
    "asyncpg": ("asyncpg",),
    "pymongo": ("pymongo",),
    "mysql": ("mysql",),
    "sqlite3": ("sqlite3",),
    "redis": ("redis",),
    "celery": ("celery",),
    "aws_lambda": ("aws-lambda",),
    "openai": ("openai-v2",),
}
# on when their library is installed (what the project calls), unless ``auto_enabling_integrations=False``
_SENTRY_AUTO = tuple(m for m in _SENTRY if m not in {"grpc", "stdlib"})
_SENTRY_TRACING = frozenset({"traces_sample_rate", "traces_sampler", "enable_tracing"})


@dataclass(frozen=True, slots=True)
class SetUp:
    """Instrumentation the project's code sets up: which OpenTelemetry package gives the same spans, and the setup as
    a person finds it in the code (``FlaskInstrumentor (app/__init__.py:11)``)."""

    package: str
    where: str
    sentry: bool = False  # a Sentry integration: it spans nothing unless Sentry is initialised with tracing


@dataclass(frozen=True, slots=True)
class SentryInit:
    where: str
    tracing: bool
    integrations: tuple[str, ...]  # sentry_sdk.integrations modules it enables by default


def may_set_up(chains: Iterable[tuple[str, ...] | None]) -> bool:
    """Whether a module's call chains can set instrumentation up (read before its calls are resolved)."""
    return any(
        chain is not None
        and (chain[-1] == "init" or chain[-1].startswith("instrument") or any(p.endswith(_SET_UP_NAMES) for p in chain))
        for chain in chains
    )


_SET_UP_NAMES = ("Instrumentor", "Integration", "OpenTelemetryMiddleware")


def set_up_in_module(calls: Sequence[ResolvedCall], source: str | None, place: str) -> tuple[SetUp | SentryInit, ...]:
    """What one module's resolved calls set up (``place`` names the file for people). Sentry integrations are
    returned as set-ups of their own and only count when some module initialises Sentry with tracing
    (:func:`instrumentation_set_up`): they are usually built apart from ``sentry_sdk.init`` and passed to it."""
    found: list[SetUp | SentryInit] = []
    for call in calls:
        at = f"{place}:{call.range.start.line}"
        for callee in call.callees:
            module, _, qualname = callee.partition(":")
            if module.startswith(_OTEL):
                name = module.removeprefix(_OTEL)
                owner, _, method = qualname.partition(".")
                if owner.endswith("Instrumentor") and method.startswith("instrument"):
                    package = _PACKAGE + _OTEL_DISTRIBUTIONS.get(name, name.replace("_", "-"))
                    found.append(SetUp(package, f"{owner} ({at})"))
                elif qualname == "OpenTelemetryMiddleware" and name in _SERVER_MIDDLEWARE:
                    where = f"the {name.upper()} OpenTelemetryMiddleware ({at})"
                    found.extend(SetUp(_PACKAGE + framework, where) for framework in _SERVER_MIDDLEWARE[name])
            elif module.startswith("sentry_sdk.integrations.") and qualname.endswith("Integration"):
                integration = module.removeprefix("sentry_sdk.integrations.").partition(".")[0]
                where = f"Sentry's {qualname} ({at})"
                found.extend(SetUp(_package(p), where, sentry=True) for p in _SENTRY.get(integration, ()))
            elif callee == "sentry_sdk:init":
                found.append(_sentry_init(call, source, at))
            elif module.partition(".")[0] == "logfire" and (name := _logfire_target(qualname)) in _LOGFIRE:
                where = f"logfire.instrument_{name} ({at})"
                found.extend(SetUp(_PACKAGE + p, where) for p in _LOGFIRE[name])
    return tuple(found)


_STRAWBERRY_TRACING = "strawberry.extensions.tracing"


def graphql_set_up(facts: ModuleFacts, source: Callable[[], str | None], place: str) -> tuple[SetUp, ...]:
    """strawberry's ``OpenTelemetryExtension`` imported in the module (to go into a schema's extensions, or to be
    subclassed as phoenix does): each GraphQL resolver gets its span from it. Found from the module's imports: the
    extension is passed as a class, not called."""
    imported = any(
        binding.kind == FROM and binding.target == _STRAWBERRY_TRACING and binding.name.startswith("OpenTelemetryExt")
        for scope in facts.scopes
        for bindings in scope.bindings.values()
        for binding in bindings
    )
    if not imported:
        return ()
    lines = (source() or "").splitlines()
    line = next((n for n, text in enumerate(lines, 1) if _STRAWBERRY_TRACING in text), 1)
    return (SetUp(STRAWBERRY, f"strawberry's OpenTelemetryExtension ({place}:{line})"),)


def instrumentation_set_up(per_module: Iterable[tuple[SetUp | SentryInit, ...]]) -> dict[str, str]:
    """OpenTelemetry package -> the setup in the code that gives its spans (the first one found)."""
    found = [item for items in per_module for item in items]
    inits = [i for i in found if isinstance(i, SentryInit) and i.tracing]
    out: dict[str, str] = {}
    for item in found:
        if isinstance(item, SetUp) and (inits or not item.sentry):
            out.setdefault(item.package, item.where)
    for init in inits:
        for integration in init.integrations:
            where = f"Sentry's {integration} integration (sentry_sdk.init at {init.where})"
            for package in _SENTRY[integration]:
                out.setdefault(_package(package), where)
    return out


def _logfire_target(qualname: str) -> str:
    """What ``logfire.instrument_<name>`` (a module function, or a method of logfire's ``Logfire``) instruments."""
    method = qualname.rpartition(".")[2]
    return method.removeprefix("instrument_") if method.startswith("instrument_") else ""


def _package(name: str) -> str:
    """An OpenTelemetry distribution's name from its suffix in ``_SENTRY`` (the ORM queries' stand-in as it is)."""
    return name if name == DJANGO_QUERIES else _PACKAGE + name


def _sentry_init(call: ResolvedCall, source: str | None, at: str) -> SentryInit:
    """``sentry_sdk.init(...)``: whether it turns tracing on, and which integrations it enables without being told."""
    keywords = _keywords(call.range, source)
    if keywords is None:  # the call's text could not be read back: tracing unknown, so nothing counts as covered
        return SentryInit(at, False, ())
    tracing = any(k in _SENTRY_TRACING and not _false(v) for k, v in keywords.items())
    enabled = [] if _false(keywords.get("default_integrations")) else list(_SENTRY_DEFAULT)
    if not _false(keywords.get("auto_enabling_integrations")) and not _false(keywords.get("default_integrations")):
        enabled += _SENTRY_AUTO
    return SentryInit(at, tracing, tuple(enabled))


def _keywords(where: Range, source: str | None) -> dict[str, ast.expr] | None:
    """The keyword arguments of the call expression at ``where`` in ``source`` (None when it cannot be read)."""
    if source is None:
        return None
    lines = source.splitlines()[where.start.line - 1 : where.end.line]
    if not lines:
        return None
    lines[-1] = lines[-1][: where.end.column] if len(lines) > 1 else lines[-1][where.start.column : where.end.column]
    if len(lines) > 1:
        lines[0] = lines[0][where.start.column :]
    try:
        node = ast.parse("(" + "\n".join(lines) + "\n)", mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Call):
        return None
    return {k.arg: k.value for k in node.keywords if k.arg is not None}


def _false(value: ast.expr | None) -> bool:
    """A literal ``False``/``None``/``0`` (tracing or integrations turned off)."""
    return isinstance(value, ast.Constant) and not value.value

"""Which instrumentation traces a Django project's ORM queries. Django's own instrumentation gives each request its
server span (and, as an option, SQL comments), not a span per query: a query's span comes from the instrumentation of
the DB-API driver that the ``ENGINE`` in ``DATABASES`` loads. The engines are read from the text of the settings
modules (``ENGINE`` strings, or database URLs as ``dj_database_url`` takes them), and PostgreSQL's driver (psycopg 3
or psycopg2) from the dependencies the project declares. Nothing is imported or run."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# The catalog's instrumentation of a Django ORM query: a stand-in, never shown, for the driver packages the workspace's
# engines need (:func:`driver_instrumentations`; the scorer swaps it for them).
DJANGO_QUERIES = "django-orm-queries"

_PACKAGE = "opentelemetry-instrumentation-"
_POSTGRES = (_PACKAGE + "psycopg", _PACKAGE + "psycopg2")
_ENGINE = re.compile(r"""["'](?:django\.contrib\.gis\.)?(?:django\.)?db\.backends\.(\w+)["']""")
_URL = re.compile(r"""["'](postgres(?:ql)?|postgis|mysql2?|mysqlgis|sqlite|spatialite)://""")
_ENGINES = {  # engine (or URL scheme) -> its driver's instrumentation; None: PostgreSQL's, whichever driver is declared
    "postgresql": None,
    "postgresql_psycopg2": (_PACKAGE + "psycopg2",),
    "postgis": None,
    "postgres": None,
    "mysql": (_PACKAGE + "mysqlclient",),
    "mysql2": (_PACKAGE + "mysqlclient",),
    "mysqlgis": (_PACKAGE + "mysqlclient",),
    "sqlite3": (_PACKAGE + "sqlite3",),
    "sqlite": (_PACKAGE + "sqlite3",),
    "spatialite": (_PACKAGE + "sqlite3",),
    "oracle": (),  # no OpenTelemetry instrumentation for oracledb
}
_PSYCOPG2 = re.compile(r"\bpsycopg2\b")
_PSYCOPG3 = re.compile(r"\bpsycopg(?!2)\b")
_MYSQLCLIENT = re.compile(r"\bmysqlclient\b", re.IGNORECASE)
_DEPENDENCY_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile")


def is_settings_module(module: str) -> bool:
    """Django's settings live in ``settings.py`` or a ``settings`` package (``config/settings/production.py``)."""
    return any(part.startswith("settings") for part in module.split("."))


def driver_instrumentations(settings_texts: Iterable[str], dependency_texts: Iterable[str]) -> tuple[str, ...]:
    """The instrumentation packages that trace the ORM's queries, sorted: one per engine the settings name (a project
    that picks its database at run time names several). PostgreSQL's is psycopg's or psycopg2's by the driver the
    dependencies declare (both when they declare neither). With no engine found, the declared drivers decide, else
    PostgreSQL is assumed, Django's most common production database."""
    engines: set[str] = set()
    for text in settings_texts:
        engines.update(_ENGINE.findall(text))
        engines.update(_URL.findall(text))
    declared = "\n".join(dependency_texts)
    postgres = tuple(
        package for package, pattern in zip(_POSTGRES, (_PSYCOPG3, _PSYCOPG2), strict=True) if pattern.search(declared)
    )
    if not engines:
        engines = {"mysql"} if _MYSQLCLIENT.search(declared) and not postgres else {"postgresql"}
    packages: set[str] = set()
    for engine in engines:
        known = _ENGINES.get(engine, ())
        packages.update(known if known is not None else postgres or _POSTGRES)
    return tuple(sorted(packages))


def dependency_texts(roots: Iterable[Path]) -> list[str]:
    """The text of the files a project declares its dependencies in: ``requirements*.txt`` (also in a
    ``requirements/`` folder), ``pyproject.toml``, ``setup.cfg``, ``setup.py``, ``Pipfile``, at each workspace root
    and the folders above it up to its repository's top (a workspace opened at ``src/``)."""
    texts = []
    for folder in dict.fromkeys(f for root in roots for f in _project_folders(root)):
        files = [folder / name for name in _DEPENDENCY_FILES]
        files += sorted(folder.glob("requirements*.txt")) + sorted(folder.glob("requirements/*.txt"))
        for file in files:
            try:
                texts.append(file.read_text(encoding="utf-8", errors="replace")[:200_000])
            except OSError:
                continue
    return texts


def _project_folders(root: Path, levels: int = 3) -> list[Path]:
    """``root`` and the folders above it, up to the first holding ``.git`` (at most ``levels`` up): none above a
    folder that is not in a repository."""
    folders = [root]
    for parent in list(root.parents)[:levels]:
        if _exists(folders[-1] / ".git"):
            break
        folders.append(parent)
    return folders if _exists(folders[-1] / ".git") else [root]


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; False where it cannot be told (a folder the user may not read)."""
    try:
        return path.exists()
    except OSError:
        return False

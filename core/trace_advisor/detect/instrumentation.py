"""Which OpenTelemetry auto-instrumentation packages the analysed project has installed (by distribution name)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


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


def installed_instrumentations(python: str | None = None, paths: list[Path] | None = None) -> frozenset[str]:
    """Distribution names starting with ``opentelemetry-instrumentation-`` in the given site-packages."""
    import importlib.metadata  # slow to import, needed once per site-packages change: not at start-up

    search = [str(p) for p in (paths if paths is not None else site_packages_for(python))]
    if not search:
        return frozenset()
    names = set()
    for dist in importlib.metadata.distributions(path=search):
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name.startswith("opentelemetry-instrumentation-"):
            names.add(name)
    return frozenset(names)


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

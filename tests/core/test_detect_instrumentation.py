"""Installed OTel auto-instrumentation is read from the analysed project's site-packages metadata (never imported)."""

from __future__ import annotations

import os
from pathlib import Path

from trace_advisor.detect.instrumentation import (
    InstalledInstrumentations,
    installed_instrumentations,
    site_packages_for,
)


def fake_venv(root: Path, *distributions: str) -> Path:
    site = root / "lib" / "python3.11" / "site-packages"
    for name in distributions:
        info = site / f"{name.replace('-', '_')}-0.48b0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.48b0\n", encoding="utf-8")
    (root / "bin").mkdir(parents=True, exist_ok=True)
    python = root / "bin" / "python"
    python.write_text("#!/bin/false\n", encoding="utf-8")  # never executed
    return python


def test_reads_distribution_names_of_the_projects_interpreter(tmp_path: Path) -> None:
    python = fake_venv(
        tmp_path / "venv", "opentelemetry-instrumentation-requests", "requests", "opentelemetry-instrumentation-sqlite3"
    )
    assert site_packages_for(str(python)) == [tmp_path / "venv" / "lib" / "python3.11" / "site-packages"]
    assert installed_instrumentations(str(python)) == {
        "opentelemetry-instrumentation-requests",
        "opentelemetry-instrumentation-sqlite3",
    }


def test_no_site_packages_means_nothing_installed(tmp_path: Path) -> None:
    assert installed_instrumentations(paths=[]) == frozenset()
    assert installed_instrumentations(str(tmp_path / "missing" / "bin" / "python")) == frozenset()


def test_remembered_until_site_packages_changes(tmp_path: Path) -> None:
    python = fake_venv(tmp_path / "venv", "opentelemetry-instrumentation-requests")
    installed = InstalledInstrumentations()
    assert installed.get(str(python)) == {"opentelemetry-instrumentation-requests"}
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    before = site.stat().st_mtime_ns
    # a distribution appears: the folder's mtime moves (forced forward, file systems may have coarse clocks)
    fake_venv(tmp_path / "venv", "opentelemetry-instrumentation-redis")
    os.utime(site, ns=(before + 10**9, before + 10**9))
    assert installed.get(str(python)) == {
        "opentelemetry-instrumentation-requests",
        "opentelemetry-instrumentation-redis",
    }
    # unchanged folder: the metadata is not read again (a distribution changed behind its back is not seen)
    (site / "opentelemetry_instrumentation_redis-0.48b0.dist-info" / "METADATA").write_text("Name: other\n")
    os.utime(site, ns=(before + 10**9, before + 10**9))
    assert "opentelemetry-instrumentation-redis" in installed.get(str(python))


def test_egg_info_and_normalized_folder_names(tmp_path: Path) -> None:
    """Distributions are found by their metadata folders' names (``.dist-info``, ``.egg-info`` folders or files,
    any spelling of the separators; names in PEP 503 form), the name read from the metadata of those named like an
    instrumentation only: another distribution's metadata is never opened (hundreds of them cost nothing)."""
    site = tmp_path / "site-packages"
    (site / "OpenTelemetry.Instrumentation_Redis-0.48b0-py3.11.egg-info").mkdir(parents=True)
    (site / "OpenTelemetry.Instrumentation_Redis-0.48b0-py3.11.egg-info" / "PKG-INFO").write_text(
        "Metadata-Version: 1.1\nName: OpenTelemetry.Instrumentation_Redis\nVersion: 0.48b0\n"
    )
    (site / "opentelemetry_instrumentation_celery-0.48b0-py3.11.egg-info").write_text(
        "Metadata-Version: 1.1\nName: opentelemetry-instrumentation-celery\n"
    )
    (site / "opentelemetry_instrumentation-0.48b0.dist-info").mkdir()  # the base package, not an instrumentation
    (site / "opentelemetry_instrumentation-0.48b0.dist-info" / "METADATA").write_text(
        "Name: opentelemetry-instrumentation\n"
    )
    (site / "requests-2.32.0.dist-info").mkdir()  # unreadable metadata: never opened
    (site / "requests-2.32.0.dist-info" / "METADATA").mkdir()
    assert installed_instrumentations(paths=[site]) == {
        "opentelemetry-instrumentation-redis",
        "opentelemetry-instrumentation-celery",
    }

"""The project's own virtualenv is where its third-party code is read from when none is active and none is
configured: a user of a pipx/uv-tool install runs ``trace-advisor analyze .`` in a project with a ``.venv`` folder
(uv, poetry in-project, PDM, ``python -m venv .venv``) without activating it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli

APP = """\
from vendorlib import make_client


def sync_orders():
    client = make_client()
    return client.fetch("orders")
"""

VENDORLIB = """\
import urllib.request


class Client:
    def fetch(self, name):
        return urllib.request.urlopen("https://api.example.com/" + name).read()


def make_client() -> Client:
    return Client()
"""


def _venv(folder: Path) -> Path:
    site = folder / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (folder / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (site / "vendorlib.py").write_text(VENDORLIB)
    return folder


def _calls_of_sync_orders(project: Path, **env: str) -> tuple[list[str], list[object]]:
    """``app:sync_orders``'s calls and unresolved ones (``calls --format json``; ``VIRTUAL_ENV=""``: none active)."""
    result = run_cli("calls", project, "--format", "json", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    function = json.loads(result.stdout)["functions"]["app:sync_orders"]
    return function["calls"], function["unresolved"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


@pytest.mark.parametrize("name", [".venv", "venv"])
def test_the_project_venv_is_read_when_no_environment_is_active(project: Path, name: str) -> None:
    _venv(project / name)
    calls, _ = _calls_of_sync_orders(project, VIRTUAL_ENV="")
    assert "vendorlib:make_client" in calls
    assert "vendorlib:Client.fetch" in calls  # through make_client's return annotation, read from the venv's source


def test_without_a_project_venv_the_vendor_code_is_not_found(project: Path) -> None:
    calls, _ = _calls_of_sync_orders(project, VIRTUAL_ENV="")
    assert "vendorlib:Client.fetch" not in calls


def test_an_active_virtualenv_wins_over_the_project_venv(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _venv(project / ".venv")
    active = tmp_path_factory.mktemp("active") / "env"
    site = active / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (active / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (site / "vendorlib.py").write_text("def make_client():\n    return None\n")
    calls, _ = _calls_of_sync_orders(project, VIRTUAL_ENV=str(active))
    assert "vendorlib:make_client" in calls
    assert "vendorlib:Client.fetch" not in calls  # the active environment's vendorlib has no Client


def test_a_configured_python_wins_over_the_project_venv(project: Path) -> None:
    _venv(project / ".venv")
    other = project / "envs" / "py311"
    other_site = other / "lib" / "python3.11" / "site-packages"
    other_site.mkdir(parents=True)
    (other / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (other_site / "vendorlib.py").write_text("def make_client():\n    return None\n")
    (project / "pyproject.toml").write_text('[project]\nname = "shop"\n\n[tool.trace-advisor]\npython = "envs/py311"\n')
    calls, _ = _calls_of_sync_orders(project, VIRTUAL_ENV="")
    assert "vendorlib:make_client" in calls
    assert "vendorlib:Client.fetch" not in calls

"""A Pyramid app: its ``@view_config`` views are request handlers, and the advice names Pyramid's instrumentation,
never Django's (a views module's functions taking ``request`` are Django's convention and Pyramid's alike; the
module's imports tell which)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

PYRAMID = "opentelemetry-instrumentation-pyramid"

VIEWS = """\
import requests
from pyramid.view import view_config


@view_config(route_name="home", renderer="json")
def home(request):
    return {"project": request.matchdict["name"]}


@view_config(route_name="stats", renderer="json")
def stats(request):
    found = requests.get("https://stats.example.com/v1/" + request.matchdict["name"], timeout=5)
    if found.status_code == 404:
        return {"downloads": 0}
    found.raise_for_status()
    return {"downloads": found.json()["total"]}


def about(request):
    return {"version": request.registry.settings["version"]}
"""


def test_view_config_views_are_handlers_left_to_pyramids_instrumentation(tmp_path: Path) -> None:
    package = tmp_path / "app" / "registry"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "views.py").write_text(VIEWS, encoding="utf-8")
    out = tmp_path / "report.json"
    done = run_cli("analyze", tmp_path / "app", "--format", "json", "-o", out, "--no-cache")
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert "django" not in out.read_text(encoding="utf-8").lower()
    [hint] = report["instrumentation"]
    assert hint["package"] == PYRAMID and hint["gives"] == "each request its server span"
    covered = {c["symbol"]: c["clients"] for c in hint["covers"]}
    # the call to the stats service is left to the requests instrumentation beside the server span
    assert covered == {
        "registry.views:home": [],
        "registry.views:stats": ["opentelemetry-instrumentation-requests"],
        "registry.views:about": [],
    }
    assert report["recommendations"] == []

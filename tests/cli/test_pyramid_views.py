"""A Pyramid app: its ``@view_config`` views are request handlers, and the advice names Pyramid's instrumentation,
never Django's (a views module's functions taking ``request`` are Django's convention and Pyramid's alike; the
module's imports tell which)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


def _analyze_views(tmp_path: Path, views: str) -> tuple[Path, dict[str, Any]]:
    """``analyze --format json`` of a project whose ``registry/views.py`` is ``views``: the report's path and data."""
    package = tmp_path / "app" / "registry"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "views.py").write_text(views, encoding="utf-8")
    out = tmp_path / "report.json"
    done = run_cli("analyze", tmp_path / "app", "--format", "json", "-o", out, "--no-cache")
    assert done.returncode == 0, done.stderr
    return out, json.loads(out.read_text(encoding="utf-8"))


def test_view_config_views_are_handlers_left_to_pyramids_instrumentation(tmp_path: Path) -> None:
    out, report = _analyze_views(tmp_path, VIEWS)
    assert "django" not in out.read_text(encoding="utf-8").lower()
    [hint] = report["instrumentation"]
    assert hint["package"] == PYRAMID and hint["gives"] == "each request its server span"
    # the hint names every view, recommended or not: ``stats`` calls the stats service and branches on its answer
    # (the boosted model recommends it on that evidence; the rules left it to the requests instrumentation), the
    # others only answer; what it says does not depend on which are recommended
    covered = {c["symbol"] for c in (*hint["covers"], *hint["spanned"])}
    assert covered == {"registry.views:home", "registry.views:stats", "registry.views:about"}
    assert {r["symbol"] for r in report["recommendations"]} <= {"registry.views:stats"}


WIRING = """\
from pyramid.config import Configurator

from registry import search


def includeme(config):
    config.add_route("home", "/")
    config.add_route("stats", "/stats/{name}")
    config.add_request_method(search.client, name="search", reify=True)
    config.add_tween("registry.tweens.timing_factory")
    config.scan("registry.views")
    if config.registry.settings.get("registry.admin"):
        config.include("registry.admin")


def make_app(settings):
    config = Configurator(settings=settings)
    config.include("registry")
    config.add_static_view("static", "registry:static")
    config.add_jinja2_renderer(".html")
    config.commit()
    if settings.get("registry.debug"):
        config.include("pyramid_debugtoolbar")
    return config.make_wsgi_app()
"""


def test_start_up_wiring_is_not_an_operation(tmp_path: Path) -> None:
    """Pyramid's ``includeme(config)`` hooks and the application factory run once while the app is configured: no
    span, whatever they orchestrate."""
    package = tmp_path / "app" / "registry"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(WIRING, encoding="utf-8")
    (package / "search.py").write_text("def client(request):\n    return request.registry['search']\n", "utf-8")
    out = tmp_path / "report.json"
    done = run_cli("analyze", tmp_path / "app", "--format", "json", "-o", out, "--no-cache", "--min-confidence", "0")
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {r["qualname"] for r in report["recommendations"]} & {"includeme", "make_app"} == set()


BUSY_VIEW = """\
import sqlite3

import requests
from pyramid.view import view_config


@view_config(route_name="sync", renderer="json")
def sync(request):
    name = request.matchdict["name"]
    synced = 0
    with sqlite3.connect("registry.db") as db:
        for page in range(1, 4):
            found = requests.get(f"https://stats.example.com/v1/{name}?page={page}", timeout=5)
            if found.status_code == 404:
                raise ValueError(f"no package {name}")
            found.raise_for_status()
            for row in found.json()["downloads"]:
                db.execute("INSERT INTO downloads VALUES (?, ?)", (name, row["count"]))
                synced += 1
        db.commit()
    requests.post("https://hooks.example.com/synced", json={"name": name, "rows": synced}, timeout=5)
    return {"synced": synced}
"""


def test_the_hint_stands_when_every_handler_is_recommended_on_its_own_work(tmp_path: Path) -> None:
    """A view recommended for the work it does inside the request (paged HTTP calls, writes, errors) still gets its
    server span from Pyramid's instrumentation: the workspace-level hint is given whether or not any handler is
    recommended (before, a recommended handler was left out of the hint, and with none left there was no hint)."""
    _, report = _analyze_views(tmp_path, BUSY_VIEW)
    assert [r["symbol"] for r in report["recommendations"]] == ["registry.views:sync"]
    [hint] = report["instrumentation"]
    assert hint["package"] == PYRAMID and hint["covers"] == []
    assert [f["symbol"] for f in hint["spanned"]] == ["registry.views:sync"]
    assert hint["spanned"][0]["clients"] == [
        "opentelemetry-instrumentation-requests",
        "opentelemetry-instrumentation-sqlite3",
    ]
    md = run_cli("analyze", tmp_path / "app", "--no-cache", "--format", "markdown")
    assert md.returncode == 0, md.stderr
    assert "the parent of the span recommended in 1 request handler" in md.stdout

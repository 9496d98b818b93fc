"""Request handlers a web framework finds through a class or a mount, through ``trace-advisor analyze`` as a
subprocess (tests/fixtures/class_views): a class-based view registered by value (aiohttp's ``web.view`` and
``router.add_view``, Django's ``path(..., OrderView.as_view())``) makes its methods named after HTTP methods request
handlers, each with its method and route; Starlette's ``Mount`` puts the routes written in it under its path; and a
``logging.Handler``'s ``handle`` is no request handler for the name of its base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "class_views"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("class_views") / "report.json"
    done = run_cli("analyze", FIXTURE, "--no-cache", "--min-confidence", "0", "--format", "json", "-o", out)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return found


def _entries(report: dict[str, Any]) -> dict[str, list[str]]:
    return {
        r["symbol"]: [e["reason"] for e in r["evidence"] if e["priority"] == "entry_points"]
        for r in report["recommendations"]
    }


def test_a_class_registered_by_value_serves_requests_with_its_methods(report: dict[str, Any]) -> None:
    entries = _entries(report)
    web_view = "registered with `aiohttp.web_routedef:view` by `shop.views:make_app`"
    assert entries["shop.views:ItemsView.get"] == [f"handles a request to GET /items: {web_view}"]
    assert entries["shop.views:ItemsView.post"] == [f"handles a request to POST /items: {web_view}"]
    add_view = "registered with `aiohttp.web_urldispatcher:UrlDispatcher.add_view` by `shop.views:make_app`"
    assert entries["shop.views:StockView.get"] == [f"handles a request to GET /stock: {add_view}"]
    django = "registered with `django.urls:path` by `shop.urls:<module>`"
    assert entries["shop.orders:OrderView.get"] == [f"handles a request to GET orders/<int:pk>/: {django}"]
    assert entries["shop.orders:OrderView.post"] == [f"handles a request to POST orders/<int:pk>/: {django}"]
    # the function registering them is start-up code: their I/O is none of its own, and orchestrating 3 calls is
    # no work either
    assert "shop.views:make_app" not in entries
    costs = {r["symbol"]: r["cost"] for r in report["recommendations"]}
    assert costs["shop.views:ItemsView.post"]["unit"] == "request"


def test_a_mount_puts_its_routes_under_its_path(report: dict[str, Any]) -> None:
    entries = _entries(report)
    route = "registered with `starlette.routing:Route.__init__` by `shop.asgi:<module>`"
    assert entries["shop.asgi:version"] == [f"handles a request to /version: {route}"]
    assert entries["shop.asgi:list_users"] == [f"handles a request to /api/users: {route}"]
    assert entries["shop.asgi:add_user"] == [f"handles a request to POST /api/v2/users: {route}"]
    # registered by module-level code (the app, the urlconf): one request each, like the handlers start-up registers
    costs = {r["symbol"]: r["cost"] for r in report["recommendations"]}
    for handler in ("shop.asgi:list_users", "shop.asgi:add_user", "shop.orders:OrderView.get"):
        assert (costs[handler]["spans_per_request"], costs[handler]["unit"]) == (1, "request"), handler


def test_a_logging_handler_serves_no_request(report: dict[str, Any]) -> None:
    add_item = next(r for r in report["recommendations"] if r["symbol"] == "shop.store:Store.add_item")
    assert add_item["cost"]["entry"] != "shop.logs:AuditHandler.handle" and add_item["cost"]["unit"] == "request"
    by_unit = {v["entry"]: v["unit"] for v in report["volume"]["by_unit"]}
    assert by_unit["shop.logs:AuditHandler.handle"] == "call"  # what logging runs: one call of it, not a request
    handle = [r for r in report["recommendations"] if r["symbol"] == "shop.logs:AuditHandler.handle"]
    assert all(e["priority"] != "entry_points" for r in handle for e in r["evidence"])

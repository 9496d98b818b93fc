"""The route a request handler's registration serves, read from the registering call's literals."""

from __future__ import annotations

import ast

import pytest
from trace_advisor.detect.routes import route_label


@pytest.mark.parametrize(
    ("call", "via", "label"),
    [
        ('web.get("/core/info", api.info)', "aiohttp.web_routedef:get", "GET /core/info"),
        ('app.router.add_post("/x", h)', "aiohttp.web_urldispatcher:UrlDispatcher.add_post", "POST /x"),
        ('web.route("*", "/{tail:.*}", h)', "aiohttp.web_routedef:route", "any method /{tail:.*}"),
        ('app.router.add_route("PUT", "/y", h)', "aiohttp.web_urldispatcher:UrlDispatcher.add_route", "PUT /y"),
        ('web.get(f"{path}/logs", h)', "aiohttp.web_routedef:get", "GET"),
        ('app.add_url_rule("/", "index", index, methods=["GET", "HEAD"])', "flask:Flask.add_url_rule", "GET, HEAD /"),
        ('bp.add_url_rule(rule="/r/<int:rid>", view_func=show)', "flask:Blueprint.add_url_rule", "/r/<int:rid>"),
        ('path("docs/<int:pk>/", views.show)', "django:path", "docs/<int:pk>/"),
        ('Route("/health", health, methods=["GET"])', "starlette.routing:Route.__init__", "GET /health"),
        ("app.add_api_route(prefix, endpoint)", "fastapi:FastAPI.add_api_route", ""),
    ],
)
def test_route_label(call: str, via: str, label: str) -> None:
    node = ast.parse(call, mode="eval").body
    assert isinstance(node, ast.Call)
    assert route_label(node, via) == label

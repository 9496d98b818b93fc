"""A minimal WSGI application: routing, JSON requests and responses, error translation."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shop.errors import ShopError, ValidationError

if TYPE_CHECKING:
    from shop.services.orders import OrderService

log = logging.getLogger(__name__)

Handler = Callable[..., "Response"]
REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    402: "Payment Required",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError as exc:
            raise ValidationError("request body is not valid JSON") from exc


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, body: Any, status: int = 200) -> Response:
        return cls(status, body, {"Content-Type": "application/json"})

    def __repr__(self) -> str:
        return f"<Response {self.status}>"


class Router:
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

        def register(handler: Handler) -> Handler:
            self.routes.append((method, regex, handler))
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """Returns (handler, path params, path exists with another method)."""
        other_method = False
        for route_method, regex, handler in self.routes:
            found = regex.match(path)
            if found is None:
                continue
            if route_method == method:
                return handler, found.groupdict(), False
            other_method = True
        return None, {}, other_method


class App:
    """The WSGI callable."""

    def __init__(self, router: Router, service: OrderService) -> None:
        self.router = router
        self.service = service

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(
            method=environ["REQUEST_METHOD"],
            path=environ.get("PATH_INFO") or "/",
            body=_read_body(environ),
            headers={k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")},
        )
        response = self.dispatch(request)
        payload = json.dumps(response.body).encode()
        status = f"{response.status} {REASONS.get(response.status, 'Unknown')}"
        start_response(status, [*response.headers.items(), ("Content-Length", str(len(payload)))])
        return [payload]

    def dispatch(self, request: Request) -> Response:
        handler, params, other_method = self.router.match(request.method, request.path)
        if handler is None:
            return Response.json(
                {"error": "method_not_allowed" if other_method else "not_found"}, 405 if other_method else 404
            )
        try:
            return handler(self.service, request, **params)
        except ShopError as exc:
            return Response.json(exc.to_dict(), exc.status)
        except Exception:
            log.exception("unhandled error in %s %s", request.method, request.path)
            return Response.json({"error": "internal_error"}, 500)


def _read_body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length else b""


def create_app(service: OrderService) -> App:
    from .handlers import router

    return App(router, service)

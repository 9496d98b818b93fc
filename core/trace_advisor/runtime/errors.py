"""Which exceptions leaving a traced function fail its span (ERROR status), in one place.

Any exception fails the operation, as ``start_as_current_span`` decides on its own, except one a web framework turns
into a 4xx response: ``abort(404)`` (werkzeug, Flask), ``HTTPException(status_code=403)`` (Starlette, FastAPI),
``Http404``/``PermissionDenied`` (Django), aiohttp's and Tornado's HTTP errors. That is the request's client error,
not a failure of the code: the HTTP semantic conventions leave 4xx unset on server spans ("For HTTP status codes in
the 4xx range span status MUST be left unset in case of SpanKind.SERVER"), and a span inside the handler follows
its request. The exception is still recorded as an event.
"""

from __future__ import annotations

from dataclasses import dataclass

# The edits of ``apply`` (edits/web_errors.py) write the same decision into a function's span code, from this table.


@dataclass(frozen=True, slots=True)
class ClientErrorClass:
    """A web framework's exception class whose instances (with a 4xx ``status``, when it has one) are a client's
    error. The runtime finds it on an exception's MRO by ``defined_in`` (a module prefix) and ``name``; span code
    imports it from ``import_from`` in functions that use one of ``servers``."""

    # the framework's server-side modules (a dotted prefix, compared by components): code using one of them handles
    # that framework's requests; the same package's clients (``tornado.httpclient``, ``aiohttp.ClientSession``) do not
    servers: tuple[str, ...]
    defined_in: str
    name: str
    import_from: str
    status: str | None  # the attribute holding the HTTP status code; None: always a 4xx (Django's)


# Django's request-handling side: not every ``django.*`` name (a model helper reading ``django.conf.settings`` or
# catching ``ObjectDoesNotExist`` handles no request; healthchecks' S3 helper got the 4xx guard for its settings)
_DJANGO = (
    *("django.http", "django.shortcuts", "django.views", "django.template.response"),
    *("django.contrib.auth.decorators", "django.contrib.auth.mixins"),
    *(f"django.core.exceptions.{name}" for name in ("PermissionDenied", "SuspiciousOperation", "BadRequest")),
)
CLIENT_ERRORS = (
    ClientErrorClass(("flask", "werkzeug", "quart"), "werkzeug.", "HTTPException", "werkzeug.exceptions", "code"),
    # FastAPI's HTTPException subclasses Starlette's, which Starlette's own routing raises too
    ClientErrorClass(("starlette", "fastapi"), "starlette.", "HTTPException", "starlette.exceptions", "status_code"),
    ClientErrorClass(("aiohttp.web",), "aiohttp.web", "HTTPException", "aiohttp.web", "status_code"),
    ClientErrorClass(("tornado.web",), "tornado.web.", "HTTPError", "tornado.web", "status_code"),
    # Django's exceptions that its handler answers with a 4xx response (BadRequest: Django 3.2 and later)
    ClientErrorClass(_DJANGO, "django.http.response.", "Http404", "django.http", None),
    ClientErrorClass(_DJANGO, "django.core.exceptions.", "PermissionDenied", "django.core.exceptions", None),
    ClientErrorClass(_DJANGO, "django.core.exceptions.", "SuspiciousOperation", "django.core.exceptions", None),
    ClientErrorClass(_DJANGO, "django.core.exceptions.", "BadRequest", "django.core.exceptions", None),
)
SERVERS = frozenset(server for entry in CLIENT_ERRORS for server in entry.servers)
# clients that ship inside a server framework: a test client answers a 4xx with a response, never raises it
_CLIENTS = ("werkzeug.test", "flask.testing", "starlette.testclient", "fastapi.testclient", "django.test")


def server_module(path: str) -> str | None:
    """The entry of ``SERVERS`` a dotted module or name path (``tornado.web.RequestHandler``,
    ``aiohttp.web_exceptions.HTTPNotFound``, ``flask.abort``) belongs to; None for anything else, the frameworks'
    own clients included (``tornado.httpclient.AsyncHTTPClient``, ``aiohttp.ClientSession``, test clients)."""
    parts = path.split(".")
    if parts[0] == "aiohttp" and len(parts) > 1 and parts[1].startswith("web_"):
        parts[1] = "web"  # aiohttp.web re-exports its web_* modules (web_exceptions, web_request...)
    dotted = ".".join(parts)
    if any(dotted == client or dotted.startswith(client + ".") for client in _CLIENTS):
        return None
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in SERVERS:
            return prefix
    return None


def fails_span(exc: BaseException) -> bool:
    """Whether ``exc`` leaving the span makes its status ERROR (see the module docstring)."""
    return isinstance(exc, Exception) and not client_error(exc)


def client_error(exc: BaseException) -> bool:
    """An HTTP exception a web framework answers with a 4xx status code (never raises: it runs as the exception
    leaves the user's function)."""
    try:
        return _client_error(exc)
    except Exception:  # noqa: BLE001 - a property that raises: not ours to surface
        return False


def _client_error(exc: BaseException) -> bool:
    for kind in type(exc).__mro__:
        module = kind.__module__ or ""
        for entry in CLIENT_ERRORS:
            if kind.__name__ == entry.name and (module + ".").startswith(entry.defined_in):
                if entry.status is None:
                    return True
                code = getattr(exc, entry.status, None)
                return isinstance(code, int) and 400 <= code < 500
    return False

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
    imports it from ``import_from`` in modules that import one of ``frameworks``."""

    frameworks: tuple[str, ...]  # top-level packages: a module importing one handles that framework's requests
    defined_in: str
    name: str
    import_from: str
    status: str | None  # the attribute holding the HTTP status code; None: always a 4xx (Django's)


CLIENT_ERRORS = (
    ClientErrorClass(("flask", "werkzeug", "quart"), "werkzeug.", "HTTPException", "werkzeug.exceptions", "code"),
    # FastAPI's HTTPException subclasses Starlette's, which Starlette's own routing raises too
    ClientErrorClass(("starlette", "fastapi"), "starlette.", "HTTPException", "starlette.exceptions", "status_code"),
    ClientErrorClass(("aiohttp",), "aiohttp.", "HTTPException", "aiohttp.web", "status_code"),
    ClientErrorClass(("tornado",), "tornado.", "HTTPError", "tornado.web", "status_code"),
    # Django's exceptions that its handler answers with a 4xx response (BadRequest: Django 3.2 and later)
    ClientErrorClass(("django",), "django.http.response.", "Http404", "django.http", None),
    ClientErrorClass(("django",), "django.core.exceptions.", "PermissionDenied", "django.core.exceptions", None),
    ClientErrorClass(("django",), "django.core.exceptions.", "SuspiciousOperation", "django.core.exceptions", None),
    ClientErrorClass(("django",), "django.core.exceptions.", "BadRequest", "django.core.exceptions", None),
)


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

"""Which exceptions leaving a traced function fail its span (ERROR status), in one place.

Any exception fails the operation, as ``start_as_current_span`` decides on its own, except one a web framework turns
into a 4xx response: ``abort(404)`` (werkzeug, Flask), ``HTTPException(status_code=403)`` (Starlette, FastAPI),
``Http404``/``PermissionDenied`` (Django), aiohttp's and Tornado's HTTP errors. That is the request's client error,
not a failure of the code: the HTTP semantic conventions leave 4xx unset on server spans ("For HTTP status codes in
the 4xx range span status MUST be left unset in case of SpanKind.SERVER"), and a span inside the handler follows
its request. The exception is still recorded as an event.
"""

from __future__ import annotations

# Exception classes (module prefix, class name) whose 4xx instances are a client's error; the status code is read
# from ``code`` (werkzeug), ``status_code`` (Starlette, FastAPI, aiohttp, Tornado) or ``status``.
_HTTP_EXCEPTIONS = (
    ("werkzeug.", "HTTPException"),
    ("starlette.", "HTTPException"),
    ("fastapi.", "HTTPException"),
    ("aiohttp.", "HTTPException"),
    ("tornado.", "HTTPError"),
)
# Django's exceptions that its handler answers with a 4xx response (they carry no status code)
_DJANGO_4XX = frozenset(
    {
        "django.http.response.Http404",
        "django.core.exceptions.PermissionDenied",
        "django.core.exceptions.SuspiciousOperation",
        "django.core.exceptions.BadRequest",
    }
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
        if f"{module}.{kind.__qualname__}" in _DJANGO_4XX:
            return True
        if any(module.startswith(prefix) and kind.__name__ == name for prefix, name in _HTTP_EXCEPTIONS):
            code = next((v for v in (getattr(exc, a, None) for a in ("code", "status_code", "status")) if v), None)
            return isinstance(code, int) and 400 <= code < 500
    return False

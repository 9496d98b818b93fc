"""The HTTP API: a tiny WSGI application and its request handlers."""

from .app import App, Request, Response, create_app

__all__ = ["App", "Request", "Response", "create_app"]

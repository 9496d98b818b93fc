"""Background jobs run outside the request path."""

"""Clients of external services."""

from .payments import PaymentsClient

__all__ = ["PaymentsClient"]

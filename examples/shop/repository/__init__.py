"""Persistence over sqlite3."""

from .sqlite_repo import OrderRepository, ProductRepository

__all__ = ["OrderRepository", "ProductRepository"]

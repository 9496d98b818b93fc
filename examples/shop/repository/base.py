"""Connection and transaction handling shared by the sqlite repositories."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from shop.errors import RepositoryError

log = logging.getLogger(__name__)


class SqliteRepository:
    """One connection per thread (sqlite3 connections must not cross threads)."""

    schema = ""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=5.0)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.connection()
        try:
            yield conn
            conn.commit()
        except sqlite3.Error as exc:
            conn.rollback()
            log.error("transaction on %s rolled back: %s", self.path, exc)
            raise RepositoryError("database error", reason=str(exc)) from exc

    def migrate(self) -> None:
        with self.transaction() as conn:
            conn.executescript(self.schema)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r})"

"""Orders and products stored in sqlite."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from shop.errors import NotFound, OutOfStock
from shop.models import LineItem, Order, OrderStatus, Product

from .base import SqliteRepository

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    stock INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    customer_email TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    payment_id TEXT,
    discount_cents INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS order_items (
    order_id TEXT NOT NULL REFERENCES orders(id),
    sku TEXT NOT NULL REFERENCES products(sku),
    quantity INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders(status, created_at);
"""


class ProductRepository(SqliteRepository):
    schema = SCHEMA

    def get_product(self, sku: str) -> Product:
        row = self.connection().execute("SELECT * FROM products WHERE sku = ?", (sku,)).fetchone()
        if row is None:
            raise NotFound(f"unknown product {sku}", sku=sku)
        return Product.from_row(row)

    def upsert_many(self, products: Iterable[Product]) -> int:
        rows = [(p.sku, p.name, p.price_cents, p.stock) for p in products]
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO products (sku, name, price_cents, stock) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(sku) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents, "
                "stock = excluded.stock",
                rows,
            )
        return len(rows)

    def reserve_stock(self, items: Iterable[LineItem]) -> None:
        """Take stock for every item, all or nothing."""
        with self.transaction() as conn:
            for item in items:
                cur = conn.execute(
                    "UPDATE products SET stock = stock - ? WHERE sku = ? AND stock >= ?",
                    (item.quantity, item.sku, item.quantity),
                )
                if cur.rowcount == 0:
                    conn.rollback()
                    raise OutOfStock(f"not enough stock for {item.sku}", sku=item.sku)

    def release_stock(self, items: Iterable[LineItem]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE products SET stock = stock + ? WHERE sku = ?", [(i.quantity, i.sku) for i in items]
            )


class OrderRepository(SqliteRepository):
    schema = SCHEMA

    def __init__(self, path: str, *, page_size: int = 100) -> None:
        super().__init__(path)
        self.page_size = page_size

    def add(self, order: Order) -> Order:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO orders (id, customer_email, status, created_at, payment_id, discount_cents) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    order.id,
                    order.customer_email,
                    order.status.value,
                    order.created_at,
                    order.payment_id,
                    order.discount_cents,
                ),
            )
            conn.executemany(
                "INSERT INTO order_items (order_id, sku, quantity, unit_price_cents) VALUES (?, ?, ?, ?)",
                [(order.id, i.sku, i.quantity, i.unit_price_cents) for i in order.items],
            )
        return order

    def get(self, order_id: str) -> Order:
        conn = self.connection()
        row = conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        if row is None:
            raise NotFound(f"order {order_id} not found", order_id=order_id)
        return Order.from_row(row, self._items_for(conn, order_id))

    def update_status(self, order_id: str, status: OrderStatus, payment_id: str | None = None) -> None:
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE orders SET status = ?, payment_id = COALESCE(?, payment_id) WHERE id = ?",
                (status.value, payment_id, order_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"order {order_id} not found", order_id=order_id)

    def list_by_status(self, status: OrderStatus, limit: int | None = None) -> list[Order]:
        conn = self.connection()
        rows = conn.execute(
            "SELECT * FROM orders WHERE status = ? ORDER BY created_at LIMIT ?",
            (status.value, limit or self.page_size),
        ).fetchall()
        return [Order.from_row(row, self._items_for(conn, row["id"])) for row in rows]

    def count(self) -> int:
        return int(self.connection().execute("SELECT COUNT(*) FROM orders").fetchone()[0])

    @staticmethod
    def _items_for(conn: sqlite3.Connection, order_id: str) -> list[LineItem]:
        rows = conn.execute(
            "SELECT sku, quantity, unit_price_cents FROM order_items WHERE order_id = ?", (order_id,)
        ).fetchall()
        return [LineItem(r["sku"], r["quantity"], r["unit_price_cents"]) for r in rows]

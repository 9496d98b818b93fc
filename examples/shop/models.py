"""Domain values: products, line items and orders."""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from enum import Enum


class OrderStatus(str, Enum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price_cents: int
    stock: int = 0

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Product:
        return cls(sku=row["sku"], name=row["name"], price_cents=row["price_cents"], stock=row["stock"])


@dataclass(frozen=True)
class LineItem:
    sku: str
    quantity: int
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclass
class Order:
    id: str
    customer_email: str
    items: list[LineItem]
    status: OrderStatus = OrderStatus.PENDING
    created_at: float = field(default_factory=time.time)
    payment_id: str | None = None
    discount_cents: int = 0

    @property
    def total_cents(self) -> int:
        return sum(item.total_cents for item in self.items) - self.discount_cents

    @property
    def is_open(self) -> bool:
        return self.status in (OrderStatus.PENDING, OrderStatus.PAID)

    @classmethod
    def from_row(cls, row: sqlite3.Row, items: list[LineItem]) -> Order:
        return cls(
            id=row["id"],
            customer_email=row["customer_email"],
            items=items,
            status=OrderStatus(row["status"]),
            created_at=row["created_at"],
            payment_id=row["payment_id"],
            discount_cents=row["discount_cents"],
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "customer_email": self.customer_email,
            "status": self.status.value,
            "total_cents": self.total_cents,
            "payment_id": self.payment_id,
            "items": [
                {"sku": i.sku, "quantity": i.quantity, "unit_price_cents": i.unit_price_cents} for i in self.items
            ],
        }

    def __repr__(self) -> str:
        return f"Order({self.id!r}, {self.status.value}, {self.total_cents} cents)"


class OrderIdGenerator:
    """Readable, sortable order ids (``ord-1732500000-0001``); thread-safe."""

    def __init__(self, prefix: str = "ord") -> None:
        self.prefix = prefix
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def next_id(self) -> str:
        with self._lock:
            n = next(self._counter)
        return f"{self.prefix}-{int(time.time())}-{n:04d}"

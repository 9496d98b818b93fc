"""The order lifecycle: place, pay, cancel, and retry payments that could not be taken."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from shop.cache import TTLCache
from shop.config import Settings
from shop.errors import NotFound, PaymentDeclined, PaymentUnavailable, ValidationError
from shop.models import Order, OrderIdGenerator, OrderStatus
from shop.worker import jobs

from ..clients.payments import PaymentsClient
from ..repository import OrderRepository, ProductRepository
from .pricing import PricingEngine

log = logging.getLogger(__name__)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


class OrderService:
    ids = OrderIdGenerator(prefix="ord")

    def __init__(
        self,
        orders: OrderRepository,
        products: ProductRepository,
        pricing: PricingEngine,
        payments: PaymentsClient,
        queue: jobs.JobQueue | None = None,
    ) -> None:
        self.orders = orders
        self.products = products
        self.pricing = pricing
        self.payments = payments
        self.queue = queue if queue is not None else jobs.JobQueue()

    @classmethod
    def from_settings(cls, settings: Settings) -> OrderService:
        products = ProductRepository(settings.db_path)
        return cls(
            orders=OrderRepository(settings.db_path),
            products=products,
            pricing=PricingEngine(products, TTLCache(settings.price_cache_ttl)),
            payments=PaymentsClient.from_settings(settings),
        )

    def __repr__(self) -> str:
        return f"OrderService(db={self.orders.path!r}, payments={self.payments!r})"

    def place_order(self, email: str, items: Sequence[tuple[str, int]], coupon: str | None = None) -> Order:
        """Price, reserve stock, store and charge an order; a declined card fails it, an outage defers payment."""
        self._validate(email, items)
        quote = self.pricing.quote(items, coupon)
        self.products.reserve_stock(quote.items)
        order = Order(self.ids.next_id(), email, quote.items, discount_cents=quote.discount_cents)
        self.orders.add(order)
        try:
            order.payment_id = self.payments.charge(order.id, order.total_cents)
        except PaymentDeclined:
            log.info("payment declined for %s", order.id)
            self.orders.update_status(order.id, OrderStatus.FAILED)
            self.products.release_stock(order.items)
            order.status = OrderStatus.FAILED
            raise
        except PaymentUnavailable as exc:
            # Keep the order: the worker retries the charge when the payments API is back.
            log.warning("payments unavailable for %s, deferring: %s", order.id, exc)
            self.queue.enqueue("retry_payment", order_id=order.id)
            return order
        self.orders.update_status(order.id, OrderStatus.PAID, payment_id=order.payment_id)
        order.status = OrderStatus.PAID
        self.queue.enqueue("send_receipt", order_id=order.id)
        return order

    def get_order(self, order_id: str) -> Order:
        return self.orders.get(order_id)

    def cancel_order(self, order_id: str) -> Order:
        order = self.orders.get(order_id)
        if order.status is OrderStatus.CANCELLED:
            return order
        if order.status is OrderStatus.PAID and order.payment_id:
            self.payments.refund(order.payment_id)
        self.orders.update_status(order_id, OrderStatus.CANCELLED)
        self.products.release_stock(order.items)
        order.status = OrderStatus.CANCELLED
        return order

    def retry_payment(self, order_id: str) -> bool:
        """Charge a pending order again; returns True when it is now paid."""
        order = self.orders.get(order_id)
        if order.status is not OrderStatus.PENDING:
            return order.status is OrderStatus.PAID
        try:
            payment_id = self.payments.charge(order.id, order.total_cents)
        except PaymentDeclined:
            self.orders.update_status(order.id, OrderStatus.FAILED)
            self.products.release_stock(order.items)
            return False
        self.orders.update_status(order.id, OrderStatus.PAID, payment_id=payment_id)
        self.queue.enqueue("send_receipt", order_id=order.id)
        return True

    def retry_pending(self, limit: int = 50) -> int:
        """Sweep pending orders and retry their payment; one failure does not stop the sweep."""
        paid = 0
        for order in self.orders.list_by_status(OrderStatus.PENDING, limit):
            try:
                if self.retry_payment(order.id):
                    paid += 1
            except (PaymentUnavailable, NotFound) as exc:
                log.warning("retry of %s failed: %s", order.id, exc)
        return paid

    @staticmethod
    def _validate(email: str, items: Sequence[tuple[str, int]]) -> None:
        if not EMAIL.match(email):
            raise ValidationError("invalid email address", field="email")
        if not items:
            raise ValidationError("an order needs at least one item", field="items")

"""Prices baskets: unit prices (cached), coupons and VAT."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from shop.cache import TTLCache
from shop.errors import ValidationError
from shop.models import LineItem
from shop.repository import ProductRepository

log = logging.getLogger(__name__)

COUPONS = {"WELCOME10": 0.10, "VIP25": 0.25}
MAX_QUANTITY = 50


class Quote:
    def __init__(self, items: list[LineItem], discount_cents: int) -> None:
        self.items = items
        self.discount_cents = discount_cents

    @property
    def total_cents(self) -> int:
        return sum(i.total_cents for i in self.items) - self.discount_cents

    def __repr__(self) -> str:
        return f"Quote({len(self.items)} items, {self.total_cents} cents)"


class PricingEngine:
    def __init__(self, products: ProductRepository, cache: TTLCache[int] | None = None) -> None:
        self.products = products
        self.cache: TTLCache[int] = cache if cache is not None else TTLCache(ttl_seconds=60)

    def unit_price(self, sku: str) -> int:
        cached = self.cache.get(sku)
        if cached is not None:
            return cached
        price = self.products.get_product(sku).price_cents
        self.cache.set(sku, price)
        return price

    def quote(self, items: Sequence[tuple[str, int]], coupon: str | None = None) -> Quote:
        """Price each line, then apply the coupon to the subtotal."""

        def apply_coupon(subtotal: int) -> int:
            if coupon is None:
                return 0
            rate = coupon_rate(coupon)
            if rate is None:
                raise ValidationError(f"unknown coupon {coupon}", coupon=coupon)
            return round(subtotal * rate)

        lines = []
        for sku, quantity in items:
            if not 0 < quantity <= MAX_QUANTITY:
                raise ValidationError(f"quantity for {sku} must be 1..{MAX_QUANTITY}", sku=sku)
            lines.append(LineItem(sku, quantity, self.unit_price(sku)))
        discount = apply_coupon(sum(line.total_cents for line in lines))
        return Quote(lines, discount)

    def quote_many(self, baskets: Sequence[Sequence[tuple[str, int]]], workers: int = 4) -> list[Quote]:
        """Price many baskets in parallel (used by the catalogue export and the CLI)."""
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pricing") as pool:
            return list(pool.map(self.quote, baskets))

    def invalidate(self, sku: str) -> None:
        self.cache.invalidate(sku)


def coupon_rate(code: str) -> float | None:
    return COUPONS.get(code.strip().upper())


def format_cents(cents: int, currency: str = "EUR") -> str:
    return f"{cents / 100:.2f} {currency}"

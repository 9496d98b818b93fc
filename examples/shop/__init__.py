"""A small online shop: orders are priced, stored in sqlite, paid through an external payments API."""

from shop.config import Settings
from shop.errors import NotFound, PaymentDeclined, PaymentUnavailable, ShopError, ValidationError
from shop.models import LineItem, Order, OrderStatus, Product

from .services.orders import OrderService

__all__ = [
    "LineItem",
    "NotFound",
    "Order",
    "OrderService",
    "OrderStatus",
    "PaymentDeclined",
    "PaymentUnavailable",
    "Product",
    "Settings",
    "ShopError",
    "ValidationError",
]

__version__ = "1.4.2"

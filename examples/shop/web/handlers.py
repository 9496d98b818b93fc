"""HTTP handlers of the orders API."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import TYPE_CHECKING, Any

from shop.errors import ValidationError

from .app import Request, Response, Router

if TYPE_CHECKING:
    from shop.services.orders import OrderService

router = Router()


@router.route("POST", "/orders")
def create_order(service: OrderService, request: Request) -> Response:
    payload = request.json()
    if not isinstance(payload, dict):
        raise ValidationError("expected a JSON object")
    order = service.place_order(payload.get("email", ""), parse_items(payload.get("items")), payload.get("coupon"))
    return Response.json(order.to_dict(), 201)


@router.route("GET", "/orders/{order_id}")
def get_order(service: OrderService, request: Request, order_id: str) -> Response:
    return Response.json(service.get_order(order_id).to_dict())


@router.route("POST", "/orders/{order_id}/cancel")
def cancel_order(service: OrderService, request: Request, order_id: str) -> Response:
    return Response.json(service.cancel_order(order_id).to_dict())


@router.route("GET", "/health")
def health(service: OrderService, request: Request) -> Response:
    return Response.json({"status": "ok"})


@router.route("GET", "/ready")
def ready(service: OrderService, request: Request) -> Response:
    checks = asyncio.run(check_dependencies(service))
    return Response.json({"ready": all(checks.values()), "checks": checks}, 200 if all(checks.values()) else 503)


async def check_dependencies(service: OrderService) -> dict[str, bool]:
    """Probe the database and the payments API concurrently."""

    def probe_db() -> bool:
        try:
            service.orders.count()
        except sqlite3.Error:
            return False
        return True

    def probe_payments() -> bool:
        try:
            service.payments.status("healthcheck")
        except Exception:
            return False
        return True

    db_ok, payments_ok = await asyncio.gather(asyncio.to_thread(probe_db), asyncio.to_thread(probe_payments))
    return {"database": db_ok, "payments": payments_ok}


def parse_items(raw: Any) -> list[tuple[str, int]]:
    if not isinstance(raw, list):
        raise ValidationError("items must be a list of {sku, quantity}")
    try:
        return [(str(item["sku"]), int(item["quantity"])) for item in raw]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError("items must be a list of {sku, quantity}") from exc

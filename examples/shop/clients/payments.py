"""HTTP client for the external payments API (JSON over HTTPS, bearer token)."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from shop.config import Settings
from shop.errors import NotFound, PaymentDeclined, PaymentUnavailable
from shop.resilience import retry

log = logging.getLogger(__name__)


class PaymentsClient:
    user_agent = "shop/1.4 (+payments-client)"

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> PaymentsClient:
        return cls(settings.payments_url, settings.payments_api_key, timeout=settings.payments_timeout)

    def __repr__(self) -> str:
        return f"PaymentsClient({self.base_url!r})"

    @retry(attempts=3, delay=0.05, retry_on=(PaymentUnavailable,))
    def charge(self, order_id: str, amount_cents: int, currency: str = "EUR") -> str:
        """Charge the customer's card; returns the payment id. Idempotent per order id."""
        answer = self._request(
            "POST",
            "/v1/charges",
            {"order_id": order_id, "amount_cents": amount_cents, "currency": currency},
            idempotency_key=f"charge-{order_id}",
        )
        if answer.get("status") != "succeeded":
            raise PaymentDeclined(answer.get("decline_reason", "declined"), order_id=order_id)
        return str(answer["id"])

    def refund(self, payment_id: str) -> None:
        self._request("POST", f"/v1/charges/{payment_id}/refund", {}, idempotency_key=f"refund-{payment_id}")

    def status(self, payment_id: str) -> str:
        return str(self._request("GET", f"/v1/charges/{payment_id}")["status"])

    async def refund_many(self, payment_ids: list[str]) -> dict[str, bool]:
        """Refund several payments concurrently; returns which ones went through."""
        results = await asyncio.gather(
            *(asyncio.to_thread(self.refund, pid) for pid in payment_ids), return_exceptions=True
        )
        outcome: dict[str, bool] = {}
        for pid, result in zip(payment_ids, results, strict=True):
            if isinstance(result, Exception):
                log.warning("refund of %s failed: %s", pid, result)
            outcome[pid] = not isinstance(result, Exception)
        return outcome

    def _headers(self, idempotency_key: str | None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Content-Type": "application/json",
            "User-Agent": self.user_agent,
        }
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers=self._headers(idempotency_key)
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                payload: dict[str, Any] = json.loads(resp.read() or b"{}")
                return payload
        except urllib.error.HTTPError as exc:
            detail = _error_body(exc)
            if exc.code == 402:
                raise PaymentDeclined(detail.get("decline_reason", "card declined"), http_status=402) from exc
            if exc.code == 404:
                raise NotFound(f"payment API has no {path}") from exc
            if exc.code == 429 or exc.code >= 500:
                raise PaymentUnavailable(f"payments API answered {exc.code}", http_status=exc.code) from exc
            raise
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise PaymentUnavailable(f"payments API unreachable: {exc}") from exc


def _error_body(exc: urllib.error.HTTPError) -> dict[str, Any]:
    try:
        parsed = json.loads(exc.read() or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}

"""Smoke test of the bundled example app (examples/shop) against a temp sqlite file and a loopback payments API.

trace-advisor itself never runs user code; this only proves the example it analyses is real, working code.
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass
class PaymentsState:
    fail_next: int = 0  # answer 503 to this many requests
    decline_over_cents: int = 100_000
    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)


class PaymentsStub(BaseHTTPRequestHandler):
    """Speaks the payments API: POST /v1/charges, POST /v1/charges/{id}/refund, GET /v1/charges/{id}."""

    state: PaymentsState

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        state = self.state
        state.requests.append((self.command, self.path, body))
        assert self.headers["Authorization"] == "Bearer test-key"
        if state.fail_next > 0:
            state.fail_next -= 1
            self._answer(503, {"error": "maintenance"})
            return
        parts = self.path.strip("/").split("/")
        if self.command == "POST" and parts == ["v1", "charges"]:
            if body["amount_cents"] > state.decline_over_cents:
                self._answer(402, {"decline_reason": "insufficient_funds"})
                return
            charge = {"id": f"ch_{len(state.charges) + 1}", "status": "succeeded", **body}
            state.charges[charge["id"]] = charge
            self._answer(201, charge)
        elif self.command == "POST" and len(parts) == 4 and parts[3] == "refund" and parts[2] in state.charges:
            state.charges[parts[2]]["status"] = "refunded"
            self._answer(200, state.charges[parts[2]])
        elif self.command == "GET" and len(parts) == 3 and parts[2] in state.charges:
            self._answer(200, state.charges[parts[2]])
        else:
            self._answer(404, {"error": "not_found"})

    do_GET = _handle  # noqa: N815 - http.server's method naming
    do_POST = _handle  # noqa: N815


@pytest.fixture
def payments() -> Iterator[tuple[str, PaymentsState]]:
    state = PaymentsState()
    handler = type("Stub", (PaymentsStub,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()
    server.server_close()


@pytest.fixture
def shop_pkg(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    for name in [m for m in sys.modules if m == "shop" or m.startswith("shop.")]:
        monkeypatch.delitem(sys.modules, name)
    import shop

    return shop


@pytest.fixture
def service(shop_pkg: Any, payments: tuple[str, PaymentsState], tmp_path: Path) -> Iterator[Any]:
    from shop.models import Product

    settings = shop_pkg.Settings.from_env(
        {
            "SHOP_DB": str(tmp_path / "shop.db"),
            "SHOP_PAYMENTS_URL": payments[0],
            "SHOP_PAYMENTS_API_KEY": "test-key",
            "SHOP_OUTBOX": str(tmp_path / "outbox"),
            "SHOP_PAYMENTS_TIMEOUT": "2",
        }
    )
    svc = shop_pkg.OrderService.from_settings(settings)
    svc.orders.migrate()
    svc.products.upsert_many(
        [
            Product("MUG", "Mug", 1250, stock=10),
            Product("TEE", "T-shirt", 2500, stock=5),
            Product("BIKE", "Bike", 150_000, stock=2),
        ]
    )
    yield svc
    svc.orders.close()


def test_place_order_is_charged_stored_and_receipt_written(service: Any, payments: Any, tmp_path: Path) -> None:
    from shop.worker.jobs import Worker

    order = service.place_order("ada@example.com", [("MUG", 2), ("TEE", 1)], coupon="welcome10")
    assert order.status.value == "paid" and order.total_cents == 4500
    assert payments[1].requests[0][2]["amount_cents"] == 4500
    stored = service.get_order(order.id)
    assert stored.payment_id == order.payment_id and stored.status.value == "paid"
    assert service.products.get_product("MUG").stock == 8

    worker = Worker(service, tmp_path / "outbox", poll_interval=0.05)
    worker.start()
    service.queue.join()
    worker.stop()
    receipt = json.loads((tmp_path / "outbox" / f"{order.id}.json").read_text())
    assert receipt["to"] == "ada@example.com" and worker.processed == 1


def test_declined_card_fails_order_and_releases_stock(service: Any, shop_pkg: Any) -> None:
    with pytest.raises(shop_pkg.PaymentDeclined):
        service.place_order("bob@example.com", [("BIKE", 1)])
    failed = service.orders.list_by_status(shop_pkg.OrderStatus.FAILED)
    assert [o.customer_email for o in failed] == ["bob@example.com"]
    assert service.products.get_product("BIKE").stock == 2


def test_payments_outage_defers_then_retry_pending_pays(service: Any, payments: Any, shop_pkg: Any) -> None:
    payments[1].fail_next = 3  # the client retries three times in all, then gives up
    order = service.place_order("cy@example.com", [("TEE", 1)])
    assert order.status.value == "pending" and len(payments[1].requests) == 3
    assert len(service.queue) == 1
    assert service.retry_pending() == 1
    assert service.get_order(order.id).status.value == "paid"


def test_cancel_refunds_and_async_refunds(service: Any, payments: Any) -> None:
    order = service.place_order("dee@example.com", [("MUG", 1)])
    cancelled = service.cancel_order(order.id)
    assert cancelled.status.value == "cancelled"
    assert payments[1].charges[order.payment_id]["status"] == "refunded"
    other = service.place_order("eve@example.com", [("MUG", 1)])
    outcome = asyncio.run(service.payments.refund_many([other.payment_id, "ch_missing"]))
    assert outcome == {other.payment_id: True, "ch_missing": False}


def test_pricing_cache_and_parallel_quotes(service: Any) -> None:
    assert service.pricing.quote([("MUG", 1)]).total_cents == 1250
    assert (service.pricing.cache.hits, service.pricing.cache.misses) == (0, 1)
    quotes = service.pricing.quote_many([[("MUG", 1)], [("MUG", 3), ("TEE", 2)]], workers=2)
    assert [q.total_cents for q in quotes] == [1250, 8750]
    assert service.pricing.cache.hits >= 2 and service.pricing.cache.misses >= 2
    with pytest.raises(Exception, match="unknown coupon"):
        service.pricing.quote([("MUG", 1)], coupon="FREE")


def _call_wsgi(app: Any, method: str, path: str, body: Any = None) -> tuple[str, Any]:
    data = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
    }
    seen: dict[str, str] = {}
    chunks = app(environ, lambda status, headers: seen.setdefault("status", status))
    return seen["status"], json.loads(b"".join(chunks))


def test_wsgi_api(service: Any) -> None:
    from shop.web import create_app

    app = create_app(service)
    status, body = _call_wsgi(
        app, "POST", "/orders", {"email": "fay@example.com", "items": [{"sku": "MUG", "quantity": 1}]}
    )
    assert status.startswith("201") and body["status"] == "paid"
    status, body = _call_wsgi(app, "GET", f"/orders/{body['id']}")
    assert status.startswith("200") and body["customer_email"] == "fay@example.com"
    assert _call_wsgi(app, "GET", "/orders/nope")[0].startswith("404")
    assert _call_wsgi(app, "POST", "/orders", {"email": "bad", "items": []})[0].startswith("400")
    assert _call_wsgi(app, "DELETE", "/health")[0].startswith("405")
    status, body = _call_wsgi(app, "GET", "/ready")
    assert body["checks"] == {"database": True, "payments": False}  # the stub has no "healthcheck" charge


def test_cli_init_db_and_place(
    shop_pkg: Any, payments: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from shop.cli import main

    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "a.csv").write_text("sku,name,price,stock\nPEN,Pen,1.50,100\nBAD,Broken,notaprice,1\n")
    monkeypatch.setenv("SHOP_PAYMENTS_URL", payments[0])
    monkeypatch.setenv("SHOP_PAYMENTS_API_KEY", "test-key")
    db = str(tmp_path / "cli.db")
    assert main(["--db", db, "init-db", str(catalog)]) == 0
    assert "imported 1 products" in capsys.readouterr().out
    assert main(["--db", db, "place", "gus@example.com", "PEN:4"]) == 0
    placed = json.loads(capsys.readouterr().out)
    assert placed["total_cents"] == 600 and placed["status"] == "paid"
    assert main(["--db", db, "show", "missing"]) == 2

"""The ``shop`` command line: database setup, orders, the HTTP server and the background worker."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import shop
from shop.catalog import import_catalog
from shop.config import Settings
from shop.errors import ShopError
from shop.services.orders import OrderService
from shop.worker.jobs import start_workers

log = logging.getLogger("shop")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shop", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {shop.__version__}")
    parser.add_argument("--db", help="sqlite database file (default: $SHOP_DB or shop.db)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init-db", help="create the tables and import the catalogue")
    init.add_argument("catalog", type=Path, nargs="?", help="folder of product CSV files")
    place = sub.add_parser("place", help="place an order: shop place EMAIL SKU:QTY...")
    place.add_argument("email")
    place.add_argument("items", nargs="+", type=parse_item)
    place.add_argument("--coupon")
    show = sub.add_parser("show", help="print an order")
    show.add_argument("order_id")
    serve = sub.add_parser("serve", help="run the HTTP API and the worker")
    serve.add_argument("--port", type=int, default=8080)
    sub.add_parser("retry-pending", help="retry payments of pending orders")
    return parser


def parse_item(text: str) -> tuple[str, int]:
    sku, _, qty = text.partition(":")
    return sku, int(qty or 1)


def cmd_init_db(service: OrderService, args: argparse.Namespace) -> int:
    service.orders.migrate()
    if args.catalog:
        count = import_catalog(service.products, args.catalog)
        print(f"imported {count} products")
    return 0


def cmd_place(service: OrderService, args: argparse.Namespace) -> int:
    order = service.place_order(args.email, args.items, args.coupon)
    print(json.dumps(order.to_dict(), indent=2))
    return 0 if order.status.value == "paid" else 3


def cmd_show(service: OrderService, args: argparse.Namespace) -> int:
    print(json.dumps(service.get_order(args.order_id).to_dict(), indent=2))
    return 0


def cmd_serve(service: OrderService, args: argparse.Namespace, settings: Settings) -> int:
    from wsgiref.simple_server import make_server

    from shop.web import create_app

    workers = start_workers(settings)
    with make_server("127.0.0.1", args.port, create_app(service)) as server:
        log.info("listening on http://127.0.0.1:%d", args.port)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    for worker in workers:
        worker.stop()
    return 0


def cmd_retry_pending(service: OrderService, args: argparse.Namespace) -> int:
    print(f"{service.retry_pending()} orders paid")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr)
    settings = Settings.from_env()
    if args.db:
        settings = settings.with_overrides(db_path=args.db)
    service = OrderService.from_settings(settings)
    try:
        if args.command == "init-db":
            return cmd_init_db(service, args)
        if args.command == "place":
            return cmd_place(service, args)
        if args.command == "show":
            return cmd_show(service, args)
        if args.command == "serve":
            return cmd_serve(service, args, settings)
        return cmd_retry_pending(service, args)
    except ShopError as exc:
        print(f"shop: {exc}", file=sys.stderr)
        return 2
    finally:
        service.orders.close()


if __name__ == "__main__":
    sys.exit(main())

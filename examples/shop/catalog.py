"""Import the product catalogue from CSV files (one product per row: sku,name,price,stock)."""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from shop.models import Product
from shop.repository import ProductRepository

log = logging.getLogger(__name__)


def parse_price(text: str) -> int:
    return int((Decimal(text.strip()) * 100).to_integral_value())


def read_products(path: Path) -> Iterator[Product]:
    with path.open(newline="", encoding="utf-8") as handle:
        for line_no, row in enumerate(csv.DictReader(handle), start=2):
            try:
                yield Product(row["sku"].strip(), row["name"].strip(), parse_price(row["price"]), int(row["stock"]))
            except (KeyError, ValueError, InvalidOperation) as exc:
                log.warning("%s:%d skipped: %s", path, line_no, exc)


def import_catalog(repo: ProductRepository, folder: Path, batch_size: int = 500) -> int:
    """Load every CSV in ``folder`` in batches; returns the number of products written."""
    written = 0
    for csv_path in sorted(folder.glob("*.csv")):
        batch: list[Product] = []
        for product in read_products(csv_path):
            batch.append(product)
            if len(batch) >= batch_size:
                written += repo.upsert_many(batch)
                batch.clear()
        if batch:
            written += repo.upsert_many(batch)
        log.info("imported %s", csv_path.name)
    return written

"""Runtime settings for the shop, read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    db_path: str = "shop.db"
    payments_url: str = "http://127.0.0.1:8081"
    payments_api_key: str = ""
    payments_timeout: float = 5.0
    price_cache_ttl: float = 60.0
    outbox_dir: str = "outbox"
    worker_threads: int = 2

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            db_path=env.get("SHOP_DB", cls.db_path),
            payments_url=env.get("SHOP_PAYMENTS_URL", cls.payments_url).rstrip("/"),
            payments_api_key=env.get("SHOP_PAYMENTS_API_KEY", ""),
            payments_timeout=float(env.get("SHOP_PAYMENTS_TIMEOUT", cls.payments_timeout)),
            price_cache_ttl=float(env.get("SHOP_PRICE_CACHE_TTL", cls.price_cache_ttl)),
            outbox_dir=env.get("SHOP_OUTBOX", cls.outbox_dir),
            worker_threads=int(env.get("SHOP_WORKER_THREADS", cls.worker_threads)),
        )

    def with_overrides(self, **changes: object) -> Settings:
        values = {**self.__dict__, **changes}
        return Settings(**values)

"""A background worker: a queue of jobs (receipts, payment retries) drained by daemon threads."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shop.errors import PaymentUnavailable, ShopError

if TYPE_CHECKING:
    from shop.config import Settings
    from shop.services.orders import OrderService

log = logging.getLogger(__name__)


@dataclass
class Job:
    kind: str
    payload: dict[str, Any]
    attempts: int = 0
    enqueued_at: float = field(default_factory=time.time)


class JobQueue:
    def __init__(self, maxsize: int = 1000) -> None:
        self._queue: queue.Queue[Job] = queue.Queue(maxsize)

    def enqueue(self, kind: str, **payload: Any) -> None:
        self._queue.put(Job(kind, payload), timeout=1.0)

    def requeue(self, job: Job) -> None:
        job.attempts += 1
        self._queue.put(job, timeout=1.0)

    def get(self, timeout: float) -> Job | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def task_done(self) -> None:
        self._queue.task_done()

    def join(self) -> None:
        self._queue.join()

    def __len__(self) -> int:
        return self._queue.qsize()


class Worker(threading.Thread):
    max_attempts = 5

    def __init__(self, service: OrderService, outbox: Path, *, poll_interval: float = 0.2) -> None:
        super().__init__(name="shop-worker", daemon=True)
        self.service = service
        self.jobs = service.queue
        self.outbox = outbox
        self.poll_interval = poll_interval
        self._stopping = threading.Event()
        self.processed = 0

    def run(self) -> None:
        while not self._stopping.is_set():
            job = self.jobs.get(timeout=self.poll_interval)
            if job is None:
                continue
            try:
                self.handle(job)
            finally:
                self.jobs.task_done()

    def handle(self, job: Job) -> None:
        """Run one job; transient failures are retried later, anything else is logged and dropped."""
        try:
            if job.kind == "send_receipt":
                send_receipt(self.service, self.outbox, job.payload["order_id"])
            elif job.kind == "retry_payment":
                self.service.retry_payment(job.payload["order_id"])
            else:
                log.error("unknown job kind %r dropped", job.kind)
                return
            self.processed += 1
        except PaymentUnavailable:
            if job.attempts + 1 >= self.max_attempts:
                log.error("giving up on %s after %d attempts", job.kind, job.attempts + 1)
                return
            self.jobs.requeue(job)
        except ShopError as exc:
            log.error("job %s failed: %s", job.kind, exc)
        except Exception:
            log.exception("job %s crashed", job.kind)

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self.join(timeout)


def send_receipt(service: OrderService, outbox: Path, order_id: str) -> Path:
    """Render the receipt and drop it in the outbox the mail relay picks up."""
    order = service.get_order(order_id)
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{order.id}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"to": order.customer_email, "subject": f"Your order {order.id}", "order": order.to_dict()})
    )
    tmp.replace(path)
    return path


def start_workers(settings: Settings, count: int | None = None) -> list[Worker]:
    """Start worker threads sharing one service (imported here: services.orders imports this module)."""
    from shop.services.orders import OrderService

    service = OrderService.from_settings(settings)
    workers = [Worker(service, Path(settings.outbox_dir)) for _ in range(count or settings.worker_threads)]
    for worker in workers:
        worker.start()
    return workers

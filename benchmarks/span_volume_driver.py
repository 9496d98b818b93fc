"""The measuring half of span_volume.py, run in the projects' interpreter: the SDK with an in-memory exporter,
``trace_advisor.runtime`` tracing the exported functions, one case's operation run N times; prints the spans per
``code.function.name`` as one JSON line.

    python span_volume_driver.py CASE OPERATION TRACED_JSON N     (PYTHONPATH: trace-advisor's core, the project)
"""

from __future__ import annotations

import base64
import json
import sys
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


class Httpbin(BaseHTTPRequestHandler):
    """A few of httpbin's routes: /get, /redirect/N, /cookies/set?k=v, /cookies, /basic-auth/U/P, /status/N."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *_: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (BaseHTTPRequestHandler's name)
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if parts[0] == "redirect" and int(parts[1]) > 0:
            self._send(302, b"", [("Location", f"/redirect/{int(parts[1]) - 1}" if int(parts[1]) > 1 else "/get")])
        elif parts[0] == "cookies" and len(parts) > 1:
            key, _, value = url.query.partition("=")
            self._send(302, b"", [("Location", "/cookies"), ("Set-Cookie", f"{key}={value}; Path=/")])
        elif parts[0] == "basic-auth":
            token = base64.b64encode(f"{parts[1]}:{parts[2]}".encode()).decode()
            ok = self.headers.get("Authorization") == f"Basic {token}"
            self._send(200 if ok else 401, b'{"authenticated": true}' if ok else b"", [])
        elif parts[0] == "status":
            self._send(int(parts[1]), b"", [])
        else:
            self._send(200, json.dumps({"url": self.path, "cookies": self.headers.get("Cookie")}).encode(), [])

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def requests_operation(operation: str) -> Callable[[], None]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Httpbin)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    import requests

    mix = [
        (f"{base}/get", {}),
        (f"{base}/redirect/2", {}),
        (f"{base}/basic-auth/user/pass", {"auth": ("user", "pass")}),
        (f"{base}/cookies/set?flavour=oat", {}),
        (f"http://user:pass@127.0.0.1:{server.server_address[1]}/basic-auth/user/pass", {}),
        (f"{base}/status/404", {}),
        (f"{base}/get", {"params": {"q": "x"}, "headers": {"X-Trace": "1"}}),
    ]
    calls = iter(range(1 << 30))

    def run() -> None:
        if operation == "get":
            requests.get(f"{base}/get", timeout=5)
        else:
            url, kwargs = mix[next(calls) % len(mix)]
            requests.get(url, timeout=5, **kwargs)

    return run


def flower_operation(_: str) -> Callable[[], None]:
    """One Celery task event (received, started, succeeded in turn) through the events receiver's callback."""
    import time

    import flower.options  # noqa: F401 (defines the tornado options EventsState reads)
    from flower.events import EventsState

    state = EventsState()
    kinds = ("task-received", "task-started", "task-succeeded")
    count = iter(range(1 << 30))

    def run() -> None:
        number = next(count)
        task, kind = number // 3, kinds[number % 3]
        event = {
            "type": kind,
            "uuid": f"t{task}",
            "hostname": "w1",
            "timestamp": time.time(),
            "clock": number,
            "local_received": time.time(),
            "name": "tasks.add",
            "args": "(1, 2)",
            "kwargs": "{}",
        }
        state.event(event)

    return run


def rq_jobs(n: int, exporter: InMemorySpanExporter) -> Counter[str]:
    """Spans of n jobs run by rq's ``SimpleWorker`` (in-process, fakeredis), without the worker's start and stop: a run
    of one job is counted too and taken away. The jobs are enqueued before counting (enqueueing is per request)."""
    import operator

    import fakeredis
    from rq import Queue, SimpleWorker

    def run(jobs: int) -> Counter[str]:
        connection = fakeredis.FakeStrictRedis()
        queue = Queue("bench", connection=connection)
        for number in range(jobs):
            queue.enqueue(operator.add, number, 1)
        exporter.clear()
        SimpleWorker([queue], connection=connection).work(burst=True, max_jobs=jobs)
        return Counter(str(s.attributes.get("code.function.name")) for s in exporter.get_finished_spans())

    one, more = run(1), run(n + 1)
    more.subtract(one)
    return +more


def main() -> int:
    case, operation, traced, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    from trace_advisor import runtime

    runtime.install(traced)
    if case == "rq":
        sys.stdout.write(json.dumps(rq_jobs(n, exporter)) + "\n")
        return 0
    run = {"requests": requests_operation, "flower": flower_operation}[case](operation)
    run()  # once before counting: first-use work (imports, caches) is not per operation
    exporter.clear()
    for _ in range(n):
        run()
    counts = Counter(str(s.attributes.get("code.function.name")) for s in exporter.get_finished_spans())
    sys.stdout.write(json.dumps(counts) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``TraceWatch``, what the editor reads: the configured files are read again when they change, the spans matched
again when the code changes, a file that cannot be read is a problem beside the others' figures, and a request never
waits for a read in flight (it gets the last figures)."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from trace_advisor.config import load_config
from trace_advisor.index import Index
from trace_advisor.traces.watch import TraceWatch

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "traces" / "app"
CHECKOUT = "shop.orders:checkout"


def export(path: Path, checkouts: int, failing: int = 0) -> None:
    """OTLP JSON as the Collector's file exporter writes it: ``checkouts`` traces of one ``checkout`` span (scope
    ``shop.orders``, as ``trace.get_tracer(__name__)`` names it), 10 ms each, the last ``failing`` with ERROR."""
    spans = [
        {
            "traceId": f"{n + 1:032x}",
            "spanId": f"{n + 1:016x}",
            "name": "checkout",
            "startTimeUnixNano": str(1_000_000_000 * n),
            "endTimeUnixNano": str(1_000_000_000 * n + 10_000_000),
            "status": {"code": 2 if n >= checkouts - failing else 0},
        }
        for n in range(checkouts)
    ]
    document = {"resourceSpans": [{"scopeSpans": [{"scope": {"name": "shop.orders"}, "spans": spans}]}]}
    path.write_text(json.dumps(document) + "\n", encoding="utf-8")


@pytest.fixture()
def index(tmp_path: Path) -> Index:
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    built = Index.from_config(load_config(root, env={}), [root], use_cache=False)
    built.build()
    return built


def test_files_and_code_changes_are_seen(index: Index, tmp_path: Path) -> None:
    spans = tmp_path / "otel" / "spans.jsonl"
    spans.parent.mkdir()
    export(spans, 4, failing=1)
    watch = index.extension(TraceWatch)
    assert watch.view(index) is None  # nothing configured
    watch.use([str(tmp_path / "otel" / "*.jsonl")])
    view = watch.view(index)
    assert view is not None and view.files == (spans,) and view.spans == 4 and view.problems == ()
    figure = view.functions[CHECKOUT]
    assert (figure.spans, figure.traces, figure.errors, figure.p95_ms) == (4, 4, 1, 10.0)
    assert watch.view(index) is view  # nothing changed: the same answer
    export(spans, 6)
    assert watch.view(index).functions[CHECKOUT].spans == 6  # type: ignore[union-attr]
    orders = next(p for p in index.files() if p.name == "orders.py")
    index.update_file(orders, orders.read_text(encoding="utf-8").replace("def checkout(", "def check_out("))
    renamed = watch.view(index)
    assert renamed is not None and set(renamed.functions) == {"shop.orders:check_out"}  # the span it writes
    assert renamed.functions["shop.orders:check_out"].spans == 6


def test_unreadable_files_are_problems_beside_the_figures(index: Index, tmp_path: Path) -> None:
    export(tmp_path / "good.jsonl", 2)
    (tmp_path / "bad.jsonl").write_text('{"resourceSpans": [\n', encoding="utf-8")
    watch = index.extension(TraceWatch)
    watch.use([str(tmp_path / "good.jsonl"), str(tmp_path / "bad.jsonl"), str(tmp_path / "gone.jsonl")])
    view = watch.view(index)
    assert view is not None and view.functions[CHECKOUT].spans == 2
    assert [p.partition(":")[0] for p in view.problems] == [str(tmp_path / "gone.jsonl"), str(tmp_path / "bad.jsonl")]


def test_a_request_never_waits_for_a_read_in_flight(index: Index, tmp_path: Path) -> None:
    spans = tmp_path / "spans.jsonl"
    export(spans, 3)
    watch = index.extension(TraceWatch)
    watch.use([str(spans)])
    first = watch.view(index)
    export(spans, 5)
    reading, release = threading.Event(), threading.Event()

    def slow_load() -> None:
        with watch._lock:  # what a load holds while it reads  # noqa: SLF001
            reading.set()
            release.wait(10)

    loader = threading.Thread(target=slow_load)
    loader.start()
    reading.wait(10)
    assert watch.view(index, wait=False) is first  # the last figures, at once
    release.set()
    loader.join()
    watch.load()
    assert watch.view(index, wait=False).functions[CHECKOUT].spans == 5  # type: ignore[union-attr]

"""Span edits on the fixture projects in tests/fixtures/spans/<case>/: exact output, idempotence, and real runs.

Each case folder holds a small package, a ``plan.json`` (which symbols get spans, with which capture), an
``expected/`` copy of the package after the edits and a README. The tests copy a case to tmp_path, apply the plan
with the engine, compare with ``expected/`` byte for byte, then import the instrumented package and run it under the
OpenTelemetry SDK with an in-memory exporter (tests/core/conftest.py).
Regenerate ``expected/`` after an intended change with ``TRACE_ADVISOR_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from trace_advisor.config_model import SpanForm, SpansConfig
from trace_advisor.datatypes import Attribute, Capture
from trace_advisor.edits import SpanEditor, apply_edits, span_edits

from tests.support.span_cases import (
    CASES,
    SPANS,
    apply_plan,
    by_name,
    captured,
    copy_case,
    parent_of,
    read_text,
    seconds,
)

# ---- exact output and idempotence ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_output_matches_expected_files(case: str, tmp_path: Path) -> None:
    root = copy_case(case, tmp_path)
    results = apply_plan(root, case)
    update = os.environ.get("TRACE_ADVISOR_UPDATE_GOLDEN") == "1"
    for rel in results:
        expected = SPANS / case / "expected" / rel
        if update:
            expected.parent.mkdir(parents=True, exist_ok=True)
            expected.write_bytes((root / rel).read_bytes())
        assert (root / rel).read_bytes() == expected.read_bytes(), f"{case}/{rel} differs from expected/{rel}"


@pytest.mark.parametrize("case", CASES)
def test_applying_twice_changes_nothing(case: str, tmp_path: Path) -> None:
    root = copy_case(case, tmp_path)
    first = apply_plan(root, case)
    once = {p: p.read_bytes() for p in root.rglob("*.py")}
    second = apply_plan(root, case)
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == once
    for rel, results in second.items():
        for before, again in zip(first[rel], results, strict=True):
            assert not again.edits
            assert again.already_traced if before.edits else again.message == before.message


# ---- running the instrumented code ----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["decorator", "with"])
def test_methods_and_wrappers_run_with_spans(instrumented, span_exporter: InMemorySpanExporter, form: SpanForm) -> None:  # type: ignore[no-untyped-def]
    (orders, registry) = instrumented(
        "methods", "orders_app.orders", "orders_app.registry", spans=SpansConfig(form=form)
    )
    service = orders.OrderService.empty()
    assert service.place("o-1", 12.5) == "o-1"
    assert orders.OrderService.tax(10) == 2.0 and service.tax(5) == 1.0  # still a staticmethod
    assert service.total == 12.5  # property getter
    service.total = 3  # property setter
    assert service.store == {"adjustment": 3}
    assert service.describe() == "1 orders"
    assert registry.app.routes["/orders"]() == []  # the registry holds the traced function
    assert orders.fetch("k") == "K"
    assert orders.fetch.__name__ == "fetch" and orders.fetch.__wrapped__.__name__ == "fetch"
    assert orders.outer(2) == 5

    spans = by_name(span_exporter)
    assert len(spans["OrderService.empty"]) == 2
    assert len(spans["OrderService.tax"]) == 2
    assert len(spans["OrderService.total"]) == 2  # getter and setter
    assert [parent_of(s, spans) for s in spans["OrderService.empty"]] == [None, "list_orders"]
    assert parent_of(spans["fetch"][0], spans) == "retry.decorate.wrapper"
    assert parent_of(spans["outer.inner"][0], spans) == "outer"
    assert set(spans) == {
        "OrderService.empty",
        "OrderService.place",
        "OrderService.tax",
        "OrderService.total",
        "OrderService.describe",
        "list_orders",
        "retry.decorate.wrapper",
        "fetch",
        "outer",
        "outer.inner",
    }
    assert spans["OrderService.place"][0].instrumentation_scope.name == "orders_app.orders"


def test_captured_attributes_and_exception_paths(instrumented, span_exporter: InMemorySpanExporter) -> None:  # type: ignore[no-untyped-def]
    (payments,) = instrumented("capture", "billing.payments")
    assert payments.charge("c-1", 10.0) is True
    assert payments.charge("c-2", 4.5, retries=3, meta={"a": 1}) is True
    assert payments.charge("down-1", 5.0) is False  # swallowed
    with pytest.raises(ValueError):
        payments.charge("c-3", -1.0)
    with pytest.raises(payments.PaymentError):
        payments.refund("down-9", ["vip", "eu"])
    with pytest.raises(ConnectionError):
        payments.settle(-1)
    assert payments.settle(7) == 7

    charge = by_name(span_exporter)["charge"]
    assert captured(charge[0]) == {"customer_id": "c-1", "amount": 10.0}  # None-valued left out
    assert captured(charge[1]) == {"customer_id": "c-2", "amount": 4.5, "retries": 3}  # meta: type unknown
    text = Path(payments.__file__).read_text().splitlines()
    assert charge[0].attributes is not None and charge[0].attributes["code.function.name"] == "billing.payments.charge"
    assert text[int(charge[0].attributes["code.line.number"]) - 1].startswith("def charge(")  # type: ignore[arg-type]
    assert charge[0].status.status_code == StatusCode.UNSET and not charge[0].events
    swallowed = charge[2]
    assert swallowed.status.status_code == StatusCode.ERROR
    assert swallowed.status.description == "gateway unreachable for down-1"
    assert [e.attributes["exception.type"] for e in swallowed.events] == ["ConnectionError"]  # type: ignore[index]
    assert charge[3].status.status_code == StatusCode.ERROR  # propagated: recorded by the context manager
    assert [e.attributes["exception.type"] for e in charge[3].events] == ["ValueError"]  # type: ignore[index]

    (refund,) = by_name(span_exporter)["refund"]
    assert refund.attributes is not None and refund.attributes["tags"] == ("vip", "eu")
    # translated: the exception leaving the span is recorded once, by the context manager (the cause in its trace)
    assert [e.attributes["exception.type"] for e in refund.events] == ["billing.payments.PaymentError"]  # type: ignore[index]
    assert "ConnectionError" in str(refund.events[0].attributes["exception.stacktrace"])  # type: ignore[index]
    assert refund.status.status_code == StatusCode.ERROR

    assert payments.fetch_with_retry("k-1") == "ok:k-1:0.0"
    (retried,) = by_name(span_exporter)["fetch_with_retry"]
    assert [e.attributes["exception.type"] for e in retried.events] == ["ConnectionError"]  # type: ignore[index]
    assert retried.status.status_code == StatusCode.UNSET  # a failed attempt, not a failed operation

    failed, ok = by_name(span_exporter)["settle"]
    assert [e.attributes["exception.type"] for e in failed.events] == ["ConnectionError"]  # type: ignore[index]
    assert captured(failed) == {"batch": -1, "billing.operation": "settle"}
    assert ok.status.status_code == StatusCode.UNSET


def test_async_and_generator_spans_cover_the_work(instrumented, span_exporter: InMemorySpanExporter) -> None:  # type: ignore[no-untyped-def]
    (stream,) = instrumented("async_gen", "jobs.stream")
    assert asyncio.run(stream.fetch_all(["a", "b", "c"])) == ["a", "b", "c"]

    gen = stream.batches(list(range(10)), 3)
    assert next(gen) == [0, 1, 2]
    assert "batches" not in by_name(span_exporter)  # still iterating: the span is open
    assert list(gen) == [[3, 4, 5], [6, 7, 8], [9]]

    async def consume() -> list[int]:
        return [n async for n in stream.ticks(3)]

    assert asyncio.run(consume()) == [0, 1, 2]
    tracer = trace.get_tracer("test")
    with stream.transaction("t") as name:
        assert name == "t"
        with tracer.start_as_current_span("inside"):
            time.sleep(0.02)

    spans = by_name(span_exporter)
    assert seconds(spans["fetch_all"][0]) >= 0.06
    assert seconds(spans["batches"][0]) >= 0.04
    assert seconds(spans["ticks"][0]) >= 0.03
    assert seconds(spans["transaction"][0]) >= 0.025
    assert parent_of(spans["inside"][0], spans) == "transaction"


def test_parent_and_child_across_modules(instrumented, span_exporter: InMemorySpanExporter) -> None:  # type: ignore[no-untyped-def]
    (api,) = instrumented("cross_module", "crossapp.api")
    assert api.handle('{"skus": ["sku-1", "sku-2"]}') == {"sku-1": 10.0, "sku-2": 25.5}
    spans = by_name(span_exporter)
    (handle,) = spans["handle"]
    lookups = spans["Catalog.lookup"]
    assert len(lookups) == 2 and all(parent_of(s, spans) == "handle" for s in lookups)
    assert all(s.context.trace_id == handle.context.trace_id for s in lookups)
    assert handle.instrumentation_scope.name == "crossapp.api"
    assert lookups[0].instrumentation_scope.name == "crossapp.service"


def test_existing_tracer_and_alias_are_reused(instrumented, span_exporter: InMemorySpanExporter) -> None:  # type: ignore[no-untyped-def]
    (inventory,) = instrumented("existing", "legacy.inventory")
    text = Path(inventory.__file__).read_text()
    assert text.count("import trace") == 1 and text.count("get_tracer(") == 1
    assert inventory.restock("missing", 1) == {"sku": "missing", "quantity": 1}
    assert inventory.count("abc") == 3
    spans = by_name(span_exporter)
    (restock,) = spans["restock"]
    assert restock.instrumentation_scope.name == "legacy.inventory"
    assert restock.status.status_code == StatusCode.UNSET and not restock.events  # a lookup fallback
    assert captured(restock) == {"sku": "missing", "quantity": 1}
    assert spans["count"][0].instrumentation_scope.name == "legacy.inventory"


def test_the_tracer_of_the_projects_own_helper_is_reused(instrumented, span_exporter: InMemorySpanExporter) -> None:  # type: ignore[no-untyped-def]
    """bookwyrm's ``tracer = open_telemetry.tracer()``, spans started on it: ``apply`` added
    ``otel_tracer = trace.get_tracer(__name__)`` and its import beside it, a second tracer in the module."""
    (feeds,) = instrumented("existing", "legacy.feeds")
    text = Path(feeds.__file__).read_text()
    assert "opentelemetry" not in text and "get_tracer" not in text
    assert feeds.publish("hello", [2, 1, 2]) == {1: "hello", 2: "hello"}
    spans = by_name(span_exporter)
    (publish,) = spans["publish"]
    assert publish.instrumentation_scope.name == "legacy.telemetry"  # the project's tracer
    assert parent_of(spans["Feeds.audience"][0], spans) == "publish"


def test_layouts_keep_encoding_newlines_and_indentation(instrumented, span_exporter: InMemorySpanExporter) -> None:  # type: ignore[no-untyped-def]
    cookie, crlf, bare = instrumented("layout", "layoutmods.cookie_future", "layoutmods.crlf_tabs", "layoutmods.bare")
    assert cookie.price_label(12.7) == "\xa312"
    assert crlf.Encoder().encode({"a": 1}, True) == '{"a":1}'
    assert bare.area(2.0, 3.0) == 6.0 and bare.perimeter(1, 2) == 6
    raw = Path(crlf.__file__).read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") and b"\n\t\twith tracer" in raw  # CRLF and tabs kept
    lines = Path(cookie.__file__).read_bytes().splitlines()
    assert lines[:2] == [b"#!/usr/bin/env python3", b"# -*- coding: latin-1 -*-"]
    spans = by_name(span_exporter)
    assert captured(spans["price_label"][0]) == {"amount": 12.7, "currency": "\xa3"}
    assert captured(spans["Encoder.encode"][0]) == {"compact": True}
    assert captured(spans["area"][0]) == {"w": 2.0, "h": 3.0}
    assert "perimeter" in spans


def test_name_clashes_get_fresh_names(instrumented, span_exporter: InMemorySpanExporter) -> None:  # type: ignore[no-untyped-def]
    shadowed, alias, late, clash = instrumented(
        "names", "namemods.shadowed", "namemods.alias_import", "namemods.late_tracer", "namemods.locals_clash"
    )
    assert shadowed.run_traced(lambda: 41) == 41  # the stdlib trace module still works
    assert alias.ping("db") == "pong from db"
    assert late.early(1) == 2
    assert clash.measure(8) == 4.0 and clash.measure("x", exc="fallback") == "fallback"
    spans = by_name(span_exporter)
    assert {"run_traced", "ping", "early", "measure"} <= set(spans)
    assert spans["early"][0].instrumentation_scope.name == "late"
    fallback = spans["measure"][1]  # ``except TypeError: return exc``: handled, the operation did not fail
    assert fallback.status.status_code == StatusCode.UNSET and captured(fallback) == {}  # span: type unknown
    assert [e.attributes["exception.type"] for e in fallback.events] == ["TypeError"]  # type: ignore[index]


# ---- refusals -----------------------------------------------------------------------------------------------


def test_bad_input_is_refused_with_a_message() -> None:
    broken, _ = read_text(SPANS / "bad_input" / "badmods" / "broken.py")
    result = span_edits(broken, "ok")
    assert result.edits == () and result.message is not None and "does not parse (line 5" in result.message

    stubs, _ = read_text(SPANS / "bad_input" / "badmods" / "stubs.py")
    expectations = {
        "todo": "no code to trace",
        "documented_only": "no code to trace",
        "Store.get": "is abstract",
        "Reader.read": "no code to trace",
        "Store": "is a class",
        "gone": "no function gone",
        "<module>": "module-level code",
    }
    for qualname, message in expectations.items():
        result = span_edits(stubs, qualname)
        assert result.edits == () and not result.ok, qualname
        assert result.message is not None and message in result.message, (qualname, result.message)
    first_overload = SpanEditor(stubs).sites("parse")[0].node.lineno
    assert "overload stub" in (span_edits(stubs, "parse", line=first_overload).message or "")
    implementation = span_edits(stubs, "parse")  # without a line: the implementation, not a stub
    assert implementation.form == "with"
    edited = apply_edits(stubs, implementation.edits)
    assert 'def parse(value):\n    with tracer.start_as_current_span("parse"):\n' in edited


def test_apply_edits_rejects_overlaps() -> None:
    from trace_advisor.datatypes import Range, TextEdit

    edits = [TextEdit(Range.of(1, 0, 1, 3), "x"), TextEdit(Range.of(1, 2, 1, 4), "y")]
    with pytest.raises(ValueError, match="overlap"):
        apply_edits("abcdef", edits)
    assert apply_edits("ab\r\ncd", [TextEdit(Range.of(2, 1, 2, 1), "X")]) == "ab\r\ncXd"


def test_capture_notes_and_global_names() -> None:
    text = "COUNT = 0\n\n\ndef bump(n: int):\n    global COUNT\n    COUNT += n\n    return COUNT\n"
    capture = Capture(
        parameters=("n", "missing"),
        return_value=True,
        attributes=(Attribute("app.count", "COUNT"), Attribute("bad key!", "n"), Attribute("app.x", "n +")),
    )
    result = span_edits(text, "bump", capture)
    assert result.form == "with"
    edited = apply_edits(text, result.edits)
    assert '        span.set_attribute("n", n)\n        global COUNT\n' in edited
    assert "app.count" not in edited  # reading COUNT before `global COUNT` would not compile
    compile(edited, "bump.py", "exec")
    notes = " | ".join(result.notes)
    for fragment in (
        "'missing' is not a parameter",
        "declared global",
        "not a valid attribute name",
        "not valid Python",
    ):
        assert fragment in notes
    assert "return value is not recorded" in notes


def test_attributes_reading_locals_assigned_later_are_not_recorded(span_exporter: InMemorySpanExporter) -> None:
    # a model answer may name a local (``item``); at the top of the body it is not bound yet. Only parameters are
    # read: a module name (``LIMIT``, or ``os`` in ``os.environ``) and subscripts are refused.
    text = (
        "LIMIT = 5\n\n\ndef place(order_id: str):\n    order = {'id': order_id}\n"
        "    for item in range(2):\n        pass\n    return order\n"
    )
    capture = Capture(
        attributes=(
            Attribute("order.id", "order['id']"),
            Attribute("app.item", "item"),
            Attribute("app.limit", "LIMIT"),
            Attribute("app.order_id", "order_id"),
        ),
    )
    result = span_edits(text, "place", capture)
    edited = apply_edits(text, result.edits)
    assert "order.id" not in edited and "app.item" not in edited and "app.limit" not in edited
    notes = " | ".join(result.notes)
    assert "uses item, assigned later" in notes and "a subscript is not allowed" in notes
    assert "reads LIMIT, not a parameter" in notes
    namespace: dict[str, object] = {}
    exec(compile(edited, "place.py", "exec"), namespace)  # the instrumented code runs: nothing is read unbound
    assert namespace["place"]("A-1") == {"id": "A-1"}  # type: ignore[operator]
    (span,) = span_exporter.get_finished_spans()
    assert captured(span) == {"app.order_id": "A-1"}
    assert span.attributes is not None and span.attributes["code.function.name"] == "place"
    assert edited.splitlines()[int(span.attributes["code.line.number"]) - 1].startswith("def place(")  # type: ignore[arg-type]


def test_wraps_wrapper_gets_a_note_about_its_shared_span_name(tmp_path: Path) -> None:
    text, _ = read_text(SPANS / "methods" / "orders_app" / "orders.py")
    result = span_edits(text, "retry.<locals>.decorate.<locals>.wrapper")
    assert result.form == "with"
    assert any("every function it wraps shares the span name" in note for note in result.notes)


def test_a_module_declaring___all___gets_private_names() -> None:
    """httpx's own test compares ``vars(httpx)`` with ``__all__``: the import and tracer must not add public names."""
    text = (
        '"""Client."""\n\nimport urllib.request\n\n__all__ = ["fetch"]\n\n\n'
        "def fetch(url):\n    return urllib.request.urlopen(url)\n"
    )
    result = span_edits(text, "fetch")
    new = apply_edits(text, result.edits)
    assert "from opentelemetry import trace as _trace\n" in new
    assert "_tracer = _trace.get_tracer(__name__)\n" in new
    assert '    with _tracer.start_as_current_span("fetch"):\n' in new
    namespace: dict[str, object] = {}
    exec(compile(new, "client.py", "exec"), namespace)
    assert sorted(name for name in namespace if not name.startswith("_")) == ["fetch", "urllib"]


def test_the_tracer_goes_above_a_decorated_first_statement() -> None:
    """Found by tests/fuzz: the import and tracer went between a first function's decorator and its ``def``."""
    import ast

    text = "@staticmethod\ndef first(x):\n    return x\n\n\ndef second(x):\n    return x\n"
    result = span_edits(text, "second")
    edited = apply_edits(text, result.edits)
    assert edited.startswith(
        "from opentelemetry import trace\n\ntracer = trace.get_tracer(__name__)\n\n\n@staticmethod\n"
    )
    ast.parse(edited)


def test_the_package_names_load_when_first_used() -> None:
    """``trace_advisor.edits`` names its parts without importing the engine; each name is what its module defines
    (no submodule shadows one)."""
    import importlib
    import inspect
    import subprocess
    import sys

    import trace_advisor.edits as edits

    for name in edits.__all__:
        value = getattr(edits, name)
        assert not inspect.ismodule(value) and value is getattr(importlib.import_module(edits._WHERE[name]), name)
    script = "import sys, trace_advisor.edits.style; print('trace_advisor.edits.engine' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"

"""OTLP JSON as exporters other than ours write it, and spans mapped to functions through the ``code.*`` attributes
(semantic conventions old and new) or by name within their scope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trace_advisor.span_names import unique_span_names
from trace_advisor.traces.figures import percentile, timed
from trace_advisor.traces.match import CodeFunction, SpanMatcher
from trace_advisor.traces.otlp import ObservedSpan, TraceFileError, read_traces


def _span(name: str, **extra: object) -> dict[str, object]:
    return {"name": name, "startTimeUnixNano": 1_000, "endTimeUnixNano": "3000", **extra}


def test_base64_ids_legacy_library_spans_and_typed_values(tmp_path: Path) -> None:
    """protobuf's JSON mapping writes ids in base64 and int64 as strings; OTLP before 0.15 said
    ``instrumentationLibrarySpans``."""
    document = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "shop"}}]},
                "instrumentationLibrarySpans": [
                    {
                        "instrumentationLibrary": {"name": "shop.orders"},
                        "spans": [
                            _span(
                                "checkout",
                                traceId="AAAAAAAAAAAAAAAAAAAAAQ==",
                                spanId="AAAAAAAAAAI=",
                                status={"code": "STATUS_CODE_ERROR"},
                                attributes=[
                                    {"key": "n", "value": {"intValue": "42"}},
                                    {"key": "ok", "value": {"boolValue": True}},
                                    {"key": "ratio", "value": {"doubleValue": 0.5}},
                                    {"key": "tags", "value": {"arrayValue": {"values": []}}},
                                ],
                            )
                        ],
                    }
                ],
            }
        ]
    }
    path = tmp_path / "legacy.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    (span,) = read_traces(path)
    assert span.trace_id == "0" * 31 + "1" and span.span_id == "0" * 15 + "2" and span.parent_id is None
    assert span.scope == "shop.orders" and span.service == "shop" and span.error
    assert span.attributes == {"n": 42, "ok": True, "ratio": 0.5}
    assert span.duration_ns == 2000


def test_malformed_span_data_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = {"resourceSpans": []}
    bad = {"resourceSpans": [{"scopeSpans": [{"spans": [_span("x", startTimeUnixNano="soon")]}]}]}
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(TraceFileError, match=r"bad\.jsonl:2: malformed OTLP span data"):
        read_traces(path)


FUNCTIONS = (
    CodeFunction("shop.orders:checkout", "shop.orders", "checkout", "/p/shop/orders.py", 10, ("checkout",), True),
    CodeFunction("shop.orders:Cart.add", "shop.orders", "Cart.add", "/p/shop/orders.py", 30, (), False),
    CodeFunction("shop.billing:Cart.add", "shop.billing", "Cart.add", "/p/shop/billing.py", 5, (), False),
    CodeFunction("shop.billing:charge", "shop.billing", "charge", "/p/shop/billing.py", 20, ("charge",), True),
    CodeFunction("shop.billing:charge2", "shop.billing", "charge2", "/p/shop/billing.py", 40, ("charge",), True),
)


def observed(name: str, scope: str = "", **attributes: object) -> ObservedSpan:
    return ObservedSpan("t", "s", None, name, scope, None, 0, 1, attributes, False)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("span", "symbol"),
    [
        (observed("anything", **{"code.function.name": "shop.orders.Cart.add"}), "shop.orders:Cart.add"),
        (observed("x", **{"code.namespace": "shop.billing.Cart", "code.function": "add"}), "shop.billing:Cart.add"),
        (observed("x", **{"code.function.name": "add", "code.file.path": "shop/billing.py"}), "shop.billing:Cart.add"),
        (
            observed("x", **{"code.function": "charge2", "code.filepath": "/srv/app/shop/billing.py"}),
            "shop.billing:charge2",
        ),
        (observed("x", **{"code.function.name": "add", "code.file.path": "billing.py"}), "shop.billing:Cart.add"),
        (observed("x", **{"code.function.name": "add", "code.file.path": "/other/billing.py"}), None),
        (observed("Cart.add", "shop.orders"), "shop.orders:Cart.add"),
        (observed("Cart.add", "shop"), None),  # two modules have it
        (observed("checkout", "my-tracer"), "shop.orders:checkout"),  # a literal name unique in the workspace
        (observed("charge", "shop.billing"), None),  # two functions of the module start it
        (observed("checkout", "opentelemetry.instrumentation.flask"), None),
    ],
)
def test_spans_map_to_functions(span: ObservedSpan, symbol: str | None) -> None:
    assert SpanMatcher(FUNCTIONS).symbol_of(span) == symbol


def test_plain_spans_map_through_their_workspace_unique_names() -> None:
    """A span without ``code.*`` attributes (``apply --plain``, a plain runtime plan) is named as span_names.py names
    it: ``orders.Cart.add`` where two modules have ``Cart.add``; the matcher knows those names."""
    names = unique_span_names(f.symbol for f in FUNCTIONS)
    assert names["shop.billing:Cart.add"] == "billing.Cart.add"
    matcher = SpanMatcher(FUNCTIONS, names)
    assert matcher.symbol_of(observed("billing.Cart.add", "shop.billing")) == "shop.billing:Cart.add"
    assert matcher.symbol_of(observed("orders.Cart.add", "shop")) == "shop.orders:Cart.add"  # the package's tracer
    assert matcher.symbol_of(observed("orders.Cart.add")) == "shop.orders:Cart.add"
    assert matcher.symbol_of(observed("Cart.add", "shop.orders")) == "shop.orders:Cart.add"  # the bare name too
    assert SpanMatcher(FUNCTIONS).symbol_of(observed("billing.Cart.add", "shop")) is None  # without the names


def test_untraced_time_counts_overlapping_children_once() -> None:
    parent = ObservedSpan("t", "p", None, "p", "", None, 0, 100, {}, False)
    a = ObservedSpan("t", "a", "p", "a", "", None, 10, 40, {}, False)
    b = ObservedSpan("t", "b", "p", "b", "", None, 30, 60, {}, False)  # overlaps a (concurrent)
    late = ObservedSpan("t", "c", "p", "c", "", None, 90, 120, {}, False)  # ends after its parent
    times = timed([parent, a, b, late])
    assert times["t/p"].untraced_ns == 100 - 50 - 10
    assert times["t/a"].untraced_ns == 30
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == 10 and percentile([5], 50) == 5

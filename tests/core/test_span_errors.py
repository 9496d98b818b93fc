"""Error semantics of inserted spans, run under the OpenTelemetry SDK (tests/fixtures/spans/errors).

OpenTelemetry sets ERROR only when the operation fails: control flow and lookup fallbacks leave the status unset
with no event, handled exceptions add an event at most, failure results and propagated exceptions set ERROR with
exactly one exception event.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from types import ModuleType

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from trace_advisor.config_model import SpansConfig
from trace_advisor.edits import span_edits
from trace_advisor.runtime.errors import fails_span

from tests.support.span_cases import SPANS, read_text

Load = Callable[..., list[ModuleType]]


def only_span(exporter: InMemorySpanExporter, name: str) -> ReadableSpan:
    spans = [s for s in exporter.get_finished_spans() if s.name == name]
    assert len(spans) == 1, [s.name for s in exporter.get_finished_spans()]
    exporter.clear()
    return spans[0]


def event_types(span: ReadableSpan) -> list[str]:
    return [str((e.attributes or {}).get("exception.type")) for e in span.events]


def test_control_flow_and_lookup_fallbacks_are_never_errors(
    instrumented: Load, span_exporter: InMemorySpanExporter
) -> None:
    (flows,) = instrumented("errors", "errs.flows")
    span_exporter.clear()
    q: queue.Queue[int] = queue.Queue()
    q.put(1)
    q.put(2)
    runs: list[tuple[str, Callable[[], object], object]] = [
        ("auth_flow", lambda: flows.auth_flow([1, 2]), [1, 2]),  # except StopIteration: break
        ("proxy_for", lambda: flows.proxy_for({"https": "p"}, "http"), None),  # except KeyError: return None
        ("first", lambda: flows.first([], "d"), "d"),  # except IndexError: return default
        ("json_module", flows.json_module, "json"),  # except ImportError: import the fallback
        ("drain", lambda: flows.drain(q), 2),  # except queue.Empty: break
        ("interruptible", lambda: flows.interruptible(_interrupt), "stopped"),  # except KeyboardInterrupt
    ]
    for name, call, expected in runs:
        assert call() == expected, name
        span = only_span(span_exporter, name)
        assert span.status.status_code == StatusCode.UNSET and not span.events, name

    gen = flows.lines("a\nb\nc")
    assert next(gen) == "a"
    gen.close()  # GeneratorExit inside the span: an early stop, not a failure
    closed = only_span(span_exporter, "lines")
    assert closed.status.status_code == StatusCode.UNSET and not closed.events


def test_handled_exceptions_add_one_event_and_no_status(
    instrumented: Load, span_exporter: InMemorySpanExporter
) -> None:
    (flows,) = instrumented("errors", "errs.flows")
    span_exporter.clear()
    assert flows.fetch_or_cached("k", _unreachable, {"k": "cached"}) == "cached"
    fallback = only_span(span_exporter, "fetch_or_cached")
    assert fallback.status.status_code == StatusCode.UNSET and event_types(fallback) == ["ConnectionError"]
    assert flows.is_number("x") is False  # a predicate's False is an answer
    answer = only_span(span_exporter, "is_number")
    assert answer.status.status_code == StatusCode.UNSET and event_types(answer) == ["ValueError"]
    assert flows.cancel(_timed_out) == -1  # -1 is also what it returns without an exception: one of its answers
    unknown = only_span(span_exporter, "cancel")
    assert unknown.status.status_code == StatusCode.UNSET and event_types(unknown) == ["TimeoutError"]
    # a handler telling its expected case apart first (a 404: "never breached") is no failure at its top: an event
    # for each case, never an ERROR on the expected one (pypi/warehouse's breach check)
    for status, answer in ((404, 0), (500, -1)):
        assert flows.breach_count(_answering(flows, status)) == answer
        told = only_span(span_exporter, "breach_count")
        assert told.status.status_code == StatusCode.UNSET, status
        assert event_types(told) == ["errs.flows.LookupError404"], status
    # an error answer to input turned down (an expired link's token) is the caller's outcome (warehouse's views)
    assert flows.verify_email("t", _expired(flows)) == {"error": "expired token: request a new verification link"}
    turned_down = only_span(span_exporter, "verify_email")
    assert turned_down.status.status_code == StatusCode.UNSET
    assert event_types(turned_down) == ["errs.flows.TokenExpired"]

    (quiet,) = instrumented("errors", "errs.flows", spans=SpansConfig(swallowed_exceptions="none"))
    span_exporter.clear()
    assert quiet.fetch_or_cached("k", _unreachable, {"k": "cached"}) == "cached"
    silent = only_span(span_exporter, "fetch_or_cached")
    assert silent.status.status_code == StatusCode.UNSET and not silent.events
    assert quiet.ping(_unreachable) is False  # a failure result still fails the span with "none"
    assert only_span(span_exporter, "ping").status.status_code == StatusCode.ERROR


def test_failure_results_set_error_with_one_event(instrumented: Load, span_exporter: InMemorySpanExporter) -> None:
    (flows,) = instrumented("errors", "errs.flows")
    span_exporter.clear()
    failing: list[tuple[str, Callable[[], object], object, str]] = [
        ("ping", lambda: flows.ping(_unreachable), False, "ConnectionError"),  # return False
        ("cancel", lambda: flows.cancel(_unreachable), False, "ConnectionError"),  # False only in the handler
        ("main", lambda: flows.main(["x"]), 2, "ValueError"),  # non-zero exit code where 0 is success
        ("handle", lambda: flows.handle(None), ({"error": "bad request"}, 500), "TypeError"),  # a 5xx response
    ]
    for name, call, expected, raised in failing:
        assert call() == expected, name
        span = only_span(span_exporter, name)
        assert span.status.status_code == StatusCode.ERROR and event_types(span) == [raised], name
    with pytest.raises(SystemExit):
        flows.cli("x")  # sys.exit(1) in the handler: a failure, though SystemExit itself is not recorded
    exited = only_span(span_exporter, "cli")
    assert exited.status.status_code == StatusCode.ERROR and event_types(exited) == ["ValueError"]

    for name, call, expected in [
        ("ping", lambda: flows.ping(lambda: None), True),
        ("main", lambda: flows.main(["1"]), 0),
        ("cli", lambda: flows.cli("3"), 3),
    ]:
        assert call() == expected
        ok = only_span(span_exporter, name)
        assert ok.status.status_code == StatusCode.UNSET and not ok.events, name


def test_propagated_exceptions_set_error_with_exactly_one_event(
    instrumented: Load, span_exporter: InMemorySpanExporter
) -> None:
    (flows,) = instrumented("errors", "errs.flows")
    span_exporter.clear()
    propagating: list[tuple[str, Callable[[], object], type[BaseException], str]] = [
        ("propagate", lambda: flows.propagate(0), ZeroDivisionError, "ZeroDivisionError"),
        ("translate", lambda: flows.translate({}, "k"), flows.LookupFailed, "errs.flows.LookupFailed"),
        ("reraise", lambda: flows.reraise(_unreachable), ConnectionError, "ConnectionError"),
    ]
    for name, call, error, raised in propagating:
        with pytest.raises(error):
            call()
        span = only_span(span_exporter, name)
        assert span.status.status_code == StatusCode.ERROR and event_types(span) == [raised], name


def test_web_client_errors_leave_the_status_unset_as_the_runtime_does(
    instrumented: Load, span_exporter: InMemorySpanExporter
) -> None:
    """tests/fixtures/spans/web_errors: abort(404)/abort(403)/NotFound and HTTPException(404/409/422/403, Starlette's
    or FastAPI's) leave the span's status unset with the exception recorded once; abort(500), HTTPException(503) and
    a ValueError set ERROR with the description ``start_as_current_span`` writes. Each status is what
    trace_advisor.runtime decides for that exception (``fails_span``: one table for both)."""
    blog, api, routes = instrumented("web_errors", "webapp.blog", "webapp.api", "webapp.routes")
    span_exporter.clear()
    blog.POSTS[2] = {"title": "", "author_id": 7}
    api.ITEMS["b"] = -1
    cases: list[tuple[str, Callable[[], object], StatusCode]] = [
        ("get_post", lambda: blog.get_post(9, 7), StatusCode.UNSET),  # abort(404)
        ("get_post", lambda: blog.get_post(1, 8), StatusCode.UNSET),  # abort(403)
        ("show", lambda: blog.show(9), StatusCode.UNSET),  # raise NotFound()
        ("show", lambda: blog.show(2), StatusCode.ERROR),  # abort(500)
        ("word_count", lambda: blog.word_count(""), StatusCode.ERROR),  # no framework in sight: the plain block
        ("read_item", lambda: api.read_item("zz"), StatusCode.UNSET),  # HTTPException(404)
        ("read_item", lambda: api.read_item("b"), StatusCode.ERROR),  # HTTPException(503)
        ("total", lambda: api.total([-1]), StatusCode.UNSET),  # HTTPException(422)
        ("total", lambda: api.total([]), StatusCode.ERROR),  # ZeroDivisionError
        # fastapi.HTTPException, tested as Starlette's (imported as StarletteHTTPException beside it)
        ("create_user", lambda: routes.create_user("ann", "owner"), StatusCode.UNSET),  # 409
        ("create_user", lambda: routes.create_user("bob", "viewer"), StatusCode.UNSET),  # 403
        ("create_user", lambda: routes.create_user("", "owner"), StatusCode.ERROR),  # 503
    ]
    for name, call, status in cases:
        with pytest.raises(Exception) as raised:
            call()
        span = only_span(span_exporter, name)
        assert span.status.status_code == status, (name, raised.value)
        assert span.status.status_code == (StatusCode.ERROR if fails_span(raised.value) else StatusCode.UNSET)
        assert event_types(span) == [_qualified(type(raised.value))], name
        if status == StatusCode.ERROR:
            assert span.status.description == f"{type(raised.value).__name__}: {raised.value}"
    assert blog.get_post(1, 7)["title"] == "Hello" and api.read_item("a") == 1  # and on success: no status, no event
    assert routes.create_user("bob", "owner") == "bob"
    for span in span_exporter.get_finished_spans():
        assert span.status.status_code == StatusCode.UNSET and not span.events


def _qualified(kind: type) -> str:
    """``exception.type`` as the SDK records it."""
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def test_iterator_protocol_methods_are_refused() -> None:
    text, _ = read_text(SPANS / "errors" / "errs" / "flows.py")
    result = span_edits(text, "Countdown.__next__")
    assert not result.edits and result.message is not None and "StopIteration" in result.message


def _interrupt() -> None:
    raise KeyboardInterrupt


def _unreachable(*_: object) -> None:
    raise ConnectionError("gateway unreachable")


def _timed_out() -> None:
    raise TimeoutError("no result yet")


def _answering(flows: ModuleType, status: int) -> Callable[[], object]:
    def lookup() -> object:
        raise flows.LookupError404(status)

    return lookup


def _expired(flows: ModuleType) -> Callable[[str], object]:
    def loads(token: str) -> object:
        raise flows.TokenExpired(token)

    return loads

"""trace_advisor.runtime's wrappers under the real SDK (in-memory exporter): each kind of callable keeps its kind,
signature, return values, generator protocol and exceptions; the span covers the call and records what the plan
says."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from trace_advisor.runtime.plan import AttributePlan, FunctionPlan
from trace_advisor.runtime.wrap import recording, traced

PLAN = FunctionPlan(
    module="shop.orders",
    qualname="place",
    span_name="place",
    attributes=(
        AttributePlan("db.system.name", value="sqlite"),
        AttributePlan("app.order_id", parameter="order_id"),
        AttributePlan("app.note", parameter="note", convert="str", skip_none=True),
    ),
)


class BoomError(Exception):
    pass


def place(order_id: str, amount: int = 1, *, note: object = None) -> tuple[str, int]:
    """Docstring."""
    if amount < 0:
        raise BoomError(order_id)
    return order_id, amount


def test_a_function_keeps_its_name_signature_and_results(span_exporter: InMemorySpanExporter) -> None:
    wrapped = traced(PLAN, place)
    assert recording()
    assert wrapped.__name__ == "place" and wrapped.__doc__ == "Docstring." and wrapped.__wrapped__ is place
    assert inspect.signature(wrapped) == inspect.signature(place)
    assert wrapped("o-1", 2, note=["x"]) == ("o-1", 2)
    [span] = span_exporter.get_finished_spans()
    assert span.name == "place" and span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "shop.orders"
    assert dict(span.attributes or {}) == {"db.system.name": "sqlite", "app.order_id": "o-1", "app.note": "['x']"}
    assert span.status.status_code is trace.StatusCode.UNSET


def test_an_exception_propagates_unchanged_and_marks_the_span(span_exporter: InMemorySpanExporter) -> None:
    wrapped = traced(PLAN, place)
    with pytest.raises(BoomError) as raised:
        wrapped("o-2", -1)
    assert raised.value.args == ("o-2",)
    [span] = span_exporter.get_finished_spans()
    assert span.status.status_code is trace.StatusCode.ERROR
    assert [e.name for e in span.events] == ["exception"]
    assert "app.note" not in (span.attributes or {})  # None: not set


def test_a_call_that_does_not_bind_raises_its_type_error_without_a_span(span_exporter: InMemorySpanExporter) -> None:
    wrapped = traced(PLAN, place)
    with pytest.raises(TypeError):
        wrapped()
    assert span_exporter.get_finished_spans() == ()


def test_a_broken_str_drops_the_attribute_not_the_call(span_exporter: InMemorySpanExporter) -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert traced(PLAN, place)("o-3", note=Unprintable()) == ("o-3", 1)
    [span] = span_exporter.get_finished_spans()
    assert "app.note" not in (span.attributes or {}) and span.status.status_code is trace.StatusCode.UNSET


def numbers(limit: int) -> Iterator[int]:
    total = 0
    for n in range(limit):
        received = yield n
        total += received or 0
    return total


def test_a_generator_is_still_a_generator_and_its_span_covers_the_iteration(
    span_exporter: InMemorySpanExporter,
) -> None:
    wrapped = traced(FunctionPlan("m", "numbers", "numbers"), numbers)
    assert inspect.isgeneratorfunction(wrapped)
    gen = wrapped(3)
    assert span_exporter.get_finished_spans() == ()  # nothing runs before iteration, as for the original
    assert next(gen) == 0
    # not current between items, as with the edit's generator form: the consumer's code is not inside the span
    assert not trace.get_current_span().is_recording()
    assert gen.send(5) == 1 and gen.send(6) == 2
    with pytest.raises(StopIteration) as stop:
        gen.send(7)
    assert stop.value.value == 18  # the return value comes through
    [span] = span_exporter.get_finished_spans()
    assert span.name == "numbers" and span.status.status_code is trace.StatusCode.UNSET


def test_throw_and_close_reach_the_generator(span_exporter: InMemorySpanExporter) -> None:
    seen: list[str] = []

    def careful() -> Iterator[int]:
        try:
            yield 1
            yield 2
        except KeyError:
            seen.append("caught")
            yield 3
        finally:
            seen.append("finally")

    wrapped = traced(FunctionPlan("m", "careful", "careful"), careful)
    gen = wrapped()
    assert next(gen) == 1 and gen.throw(KeyError("k")) == 3
    gen.close()
    assert seen == ["caught", "finally"]
    [span] = span_exporter.get_finished_spans()
    assert span.status.status_code is trace.StatusCode.UNSET  # GeneratorExit is not a failure


def test_a_coroutine_function_stays_one(span_exporter: InMemorySpanExporter) -> None:
    async def fetch(order_id: str) -> str:
        await asyncio.sleep(0)
        child = trace.get_current_span()
        return f"{order_id}:{child.get_span_context().span_id != 0}"

    wrapped = traced(FunctionPlan("m", "fetch", "fetch", (AttributePlan("app.order_id", parameter="order_id"),)), fetch)
    assert inspect.iscoroutinefunction(wrapped)
    assert asyncio.run(wrapped("o-9")) == "o-9:True"
    [span] = span_exporter.get_finished_spans()
    assert dict(span.attributes or {}) == {"app.order_id": "o-9"}


def test_an_async_generator_forwards_asend_athrow_and_aclose(span_exporter: InMemorySpanExporter) -> None:
    log: list[Any] = []

    async def ticker(limit: int) -> AsyncIterator[int]:
        try:
            for n in range(limit):
                try:
                    got = yield n
                    log.append(got)
                except ValueError as exc:
                    log.append(f"thrown {exc}")
                    yield -1
        finally:
            log.append("closed")

    wrapped = traced(FunctionPlan("m", "ticker", "ticker"), ticker)
    assert inspect.isasyncgenfunction(wrapped)

    async def drive(function: Any) -> list[int]:
        agen = function(10)
        out = [await agen.__anext__(), await agen.asend("a"), await agen.athrow(ValueError("v"))]
        out.append(await agen.asend("b"))
        await agen.aclose()
        return out

    assert asyncio.run(drive(ticker)) == [0, 1, -1, 2]
    expected, log[:] = list(log), []
    assert asyncio.run(drive(wrapped)) == [0, 1, -1, 2]
    assert log == expected == ["a", "thrown v", "closed"]
    [span] = span_exporter.get_finished_spans()
    assert span.name == "ticker" and span.status.status_code is trace.StatusCode.UNSET


def test_an_async_generator_that_fails_marks_its_span(span_exporter: InMemorySpanExporter) -> None:
    async def broken() -> AsyncIterator[int]:
        yield 1
        raise BoomError("mid-stream")

    async def drive() -> list[int]:
        return [n async for n in traced(FunctionPlan("m", "broken", "broken"), broken)()]

    with pytest.raises(BoomError):
        asyncio.run(drive())
    [span] = span_exporter.get_finished_spans()
    assert span.status.status_code is trace.StatusCode.ERROR


def test_nested_calls_nest_their_spans(span_exporter: InMemorySpanExporter) -> None:
    inner = traced(FunctionPlan("m", "inner", "inner"), lambda: trace.get_current_span().get_span_context().span_id)
    outer = traced(FunctionPlan("m", "outer", "outer"), lambda: inner())
    outer()
    spans = {s.name: s for s in span_exporter.get_finished_spans()}
    assert spans["inner"].parent is not None
    assert spans["inner"].parent.span_id == spans["outer"].context.span_id


def _fails(error: BaseException) -> Any:
    def handler() -> None:
        raise error

    return traced(FunctionPlan(module="app.views", qualname="handler", span_name="handler"), handler)


def test_a_client_error_leaves_the_status_unset_and_is_recorded(span_exporter: InMemorySpanExporter) -> None:
    """abort(404) and HTTPException(403) become 4xx responses: not a failure of the code (the HTTP semantic
    conventions leave 4xx unset on server spans); a 5xx, or any other exception, is one."""
    from starlette.exceptions import HTTPException
    from werkzeug.exceptions import HTTPException as WerkzeugHTTPException
    from werkzeug.exceptions import NotFound, abort

    with pytest.raises(NotFound):
        traced(FunctionPlan(module="app.views", qualname="abort", span_name="show"), abort)(404, "no such post")
    for error in (HTTPException(403), HTTPException(503), BoomError("x")):
        with pytest.raises(type(error)):
            _fails(error)()
    with pytest.raises(WerkzeugHTTPException):
        traced(FunctionPlan(module="app.views", qualname="abort", span_name="crash"), abort)(500)
    spans = span_exporter.get_finished_spans()
    statuses = [(s.status.status_code, (s.status.description or "").partition(":")[0]) for s in spans]
    assert statuses == [
        (trace.StatusCode.UNSET, ""),
        (trace.StatusCode.UNSET, ""),
        (trace.StatusCode.ERROR, "HTTPException"),  # what start_as_current_span writes: "HTTPException: 503: ..."
        (trace.StatusCode.ERROR, "BoomError"),
        (trace.StatusCode.ERROR, "InternalServerError"),
    ]
    assert all([e.name for e in s.events] == ["exception"] for s in spans)  # recorded either way


def test_django_client_errors_and_odd_exceptions(span_exporter: InMemorySpanExporter) -> None:
    http404 = type("Http404", (Exception,), {"__module__": "django.http.response"})  # Django is not installed here

    class OddError(Exception):
        __module__ = "werkzeug.exceptions"

        @property
        def code(self) -> int:
            raise RuntimeError("broken")

    odd = type("HTTPException", (OddError,), {"__module__": "werkzeug.exceptions"})
    for error in (http404(), odd()):
        with pytest.raises(type(error)):
            _fails(error)()
    assert [s.status.status_code for s in span_exporter.get_finished_spans()] == [
        trace.StatusCode.UNSET,
        trace.StatusCode.ERROR,  # a status code that cannot be read: a failure, as for any exception
    ]

"""Span wrappers for traced functions: the only part of the runtime that imports OpenTelemetry (the API alone).

Each wrapper is what the span edit's ``with tracer.start_as_current_span(name) as span:`` block does, around the
call instead of inside the body: the span is current while the function runs, attributes come from the arguments as
the plan says, and an exception that propagates is recorded with an ERROR status by ``start_as_current_span``
itself. A generator's or async generator's span covers its whole iteration but is not made current, as in the span
edit (``with tracer.start_span(...)``): current at a ``yield`` it would stay current in the code iterating the
generator; an ``Exception`` leaving it is recorded with ERROR, closing it early is not. With no SDK configured (the
API's proxy or no-op tracer provider) the function is called straight away.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import AsyncGenerator, Callable, Generator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from opentelemetry import trace

from trace_advisor.runtime.plan import AttributePlan, FunctionPlan

_NO_SDK = (trace.ProxyTracerProvider, trace.NoOpTracerProvider)
Attributes = list[tuple[str, Any]]


def _public_recording() -> bool:
    return not isinstance(trace.get_tracer_provider(), _NO_SDK)


def _global_recording() -> bool:
    provider = trace._TRACER_PROVIDER  # noqa: SLF001 - see recording()
    return provider is not None and not isinstance(provider, trace.NoOpTracerProvider)


# Whether an SDK is configured, checked on every call (the app may configure it after importing its code). While no
# provider is set, ``get_tracer_provider()`` looks up an environment variable on every call (microseconds, more than
# a traced call may cost without an SDK), so the global it returns is read directly: it is set once per process and
# only by ``set_tracer_provider`` — or lazily from that variable, in which case the public call is used.
recording = (
    _global_recording
    if hasattr(trace, "_TRACER_PROVIDER") and "OTEL_PYTHON_TRACER_PROVIDER" not in os.environ
    else _public_recording
)


class _Arguments:
    """Reads the planned attributes from one call's arguments; None when the call does not bind (the function
    raises its own TypeError, before any span, as the edited function would).

    Binding goes through a small function compiled with the traced function's own parameters (defaults included)
    that returns the planned ones: the interpreter binds the arguments, which costs a call, where
    ``inspect.Signature.bind`` costs microseconds; callables without a plain signature use ``bind``."""

    def __init__(self, function: Callable[..., Any], attributes: tuple[AttributePlan, ...]) -> None:
        self.function = function
        self.attributes = attributes
        self._read: Callable[..., tuple[Any, ...]] | None = None
        self._names: tuple[str, ...] = ()

    def __call__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Attributes | None:
        if self._read is None:
            self._read, self._names = _reader(self.function, self.attributes)
        try:
            found = dict(zip(self._names, self._read(*args, **kwargs), strict=True))
        except TypeError:
            return None
        values: Attributes = []
        for attribute in self.attributes:
            name = attribute.parameter
            if name is None:
                values.append((attribute.key, attribute.value))
                continue
            if name not in found:
                continue  # not a parameter (any more): the plan is older than the code
            value = found[name]
            if value is None and attribute.skip_none:
                continue
            if attribute.convert == "str":
                try:
                    value = str(value)
                except Exception:  # noqa: BLE001 - a broken __str__ must not change what the function does
                    continue
            values.append((attribute.key, value))
        return values


def _reader(
    function: Callable[..., Any], attributes: tuple[AttributePlan, ...]
) -> tuple[Callable[..., tuple[Any, ...]], tuple[str, ...]]:
    """A callable taking the function's arguments and returning the planned parameters' values, and their names."""
    signature = inspect.signature(function, follow_wrapped=False)
    parameters = signature.parameters
    names = tuple(
        dict.fromkeys(a.parameter for a in attributes if a.parameter is not None and a.parameter in parameters)
    )
    if not all(p.name.isidentifier() for p in parameters.values()):  # a signature set by hand
        return _bind_reader(signature, names), names
    defaults = {name: p.default for name, p in parameters.items() if p.default is not p.empty}
    # the signature without annotations, each default written as a lookup (``str`` keeps ``/``, ``*`` and ``**``)
    plain = signature.replace(
        parameters=[
            p.replace(annotation=p.empty, default=p.default if p.default is p.empty else _Default(p.name))
            for p in parameters.values()
        ],
        return_annotation=signature.empty,
    )
    source = f"def read{plain}:\n    return ({''.join(n + ', ' for n in names)})\n"
    namespace: dict[str, Any] = {"__defaults": defaults}
    exec(compile(source, "<trace_advisor.runtime arguments>", "exec"), namespace)  # noqa: S102 - our own source
    read: Callable[..., tuple[Any, ...]] = namespace["read"]
    return read, names


class _Default:
    """Stands for a default in the reader's source: its repr is the expression that reads the real value."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"__defaults[{self.name!r}]"


def _bind_reader(signature: inspect.Signature, names: tuple[str, ...]) -> Callable[..., tuple[Any, ...]]:
    defaults = {name: p.default for name, p in signature.parameters.items() if p.default is not p.empty}

    def read(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
        arguments = signature.bind(*args, **kwargs).arguments
        return tuple(arguments[name] if name in arguments else defaults.get(name) for name in names)

    return read


def traced(plan: FunctionPlan, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` wrapped in its planned span, keeping its kind (generator, coroutine, async generator) so
    ``inspect`` and frameworks see the same kind of callable; ``functools.wraps`` keeps its name, docstring and
    signature (``inspect.signature`` follows ``__wrapped__``)."""
    tracer = trace.get_tracer(plan.module)
    name = plan.span_name
    arguments = _Arguments(function, plan.attributes)

    def span_for(args: tuple[Any, ...], kwargs: dict[str, Any], current: bool = True) -> AbstractContextManager[Any]:
        """The span to run the call in, or a null context (no SDK; arguments that do not bind)."""
        values = arguments(args, kwargs) if recording() else None
        if values is None:
            return nullcontext()
        return _Started(tracer, name, values, current)

    if inspect.isasyncgenfunction(function):

        @functools.wraps(function)
        async def agen_wrapper(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
            with span_for(args, kwargs, current=False):
                inner = function(*args, **kwargs)
                try:
                    item = await inner.__anext__()
                except StopAsyncIteration:
                    return
                while True:  # async generators have no ``yield from``: forward send/throw/close by hand
                    try:
                        sent = yield item
                    except GeneratorExit:
                        await inner.aclose()
                        raise
                    except BaseException as exc:  # noqa: BLE001 - thrown in by the consumer: the inner one decides
                        try:
                            item = await inner.athrow(exc)
                        except StopAsyncIteration:
                            return
                    else:
                        try:
                            item = await inner.asend(sent)
                        except StopAsyncIteration:
                            return

        return agen_wrapper

    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def gen_wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            with span_for(args, kwargs, current=False):
                return (yield from function(*args, **kwargs))

        return gen_wrapper

    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            with span_for(args, kwargs):
                return await function(*args, **kwargs)

        return async_wrapper

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not recording():  # the common case without an SDK: one check, no context manager
            return function(*args, **kwargs)
        with span_for(args, kwargs):
            return function(*args, **kwargs)

    return wrapper


class _Started:
    """``with tracer.start_as_current_span(name) as span:`` followed by the attribute statements; not ``current``:
    ``with tracer.start_span(name, record_exception=False, set_status_on_exception=False) as span:`` whose body's
    ``except Exception`` records the exception and sets ERROR (the span edit's generator form)."""

    __slots__ = ("_cm", "_current", "_span", "_values")

    def __init__(self, tracer: trace.Tracer, name: str, values: Attributes, current: bool = True) -> None:
        self._cm: AbstractContextManager[trace.Span] = (
            tracer.start_as_current_span(name)
            if current
            else tracer.start_span(name, record_exception=False, set_status_on_exception=False)
        )
        self._current = current
        self._values = values
        self._span: trace.Span | None = None

    def __enter__(self) -> trace.Span:
        span: trace.Span = self._cm.__enter__()
        for key, value in self._values:
            span.set_attribute(key, value)
        self._span = span
        return span

    def __exit__(self, *exc: Any) -> bool | None:
        error = exc[1] if len(exc) > 1 else None
        if not self._current and isinstance(error, Exception) and self._span is not None:
            self._span.record_exception(error)
            self._span.set_status(trace.Status(trace.StatusCode.ERROR, str(error)))
        return self._cm.__exit__(*exc)

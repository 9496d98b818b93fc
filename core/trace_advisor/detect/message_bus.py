"""Message producers and consumers (SQS, SNS, Kafka, RabbitMQ, Celery) and where trace context must travel."""

from __future__ import annotations

import ast

from trace_advisor.datatypes import Evidence
from trace_advisor.detect.apis import ApiMatch, dotted_forms
from trace_advisor.detect.catalog import APIS
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.detect.hints import CONSUMER_PARAMS, TASK_DECORATORS

PRIORITY = "message_bus"
# a Celery dispatch found by its method name (``task.delay(...)``): the task's type is rarely known
_CELERY = ApiMatch(
    "messaging", "celery", "Celery task dispatch", "", False, "opentelemetry-instrumentation-celery", "publish"
)
_INJECT = "inject the current context into the message headers/attributes (`opentelemetry.propagate.inject(carrier)`)"
_EXTRACT = (
    "extract the producer's context per message (`opentelemetry.propagate.extract(carrier)`) and start a CONSUMER "
    "span with it as parent (or a link, for batches)"
)
_CONSUMER_NAMES = (
    "on_message",
    "handle_message",
    "process_message",
    "consume",
    "on_event",
    "handle_event",
    "process_record",
    "callback",
    "on_delivery",
    "message_handler",
    "process_event",
)


def _propagates(ctx: FunctionContext) -> tuple[bool, bool]:
    inject = extract = False
    for call in ctx.calls:
        last = call.text.rsplit(".", 1)[-1]
        inject = inject or last in {"inject", "inject_context"}
        extract = extract or last in {"extract", "extract_context", "attach"}
    return inject, extract


# the packages whose ``.task``/``.actor`` decorators declare a job a worker runs per message
_TASK_QUEUES = frozenset({"celery", "dramatiq", "huey", "rq", "taskiq", "procrastinate", "arq", "django_rq"})


def _task_decorator(ctx: FunctionContext) -> ast.expr | None:
    """The decorator declaring the function a task queue's job: a known task decorator, or a ``.task``/``.actor``
    attribute that does not resolve outside the task queues (mode's and faust's ``@Service.task`` runs a background
    coroutine for the service's life, no job through a broker)."""
    for dec in ctx.node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        names = [name for callee in ctx.decorator_callees(dec) for name in dotted_forms(callee)]
        if any(resolved in TASK_DECORATORS or resolved.endswith(".shared_task") for resolved in names):
            return dec
        if isinstance(target, ast.Name) and target.id in TASK_DECORATORS:
            return dec
        if isinstance(target, ast.Attribute) and target.attr in {"task", "actor"} and not _not_a_queue(ctx, dec):
            return dec
    return None


def _not_a_queue(ctx: FunctionContext, dec: ast.expr) -> bool:
    """The decorator resolves only to code outside the workspace, none of it a task queue's."""
    site = ctx.analysed.site_at(ctx.range_of(dec))
    edges = site.edges if site is not None else ()
    return bool(edges) and all(
        e.external and e.callee.partition(".")[0].partition(":")[0] not in _TASK_QUEUES for e in edges
    )


def task_instrumentation(ctx: FunctionContext, dec: ast.expr) -> str | None:
    """The instrumentation package that spans each run of the task ``dec`` declares: Celery's, when the decorator
    resolves into celery (``@shared_task``, ``@app.task`` on a ``Celery()``) or is a ``.task`` of a module importing
    it; the other task queues have none."""
    names = [name for callee in ctx.decorator_callees(dec) for name in dotted_forms(callee)]
    if any(name.startswith("celery.") for name in names):
        return _CELERY.instrumentation
    target = dec.func if isinstance(dec, ast.Call) else dec
    if not names and isinstance(target, ast.Attribute) and target.attr == "task":
        if any(m == "celery" or m.startswith("celery.") for m in ctx.analysed.imported_modules()):
            return _CELERY.instrumentation
    return None


def detect(ctx: FunctionContext) -> list[Signal]:
    signals: list[Signal] = []
    injects, extracts = _propagates(ctx)
    for call in ctx.calls:
        api = call.api
        method = call.text.rsplit(".", 1)[-1]
        if api is None and method in {"delay", "apply_async", "send_task"}:
            reason = f"dispatches a Celery task ({call.text}); {_CELERY.instrumentation} carries the context"
            dispatch = Evidence(PRIORITY, reason, call.range, call.text)
            signals.append(Signal(dispatch, 0.6, Finding.PUBLISHES, _CELERY, _CELERY.instrumentation))
            continue
        if api is None or api.kind != "messaging":
            continue
        receives = api.operation == "receive"
        if api.operation == "request":  # a command and its replies (Celery's remote control): no context to carry
            reason = f"sends a command to the workers via {api.shown} ({api.label}): a round trip through the broker"
        elif receives:
            advice = "" if extracts else f"; {_EXTRACT}"
            reason = f"receives messages via {api.shown} ({api.label}){advice}"
        else:
            advice = "" if injects else f"; {_INJECT}"
            reason = f"publishes via {api.shown} ({api.label}){advice}"
        finding = Finding.RECEIVES if receives else Finding.PUBLISHES
        evidence = Evidence(PRIORITY, reason, call.range, api.target)
        signals.append(Signal(evidence, api.strength, finding, api, api.instrumentation))
    task = _task_decorator(ctx)
    if task is not None:
        reason = f"task consumer `{ctx.name}` runs on a worker: one span per run (the broker hop needs the context)"
        evidence = Evidence(PRIORITY, reason, ctx.range_of(task), "task")
        signals.append(Signal(evidence, 0.8, Finding.TASK_CONSUMER, instrumentation=task_instrumentation(ctx, task)))
    params = {a.arg for a in ctx.parameters()}
    named = ctx.name.lower().lstrip("_")
    consumed = _consumed(ctx)
    if consumed is not None:
        advice = "" if extracts else f"; {_EXTRACT}"
        evidence = Evidence(PRIORITY, consumed + advice, ctx.range_of(ctx.node), "consumer")
        signals.append(Signal(evidence, 0.8, Finding.MESSAGE_CONSUMER))
    elif any(shape <= params for shape in CONSUMER_PARAMS[:1]) or (
        named.startswith(_CONSUMER_NAMES)
        and params & {"message", "msg", "body", "record", "event", "messages"}
        and _imports_a_broker(ctx)
    ):
        advice = "" if extracts else f"; {_EXTRACT}"
        reason = f"message consumer callback `{ctx.name}`{advice}"
        rng = ctx.range_of(ctx.node.args) if ctx.node.args.args else ctx.range_of(ctx.node)
        signals.append(Signal(Evidence(PRIORITY, reason, rng, "consumer"), 0.75, Finding.MESSAGE_CONSUMER))
    return signals


# the packages of message brokers' clients (and task queues): a module importing none of them that names a method
# ``handle_event(self, event)`` handles in-process events (an SDK's stream, an agent's chat, a websocket's frames)
# (the catalog's messaging packages, and brokers' clients it has no operations of)
_BROKER_CLIENTS = tuple(
    sorted(
        {api.pattern.partition(".")[0] for api in APIS if api.kind == "messaging"}
        | {"aioamqp", "amqp", "kombu", "proton", "stomp", "nats", "paho", "pulsar", "zmq", "faust", "redis"}
        | {"google.cloud.pubsub", "google.cloud.pubsub_v1", "azure.servicebus", "azure.eventhub", "aiobotocore"}
        | _TASK_QUEUES
    )
)


def _imports_a_broker(ctx: FunctionContext) -> bool:
    """Whether the function's module imports a message broker's or a task queue's client: where a consumer callback
    known only by its name (``handle_message(self, msg)``) is one. In the 20 repositories of the placement corpus, 27
    of 28 functions so named were untraced (websocket and agent message handlers, an SDK's stream events). A module
    importing its own package is no client of it: inside faust, its metrics sensors' ``on_message_in`` hooks."""
    own = ctx.module.partition(".")[0]
    return any(
        (module == broker or module.startswith(broker + ".")) and module.partition(".")[0] != own
        for module in ctx.analysed.imported_modules()
        for broker in _BROKER_CLIENTS
    )


def _consumed(ctx: FunctionContext) -> str | None:
    """Why the function consumes messages, from where it is registered or called: handed to a queue client's consumer
    registration (``channel.basic_consume(queue="q", on_message_callback=handle)``), or called through a callable a
    workspace consumer stores, per message it receives (``self.handler(message)``); None when neither."""
    if ctx.graph.consumes_for:
        caller, client = ctx.graph.consumes_for[0]
        return f"consumes each message: registered with `{client}` by `{caller}`{_more(ctx.graph.consumes_for)}"
    if ctx.graph.consumed_by:
        return f"handles each message `{ctx.graph.consumed_by[0]}` receives{_more(ctx.graph.consumed_by)}"
    return None


def _more(found: tuple[object, ...]) -> str:
    return f" (and {len(found) - 1} more)" if len(found) > 1 else ""

"""Library functions that call a function they are given (``sorted(key=f)``, ``Thread(target=f)``, ``pool.submit(f)``,
``queue.enqueue(f, ...)``): which argument, by the real signatures. The call graph gets an edge from the caller to that
function, marked with the library function it goes through (``CallEdge.via``). Job queues and schedulers
(:data:`JOB_QUEUES`) run the function later, as a job of its own, in a worker; web frameworks' route registrations
(:data:`REQUEST_HANDLERS`) call it later, once per request it serves, and queue clients' consumer registrations
(:data:`MESSAGE_HANDLERS`) once per message they receive."""

from __future__ import annotations

from trace_advisor.datatypes import SymbolId

# callee -> (position, keyword) of the argument it calls; None where the signature has no such form
_EXECUTORS = tuple(f"concurrent.futures:{name}" for name in ("Executor", "ThreadPoolExecutor", "ProcessPoolExecutor"))
_LOOP = "asyncio:AbstractEventLoop"

CALLED_ARGUMENT: dict[SymbolId, tuple[int | None, str | None]] = {
    "builtins:sorted": (None, "key"),
    "builtins:min": (None, "key"),
    "builtins:max": (None, "key"),
    "builtins:list.sort": (None, "key"),
    "builtins:map": (0, None),
    "builtins:filter": (0, None),
    "functools:reduce": (0, None),
    "functools:partial": (0, None),
    "threading:Thread": (1, "target"),
    "threading:Timer": (1, "function"),
    # a subclass constructed with a target (``Worker(target=f)``, ``super().__init__(target=f)``): its ``run`` calls
    # it, unless the subclass's own ``run`` replaces it without calling ``super().run()`` (resolution checks)
    "threading:Thread.__init__": (1, "target"),
    "threading:Timer.__init__": (1, "function"),
    "multiprocessing:Process": (1, "target"),
    **{f"{executor}.submit": (0, None) for executor in _EXECUTORS},
    **{f"{executor}.map": (0, "fn") for executor in _EXECUTORS},
    "asyncio:to_thread": (0, None),
    f"{_LOOP}.run_in_executor": (1, None),
    "tornado.ioloop:IOLoop.run_in_executor": (1, "func"),
    f"{_LOOP}.call_soon": (0, None),
    f"{_LOOP}.call_soon_threadsafe": (0, None),
    f"{_LOOP}.call_later": (1, None),
    f"{_LOOP}.call_at": (1, None),
    "atexit:register": (0, None),
    "signal:signal": (1, None),
    "contextvars:Context.run": (0, None),
}

# Job queues and schedulers that store a function to run later, in a worker, as a job of its own: the function handed
# over is where that job's work runs (an entry point), not a call its caller makes.
JOB_QUEUES: dict[SymbolId, tuple[int | None, str | None]] = {
    "rq:Queue.enqueue": (0, "f"),
    "rq:Queue.enqueue_call": (0, "func"),
    "rq:Queue.enqueue_at": (1, "f"),
    "rq:Queue.enqueue_in": (1, "func"),
    "rq:Queue.create_job": (0, "func"),
    "rq:Job.create": (0, "func"),
    "rq_scheduler:Scheduler.enqueue_at": (1, "func"),
    "rq_scheduler:Scheduler.enqueue_in": (1, "func"),
    "rq_scheduler:Scheduler.schedule": (1, "func"),
    "rq_scheduler:Scheduler.cron": (1, "func"),
    "django_rq:enqueue": (0, "func"),
    "apscheduler:BaseScheduler.add_job": (0, "func"),
}
CALLED_ARGUMENT.update(JOB_QUEUES)

_AIOHTTP_ROUTER = ("UrlDispatcher", "Application.router")  # installed, else as ``web.Application().router`` names it
# Web frameworks' route registrations that store a handler to call once per request: the function handed over is where
# each request's work runs (an entry point), not a call the registering function makes. Named as
# :func:`called_argument` reads them (the package, then the qualname where the framework defines it; uninstalled, where
# the project imports it from).
REQUEST_HANDLERS: dict[SymbolId, tuple[int | None, str | None]] = {
    # aiohttp: ``web.get("/x", handler)`` in ``app.add_routes([...])``, ``app.router.add_get("/x", handler)``
    **{f"aiohttp:{method}": (1, "handler") for method in ("get", "post", "put", "patch", "delete", "head", "view")},
    "aiohttp:route": (2, "handler"),
    **{
        f"aiohttp:{router}.add_{method}": (1, "handler")
        for router in _AIOHTTP_ROUTER
        for method in ("get", "post", "put", "patch", "delete", "head", "view")
    },
    **{f"aiohttp:{router}.add_route": (2, "handler") for router in _AIOHTTP_ROUTER},
    # Flask: ``app.add_url_rule("/x", "name", view)``, ``bp.add_url_rule("/x", view_func=view)``
    **{f"flask:{owner}.add_url_rule": (2, "view_func") for owner in ("Flask", "App", "Blueprint", "Scaffold")},
    # Django: ``path("x/", views.show)`` in ``urlpatterns``
    **{f"django:{name}": (1, "view") for name in ("path", "re_path", "url", "_path")},
    # Starlette and FastAPI: ``Route("/x", endpoint)``, ``app.add_api_route("/x", endpoint)``
    **{f"starlette:{cls}{init}": (1, "endpoint") for cls in ("Route", "WebSocketRoute") for init in ("", ".__init__")},
    **{
        f"fastapi:{cls}{init}": (1, "endpoint")
        for cls in ("APIRoute", "APIWebSocketRoute")
        for init in ("", ".__init__")
    },
    **{
        f"{package}:{owner}.{method}": (1, "endpoint")
        for package, owner in (("fastapi", "FastAPI"), ("fastapi", "APIRouter"))
        for method in ("add_api_route", "add_api_websocket_route")
    },
    **{
        f"starlette:{owner}.{method}": (1, "route")
        for owner in ("Starlette", "Router")
        for method in ("add_route", "add_websocket_route")
    },
}
CALLED_ARGUMENT.update(REQUEST_HANDLERS)

# Queue clients' consumer registrations that store a callback to call once per message received: the function handed
# over is where each message's work runs (an entry point, where the producer's trace context is extracted), not a call
# the registering function makes. Named as :data:`REQUEST_HANDLERS` are (the package, then the qualname where the
# client defines it, or where the project imports it from when it is not installed).
MESSAGE_HANDLERS: dict[SymbolId, tuple[int | None, str | None]] = {
    # pika: ``channel.basic_consume(queue="q", on_message_callback=handle)``
    **{f"pika:{channel}.basic_consume": (1, "on_message_callback") for channel in ("BlockingChannel", "Channel")},
    # aio-pika: ``await queue.consume(handle)``
    **{f"aio_pika:{queue}.consume": (0, "callback") for queue in ("Queue", "RobustQueue", "AbstractQueue")},
    # Google Cloud Pub/Sub: ``subscriber.subscribe(subscription_path, callback=handle)``
    **{f"google:{client}.subscribe": (1, "callback") for client in ("SubscriberClient", "Client")},
    # NATS: ``await nc.subscribe("subject", cb=handle)``
    "nats:Client.subscribe": (2, "cb"),
    "nats:NATS.subscribe": (2, "cb"),
    # kombu: ``consumer.register_callback(handle)``; paho-mqtt: ``client.message_callback_add("topic/#", handle)``
    "kombu:Consumer.register_callback": (0, "callback"),
    "paho:Client.message_callback_add": (1, "callback"),
}
CALLED_ARGUMENT.update(MESSAGE_HANDLERS)


# the HTTP methods, as the functions and class-based views' methods serving them are named
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
# Route groups that serve the routes given them under their own path: Starlette's ``Mount("/api", routes=[...])``
MOUNTS = frozenset({"starlette:Mount", "starlette:Mount.__init__"})


def mounts_routes(callee: SymbolId) -> bool:
    """Whether a call of ``callee`` mounts the routes written in its arguments under its path (``Mount``)."""
    return _listed(callee) in MOUNTS


def called_argument(callee: SymbolId) -> tuple[int | None, str | None] | None:
    """Which argument ``callee`` calls (position, keyword), when it is a library function that calls one."""
    return CALLED_ARGUMENT.get(_listed(callee))


# Library functions that keep the function for later (a partial's caller, exit, a signal, the event loop's next turns)
# or hand it to a worker: what it does is not done within the call that hands it over, so it is none of that call's I/O
_LATER = frozenset(
    {
        "functools:partial",
        "atexit:register",
        "signal:signal",
        f"{_LOOP}.call_soon",
        f"{_LOOP}.call_soon_threadsafe",
        f"{_LOOP}.call_later",
        f"{_LOOP}.call_at",
        *JOB_QUEUES,
        *REQUEST_HANDLERS,
        *MESSAGE_HANDLERS,
    }
)


# the library's ``__init__`` that stores the function its ``run`` calls
THREAD_INITS: dict[SymbolId, str] = {"threading:Thread.__init__": "run", "threading:Timer.__init__": "run"}


def runs_later(via: SymbolId) -> bool:
    """Whether a function handed to ``via`` runs after the call that hands it over returns (``functools.partial``,
    ``atexit.register``, ``loop.call_later``, a job queue, a route), rather than within it (``sorted(key=f)``,
    ``loop.run_in_executor``, whose result the caller awaits)."""
    return _listed(via) in _LATER


def runs_now(callee: SymbolId) -> bool:
    """Whether ``callee`` calls a function it is given within the call, or in a thread or pool right away
    (``sorted(key=f)``, ``pool.submit(f)``, ``loop.run_in_executor(None, f)``): not kept for later, nor a job."""
    return called_argument(callee) is not None and not runs_later(callee)


def runs_as_job(via: SymbolId) -> bool:
    """Whether a function handed to ``via`` (a :class:`~trace_advisor.datatypes.CallEdge`'s ``via``) runs later as a
    job of its own (``rq:Queue.enqueue``), not within the call that hands it over."""
    return _listed(via) in JOB_QUEUES


def handles_requests(via: SymbolId) -> bool:
    """Whether a function handed to ``via`` (a :class:`~trace_advisor.datatypes.CallEdge`'s ``via``) is a web
    framework's request handler, called once per request (``aiohttp.web:get``, ``Flask.add_url_rule``)."""
    return _listed(via) in REQUEST_HANDLERS


def handles_messages(via: SymbolId) -> bool:
    """Whether a function handed to ``via`` (a :class:`~trace_advisor.datatypes.CallEdge`'s ``via``) is a queue
    consumer's callback, called once per message received (``pika:BlockingChannel.basic_consume``)."""
    return _listed(via) in MESSAGE_HANDLERS


def runs_as_unit(via: SymbolId) -> bool:
    """Whether a function handed to ``via`` runs later as a unit of work of its own: a job, a request or a message."""
    listed = _listed(via)
    return listed in JOB_QUEUES or listed in REQUEST_HANDLERS or listed in MESSAGE_HANDLERS


def _listed(callee: SymbolId) -> SymbolId:
    """``callee`` as the tables name it: itself, else by its package (``asyncio.events:AbstractEventLoop.call_soon``
    is ``asyncio:...``, rq's ``rq.queue:Queue.enqueue`` is ``rq:Queue.enqueue``)."""
    if callee in CALLED_ARGUMENT:
        return callee
    module, _, qualname = callee.partition(":")
    return f"{module.partition('.')[0]}:{qualname}"

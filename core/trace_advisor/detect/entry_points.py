"""Entry and exit points: web routes, views, CLI commands, serverless handlers, main() and public service methods."""

from __future__ import annotations

import ast
import re

from trace_advisor.added_instrumentation import STRAWBERRY
from trace_advisor.datatypes import Evidence, EvidenceKind, Range, SymbolId
from trace_advisor.detect.apis import dotted_forms
from trace_advisor.detect.context import CallInfo, FunctionContext
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.detect.hints import (
    CLI_DECORATORS,
    CLI_METHODS,
    GRAPHQL_RESOLVERS,
    PYRAMID_VIEWS,
    ROUTE_METHODS,
    TASK_METHODS,
    WEB_FRAMEWORKS,
)
from trace_advisor.detect.message_bus import task_instrumentation
from trace_advisor.detect.names import expr_text
from trace_advisor.detect.shape import meaningful_calls
from trace_advisor.resolve.callbacks import HTTP_METHODS, runs_now

PRIORITY = "entry_points"
_VIEW_METHODS = frozenset(
    {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "list",
        "create",
        "retrieve",
        "update",
        "partial_update",
        "destroy",
        "dispatch",
        "handle",
    }
)
_WIRING = frozenset(
    {
        "on_event",
        "before_request",
        "after_request",
        "teardown_appcontext",
        "teardown_request",
        "middleware",
        "exception_handler",
        "errorhandler",
        "fixture",
        "lifespan",
        "on_startup",
        "on_shutdown",
        "before_first_request",
        "context_processor",
    }
)
_DJANGO = WEB_FRAMEWORKS["django"]
_ROUTER_NAMES = ("app", "api", "router", "bp", "blueprint", "route", "routes", "web", "server", "views")


def _framework(ctx: FunctionContext) -> str | None:
    for path in sorted(ctx.analysed.imported_modules()):
        package = _package_of(path)
        if package is not None:
            return package
    return None


# extensions of a web framework: their views are the framework's, served under its instrumentation's server span
_EXTENDS = {
    "rest_framework": "django",
    "ninja": "django",
    "flask_restx": "flask",
    "flask_restful": "flask",
    "flask_smorest": "flask",
    "flask_appbuilder": "flask",
}


def _package_of(module: str) -> str | None:
    """The instrumentation package of the web framework ``module`` belongs to (Django REST framework's is Django's,
    flask-restx's Flask's: Mailu's API resources read as handlers with no server span)."""
    framework = _EXTENDS.get(module.partition(".")[0])
    if framework is not None:
        return WEB_FRAMEWORKS[framework]
    for prefix, package in WEB_FRAMEWORKS.items():
        if module == prefix or module.startswith(prefix + "."):
            return package
    return None


# mode's ``Service.task`` and faust's ``App.task``: a coroutine started with the service, for its whole life
_SERVICE_TASKS = ("mode.", "faust.")


def _decorator_signal(ctx: FunctionContext, dec: ast.expr) -> Signal | None:
    target = dec.func if isinstance(dec, ast.Call) else dec
    names = {name for callee in ctx.decorator_callees(dec) for name in dotted_forms(callee)}
    text = expr_text(dec, 80)
    rng = ctx.range_of(dec)
    attr = target.attr if isinstance(target, ast.Attribute) else (target.id if isinstance(target, ast.Name) else "")
    base = expr_text(target.value).lower() if isinstance(target, ast.Attribute) else ""
    if attr in _WIRING:
        return None
    cli_base = "cli" in base or "app" in base or "typer" in base
    if names & CLI_DECORATORS or (attr in CLI_METHODS and (cli_base or _cli_group(ctx.analysed.tree, target))):
        if attr in {"group", "callback"}:  # a group only dispatches to its commands
            return Signal(Evidence(PRIORITY, f"CLI group ({text})", rng, "cli-group"), 0.3, Finding.CLI_GROUP)
        return Signal(Evidence(PRIORITY, f"CLI command ({text})", rng, "cli"), 0.8, Finding.CLI_COMMAND)
    if names & GRAPHQL_RESOLVERS:
        evidence = Evidence(PRIORITY, f"GraphQL resolver ({text})", rng, "route")
        return Signal(evidence, 0.85, Finding.ROUTE, instrumentation=STRAWBERRY)
    if names & PYRAMID_VIEWS:
        evidence = Evidence(PRIORITY, f"Pyramid view ({text})", rng, "view")
        return Signal(evidence, 0.8, Finding.ROUTE, instrumentation=WEB_FRAMEWORKS["pyramid"])
    # a router named so, or one resolution finds in a web framework (Mailu's Blueprint ``ui``: ``@ui.route(...)``)
    framework = next((p for c in ctx.decorator_callees(dec) if (p := _package_of(c.partition(":")[0]))), None)
    if (
        attr in ROUTE_METHODS
        and isinstance(dec, ast.Call)
        and (base.split(".")[-1].startswith(_ROUTER_NAMES) or framework)
    ):
        evidence = Evidence(PRIORITY, f"web route {text}", rng, "route")
        return Signal(evidence, 0.85, Finding.ROUTE, instrumentation=framework or _framework(ctx))
    if attr == "task" and any(name.startswith(_SERVICE_TASKS) for name in names):
        return None  # a service's background coroutine, run for the life of the process: no job
    if attr in TASK_METHODS and (isinstance(dec, ast.Call) or base):
        evidence = Evidence(PRIORITY, f"scheduled or event-driven job ({text})", rng, "job")
        return Signal(evidence, 0.75, Finding.JOB, instrumentation=task_instrumentation(ctx, dec))
    if any(n.startswith(("django.views.decorators", "rest_framework.decorators.api_view")) for n in names) or (
        attr == "api_view"
    ):
        evidence = Evidence(PRIORITY, f"Django view ({text})", rng, "view")
        return Signal(evidence, 0.8, Finding.ROUTE, instrumentation=_DJANGO)
    if "rest_framework.decorators.action" in names:  # a ViewSet's extra action: the router gives it its own route
        evidence = Evidence(PRIORITY, f"Django REST framework action ({text})", rng, "view")
        return Signal(evidence, 0.8, Finding.ROUTE, instrumentation=_DJANGO)
    return None


def _cli_group(tree: ast.Module, target: ast.expr, depth: int = 0) -> bool:
    """Whether ``target`` (``db.command``) is a method of a click group defined in the same module: a function whose
    own decorator makes it a group (``@cli.group()`` or ``@click.group()`` on ``def db():``), at any nesting."""
    if depth > 4 or not isinstance(target, ast.Attribute) or not isinstance(target.value, ast.Name):
        return False
    name = target.value.id
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and statement.name == name:
            for dec in statement.decorator_list:
                inner = dec.func if isinstance(dec, ast.Call) else dec
                if not isinstance(inner, ast.Attribute) or inner.attr != "group":
                    continue
                base = expr_text(inner.value).lower()
                if base == "click" or "cli" in base or _cli_group(tree, inner, depth + 1):
                    return True
    return False


def _management_command(ctx: FunctionContext) -> bool:
    """Whether the enclosing class is a Django management command: it derives, directly or through the project's own
    base, from a ``...Command`` class of a ``management`` package (Django's ``BaseCommand``, django-rich's
    ``RichCommand``): ``manage.py <module>`` runs its ``handle``."""
    for base in ctx.class_mro:
        module, _, name = base.partition(":")
        if "management" in module.split(".") and name.endswith("Command"):
            return True
    return False


_VIEW_BASES = ("View", "APIView", "ViewSet", "Handler", "Resource", "Endpoint")
# the packages whose view and handler classes serve requests: the web frameworks, and their REST extensions
_VIEW_PACKAGES = frozenset(
    {
        *(prefix.partition(".")[0] for prefix in WEB_FRAMEWORKS),
        "rest_framework",
        "flask_restful",
        "flask_restx",
        "sanic",
        "quart",
        "litestar",
    }
)


def view_base(ctx: FunctionContext) -> SymbolId | None:
    """The web framework view or handler class the enclosing class derives from, as resolution names its bases: a
    view, handler, resource or endpoint class of a web framework's package (``django.views:View``,
    ``tornado.web:RequestHandler``, ``aiohttp.web_urldispatcher:View``, through the project's own ``BaseHandler``
    too). A ``logging.Handler``'s ``handle`` or an SDK's ``ListableAPIResource`` serves no request."""
    return next(
        (
            base
            for base in ctx.class_mro
            if base.rpartition(":")[2].rpartition(".")[2].endswith(_VIEW_BASES)
            and base.partition(":")[0].partition(".")[0] in _VIEW_PACKAGES
        ),
        None,
    )


def detect(ctx: FunctionContext) -> list[Signal]:
    return [*_entry(ctx), *_runs_work(ctx)]


def _runs_work(ctx: FunctionContext) -> list[Signal]:
    """Where a job's own work runs: a call of the callable stored on an object with the arguments stored beside it
    (rq's ``self.func(*self.args, **self.kwargs)``, a thread's ``self._target(*self._args, **self._kwargs)``). What
    it runs is the user's code, whatever it does: the run is a unit of work. Else where it runs through a workspace
    function that runs it (a worker's ``perform_job`` calling ``job.perform()``), else where a job is submitted."""
    call = stored_call(ctx)
    if call is not None:
        node = call.node
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        owner = expr_text(node.func.value)
        reason = f"runs the callable stored on `{owner}` with its stored arguments ({expr_text(node, 60)})"
        return [Signal(Evidence(PRIORITY, reason, call.range, call.text), 0.8, Finding.RUNS_WORK)]
    return _calls_work(ctx) or _submits_work(ctx)


_SPREAD_ATTRIBUTE = re.compile(r"\*\s*[A-Za-z_]\w*\s*\.\s*[A-Za-z_]")  # ``*self.args``, ``**job.kwargs``


def may_call_stored(code: str) -> bool:
    """Whether a function's source may hold a :func:`stored_call` (read before its syntax tree is built)."""
    return _SPREAD_ATTRIBUTE.search(code) is not None


def stored_call(ctx: FunctionContext) -> CallInfo | None:
    """The call of a callable stored on an object with the arguments stored beside it (``self.func(*self.args,
    **self.kwargs)``), if the function makes one: both the positional and the keyword arguments are stored, as a
    job or a thread stores them. A method passed its object's options (faust's ``self._init_options(**self.options)``
    in a setting's ``__init__``) runs no job, nor does a dunder other than ``__call__`` (celery's
    ``FallbackContext.__enter__`` entering ``self.fallback(*self.fb_args, **self.fb_kwargs)``: a context manager)."""
    if ctx.name[:2] == "__" == ctx.name[-2:] and ctx.name != "__call__":
        return None
    for call in ctx.calls:
        node = call.node
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        if not isinstance(owner, ast.Name):
            continue
        if node.func.attr == "__class__" or _builds(call):
            continue  # a copy of the object made from its stored arguments (discord.py's ``HelpCommand.copy``)
        positional = any(isinstance(a, ast.Starred) and _attribute_of(a.value, owner.id) for a in node.args)
        keywords = any(k.arg is None and _attribute_of(k.value, owner.id) for k in node.keywords)
        if positional and keywords:
            return None if _lazy_value(ctx) else call
    return None


# what reading a value runs: its text, its comparisons, its truth, its length
_VALUE_DUNDERS = ("__str__", "__repr__", "__eq__", "__ne__", "__lt__", "__hash__", "__bool__", "__len__", "__iter__")


def _lazy_value(ctx: FunctionContext) -> bool:
    """Whether the method belongs to a lazy value: a class whose value dunders run the stored call (``__str__``
    returning ``str(self())``, ``__eq__`` comparing ``self()``), as kombu's ``lazy`` and Django's lazy objects do.
    Reading such a value computes it; a job or a thread is never read so (kombu's ``lazy.evaluate`` and
    ``maybe_evaluate`` read "runs a job" at 0.95)."""
    if ctx.class_name is None:
        return False
    for name in _VALUE_DUNDERS:
        dunder = ctx.analysed.function(ctx.analysed.symbol(f"{ctx.class_name}.{name}"))
        if dunder is None:
            continue
        for node in ast.walk(dunder.node):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (isinstance(func, ast.Name) and func.id == "self") or (
                isinstance(func, ast.Attribute) and _attribute_of(func, "self") and func.attr in (ctx.name, "__call__")
            ):
                return True  # ``self()``, ``self.evaluate()``
    return False


def _calls_work(ctx: FunctionContext) -> list[Signal]:
    """Where a job is run by calling the workspace function that runs its own work (``job.perform()`` in a worker's
    ``perform_job``; :attr:`GraphFacts.callee_work`): the run of a job, as an SRE reads it. A private method of the
    same class that runs it is not counted here: its public caller is where that run is recommended
    (:func:`trace_advisor.advise.units.work_runs`)."""
    owner = ctx.qualname.rpartition(".")[0]
    for call in ctx.calls:
        for callee in call.workspace_callees:
            if callee not in ctx.graph.callee_work or _private_sibling(callee, ctx.module, owner):
                continue
            reason = f"runs a job: calls `{callee}`, where the job's own work runs"
            evidence = Evidence(PRIORITY, reason, call.range, callee, EvidenceKind.WORK)
            return [Signal(evidence, 0.8, Finding.CALLS_WORK)]
    return []


def _private_sibling(callee: SymbolId, module: str, owner: str) -> bool:
    """``callee`` is a private method of the class ``owner`` of ``module`` (its own transport or helper)."""
    callee_module, _, qualname = callee.partition(":")
    callee_owner, _, name = qualname.rpartition(".")
    return callee_module == module and bool(owner) and callee_owner == owner and name.startswith("_")


def _attribute_of(node: ast.expr, owner: str) -> bool:
    """``node`` is ``<owner>.<name>``."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == owner


def _submits_work(ctx: FunctionContext) -> list[Signal]:
    """Where a job is submitted: a public function taking a callable and its arguments (``enqueue(self, f, *args,
    **kwargs)``, the callable annotated as one or named ``f``/``func``/``callback``..., its last parameter before
    ``*args``) that hands all three on to another call without calling the callable itself (a wrapper calls it).
    Packing them into a value (a class's construction) submits nothing unless the function also does I/O
    (``Job(f, args, kwargs)`` then ``push(job)``)."""
    args = ctx.node.args
    if ctx.name.startswith("_") or "<locals>" in ctx.qualname or args.vararg is None or args.kwarg is None:
        return []
    star, double = args.vararg.arg, args.kwarg.arg
    # the callable right before ``*args``: what follows it are its arguments (kombu's ``basic_consume(self, queue,
    # no_ack, callback, consumer_tag, *args, **kwargs)`` passes options, registering a consumer: no job)
    callables = [a.arg for a in (*args.posonlyargs, *args.args)[-1:] if _callable_parameter(a)]
    called = {n.func.id for n in ctx.nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    waited = _waited_for(ctx)
    for call in ctx.calls:
        node = call.node
        if not isinstance(node, ast.Call) or id(node) in waited or not ctx.graph.runners.isdisjoint(call.callees):
            continue  # (a workspace function calling what it is handed runs it now: ``self._retry(method, *args)``)
        spread = {a.value.id for a in node.args if isinstance(a, ast.Starred) and isinstance(a.value, ast.Name)}
        spread |= {k.value.id for k in node.keywords if k.arg is None and isinstance(k.value, ast.Name)}
        passed = {a.id for a in node.args if isinstance(a, ast.Name)}
        passed |= {k.value.id for k in node.keywords if k.arg is not None and isinstance(k.value, ast.Name)}
        handed = [n for n in callables if n in passed and n not in called]
        if {star, double} <= spread | passed and handed and not (_builds(call) and not _does_io(ctx)):
            reason = f"takes a callable `{handed[0]}` with its arguments and hands them on to run later: submits a job"
            return [Signal(Evidence(PRIORITY, reason, call.range, call.text), 0.7, Finding.SUBMITS_WORK)]
    return []


def _waited_for(ctx: FunctionContext) -> set[int]:
    """The calls (by ``id``) whose work runs within the function's own call: awaited (``await
    loop.run_in_executor(pool, partial(func, *args))``), or handed to a thread or pool that runs it now
    (:func:`~trace_advisor.resolve.callbacks.runs_now`: ``pool.submit(fn, *args).result()``). Handing a callable on
    there runs it in another thread, not later as a job."""
    roots: list[ast.AST] = [n.value for n in ctx.nodes if isinstance(n, ast.Await)]
    roots += [c.node for c in ctx.calls if isinstance(c.node, ast.Call) and any(map(runs_now, c.callees))]
    return {id(n) for root in roots for n in ast.walk(root) if isinstance(n, ast.Call)}


def _builds(call: CallInfo) -> bool:
    """A call that only builds a value: every callee is a class (``EnqueueArgs(f, args, kwargs)``, a named tuple) or
    its ``__init__``."""
    names = [callee.rpartition(":")[2] for callee in call.callees]
    return bool(names) and all(n.endswith(".__init__") or n.rpartition(".")[2][:1].isupper() for n in names)


def _does_io(ctx: FunctionContext) -> bool:
    """The function calls a client API or a workspace function that does I/O."""
    return bool(ctx.callee_io) or any(call.api is not None for call in ctx.calls)


# Names of functions tearing a resource down (``_maybe_aclose``, ``cleanup``, ``_cancel_pending``): started as a task,
# such a function frees what an operation used once it is over; on the corpus, the 4 so started were never traced.
_TEARDOWN = re.compile(r"(^|_)(a?close|cleanup|clean_up|cancel|shutdown|teardown|dispose|release)(_|$)")


_CALLABLE_NAMES = frozenset({"f", "fn", "func", "function", "callable", "target", "callback", "cb", "coro"})
_CALLABLE_TYPES = ("Callable", "Function", "Coroutine", "Awaitable")


def _callable_parameter(arg: ast.arg) -> bool:
    """A parameter that holds a callable to run: annotated as one, or, unannotated, named like one."""
    if arg.annotation is not None:
        return any(word in expr_text(arg.annotation, 200) for word in _CALLABLE_TYPES)
    return arg.arg in _CALLABLE_NAMES


def _entry(ctx: FunctionContext) -> list[Signal]:
    signals: list[Signal] = []
    for dec in ctx.node.decorator_list:
        found = _decorator_signal(ctx, dec)
        if found is not None:
            signals.append(found)
    name_rng = ctx.range_of(ctx.node)
    params = [a.arg for a in ctx.parameters()]
    if signals:
        return signals
    if ctx.graph.registered_by:  # registered as a request handler by value: ``web.get("/core/info", api.info)``
        return [_registered(ctx, name_rng)]
    if ctx.graph.submitted_by:  # handed to a job queue by value: ``queue.enqueue(execute_query, ...)``
        caller, queue = ctx.graph.submitted_by[0]
        more = f" (and {len(ctx.graph.submitted_by) - 1} more)" if len(ctx.graph.submitted_by) > 1 else ""
        reason = f"runs as a job: handed to `{queue}` by `{caller}`{more}"
        return [Signal(Evidence(PRIORITY, reason, name_rng, "job"), 0.75, Finding.JOB)]
    # started as a task of its own with its input (``create_task(self._process(message))``), unless that task only
    # tears a resource down (``ensure_future(self._maybe_aclose(stream))``: no work anyone waits for)
    if ctx.graph.started_by and not _TEARDOWN.search(ctx.name):
        caller, primitive = ctx.graph.started_by[0]
        more = f" (and {len(ctx.graph.started_by) - 1} more)" if len(ctx.graph.started_by) > 1 else ""
        reason = f"runs as a task of its own: `{caller}` starts it with its input (`{primitive}`){more}"
        return [Signal(Evidence(PRIORITY, reason, name_rng, "task"), 0.7, Finding.TASK)]
    if ctx.name in {"lambda_handler", "handler"} and params[:2] == ["event", "context"]:
        signals.append(Signal(Evidence(PRIORITY, "AWS Lambda handler", name_rng, "lambda"), 0.9, Finding.SERVERLESS))
    elif ctx.name == "main" or ctx.symbol in ctx.analysed.main_callees():
        parses = any(c.text.endswith(("ArgumentParser", "parse_args")) for c in ctx.calls)
        what = "CLI main (argparse)" if parses else "program entry point (`main`/`__main__`)"
        signals.append(Signal(Evidence(PRIORITY, what, name_rng, "main"), 0.75, Finding.MAIN))
    elif ctx.is_method and ctx.name == "handle" and _management_command(ctx):
        what = f"Django management command (`manage.py {ctx.module.rpartition('.')[2]}`)"
        signals.append(Signal(Evidence(PRIORITY, what, name_rng, "cli"), 0.8, Finding.CLI_COMMAND))
    elif ctx.is_method and ctx.name in _VIEW_METHODS and (base := view_base(ctx)) is not None:
        evidence = Evidence(PRIORITY, f"request handler {ctx.qualname}", name_rng, "view")
        package = _package_of(base.partition(":")[0]) or _framework(ctx)  # the base's framework, else the module's
        signals.append(Signal(evidence, 0.8, Finding.ROUTE, instrumentation=package))
    elif (
        not ctx.is_method
        and params[:1] == ["request"]
        and ctx.module.split(".")[-1].startswith("views")
        and not ctx.name.startswith("_")  # a view's helper taking its request (``_get_check_for_user``)
        and "<locals>" not in ctx.qualname
    ):
        # a views module's function taking the request: Django's convention, and Pyramid's; the module's imports tell
        package = _framework(ctx) or _DJANGO
        what = "Django view function" if package == _DJANGO else "view function (a views module's `request` taker)"
        signals.append(Signal(Evidence(PRIORITY, what, name_rng, "view"), 0.75, Finding.ROUTE, instrumentation=package))
    elif not ctx.name.startswith("_") and "<locals>" not in ctx.qualname:
        signals.extend(_public_operation(ctx, name_rng))
    return signals


def _registered(ctx: FunctionContext, rng: Range) -> Signal:
    """A function a web framework calls once per request: registered as a handler by value (``web.get("/core/info",
    api.info)``, ``app.add_url_rule("/x", view_func=show)``, ``path("x/", views.show)``, ``Route("/x", show)``)."""
    first, *more = ctx.graph.registered_by
    routes = list(dict.fromkeys(_with_method(r.route, ctx.name) for r in ctx.graph.registered_by if r.route))
    served = f"handles a request to {routes[0]}" if routes else "handles requests"
    if len(routes) > 1:
        served += f" (and {len(routes) - 1} more route{'s' if len(routes) > 2 else ''})"
    by = f"registered with `{first.via}` by `{first.caller}`" + (f" (and {len(more)} more)" if more else "")
    framework = first.via.partition(":")[0]
    package = _package_of(framework) or (WEB_FRAMEWORKS["aiohttp.web"] if framework.startswith("aiohttp") else None)
    evidence = Evidence(PRIORITY, f"{served}: {by}", rng, "route")
    return Signal(evidence, 0.85, Finding.ROUTE, instrumentation=package)


def _with_method(route: str, name: str) -> str:
    """A class-based view's route with the HTTP method its handler ``name`` serves, when the registration does not
    write one (``web.view("/items", ItemsView)``: ``ItemsView.get`` handles ``GET /items``)."""
    first = route.partition(" ")[0].rstrip(",")
    if name in HTTP_METHODS and first.lower() not in HTTP_METHODS and not route.startswith("any method"):
        return f"{name.upper()} {route}"
    return route


def _public_operation(ctx: FunctionContext, rng: Range) -> list[Signal]:
    """A public function or method that orchestrates several steps is an operation worth naming."""
    distinct = meaningful_calls(ctx)
    statements = len(ctx.statements())
    if statements < 4 or len(distinct) < 3:
        return []
    strength = min(0.55, 0.2 + 0.03 * statements + 0.03 * len(distinct))
    reason = f"public {'method' if ctx.is_method else 'function'} orchestrating {len(distinct)} calls"
    if ctx.crosses_package_boundary:
        strength += 0.15
        reason += ", called from other packages"
    if ctx.graph.reachable_from_entry and ctx.graph.callers:
        strength += 0.05
        reason += ", on a path from an entry point"
    if ctx.fan_in >= 3:
        strength += 0.1
        reason += f", {ctx.fan_in} callers"
    return [Signal(Evidence(PRIORITY, reason, rng, "operation"), min(strength, 0.75), Finding.OPERATION)]

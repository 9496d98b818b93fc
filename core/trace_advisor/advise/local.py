"""The local scorer: deterministic, explainable confidence from detector evidence and configured weights.

confidence = shape x (1 - prod over priorities (1 - weight_p x evidence_p)), where evidence_p combines the
strongest three signals of priority p as a noisy-OR (1 - prod(1 - strength)). ``shape`` lowers helpers that are
private (x0.85), nested (x0.6), generators (x0.7) or tiny (0.8 for one statement rising to 1.0 at six). Trivial
functions (getters, dunders, stubs, one-line pure helpers, decorators, context-manager helpers, endless loops),
functions that already create a span, silenced functions, thin wrappers of a single call that an installed
auto-instrumentation already traces and health or readiness probes are never recommended.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from trace_advisor.added_instrumentation import ADDED_IN_CODE
from trace_advisor.advise.capture import capture_for
from trace_advisor.advise.instrumentation_hints import gives as gives_spans
from trace_advisor.advise.instrumentation_hints import install_sentence
from trace_advisor.advise.instrumentation_hints import wanted as wanted_spans
from trace_advisor.attribute_safety import AttributePolicy
from trace_advisor.config_model import Config
from trace_advisor.datatypes import InstallNote, Recommendation
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.django_databases import DJANGO_QUERIES
from trace_advisor.detect.existing import existing_span, ignored
from trace_advisor.detect.external_io import io_operations
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.detect.graph_facts import PROBE
from trace_advisor.detect.once import cached_without_arguments, guard_flag
from trace_advisor.detect.shape import meaningful_calls, shape_of

_MAX_EFFECT = 0.95  # one priority alone never claims certainty
_INSTRUMENTED_FACTOR = 0.35  # evidence an installed instrumentation already traces counts for this much
_IO_PRIORITIES = frozenset({"external_io", "message_bus"})
# Evidence that a short function still does something beyond one external call.
_SUBSTANCE = frozenset(
    {
        Finding.CONTEXT_GAP,
        Finding.IO_LOOP,
        Finding.CALLS_IO_FUNCTION_IN_LOOP,
        Finding.RETRIES,
        Finding.FAN_OUT,
        Finding.CONCURRENT,
        Finding.TASK_CONSUMER,
        Finding.MESSAGE_CONSUMER,
        Finding.CLI_COMMAND,
        Finding.MAIN,
        Finding.JOB,
        Finding.TASK,
        Finding.SERVERLESS,
        Finding.POLLING,
        Finding.NESTED_LOOPS,
    }
)
# Findings about how a function works rather than what it does (it orchestrates calls, fans work out, holds an async
# resource, awaits often): they support a recommendation and lead it only when nothing else was found. In an SDK,
# "public method orchestrating 4 calls" led hundreds of resource operations whose HTTP call was found too.
_SUPPORTING = frozenset(
    {
        Finding.OPERATION,
        Finding.FAN_OUT,
        Finding.CONCURRENT,
        Finding.ASYNC_RESOURCE,
        Finding.AWAITS,
        Finding.ASYNC_STREAM,
    }
)
# How a function runs, not work it does: returning early on a guard, awaiting, an ``async with`` resource, an
# ``async for`` stream. Alone (no I/O, route, task, error handling, other branch or computation found) they recommend
# nothing: a converter that returns early on one input, a coroutine that enters its aggregator's lock and awaits, are
# plumbing until something says what they do.
_FLOW_ONLY = frozenset({Finding.EARLY_EXIT, Finding.ASYNC_RESOURCE, Finding.AWAITS, Finding.ASYNC_STREAM})
# Orchestration is no work either: "public method orchestrating 4 calls" with nothing but flow beside it recommended
# 195 functions on the 20 real projects whose maintainers placed their spans, 29 of them traced (stripe's
# MultipartDataGenerator.add_params and StripeObject.serialize). Fanning out stays: a parent for concurrent children.
# Handing work to an executor or a thread is how it runs too (its finding is the context fix, not work): alone it was
# traced 0 times out of 12 on the corpus (flower's ``BlockingOperationRunner.run``: 0.57 with the boosted model).
_HOW_IT_RUNS = _FLOW_ONLY | {Finding.OPERATION, Finding.CONTEXT_GAP}
# How a function treats its errors and which way it branches: a handler that swallows or translates, a guard that
# raises, a feature flag or an early exit. Alone (no I/O, entry point, state change, computation, hand-off or
# orchestration found) they recommend nothing, unless the function runs a callable it cannot see (a dispatcher, whose
# error handling is the boundary of that work): on 15 real projects whose maintainers placed their spans, such
# functions were traced 5 times out of 98, input validation and best-effort helpers that log (``except Exception:
# logger.debug(...)``) around in-memory work; a failure shows on the span of the operation above. A handler that
# notes a failure and re-raises it (or a retry) keeps its evidence: the boundary where a failure is seen and passed on
# (5 traced out of 10).
_HANDLING_ONLY = _FLOW_ONLY | {
    Finding.SWALLOWS,
    Finding.TRANSLATES,
    Finding.RAISES,
    Finding.SKIPS,
    Finding.FEATURE_FLAG,
    Finding.CACHE_BRANCH,
    Finding.IO_BRANCH,
}
_HANDLING_PRIORITIES = frozenset({"exceptions", "branches", "async_boundaries"})
_MESSAGE_IO = frozenset({Finding.PUBLISHES, Finding.RECEIVES})
_TASKS = frozenset({Finding.TASK_CONSUMER, Finding.JOB})
SERVER_SPAN_SHOWS = frozenset({Finding.ROUTE, Finding.EARLY_EXIT})  # a request's route, status and duration
# A test double a package ships for its users' tests (dramatiq's StubBroker, httpx's MockTransport, Django's
# DummyCache): it stands in for the real client in tests, where nobody reads its spans.
_TEST_DOUBLE = re.compile(r"^_*(Stub|Fake|Mock|Dummy)[A-Z]|[a-z](Stub|Fake|Mock|Dummy)$")


def served_request(signals: Sequence[Signal]) -> bool:
    """A request handler of a web framework whose instrumentation gives each request its server span."""
    return any(s.finding is Finding.ROUTE and s.instrumentation is not None for s in signals)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The scorer's decision about one function, kept even when nothing is recommended (for explanations/tests).

    A function that already creates a span is scored as if it had none (``traced`` says which span): coverage counts
    the functions that deserve a span whether or not they have one; only untraced ones become recommendations.
    """

    confidence: float
    priority: str | None
    reasons: tuple[str, ...]  # why skipped (confidence 0), or that it is already traced
    signals: tuple[Signal, ...]
    traced: str | None = None  # the existing span, e.g. "decorated with tracer.start_as_current_span"
    consistency: str | None = None  # why it was raised to match its class (advise.units), shown in the rationale
    # a request handler's framework instrumentation, not installed yet, that would give it its server span (its
    # route evidence counts as if installed: what deserves a span here is what the handler does inside the request)
    covered_by: str | None = None
    # skipped only because all it shows is how it handles errors and branches (what an operation's other
    # implementations may still make worth a span: analysis' consistency across implementations)
    handling_only: bool = False
    # skipped only because nothing found is work of its own (no evidence, only how it runs or orchestrates, only how
    # it handles errors): a unit of work running in it (advise.units.with_run) still makes it worth a span
    no_work: bool = False

    def deserves_span(self, min_confidence: float) -> bool:
        """Whether the function is worth a span at ``min_confidence``, traced or not."""
        return self.priority is not None and self.confidence >= min_confidence


class LocalScorer:
    """Turns detector signals into recommendations using the config's weights and thresholds."""

    def __init__(
        self,
        config: Config,
        installed: frozenset[str] = frozenset(),
        set_up: Mapping[str, str] | None = None,
        queries: tuple[str, ...] = (),
    ) -> None:
        self.config = config
        self.policy = AttributePolicy(config.spans.sensitive_names)
        # instrumentation packages installed, or whose spans the project's code sets up (``set_up``: package -> the
        # setup as the rationale names it, e.g. "FlaskInstrumentor (app/__init__.py:11)")
        self.set_up = dict(set_up or {})
        self.installed = installed | frozenset(self.set_up)
        # the database drivers' instrumentation spanning Django ORM queries in this workspace (detect.django_databases)
        self.queries = queries
        self.instrumentation = (self.installed, tuple(sorted(self.set_up.items())), queries)  # what verdicts depend on
        # whether detectors of work ran (not only error handling and branches, ``--priorities exceptions``): only then
        # does finding nothing but handling say there is no work
        self._looks_for_work = any(config.weight(p) > 0 for p in config.priorities if p not in _HANDLING_PRIORITIES)

    def packages(self, instrumentation: str) -> tuple[str, ...]:
        """The packages an evidence's ``instrumentation`` stands for: itself, or for a Django ORM query the
        workspace's database drivers' (Sentry's Django integration, when the code sets it up, spans them itself)."""
        if instrumentation != DJANGO_QUERIES or DJANGO_QUERIES in self.installed:
            return (instrumentation,)
        return self.queries

    def covers(self, instrumentation: str) -> bool:
        """Whether an installed (or set up) instrumentation traces what an evidence's ``instrumentation`` names."""
        return any(p in self.installed for p in self.packages(instrumentation))

    def _strength(self, signal: Signal, handler: bool = False) -> float:
        """A signal's strength, lowered for what an instrumentation shows already: an installed package's spans, and
        a request handler's server span (``handler``: its framework's instrumentation, installed or not yet, then
        advised once for the workspace, InstrumentationHint), which shows its route, status and early exits."""
        if signal.instrumentation is not None and self.covers(signal.instrumentation):
            return signal.strength * _INSTRUMENTED_FACTOR
        if handler and signal.finding in SERVER_SPAN_SHOWS:
            return signal.strength * _INSTRUMENTED_FACTOR
        return signal.strength

    def server_span(self, signals: Sequence[Signal]) -> str | None:
        """The web framework instrumentation, not installed or set up, that would give a request handler its server
        span (None when the function is no such handler)."""
        return next(
            (
                s.instrumentation
                for s in signals
                if s.finding is Finding.ROUTE
                and s.instrumentation is not None
                and s.instrumentation not in self.installed
            ),
            None,
        )

    def verdict(self, ctx: FunctionContext, signals: Sequence[Signal], *, traced: str | None = None) -> Verdict:
        """Confidence and primary priority for one function, or 0 with the reason it is skipped. ``traced`` names the
        span of a function whose ``ctx`` and ``signals`` were built :func:`without_span` (else ctx's own is used)."""
        if ignored(ctx):
            return Verdict(0.0, None, ("silenced with `# trace-advisor: ignore`",), tuple(signals))
        existing = traced or existing_span(ctx) or self._spanned_in_place(signals)
        verdict = self._score(ctx, signals)
        if existing:
            return dataclasses.replace(
                verdict, reasons=(f"already traced: {existing}", *verdict.reasons), traced=existing
            )
        server = self.server_span(signals)
        return dataclasses.replace(verdict, covered_by=server) if server is not None else verdict

    def _spanned_in_place(self, signals: Sequence[Signal]) -> str | None:
        """The setup that spans this very function, when the code sets one up: instrumentation the code adds
        (strawberry's OpenTelemetryExtension) gives a GraphQL resolver a span around exactly its body (a web
        framework's server span covers the whole request, whose handler may still name work of its own)."""
        for s in signals:
            if s.finding is Finding.ROUTE and s.instrumentation in ADDED_IN_CODE and s.instrumentation in self.set_up:
                return self.set_up[s.instrumentation]
        return None

    def _score(self, ctx: FunctionContext, signals: Sequence[Signal]) -> Verdict:
        shape = shape_of(ctx, has_work(signals))
        if shape.trivial:
            return Verdict(0.0, None, (f"trivial: {shape.trivial}",), tuple(signals))
        if PROBE.match(ctx.name) and any(s.finding is Finding.ROUTE for s in signals):
            probe = "a health or readiness probe: called every few seconds for the service's life, one trace per probe"
            return Verdict(0.0, None, (probe,), tuple(signals))
        if ctx.graph.probed_by:
            probes = ", ".join(f"`{p.partition(':')[2]}`" for p in ctx.graph.probed_by)
            probed = f"reached only from health or readiness probes ({probes}): one trace per probe, as theirs"
            return Verdict(0.0, None, (probed,), tuple(signals))
        if ctx.class_name is not None and _TEST_DOUBLE.search(ctx.class_name):
            double = f"a method of a test double ({ctx.class_name}): it stands in for the real one in tests"
            return Verdict(0.0, None, (double,), tuple(signals))
        once = runs_once(ctx)
        if once:
            return Verdict(0.0, None, (once,), tuple(signals))
        wrapped = self._only_wraps_instrumented(ctx, signals)
        if wrapped:
            return Verdict(0.0, None, (f"only wraps a call {wrapped} already traces",), tuple(signals))
        effects = self.effects(signals)
        if not effects or max(effects.values()) <= 0:
            return Verdict(0.0, None, ("no evidence",), tuple(signals), no_work=True)
        if all(s.finding in _HOW_IT_RUNS for s in signals):
            flow = f"only how it runs ({_reasons(signals)}), no work of its own"
            return Verdict(0.0, None, (flow,), tuple(signals), no_work=True)
        if self._looks_for_work and all(s.finding in _HANDLING_ONLY for s in signals) and not runs_unseen_callable(ctx):
            handling = f"only how it handles errors and branches ({_reasons(signals)}), no work of its own"
            return Verdict(0.0, None, (handling,), tuple(signals), handling_only=True, no_work=True)
        miss = 1.0
        for effect in effects.values():
            miss *= 1.0 - effect
        factor = 0.8 + 0.2 * min(1.0, max(shape.statements - 1, 0) / 5)
        if ctx.name.startswith("_"):
            factor *= 0.85
        if "<locals>" in ctx.qualname:
            factor *= 0.6
        if shape.generator:
            factor *= 0.55
        work = 3 if any(s.finding in _SUBSTANCE for s in signals) else len(meaningful_calls(ctx))
        factor *= 1.0 if work >= 3 else (0.9 if work == 2 else 0.75)
        thin = self._thin_io_wrapper(ctx, signals)
        if thin is not None:
            factor *= 0.7 if thin == "" else 0.45
        if self._thin_delegator(ctx, signals):
            factor *= 0.5
        primary = _lead_order(effects, signals)[0]
        return Verdict(round(min(0.99, factor * (1.0 - miss)), 4), primary, (), tuple(signals))

    def effects(self, signals: Sequence[Signal]) -> dict[str, float]:
        """Per priority: weight x noisy-OR of its three strongest signals (capped below certainty)."""
        effects: dict[str, float] = {}
        handler = served_request(signals)
        for priority in sorted({s.evidence.priority for s in signals}):
            strengths = sorted(
                (self._strength(s, handler) for s in signals if s.evidence.priority == priority), reverse=True
            )
            miss = 1.0
            for value in strengths[:3]:
                miss *= 1.0 - min(value, 1.0)
            effects[priority] = min(self.config.weight(priority) * (1.0 - miss), _MAX_EFFECT)
        return effects

    def _only_wraps_instrumented(self, ctx: FunctionContext, signals: Sequence[Signal]) -> str | None:
        """The instrumentation package when the function is just one call that package already traces."""
        io = [s for s in signals if s.evidence.priority in _IO_PRIORITIES]
        at_io_calls = {c.range for c in ctx.calls if c.api is not None}  # findings about the call itself
        other = [
            s
            for s in signals
            if s.evidence.priority not in _IO_PRIORITIES | {"async_boundaries"}
            and s.strength >= 0.5
            and s.evidence.range not in at_io_calls
        ]
        if len(io) != 1 or other or len(ctx.body_without_docstring()) > 3:
            return None
        package = io[0].instrumentation
        if package is None:
            return None
        shown = (self.set_up[p] if p == DJANGO_QUERIES else p for p in self.packages(package) if p in self.installed)
        return ", ".join(shown) or None

    def _thin_io_wrapper(self, ctx: FunctionContext, signals: Sequence[Signal]) -> str | None:
        """For a short function around one external operation: the instrumentation package that could trace that
        operation ("" when none exists), or None when the function does more than that."""
        if any(s.finding in _SUBSTANCE for s in signals) or len(ctx.statements()) > 4:
            return None
        direct = [s for s in signals if s.finding is Finding.CLIENT_CALL or s.finding in _MESSAGE_IO]
        if not direct or len(io_operations(ctx)) > 1:
            return None
        if all(s.api is not None and s.api.kind == "subprocess" for s in direct):
            return None  # no auto-instrumentation covers subprocesses: the wrapper is the only place for a span
        packages = sorted({s.instrumentation for s in direct if s.instrumentation is not None})
        return packages[0] if packages else ""

    def _thin_delegator(self, ctx: FunctionContext, signals: Sequence[Signal]) -> bool:
        """A one-statement body whose only evidence is a call to a workspace function that does the I/O."""
        body = ctx.body_without_docstring()
        if len(body) != 1 or not isinstance(body[0], ast.Return | ast.Expr):
            return False
        delegated = [s.evidence.detail for s in signals if s.delegated]
        if any(_private_helper_of(ctx, symbol) for symbol in delegated):
            return False  # a private transport helper is an implementation detail: this is the operation
        return all(s.delegated or s.evidence.priority in {"entry_points", "async_boundaries"} for s in signals)

    def recommend(
        self, ctx: FunctionContext, signals: Sequence[Signal], verdict: Verdict | None = None
    ) -> Recommendation | None:
        """A recommendation when the function has no span and its confidence reaches ``min_confidence``."""
        verdict = verdict if verdict is not None else self.verdict(ctx, signals)
        if verdict.traced is not None or verdict.priority is None or verdict.confidence < self.config.min_confidence:
            return None
        handler = served_request(verdict.signals)
        ranked = sorted(
            verdict.signals,
            key=lambda s: (
                -self.config.weight(s.evidence.priority) * self._strength(s, handler),
                s.evidence.range.start,
            ),
        )
        return Recommendation(
            symbol=ctx.symbol,
            file=str(ctx.analysed.path),
            qualname=ctx.qualname,
            range=ctx.full_range(),
            name_range=ctx.name_range(),
            priority=verdict.priority,
            rationale=self.rationale(ranked) + (f" {verdict.consistency}." if verdict.consistency else ""),
            confidence=verdict.confidence,
            capture=capture_for(ctx, ranked, self.policy),
            code_block=ctx.code(),
            source="local",
            evidence=tuple(s.evidence for s in ranked),
            installs=self.installs(ranked),
        )

    def rationale(self, ranked: Sequence[Signal]) -> str:
        """A sentence a person can read: the strongest reason of each of the three leading priorities (calls into
        workspace functions that do I/O are summarised together; supporting evidence after the rest, _lead_order),
        then what auto-instrumentation covers."""
        order = _lead_order(self.effects(ranked), ranked)
        reasons: list[str] = []
        for priority in order[:3]:
            signals = [s for s in ranked if s.evidence.priority == priority]
            direct = [s for s in signals if not s.delegated]
            delegated = sorted({s.evidence.detail for s in signals if s.delegated})
            if direct and priority == "external_io":
                shown = _one_per_system(direct)[:2]
                reason = " and ".join(
                    [shown[0].evidence.reason, *(s.evidence.reason.removeprefix("calls ") for s in shown[1:])]
                )
                others = len({s.evidence.detail for s in direct} - {s.evidence.detail for s in shown})
                if others:
                    reason += f" (and {_count(others, 'more client call')})"
                if delegated:
                    reason += f"; calls {_count(len(delegated), 'workspace function')} doing I/O ({_names(delegated)})"
            elif direct:
                reason = direct[0].evidence.reason
            else:
                first = next(s for s in signals if s.delegated)
                reason = first.evidence.reason
                rest = [d for d in delegated if d != first.evidence.detail]
                if rest:
                    reason += f" and {_count(len(rest), 'more function')} doing I/O ({_names(rest)})"
            reasons.append(reason)
        text = "; ".join(reasons)
        text = text[:1].upper() + text[1:]
        text += self._instrumentation_note(ranked)
        hot = next((s for s in ranked if s.finding is Finding.HOT_PATH), None)
        if hot is not None and hot.evidence.priority not in order[:3]:  # the figures are always worth reading
            text += f". {hot.evidence.reason[:1].upper()}{hot.evidence.reason[1:]}"
        return text + "."

    def _instrumentation_note(self, ranked: Sequence[Signal]) -> str:
        """What instrumentation packages give beside this span: a web framework's package each request's server span
        (the route's evidence), a task queue's package each task run's span, a client library's package the client
        call's own span; those installed already, else those to install (:meth:`installs`)."""
        groups = self._instrumentation_groups(ranked)
        traced = {p for group, _, _ in groups for p in group} & self.installed
        if traced:
            gives = [
                f"{', '.join(sorted(self.set_up.get(p, p) for p in group & traced))} already {what}"
                for group, what, _ in groups
                if group & traced
            ]
            return f". {'; '.join(gives)}: this span names the work inside it"
        return install_sentence(self.installs(ranked))

    def installs(self, ranked: Sequence[Signal]) -> tuple[InstallNote, ...]:
        """The instrumentation packages the rationale says to install (none when one it names is installed: it says
        what that one gives instead)."""
        groups = self._instrumentation_groups(ranked)
        if any(group & self.installed for group, _, _ in groups):
            return ()
        return tuple(InstallNote(tuple(sorted(group)), wanted) for group, _, wanted in groups if group)

    def _instrumentation_groups(self, ranked: Sequence[Signal]) -> tuple[tuple[set[str], str, str], ...]:
        """The instrumentation packages the evidence names: a web framework's (server), a task queue's, a client
        library's; each with what it does and what it would give."""
        server = {s.instrumentation for s in ranked if s.instrumentation is not None and s.finding is Finding.ROUTE}
        task = {s.instrumentation for s in ranked if s.instrumentation is not None and s.finding in _TASKS} - server
        named = {p for s in ranked if s.instrumentation is not None for p in self.packages(s.instrumentation)}
        client = named - server - task
        return (
            *(({p}, f"gives {gives_spans(p)}", wanted_spans(p)) for p in sorted(server)),
            (task, "gives each task run its span", "each task run's span"),
            (client, "traces the call itself", "the client spans themselves"),
        )

    @staticmethod
    def ordered(recommendations: Iterable[Recommendation]) -> list[Recommendation]:
        """Every recommendation, in file and line order. There is no per-file cap on the decision: a client class
        whose 25 public operations each deserve a span gets 25 (the editor shows the strongest ``max_per_file`` of a
        file and says how many more there are)."""
        return sorted(recommendations, key=lambda r: (r.file, r.range.start))


def has_work(signals: Sequence[Signal]) -> bool:
    """The evidence shows work of the function's own: I/O, a message, a route, a job or another entry point (at least
    half strong). Orchestration ("public method orchestrating 4 calls"), fanning out or awaiting is how a function
    works, not work: it does not count."""
    return any(
        s.evidence.priority in _IO_PRIORITIES | {"entry_points"} and s.strength >= 0.5 and s.finding not in _SUPPORTING
        for s in signals
    )


def _lead_order(effects: Mapping[str, float], signals: Sequence[Signal]) -> list[str]:
    """The priorities with evidence, strongest first, except that those whose every signal only supports (how the
    function works: it orchestrates, fans out, awaits) come after the others: the primary priority and the rationale
    lead with what the function does (the I/O, the route, the error handling)."""
    supporting = {p for p in effects if all(s.finding in _SUPPORTING for s in signals if s.evidence.priority == p)}
    return sorted((p for p in effects if effects[p] > 0), key=lambda p: (p in supporting, -effects[p], p))


def _reasons(signals: Sequence[Signal]) -> str:
    return "; ".join(dict.fromkeys(s.evidence.reason for s in signals))


def runs_unseen_callable(ctx: FunctionContext) -> bool:
    """It calls a callable value it was given or looked up (``handler(request, **params)``) that resolves to nothing:
    the work it runs is unseen, and its error handling may be the boundary of that work (a dispatcher's)."""
    return any(not c.resolved and isinstance(c.node, ast.Call) and isinstance(c.node.func, ast.Name) for c in ctx.calls)


def _private_helper_of(ctx: FunctionContext, symbol: str) -> bool:
    """``symbol`` is a private function of the same module (``_request`` behind ``refund``)."""
    module, _, qualname = symbol.partition(":")
    return module == ctx.module and qualname.rsplit(".", 1)[-1].startswith("_")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _names(symbols: list[str], limit: int = 3) -> str:
    """Short qualnames of workspace functions for a rationale: ``OrderRepository.add, ...``."""
    names = [s.split(":")[-1] for s in symbols[:limit]]
    return ", ".join(names) + (", ..." if len(symbols) > limit else "")


def _one_per_system(signals: list[Signal]) -> list[Signal]:
    """The first signal of each external system (sqlite, http, redis...), strongest first."""
    seen: set[str] = set()
    out: list[Signal] = []
    for signal in signals:
        system = signal.api.system if signal.api is not None else signal.evidence.detail
        if system not in seen:
            seen.add(system)
            out.append(signal)
    return out


def runs_once(ctx: FunctionContext) -> str | None:
    """Why a function's work runs once per process, if it does (:mod:`trace_advisor.detect.once`): a memoised
    getter or one guarded by a module-level flag it sets. Every call but the first returns at once: its span would
    be an empty one in every trace (a getter of the logger or the settings is called everywhere), and the first
    call's work is start-up's, not the requests'."""
    scope = ctx.function.scope
    if cached_without_arguments([d.text for d in scope.decorators], scope.params):
        return "runs once per process (a cached getter without parameters): later calls return the first answer"
    flag = guard_flag(ctx.node)
    if flag is not None:
        return f"runs its work once per process (under `{flag}`): later calls return at once"
    return None

"""Conditional branches whose outcomes differ observably: cache hit/miss, feature flags, early exits."""

from __future__ import annotations

import ast
import re

from trace_advisor.datatypes import Evidence
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.detect.names import expr_text

PRIORITY = "branches"
# Whole words of the names a condition reads (``flag_counts`` -> flag, counts; ``isEnabled`` -> is, enabled), never
# parts of words: ``memory`` is no memo, ``github`` no hit.
_FLAG_WORDS = frozenset(
    {"feature", "features", "flag", "flags", "toggle", "toggles", "experiment", "experiments", "rollout", "enabled"}
    | {"dry", "beta"}
)
_CACHE_WORDS = frozenset(
    {"cache", "caches", "cached", "caching", "memo", "memoize", "memoized", "memoise", "memoised"}
    | {"hit", "hits", "miss", "misses"}
)
# A condition reading one of these only decides whether telemetry is recorded (``if not self.tracing_enabled:``,
# ``if self._tracer is None:``): the project's own tracing switch, not a behaviour a trace should tell apart.
_TELEMETRY_WORDS = frozenset(
    {"tracing", "tracer", "tracers", "telemetry", "otel", "opentelemetry", "instrumentation", "instrumented"}
)  # not "trace" or "span": traces and spans are the data of observability products
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def words(text: str) -> frozenset[str]:
    """The lower-case words of the identifiers in ``text``: snake_case and camelCase split."""
    return frozenset(w.lower() for name in _IDENTIFIER.findall(text) for w in _WORD.findall(name))


def _read_words(test: ast.expr) -> frozenset[str]:
    """Words of what a condition reads as a switch: the names, attributes and calls (with their string arguments,
    ``options.get("enable-x")``) it tests for truth, through ``not``/``and``/``or``. A comparison is a decision on data
    (``flag == "anomaly"``, ``"x" in flag_counts``, ``scores is None``), no switch."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _read_words(test.operand)
    if isinstance(test, ast.BoolOp):
        return frozenset().union(*(_read_words(v) for v in test.values))
    if isinstance(test, ast.Compare) or _type_check(test):
        return frozenset()
    texts = [expr_text(test, 200)]
    if isinstance(test, ast.Call):
        texts += [a.value for a in test.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return frozenset().union(*(words(t) for t in texts))


def _type_check(test: ast.expr) -> bool:
    """``isinstance(event, BetaMessageStartEvent)``, ``hasattr(x, "enabled")``: a decision on the data's type, like a
    comparison, whatever its words (pydantic-ai's stream handler read "feature flag" for a ``Beta...`` event class)."""
    return (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id in {"isinstance", "issubclass", "hasattr", "callable"}
    )


def _log_level_check(test: ast.expr) -> bool:
    """``log.isEnabledFor(logging.DEBUG)``, ``logger.getEffectiveLevel() <= ...``: whether a log line is worth
    building, not a behaviour."""
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _LOG_LEVEL_METHODS
        for n in ast.walk(test)
    )


_LOG_LEVEL_METHODS = frozenset({"isEnabledFor", "getEffectiveLevel"})
_DISPLAYS = (ast.List, ast.Dict, ast.Set, ast.Tuple, ast.ListComp, ast.DictComp, ast.SetComp)


def _is_cache(text: str) -> bool:
    found = words(text) & _CACHE_WORDS
    return bool(found - {"memo"}) or (bool(found) and not _MEMO_FIELD.search(text))


# ``invoice_data.memo``: a memo that is a field of some value (a payment's description), not the function's own memo
# (``self._memo``, a ``memo`` dict)
_MEMO_FIELD = re.compile(r"(?<!\bself)(?<!\bcls)\.\w*memo\b")


def returns_cached_first(body: list[ast.stmt]) -> bool:
    """Whether the body returns a cached value before its first ``try`` (``if self.cache is not None: return
    self.cache``): a memoized function, whose handlers run only on a miss."""
    for stmt in body:
        if isinstance(stmt, ast.Try):
            return False
        if isinstance(stmt, ast.If) and _is_cache(ast.unparse(stmt.test)) and isinstance(stmt.body[-1], ast.Return):
            return True
    return False


def _exits(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], ast.Return | ast.Raise | ast.Continue | ast.Break)


def _api_in(api_lines: list[int], nodes: list[ast.stmt]) -> bool:
    """Whether a client call starts on a line of the block (cheaper than walking it)."""
    if not nodes:
        return False
    first, last = nodes[0].lineno, nodes[-1].end_lineno or nodes[-1].lineno
    return any(first <= line <= last for line in api_lines)


def detect(ctx: FunctionContext) -> list[Signal]:
    signals: list[Signal] = []
    body = ctx.body_without_docstring()
    if not any(isinstance(n, ast.If) for n in ctx.nodes):
        return signals
    texts = {id(c.node): c.text for c in ctx.calls if c.node is not None}
    api_lines = [c.range.start.line for c in ctx.calls if c.api is not None]
    cache_names: set[str] = set()  # names bound to what a cache-like call returns (``cached = cache.get(key)``)
    built: set[str] = set()  # collections the function builds (``cache_tags = []``): testing one reads no cache
    for n in ctx.nodes:
        if isinstance(n, ast.Assign):
            if isinstance(n.value, ast.Call) and _is_cache(texts.get(id(n.value), "")):
                cache_names.update(t.id for t in n.targets if isinstance(t, ast.Name))
            elif isinstance(n.value, _DISPLAYS):
                built.update(t.id for t in n.targets if isinstance(t, ast.Name))
    early_exits = 0
    for node in ctx.nodes:
        if not isinstance(node, ast.If):
            continue
        test = expr_text(node.test, 100)
        rng = ctx.range_of(node)
        names = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
        if words(ast.unparse(node.test)) & _TELEMETRY_WORDS or _log_level_check(node.test):
            continue  # the project's tracing switch (see _TELEMETRY_WORDS), or the log's verbosity
        if (_is_cache(test) and not (names and names <= built)) or names & cache_names:
            signals.append(
                Signal(Evidence(PRIORITY, f"cache hit/miss on `{test}`", rng, test), 0.8, Finding.CACHE_BRANCH)
            )
        elif _api_in(api_lines, node.body) != _api_in(api_lines, node.orelse):
            signals.append(
                Signal(
                    Evidence(PRIORITY, f"`{test}` decides whether external calls happen", rng, test),
                    0.5,
                    Finding.IO_BRANCH,
                )
            )
        elif _read_words(node.test) & _FLAG_WORDS:
            signals.append(
                Signal(
                    Evidence(PRIORITY, f"feature flag `{test}` changes behaviour", rng, test), 0.6, Finding.FEATURE_FLAG
                )
            )
        elif node in body[:-1] and _exits(node.body) and ctx.loop_depth(node) == 0:
            early_exits += 1
            if early_exits <= 2:
                signals.append(
                    Signal(Evidence(PRIORITY, f"exits early when `{test}`", rng, test), 0.3, Finding.EARLY_EXIT)
                )
    return signals

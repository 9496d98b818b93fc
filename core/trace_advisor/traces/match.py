"""Which workspace function an exported span belongs to: through the ``code.*`` attributes when the span has them,
else through its name and instrumentation scope (``trace.get_tracer(__name__)`` makes the scope the module)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from trace_advisor.datatypes import SymbolId, span_name
from trace_advisor.traces.otlp import ObservedSpan

# Scopes of instrumentation libraries: their spans (``GET /orders``, ``SELECT``) are about libraries, never one of
# the workspace's functions, even when a name happens to match.
_LIBRARY_SCOPES = ("opentelemetry.instrumentation.", "opentelemetry.sdk", "io.opentelemetry")


@dataclass(frozen=True, slots=True)
class CodeFunction:
    """A function of the workspace as the traces are matched against it."""

    symbol: SymbolId
    module: str
    qualname: str
    file: str  # absolute path
    line: int  # the def line
    written_spans: tuple[str, ...]  # literal names of the spans it starts in code
    traced: bool  # it starts a span in code (with a literal name or not)


class SpanMatcher:
    """Maps spans to the symbols of ``functions``; spans of libraries and names that fit several functions map to
    nothing rather than to a guess. ``names``: the workspace-unique span names ``apply`` and ``trace_advisor.runtime``
    give functions without a span of their own (``orders.OrderService.place`` where ``OrderService.place`` is not
    unique; span_names.py), matched beside ``Class.method``."""

    def __init__(self, functions: Sequence[CodeFunction], names: Mapping[SymbolId, str] | None = None) -> None:
        self.functions = {f.symbol: f for f in functions}
        self.modules = {f.module for f in functions}
        self._qualnames: dict[tuple[str, str], list[CodeFunction]] = defaultdict(list)
        self._in_module: dict[tuple[str, str], list[SymbolId]] = defaultdict(list)
        self._written: dict[str, list[SymbolId]] = defaultdict(list)
        self._engine: dict[str, list[SymbolId]] = defaultdict(list)
        self._files: dict[str, list[CodeFunction]] = defaultdict(list)  # by absolute path
        for f in functions:
            self._qualnames[(f.module, f.qualname)].append(f)
            self._files[f.file].append(f)
            for name in f.written_spans:
                _add(self._in_module[(f.module, name)], f.symbol)
                _add(self._written[name], f.symbol)
            if not f.written_spans:  # what trace_advisor.runtime and ``apply`` name its span
                for engine in {span_name(f.qualname), (names or {}).get(f.symbol) or span_name(f.qualname)}:
                    _add(self._in_module[(f.module, engine)], f.symbol)
                    _add(self._engine[engine], f.symbol)
        self._packages = {m.partition(".")[0] for m in self.modules}

    def symbol_of(self, span: ObservedSpan) -> SymbolId | None:
        found = self._by_attributes(span)
        if found is not None:
            return found
        if span.scope.startswith(_LIBRARY_SCOPES):
            return None
        if span.scope in self.modules:
            return _only(self._in_module.get((span.scope, span.name), ()))
        written = _only(self._written.get(span.name, ()))
        if written is not None:
            return written
        # a tracer named after the application's package (``get_tracer("shop")``) or none at all
        if not span.scope or span.scope.partition(".")[0] in self._packages:
            return _only(self._engine.get(span.name, ()))
        return None

    def _by_attributes(self, span: ObservedSpan) -> SymbolId | None:
        attributes = span.attributes
        function = _text(attributes.get("code.function.name")) or _text(attributes.get("code.function"))
        if not function:
            return None
        namespace = _text(attributes.get("code.namespace"))
        line = attributes.get("code.line.number", attributes.get("code.lineno"))
        dotted = f"{namespace}.{function}" if namespace else function
        for candidates in (self._split(dotted), self._in_file(span, function)):
            chosen = _at_line(candidates, line)
            if chosen is not None:
                return chosen.symbol
        return None

    def _split(self, dotted: str) -> list[CodeFunction]:
        """``pkg.mod.Class.method`` (semantic conventions 1.30+: the fully qualified name) split where the module
        ends; the longest module that has such a function wins."""
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            found = self._qualnames.get((".".join(parts[:cut]), ".".join(parts[cut:])))
            if found:
                return found
        return []

    def _in_file(self, span: ObservedSpan, function: str) -> list[CodeFunction]:
        """Functions named ``function`` (a qualname or its last part) in the file of ``code.file.path``: the analysed
        file whose path ends with the most of its parts (the traces may come from another machine or a container),
        at least its folder and name."""
        path = _text(span.attributes.get("code.file.path")) or _text(span.attributes.get("code.filepath"))
        if not path:
            return []
        wanted = PurePath(path).parts
        best, tied, best_common = None, False, 0
        for file, members in self._files.items():
            common = _common_tail(PurePath(file).parts, wanted)
            if common > best_common:
                best, tied, best_common = members, False, common
            elif common == best_common and common:
                tied = True
        if best is None or tied or best_common < min(2, len(wanted)):
            return []
        return [f for f in best if f.qualname == function or f.qualname.endswith("." + function)]


# what ``SpanMatcher.symbol_of`` reads of a span: spans alike in these map to the same function
_MATCHED_ATTRIBUTES = (
    "code.function.name",
    "code.function",
    "code.namespace",
    "code.line.number",
    "code.lineno",
    "code.file.path",
    "code.filepath",
)


def match_key(span: ObservedSpan) -> tuple[object, ...]:
    """Everything :meth:`SpanMatcher.symbol_of` depends on (a trace has many spans alike: each is matched once)."""
    get = span.attributes.get
    return (span.scope, span.name, *[get(key) for key in _MATCHED_ATTRIBUTES])


def _common_tail(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    count = 0
    while count < min(len(a), len(b)) and a[-1 - count] == b[-1 - count]:
        count += 1
    return count


def _add(bucket: list[SymbolId], symbol: SymbolId) -> None:
    if symbol not in bucket:
        bucket.append(symbol)


def _only(symbols: Iterable[SymbolId]) -> SymbolId | None:
    found = list(symbols)
    return found[0] if len(found) == 1 else None


def _at_line(candidates: list[CodeFunction], line: object) -> CodeFunction | None:
    if len(candidates) == 1:
        return candidates[0]
    if isinstance(line, int) and candidates:
        before = [f for f in candidates if f.line <= line]
        return max(before, key=lambda f: f.line) if before else None
    return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""

"""Workspace-level advice: install a web framework's instrumentation, which gives every request its server span,
rather than a span on each request handler that does nothing else worth one."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from trace_advisor.datatypes import CoveredFunction, InstrumentationHint, SymbolId

SERVER_SPAN = "each request its server span"  # what a web framework's instrumentation gives


def instrumentation_hints(
    covered: Iterable[tuple[str, CoveredFunction]], recommended: Collection[SymbolId] = ()
) -> tuple[InstrumentationHint, ...]:
    """One hint per package, from ``(package, function)`` pairs: the functions it covers, in file and line order,
    without those recommended after all (a model's answer)."""
    by_package: dict[str, dict[tuple[str, int], CoveredFunction]] = {}
    for package, function in covered:
        if function.symbol not in recommended:
            by_package.setdefault(package, {})[(function.file, function.name_range.start.line)] = function
    hints = []
    for package, functions in sorted(by_package.items()):
        covers = tuple(functions[key] for key in sorted(functions))
        own = any(package in function.clients for function in covers)  # Django's traces its ORM's queries too
        hints.append(
            InstrumentationHint(package, f"{SERVER_SPAN} and a span per database query" if own else SERVER_SPAN, covers)
        )
    return tuple(hints)


def hint_text(hint: InstrumentationHint, handlers: str = "") -> str:
    """The hint as one sentence: "Install P: it gives each request its server span; 3 request handlers need no span
    of their own beside it and Q, which traces the calls they make." (``handlers`` replaces "3 request handlers")."""
    count = len(hint.covers)
    who = handlers or f"{count} request handler{'' if count == 1 else 's'}"
    text = f"Install {hint.package}: it gives {hint.gives}; {who} {'needs' if count == 1 else 'need'} no span of"
    text += f" {'its' if count == 1 else 'their'} own beside it"
    clients = hint.clients
    if clients:
        verb = "traces" if len(clients) == 1 else "trace"
        text += f" and {', '.join(clients)}, which {verb} the calls {'it makes' if count == 1 else 'they make'}"
    return text + "."

"""Workspace-level advice: install a web framework's instrumentation, which gives every request its server span,
rather than a span on each request handler that does nothing else worth one."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from trace_advisor.added_instrumentation import ADDED_IN_CODE, AddedInCode
from trace_advisor.datatypes import CoveredFunction, InstallNote, InstrumentationHint, SymbolId

SERVER_SPAN = "each request its server span"  # what a web framework's instrumentation gives


def action(packages: str | Sequence[str]) -> str:
    """What to do to get the spans of ``packages`` (one, or several installed together), `backticked` names as code:
    install them, or add it in code."""
    if isinstance(packages, str):
        packages = (packages,)
    added = _added(packages)
    return added.action if added is not None else f"Install {', '.join(f'`{p}`' for p in packages)}"


def gives(package: str) -> str:
    """What ``package`` gives the functions it covers ("each request its server span")."""
    return ADDED_IN_CODE[package].gives if package in ADDED_IN_CODE else SERVER_SPAN


def wanted(package: str) -> str:
    """What a rationale wants ``package`` for, as a web framework's ("each request's server span")."""
    return ADDED_IN_CODE[package].wanted if package in ADDED_IN_CODE else "each request's server span"


def install_sentence(notes: Sequence[InstallNote]) -> str:
    """What a rationale says of ``notes``: ``. Install a, b for the client spans themselves`` ("" for none); what the
    code adds is said as its own action (``. Add strawberry's OpenTelemetryExtension ... for each GraphQL resolver's
    span and install c for the client spans themselves``)."""
    if not any(_added(note.packages) for note in notes):
        wants = [f"{', '.join(note.packages)} for {note.gives}" for note in notes]
        return f". Install {' and '.join(wants)}" if wants else ""
    todo = [f"{action(note.packages).replace('`', '')} for {note.gives}" for note in notes]
    return ". " + " and ".join([todo[0], *(t[:1].lower() + t[1:] for t in todo[1:])])


def _added(packages: Sequence[str]) -> AddedInCode | None:
    """What the code adds, when ``packages`` is one such (strawberry's extension), rather than packages to install."""
    return ADDED_IN_CODE.get(packages[0]) if len(packages) == 1 else None


def instrumentation_hints(
    covered: Iterable[tuple[str, CoveredFunction]], recommended: Collection[SymbolId] = ()
) -> tuple[InstrumentationHint, ...]:
    """One hint per package, from ``(package, function)`` pairs (every request handler of a framework whose
    instrumentation is not installed): the functions it covers, in file and line order, those recommended after all
    (work of their own, or a model's answer) apart as ``spanned``. The hint stands whether or not a handler is
    recommended: the server span comes from the framework's instrumentation either way."""
    by_package: dict[str, dict[tuple[str, int], CoveredFunction]] = {}
    for package, function in covered:
        by_package.setdefault(package, {})[(function.file, function.name_range.start.line)] = function
    hints = []
    for package, functions in sorted(by_package.items()):
        ordered = [functions[key] for key in sorted(functions)]
        covers = tuple(f for f in ordered if f.symbol not in recommended)
        spanned = tuple(f for f in ordered if f.symbol in recommended)
        own = any(package in function.clients for function in covers)  # Tornado's traces its HTTP client too
        given = f"{gives(package)} and the spans of the client calls it traces" if own else gives(package)
        handler = ADDED_IN_CODE[package].handler if package in ADDED_IN_CODE else "request handler"
        hints.append(InstrumentationHint(package, given, covers, action(package), handler, spanned))
    return tuple(hints)


def spanned_text(hint: InstrumentationHint) -> str:
    """What the hint says of its handlers whose own span is recommended ("" for none): "the parent of the spans
    recommended in 2 request handlers"."""
    count = len(hint.spanned)
    if not count:
        return ""
    plural = "" if count == 1 else "s"
    return f"the parent of the span{plural} recommended in {count} {hint.handler}{plural}"


def hint_text(hint: InstrumentationHint, handlers: str = "") -> str:
    """The hint as one sentence: "Install P: it gives each request its server span; 3 request handlers need no span
    of their own beside it and Q, which traces the calls they make." (``handlers`` replaces "3 request handlers");
    with every handler's span recommended: "Install P: it gives each request its server span, the parent of the
    span recommended in 1 request handler." """
    count = len(hint.covers)
    if not count:
        return f"{hint.action.replace('`', '')}: it gives {hint.gives}, {spanned_text(hint)}."
    who = handlers or f"{count} {hint.handler}{'' if count == 1 else 's'}"
    text = (
        f"{hint.action.replace('`', '')}: it gives {hint.gives}; {who} {'needs' if count == 1 else 'need'} no span of"
    )
    text += f" {'its' if count == 1 else 'their'} own beside it"
    clients = hint.clients
    if clients:
        verb = "traces" if len(clients) == 1 else "trace"
        text += f" and {', '.join(clients)}, which {verb} the calls {'it makes' if count == 1 else 'they make'}"
    return text + "."

"""The one place that computes what a report says: run info, summary, usage and recommendations by priority."""

from __future__ import annotations

import ast
import os
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePath

from trace_advisor import __version__
from trace_advisor.advise.instrumentation_hints import action, install_sentence
from trace_advisor.client_errors import Graph as ClientErrorGraph
from trace_advisor.config import find_project_root
from trace_advisor.config_model import Config
from trace_advisor.datatypes import (
    AnalysisResult,
    Capture,
    CostNote,
    InstrumentationHint,
    Problem,
    Recommendation,
    SpanVolume,
    TraceCheck,
    split_symbol,
)
from trace_advisor.edits.style import span_style
from trace_advisor.reading_order import is_auxiliary, reading_key
from trace_advisor.report.preview import NOT_PREVIEWED, Previewer, SpanPreview

TOOL = "trace-advisor"
TOP = 3  # recommendations named in the executive summary
MAX_EVIDENCE = 5  # findings listed beside a rationale
# what a span edit adds to a module that has neither (reports say it once, and per function only other lines)
USUAL_SETUP = ("from opentelemetry import trace", "tracer = trace.get_tracer(__name__)")


@dataclass(frozen=True, slots=True)
class RecommendationFacts:
    """One recommendation as every formatter shows it."""

    symbol: str
    qualname: str
    span_name: str
    file: str  # relative to the report root, forward slashes
    start_line: int
    end_line: int
    priority: str
    confidence: float
    confidence_text: str  # "0.82": the one rounding every formatter prints
    rationale: str
    capture: tuple[str, ...]  # "parameters: order_id, amount", "return value", "timing", ...
    placement: str  # how the span is added ("decorator on ..."), or why the engine adds none
    snippet: str  # the function as the span edit writes it, unchanged stretches folded ("" without an edit)
    edited_function: str  # the function exactly as the span edit writes it ("" without an edit)
    setup: tuple[str, ...]  # module lines the edit also adds (import, tracer), once per file
    unusual_setup: tuple[str, ...]  # those of ``setup`` that are not the USUAL_SETUP every report states once
    setup_added: tuple[str, ...]  # ``unusual_setup`` as phrases: a statement as `code`, a helper by name and purpose
    span_message: str | None  # why the engine adds no span (already traced, abstract, module-level code...)
    span_notes: tuple[str, ...]  # what the edit could not capture
    code_block: str  # the function's source as analysed, dedented
    source: str
    evidence: tuple[str, ...]  # findings the rationale does not state: "line 14: calls urllib.request:urlopen ..."
    recommendation: Recommendation


@dataclass(frozen=True, slots=True)
class PriorityGroup:
    priority: str
    title: str  # "External I/O"
    description: str
    weight: float
    recommendations: tuple[RecommendationFacts, ...]


@dataclass(frozen=True, slots=True)
class FileUsageFacts:
    """One file's share of the model calls (a call's tokens split over its functions by their share of the prompt)."""

    file: str  # relative to the report root, forward slashes
    calls: int  # calls the file took part in
    input_tokens: int
    output_tokens: int
    cost_usd: float
    cost_text: str


@dataclass(frozen=True, slots=True)
class UsageFacts:
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    cost_text: str  # "$0.0123"
    by_file: tuple[FileUsageFacts, ...] = ()  # files in path order; empty for the local engine and cached runs


@dataclass(frozen=True, slots=True)
class InstallFacts:
    """An instrumentation package to install rather than a span per function it covers."""

    package: str
    gives: str  # "each request its server span"
    covers: int  # functions that need no span of their own once it is installed
    by_file: tuple[tuple[str, tuple[str, ...]], ...]  # (file relative to the root, qualnames), in path order
    hint: InstrumentationHint  # files relative to the root


@dataclass(frozen=True, slots=True)
class AlsoInstall:
    """An instrumentation package the rationales of recommendations say to install beside their spans (a client
    library's: "the client spans themselves"), said once in the report instead of in each rationale."""

    package: str
    gives: str  # "the client spans themselves" ("each task run's span and the client spans themselves": both said)
    recommendations: int  # how many say so
    action: str  # what to do, `backticked` names as code ("Install `p`"; what the code adds: its own words)


@dataclass(frozen=True, slots=True)
class ReportFacts:
    tool: str
    version: str
    engine: str  # "local" or "<provider>:<model>"
    provider: str
    model: str
    generated_at: str | None  # ISO 8601 UTC ("...Z"), only when the caller asked for a timestamp
    files_analysed: int
    total: int
    functions_with_recommendations: int
    files_with_recommendations: int
    min_confidence: float
    counts: tuple[tuple[str, int], ...]  # per configured priority (then unknown ones), in config order
    top: tuple[RecommendationFacts, ...]  # the strongest few, for the executive summary
    ranked: tuple[RecommendationFacts, ...]  # every recommendation, strongest first (see :func:`rank`)
    groups: tuple[PriorityGroup, ...]  # non-empty groups only, in config order
    usage: UsageFacts
    problems: tuple[Problem, ...]
    root: str  # the folder file paths are relative to
    left_out: tuple[CostNote, ...] = ()  # strong candidates left out for cost (files relative to root)
    install: tuple[InstallFacts, ...] = ()  # instrumentation to install rather than a span per request handler
    also_install: tuple[AlsoInstall, ...] = ()  # and beside recommended spans (not in ``install``), by package
    traces: TraceCheck | None = None  # ``analyze --traces``: file paths relative to ``root``
    volume: SpanVolume | None = None  # spans per request of all recommendations together, when estimated


def priority_title(priority: str) -> str:
    """``external_io`` -> ``External I/O``; readable names for the default set, capitalised words otherwise."""
    known = {"external_io": "External I/O", "async_boundaries": "Async boundaries"}
    return known.get(priority, priority.replace("_", " ").capitalize())


def count_of(count: int, noun: str) -> str:
    """``1 function``, ``3 functions``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def about(figure: float) -> str:
    """An estimate as a reader takes it in: two significant digits, thousands separated (``2,200,000`` rather than
    ``2.18e+06``; ``1.5``; ``61,000``)."""
    if figure < 10:
        return f"{figure:.2g}"
    rounded = round(figure, 2 - len(str(int(figure))))
    return f"{rounded:,.0f}"


def report_root(result: AnalysisResult, root: Path | None) -> Path:
    """The folder report paths are relative to: ``root``, else the working directory if it holds every file, else
    the files' common folder."""
    if root is not None:
        return root
    files = _reported_files(result)
    cwd = Path.cwd()
    if all(_is_under(Path(f), cwd) for f in files):
        return cwd
    common = os.path.commonpath([str(Path(f).parent) for f in files])
    return Path(common)


def checkout_root(result: AnalysisResult) -> Path | None:
    """The git work tree holding every reported file, if any: SARIF consumers (GitHub code scanning, say) resolve
    relative URIs against the repository's root, wherever the command was run from."""
    files = _reported_files(result)
    folder = Path(os.path.commonpath([str(Path(f).resolve().parent) for f in files])) if files else Path.cwd()
    for candidate in (folder, *folder.parents):
        if os.path.exists(candidate / ".git"):  # a folder, or a file in a worktree or submodule
            return candidate
    return None


def relative(file: str, root: Path) -> str:
    path = Path(file)
    if path.is_absolute() and _is_under(path, root):
        return PurePath(os.path.relpath(path, root)).as_posix()
    return PurePath(file).as_posix()


def build_facts(
    result: AnalysisResult,
    config: Config,
    *,
    root: Path | None = None,
    generated_at: datetime | None = None,
    source: Callable[[str], str | None] | None = None,
    previews: bool = True,
    graph: ClientErrorGraph | None = None,
) -> ReportFacts:
    """What every report says about ``result``. ``source(file)`` gives the text that was analysed (an editor's
    unsaved buffer; None: the file on disk), for the span previews; ``previews=False`` skips them (the formats that
    do not show them: the span engine's edits are most of a report's cost)."""
    base = report_root(result, root)
    order = list(config.priorities)
    ranked = sorted(result.recommendations, key=lambda r: _rank(r, order))
    previewer = Previewer(source, span_style(config, find_project_root(base)), graph) if previews else None
    groups: list[PriorityGroup] = []
    for priority in order + sorted({r.priority for r in ranked} - set(order)):
        members = tuple(_rec_facts(r, base, previewer) for r in ranked if r.priority == priority)
        if not members:
            continue
        configured = config.priorities.get(priority)
        groups.append(
            PriorityGroup(
                priority=priority,
                title=priority_title(priority),
                description=configured.description if configured else "",
                weight=configured.weight if configured else 0.0,
                recommendations=members,
            )
        )
    by_rec = {id(f.recommendation): f for g in groups for f in g.recommendations}
    ranked_facts = tuple(by_rec[id(r)] for r in rank(ranked, order, base))
    counts = {p: 0 for p in order}
    for rec in ranked:
        counts[rec.priority] = counts.get(rec.priority, 0) + 1
    usage = result.usage
    provider, _, model = result.engine.partition(":")
    return ReportFacts(
        tool=TOOL,
        version=__version__,
        engine=result.engine,
        provider=provider,
        model=model or provider,
        generated_at=generated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if generated_at else None,
        files_analysed=result.files_analysed,
        total=len(ranked),
        functions_with_recommendations=len({r.symbol for r in ranked}),
        files_with_recommendations=len({r.file for r in ranked}),
        min_confidence=config.min_confidence,
        counts=tuple(counts.items()),
        top=ranked_facts[:TOP],
        ranked=ranked_facts,
        groups=tuple(groups),
        usage=UsageFacts(
            usage.calls,
            usage.input_tokens,
            usage.output_tokens,
            usage.cost_usd,
            _cost(usage.cost_usd),
            tuple(
                sorted(
                    (
                        FileUsageFacts(
                            relative(f, base), u.calls, u.input_tokens, u.output_tokens, u.cost_usd, _cost(u.cost_usd)
                        )
                        for f, u in result.usage_by_file.items()
                    ),
                    key=lambda item: item.file,
                )
            ),
        ),
        problems=tuple(replace(p, file=relative(p.file, base)) if p.file else p for p in result.problems),
        left_out=tuple(replace(note, file=relative(note.file, base)) for note in result.left_out),
        install=tuple(_install(hint, base) for hint in result.instrumentation),
        also_install=_also_install(
            ranked, {p for hint in result.instrumentation for p in (hint.package, *hint.clients)}
        ),
        root=str(base),
        traces=_relative_traces(result.traces, base) if result.traces is not None else None,
        volume=result.volume,
    )


def _install(hint: InstrumentationHint, base: Path) -> InstallFacts:
    covers = tuple(replace(f, file=relative(f.file, base)) for f in hint.covers)
    spanned = tuple(replace(f, file=relative(f.file, base)) for f in hint.spanned)
    by_file: dict[str, list[str]] = {}
    for function in covers:
        by_file.setdefault(function.file, []).append(split_symbol(function.symbol)[1])
    return InstallFacts(
        hint.package,
        hint.gives,
        len(covers),
        tuple((file, tuple(names)) for file, names in sorted(by_file.items())),
        replace(hint, covers=covers, spanned=spanned),
    )


def _also_install(recs: Sequence[Recommendation], listed: set[str]) -> tuple[AlsoInstall, ...]:
    """The packages the rationales of ``recs`` say to install, each once, by name (those ``listed`` already aside: a
    web framework's package and the client packages its line names): with what they give and how many
    recommendations say so."""
    gives: dict[str, dict[str, None]] = {}  # package -> what the rationales say it gives, in the order first said
    counts: dict[str, int] = {}
    for rec in recs:
        named = {package: note.gives for note in rec.installs for package in note.packages if package not in listed}
        for package, what in named.items():
            gives.setdefault(package, {})[what] = None
            counts[package] = counts.get(package, 0) + 1
    return tuple(AlsoInstall(p, " and ".join(gives[p]), counts[p], action(p)) for p in sorted(counts))


def without_installs(rec: Recommendation) -> str:
    """A recommendation's rationale without what it says to install (a report says that once, :class:`AlsoInstall`)."""
    return rec.rationale.replace(install_sentence(rec.installs), "", 1) if rec.installs else rec.rationale


def _relative_traces(check: TraceCheck, base: Path) -> TraceCheck:
    return replace(
        check,
        files=tuple(relative(f, base) for f in check.files),
        functions=tuple(replace(f, file=relative(f.file, base)) for f in check.functions),
        gaps=tuple(replace(g, function=replace(g.function, file=relative(g.function.file, base))) for g in check.gaps),
        unseen=tuple(replace(u, file=relative(u.file, base)) for u in check.unseen),
    )


def _cost(usd: float) -> str:
    return f"${usd:.4f}"


def all_recommendations(facts: ReportFacts) -> tuple[RecommendationFacts, ...]:
    return tuple(rec for group in facts.groups for rec in group.recommendations)


def rank(recommendations: Sequence[Recommendation], priorities: Sequence[str], root: Path) -> list[Recommendation]:
    """Strongest first: product code before development scripts and examples (paths relative to ``root``), then
    the reading order (:mod:`trace_advisor.reading_order`: confidence, and what equally strong ones are about), then
    the configured priority order, then place."""

    def key(rec: Recommendation) -> tuple[bool, tuple[int, bool, int, float], int, str, int]:
        index = priorities.index(rec.priority) if rec.priority in priorities else len(priorities)
        return (is_auxiliary(relative(rec.file, root)), reading_key(rec), index, rec.file, rec.range.start.line)

    return sorted(recommendations, key=key)


def _rank(rec: Recommendation, order: Sequence[str]) -> tuple[int, float, str, int]:
    index = order.index(rec.priority) if rec.priority in order else len(order)
    return (index, -rec.confidence, rec.file, rec.range.start.line)


def _rec_facts(rec: Recommendation, root: Path, previewer: Previewer | None) -> RecommendationFacts:
    preview = previewer.preview(rec) if previewer is not None else NOT_PREVIEWED
    return RecommendationFacts(
        symbol=rec.symbol,
        qualname=rec.qualname,
        span_name=rec.span_name,
        file=relative(rec.file, root),
        start_line=rec.range.start.line,
        end_line=rec.range.end.line,
        priority=rec.priority,
        confidence=rec.confidence,
        confidence_text=f"{rec.confidence:.2f}",
        rationale=without_installs(rec),
        capture=describe_capture(rec.capture),
        placement=_placement(rec, preview),
        snippet=preview.shown,
        edited_function=preview.function,
        setup=preview.setup,
        unusual_setup=(unusual := tuple(line for line in preview.setup if line.strip() not in USUAL_SETUP)),
        setup_added=describe_setup(unusual),
        span_message=preview.message,
        span_notes=preview.notes,
        code_block=_dedent(rec.code_block, rec.range.start.column),
        source=rec.source,
        evidence=_more_evidence(rec),
        recommendation=rec,
    )


def _more_evidence(rec: Recommendation) -> tuple[str, ...]:
    """The findings behind a recommendation that its rationale does not already state, the first few by line."""
    said = rec.rationale.casefold()
    extra = sorted((e for e in rec.evidence if e.reason.casefold() not in said), key=lambda e: e.range.start.line)
    items = [f"line {e.range.start.line}: {e.reason}" for e in extra[:MAX_EVIDENCE]]
    if len(extra) > MAX_EVIDENCE:
        items.append(f"… and {count_of(len(extra) - MAX_EVIDENCE, 'more finding')}")
    return tuple(items)


def _placement(rec: Recommendation, preview: SpanPreview) -> str:
    name = rec.qualname.rsplit(".", 1)[-1]
    if preview.form == "decorator":
        return f"a decorator on `{name}`: the span covers every call"
    if preview.form == "with":
        return f"a `with` block around the body of `{name}`"
    return f"none added: {preview.message}"


def describe_setup(lines: Sequence[str]) -> tuple[str, ...]:
    """What a span edit adds at module level besides the usual import and tracer, one phrase per statement: a
    one-line statement as code (`import contextlib`), a helper class or function by its name and the first sentence
    of its docstring (the helper class `_ErrorStatus` (sets ERROR on the span ...)), not line by line."""
    source = textwrap.dedent("\n".join(lines))
    try:
        statements = ast.parse(source).body
    except SyntaxError:  # lines the edit writes always parse; stay readable if one day they do not
        return tuple(f"`{line.strip()}`" for line in lines if line.strip())
    phrases: list[str] = []
    for stmt in statements:
        if isinstance(stmt, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            kind = "class" if isinstance(stmt, ast.ClassDef) else "function"
            doc = " ".join((ast.get_docstring(stmt) or "").split())
            purpose = doc.split(". ")[0].rstrip(".")
            purpose = f" ({purpose[:1].lower()}{purpose[1:]})" if purpose else ""
            phrases.append(f"the helper {kind} `{stmt.name}`{purpose}")
        else:
            phrases.append(f"`{' '.join((ast.get_source_segment(source, stmt) or '').split())}`")
    return tuple(phrases)


def _dedent(code: str, column: int) -> str:
    """A function's source dedented; its first line starts at the ``def`` (``column``), the others keep their
    indentation, so the first line gets its indentation back first."""
    if column and code[:1] not in (" ", "\t"):
        code = " " * column + code
    return textwrap.dedent(code)


def describe_capture(capture: Capture) -> tuple[str, ...]:
    items: list[str] = []
    if capture.parameters:
        items.append("parameters: " + ", ".join(capture.parameters))
    items.extend(f"attribute {a.key} = {a.expression}" for a in capture.attributes)
    if capture.return_value:
        items.append("return value")
    if capture.timing:
        items.append("timing (span duration)")
    if capture.exceptions:
        items.append("exceptions")
    return tuple(items)


def _reported_files(result: AnalysisResult) -> list[str]:
    files = [rec.file for rec in result.recommendations] + [p.file for p in result.problems if p.file]
    return files + list(result.usage_by_file)


def _is_under(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True

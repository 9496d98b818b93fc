"""The coded Markdown formatter: run info, summary, usage, then each recommendation with its span code."""

from __future__ import annotations

from trace_advisor.advise.instrumentation_hints import spanned_text
from trace_advisor.datatypes import LOOP_ITERATIONS, Observed, SpanCost, SpanVolume, TraceCheck, Unit, UnitOf
from trace_advisor.report.facts import RecommendationFacts, ReportFacts, about, count_of, priority_title
from trace_advisor.report.md_escape import fence, md_code, md_prose, md_text
from trace_advisor.traces.figures import duration_text as ms

APPLY_HINT = (
    "Each span below is what the editor's quick-fix and `trace-advisor apply FILE --symbol QUALNAME` write"
    " (`trace-advisor apply PATH --all` adds them all, `--diff` previews). A module without a tracer also gets"
    " `from opentelemetry import trace` and `tracer = trace.get_tracer(__name__)` after its imports."
)


def render_markdown(facts: ReportFacts) -> str:
    out: list[str] = [f"# {facts.tool} report", ""]
    out += _run_info(facts)
    out += _summary(facts)
    out += _install(facts)
    out += _usage(facts)
    out += ["## Recommendations", ""]
    if facts.groups:
        out += [APPLY_HINT, ""]
    else:
        out += ["No function needs a span at this confidence.", ""]
    if facts.traces is not None:
        out += _traces(facts.traces)
    for group in facts.groups:
        out += [f"### {md_text(group.title)} ({md_code(group.priority)})", ""]
        if group.description:
            out += [f"_{md_text(group.description)}_", ""]
        for rec in group.recommendations:
            out += _recommendation(rec)
    out += _left_out(facts)
    if facts.problems:
        out += ["## Problems", ""]
        for problem in facts.problems:
            where = f" {md_code(_where(problem.file, problem.line))}" if problem.file else ""
            out.append(f"- **{problem.severity}**{where}: {md_text(problem.message)}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _install(facts: ReportFacts) -> list[str]:
    if not facts.install and not facts.also_install:
        return []
    lines = ["## Instrumentation to install", ""]
    for item in facts.install:
        if not item.covers:  # every handler's own span is recommended: the server span is still to install
            lines.append(f"- {md_prose(item.hint.action)}: it gives {md_text(item.gives)}, {spanned_text(item.hint)}.")
            continue
        one = item.covers == 1
        clients = item.hint.clients
        also = (
            f" and {', '.join(md_code(c) for c in clients)}, which {'traces' if len(clients) == 1 else 'trace'} the"
            f" calls {'it makes' if one else 'they make'}"
            if clients
            else ""
        )
        lines.append(
            f"- {md_prose(item.hint.action)}: it gives {md_text(item.gives)}. The"
            f" {count_of(item.covers, item.hint.handler)} below {'needs' if one else 'need'} no span of"
            f" {'its' if one else 'their'} own beside it{also}, so none is recommended:"
        )
        lines += [f"  - {md_code(file)}: {', '.join(md_code(n) for n in names)}" for file, names in item.by_file]
    lines += [
        f"- {md_prose(item.action)} for {md_text(item.gives)}"
        f" ({count_of(item.recommendations, 'recommendation')} below)."
        for item in facts.also_install
    ]
    lines.append("")
    return lines


def _left_out(facts: ReportFacts) -> list[str]:
    if not facts.left_out:
        return []
    lines = ["## Left out for cost", ""]
    lines += ["Not recommended although the evidence is strong, because a span would cost more than it tells:", ""]
    lines += [f"- {md_code(n.symbol)} ({md_code(_where(n.file, n.line))}): {md_text(n.reason)}" for n in facts.left_out]
    lines.append("")
    return lines


def _run_info(facts: ReportFacts) -> list[str]:
    model = "local scorer (deterministic, no network)" if facts.provider == "local" else facts.model
    rows = [
        ("Engine", md_code(facts.engine)),
        ("Model", md_text(model)),
        ("Files analysed", str(facts.files_analysed)),
        ("trace-advisor", md_text(facts.version)),
    ]
    if facts.generated_at:
        rows.append(("Generated", md_text(facts.generated_at)))
    return ["## Run", "", "| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), ""]


def _summary(facts: ReportFacts) -> list[str]:
    functions = count_of(facts.functions_with_recommendations, "function")
    files = count_of(facts.files_with_recommendations, "file")
    lines = [
        "## Summary",
        "",
        f"**{count_of(facts.total, 'recommendation')}** in {functions} across {files}"
        f" (minimum confidence {facts.min_confidence:.2f}).",
        "",
    ]
    if facts.top:
        lines += ["Start with:", ""]
        lines += [
            f"{number}. {md_code(rec.qualname)} in {md_code(f'{rec.file}:{rec.start_line}')}"
            f" ({md_text(priority_title(rec.priority))}, confidence {rec.confidence_text})"
            for number, rec in enumerate(facts.top, start=1)
        ]
        lines.append("")
    if facts.volume is not None:
        lines += [span_volume(facts.volume), ""]
    if facts.problems:
        lines += [f"{count_of(len(facts.problems), 'problem')} reported: see Problems below.", ""]
    found = [(p, n) for p, n in facts.counts if n]
    if found:
        lines += ["| Priority | Recommendations |", "|---|---:|"]
        lines += [f"| {md_text(priority_title(p))} ({md_code(p)}) | {n} |" for p, n in found]
        lines.append("")
    quiet = [md_text(priority_title(p)) for p, n in facts.counts if not n]
    if found and quiet:
        lines += [f"Nothing found for: {', '.join(quiet)}.", ""]
    return lines


def _usage(facts: ReportFacts) -> list[str]:
    u = facts.usage
    if not u.calls and not u.input_tokens and not u.by_file:
        return ["## Usage and cost", "", "No model calls: nothing to pay.", ""]
    lines = [
        "## Usage and cost",
        "",
        "| Model calls | Input tokens | Output tokens | Estimated cost (USD) |",
        "|---:|---:|---:|---:|",
        f"| {u.calls} | {u.input_tokens} | {u.output_tokens} | {u.cost_text} |",
        "",
    ]
    if u.calls:
        lines += [
            f"Per call: {u.input_tokens // u.calls} input and {u.output_tokens // u.calls} output tokens on average.",
            "",
        ]
    if u.by_file:
        lines += [
            "Per file (each call's tokens are split over its functions by their share of the prompt):",
            "",
            "| File | Model calls | Input tokens | Output tokens | Estimated cost (USD) |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {md_code(f.file)} | {f.calls} | {f.input_tokens} | {f.output_tokens} | {f.cost_text} |"
            for f in u.by_file
        ]
        lines.append("")
    return lines


def _recommendation(rec: RecommendationFacts) -> list[str]:
    lines = [
        f"#### {md_code(rec.qualname)} in {md_code(f'{rec.file}:{rec.start_line}-{rec.end_line}')}",
        "",
        f"- Symbol: {md_code(rec.symbol)}",
        f"- Priority: {md_code(rec.priority)} · Confidence: **{rec.confidence_text}** · Source: {md_code(rec.source)}",
        f"- Why: {md_prose(rec.rationale)}",
    ]
    cost = rec.recommendation.cost
    if cost is not None:
        lines.append(f"- Cost: {span_cost(cost, rec.symbol)}")
    if rec.evidence:
        lines.append("- Also found:")
        lines += [f"  - {md_prose(item)}" for item in rec.evidence]
    # the placement is our own words around identifiers, so its code spans stay Markdown
    span = f"- Span: none added: {md_prose(rec.span_message)}" if rec.span_message else f"- Span: {rec.placement}"
    if rec.setup_added:
        span += "; the module also gets " + " and ".join(rec.setup_added)
    lines.append(span + ("." if rec.snippet else ""))
    lines += [f"- Note: {md_prose(note)}" for note in rec.span_notes]
    lines.append("")
    if rec.snippet:
        lines += [fence(rec.snippet), ""]
    return lines


def _traces(check: TraceCheck) -> list[str]:
    """``analyze --traces``: the functions seen, the untraced stretches and the spans no trace holds."""
    lines = [
        "## Checked against traces",
        "",
        f"{count_of(check.spans, 'span')} in {count_of(check.traces, 'trace')} over {check.window_s:.3g} s, from"
        f" {', '.join(md_code(f) for f in check.files)}; {check.mapped} mapped to"
        f" {count_of(len(check.functions), 'function')}.",
        "",
    ]
    if check.functions:
        lines += [
            "| Function | Span | Spans | Per trace | Per second | p50 | p95 | Untraced p95 | Errors |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {md_code(f.symbol)} ({md_code(f'{f.file}:{f.line}')}) | {md_code(o.span_name)} | {o.spans} |"
            f" {o.per_trace:.3g} | {_rate(o)} | {ms(o.p50_ms)} | {ms(o.p95_ms)} | {ms(o.untraced_p95_ms)}"
            f" ({o.untraced_share:.0%}) | {o.errors} |"
            for f in check.functions
            for o in (f.observed,)
        ]
        lines.append("")
    if check.gaps:
        lines += ["Time in no child span, and what ran in it without a span of its own:", ""]
        for gap in check.gaps:
            o = gap.function.observed
            ran = [f"calls {', '.join(md_code(c) for c in gap.callees)}"] if gap.callees else []
            if gap.library_calls:
                ran.append(f"library calls {', '.join(md_code(c) for c in gap.library_calls)}")
            lines.append(
                f"- {md_code(o.span_name)} ({md_code(gap.function.symbol)}): {ms(o.untraced_p95_ms)} of"
                f" {ms(o.p95_ms)} at p95 untraced; {'; '.join(ran)}"
            )
        lines.append("")
    if check.unseen:
        lines += ["Spans the code starts that no trace contains (dead code, a renamed span, or a path not run):", ""]
        lines += [
            f"- {md_code(u.span_name)} in {md_code(u.symbol)} ({md_code(f'{u.file}:{u.line}')})" for u in check.unseen
        ]
        lines.append("")
    return lines


def span_volume(volume: SpanVolume) -> str:
    """All recommendations' spans per unit (request, job, CLI run...) at the busiest entry point, and at the busiest
    of each other unit, in Markdown (also the ``span_volume`` filter of report templates)."""
    low = _low(volume.one_pass, volume.per_request).removeprefix("; ")
    high = _high(volume.all_paths, volume.per_request).removeprefix("; ")
    bounds = "".join(f"{part}; " for part in (low, high) if part)
    kinds = [volume.unit, *(other.unit for other in volume.others)]
    lifetime = any(of.loop is not None and not of.periodic for of in kinds)
    timer = any(of.periodic for of in kinds)
    units = ", a loop that runs for the process's life as one unit per pass" if lifetime else ""
    units += ", a branch that runs on a timer as one unit per run" if timer else ""
    others = "".join(
        f" {'Per' if n == 0 else 'per'} {other.unit.unit.noun}: about {_spans(other.per_request)}"
        f" {_at(other.unit, other.entry)} ({count_of(other.functions, 'recommended function')} reached"
        f"{_low(other.one_pass, other.per_request)}{_high(other.all_paths, other.per_request)})"
        f"{'.' if n == len(volume.others) - 1 else ';'}"
        for n, other in enumerate(volume.others)
    )
    return (
        f"Together these spans add about **{about(volume.per_request)} spans per {volume.unit.unit.noun}** at the"
        f" busiest entry point, {_at(volume.unit, volume.entry, lead=False)}"
        f" ({count_of(volume.functions, 'recommended function')} reached; {bounds}counted on the typical path: no"
        f" `except` handler run, each arm of a branch by its share, one loop over items on each path as"
        f" {volume.loop_iterations} iterations, a retry or redirect loop as one pass{units}).{others}"
    )


def _low(one_pass: float, estimated: float) -> str:
    return f"; {about(one_pass)} if each loop over items ran once" if one_pass != estimated else ""


def _high(all_paths: float | None, estimated: float) -> str:
    """The figure were every path taken, when it differs from the typical one."""
    if all_paths is None or about(all_paths) == about(estimated):
        return ""
    return f"; up to {about(all_paths)} if every path ran"


def _spans(count: float) -> str:
    return "1 span" if count == 1 else f"{about(count)} spans"


def _at(of: UnitOf, entry: str, lead: bool = True) -> str:
    """Where a figure per ``of`` is taken: one pass of a loop that runs for the process's life, or an entry point."""
    if of.loop is not None and of.periodic:
        return f"{'in ' if lead else ''}each run of {md_code(of.loop.text)} in {md_code(of.loop.function)}, on a timer"
    if of.loop is not None:
        return f"{'in ' if lead else ''}one pass of {md_code(of.loop.text)} in {md_code(of.loop.function)}"
    return f"{'at ' if lead else ''}{md_code(entry)}"


def per_unit(of: UnitOf | None, entry: str) -> str:
    """``per job (one pass of `while True` in `rq.worker.base:BaseWorker.work`)``, ``per request at `app:index```,
    ``per call of `lib:get```."""
    if of is None or of.unit is Unit.CALL and of.loop is None:
        return f"per call of {md_code(entry)}"
    if of.loop is not None:
        return f"per {of.unit.noun} ({_at(of, entry, lead=False)})"
    return f"per {of.unit.noun} {'of' if of.unit is Unit.CLI_RUN else 'at'} {md_code(entry)}"


def span_cost(cost: SpanCost, symbol: str) -> str:
    """A recommendation's spans per unit of work in Markdown (also the ``span_cost`` filter of report templates)."""
    if cost.per_request is None or cost.entry is None:
        return "no known entry point reaches it: one span per call"
    spans = _spans(cost.per_request)
    if cost.source == "traces":
        return f"{spans} per trace (measured)"
    if cost.entry == symbol and cost.unit is not None and cost.unit.periodic:
        return f"1 span per {cost.unit.unit.noun} ({_at(cost.unit, symbol, lead=False)})"
    if cost.entry == symbol:
        noun = cost.unit.unit.noun if cost.unit is not None else Unit.CALL.noun
        return f"1 span per {noun} (an entry point)"
    how = "estimated from the call graph"
    if cost.loop is not None and cost.one_pass is not None and cost.one_pass != cost.per_request:
        how += (
            f"; {about(cost.one_pass)} if each loop over items ran once: it runs per item of"
            f" {md_code(cost.loop.text)} in {md_code(cost.loop.function)}, counted as {LOOP_ITERATIONS}"
        )
    if cost.all_paths is not None and about(cost.all_paths) != about(cost.per_request):
        how += f"; up to {about(cost.all_paths)} if every path ran"
    fewest = ""
    if cost.fewest is not None:
        fewest = f"; {about(cost.fewest[0])} {per_unit(cost.fewest[2], cost.fewest[1])}"
    if cost.heaviest is not None:
        fewest += f"; {about(cost.heaviest[0])} {per_unit(cost.heaviest[2], cost.heaviest[1])}"
    return f"about {spans} {per_unit(cost.unit, cost.entry)} ({how}){fewest}"


def _rate(observed: Observed) -> str:
    return f"{observed.per_second:.3g}" if observed.per_second is not None else "-"


def _where(file: str | None, line: int | None) -> str:
    return f"{file}:{line}" if line else str(file)

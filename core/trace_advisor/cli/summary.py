"""The few lines ``trace-advisor analyze`` prints on stderr after a run: counts, time, the strongest
recommendations, the files it could not read and where the reports went."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.advise.instrumentation_hints import hint_text
from trace_advisor.config_model import Config
from trace_advisor.datatypes import AnalysisResult, ProblemKind
from trace_advisor.report.facts import rank, relative

TOP = 5  # recommendations listed
RATIONALE_WIDTH = 100

# how each kind of lost file is counted, in this order
_LOST: dict[ProblemKind, tuple[str, str]] = {
    "newer-syntax": ("uses syntax newer than", ""),
    "unparsed": ("has a syntax error", "have syntax errors"),
    "unreadable": ("cannot be read", ""),
    "too-large": ("is over max_file_bytes", "are over max_file_bytes"),
}


@dataclass(frozen=True, slots=True)
class Summary:
    result: AnalysisResult
    requested: int  # files selected for analysis
    seconds: float
    written: Sequence[Path]  # report files (stdout not included)
    show_top: bool  # list the strongest recommendations (not when the report itself is on the terminal)

    def text(self, config: Config, cwd: Path) -> str:
        result = self.result
        skipped = self.requested - result.files_analysed
        counts = Counter(r.priority for r in result.recommendations)
        by_priority = ", ".join(f"{n} {p}" for p, n in counts.most_common())
        lines = [
            f"trace-advisor: {_count(result.files_analysed, 'file')} analysed"
            + (f" ({skipped} skipped)" if skipped else "")
            + f" in {self.seconds:.1f} s, {_count(len(result.recommendations), 'recommendation')}"
            + (f" ({by_priority})" if by_priority else "")
            + f" at confidence {config.min_confidence:.2f} or more, engine {result.engine}"
        ]
        if result.usage.calls:
            usage = result.usage
            lines.append(
                f"  model: {usage.calls} calls, {usage.input_tokens}+{usage.output_tokens} tokens "
                f"(~${usage.cost_usd:.4f})"
            )
        if self.show_top and result.recommendations:
            ranked = rank(result.recommendations, list(config.priorities), cwd)
            lines.append("  strongest:")
            width = max(len(r.qualname) for r in ranked[:TOP])
            for number, rec in enumerate(ranked[:TOP], 1):
                where = f"{relative(rec.file, cwd)}:{rec.range.start.line}"
                lines.append(f"    {number}. {rec.confidence:.2f} {rec.qualname:<{width}}  {where} ({rec.priority})")
                lines.append(f"       {_first_sentence(rec.rationale)}")
            if len(ranked) > TOP:
                lines.append(f"    ... {len(ranked) - TOP} more in the report")
        lines += [f"  {hint_text(hint)}" for hint in result.instrumentation]
        if result.traces is not None:
            check = result.traces
            observed = sum(r.observed is not None for r in result.recommendations)
            lines.append(
                f"  traces: {check.mapped} of {_count(check.spans, 'span')} mapped to"
                f" {_count(len(check.functions), 'function')}; {observed} recommended functions observed,"
                f" {_count(len(check.gaps), 'untraced gap')}, {_count(len(check.unseen), 'span')} in code never seen"
            )
        lost = _lost_files(result)
        if lost:
            lines.append(f"  not analysed: {lost}; each is listed above")
        if self.written:
            names = ", ".join(relative(str(p), cwd) for p in self.written)
            lines.append(f"  {'report' if len(self.written) == 1 else 'reports'} written to {names}")
        return "\n".join(lines) + "\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _first_sentence(text: str) -> str:
    sentence = text.split("; ")[0].split(". ")[0].strip().rstrip(".")
    if len(sentence) > RATIONALE_WIDTH:
        sentence = sentence[: RATIONALE_WIDTH - 1].rstrip() + "…"
    return sentence


def _lost_files(result: AnalysisResult) -> str:
    """``3 files: 2 use syntax newer than Python 3.11, 1 has a syntax error`` (empty when none was lost)."""
    from trace_advisor.newer_syntax import running_python

    kinds = Counter(p.kind for p in result.problems if p.file and p.kind in _LOST)
    if not kinds:
        return ""
    parts = []
    for kind, (one, many) in _LOST.items():
        count = kinds.get(kind, 0)
        if not count:
            continue
        phrase = one if count == 1 else many or _plural_verb(one)
        if kind == "newer-syntax":
            phrase += f" {running_python()}"
        parts.append(f"{count} {phrase}")
    return f"{_count(sum(kinds.values()), 'file')} ({', '.join(parts)})"


def _plural_verb(phrase: str) -> str:
    """``uses ...`` -> ``use ...``; ``cannot ...`` stays."""
    verb, _, rest = phrase.partition(" ")
    if verb.endswith("s") and verb not in {"is", "has"}:
        verb = verb[:-1]
    return f"{verb} {rest}"

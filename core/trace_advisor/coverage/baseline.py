"""The coverage baseline file (``.trace-advisor-baseline.json``) and what changed since it was written.

The file is meant to be committed: keys are sorted, each function is one line, and confidences are rounded to two
decimals, so a pull request's diff shows exactly which functions gained or lost a span.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.coverage.measure import Coverage, FunctionCoverage, Tally

BASELINE_NAME = ".trace-advisor-baseline.json"
FORMAT_VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read or is not one trace-advisor wrote."""


@dataclass(frozen=True, slots=True)
class BaselineFunction:
    confidence: float
    traced: bool


@dataclass(frozen=True, slots=True)
class Baseline:
    min_confidence: float
    functions: Mapping[str, BaselineFunction]  # by FunctionCoverage.key
    files: Mapping[str, str]  # relative path -> sha256
    ratio: float  # overall coverage when it was written
    weighted: float  # overall weighted coverage when it was written


def to_text(coverage: Coverage) -> str:
    """The baseline file's text for ``coverage``."""
    overall = coverage.overall()
    lines = [
        "{",
        f'  "version": {FORMAT_VERSION},',
        f'  "min_confidence": {json.dumps(coverage.min_confidence)},',
        f'  "overall": {_summary(overall)},',
        '  "packages": {',
        *_entries({name: _summary(t) for name, t in coverage.packages().items()}),
        "  },",
        '  "functions": {',
        *_entries(
            {
                f.key: json.dumps({"confidence": round(f.confidence, 2), "traced": f.is_traced})
                for f in sorted(coverage.functions, key=lambda f: f.key)
            }
        ),
        "  },",
        '  "files": {',
        *_entries({path: json.dumps(digest) for path, digest in coverage.files.items()}),
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _summary(tally: Tally) -> str:
    return json.dumps(
        {
            "functions": tally.functions,
            "traced": tally.traced,
            "coverage": round(tally.ratio, 4),
            "weighted_coverage": round(tally.weighted, 4),
        }
    )


def _entries(values: Mapping[str, str]) -> list[str]:
    items = [f"    {json.dumps(key, ensure_ascii=False)}: {value}" for key, value in sorted(values.items())]
    return [item + ("," if i < len(items) - 1 else "") for i, item in enumerate(items)]


def load(path: Path) -> Baseline:
    """Read a baseline file; raises BaselineError with the reason."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path} is not a baseline file (not JSON: {exc})") from None
    try:
        if data.get("version") != FORMAT_VERSION:
            raise BaselineError(f"{path}: unsupported baseline version {data.get('version')!r}")
        functions = {
            str(key): BaselineFunction(float(value["confidence"]), bool(value["traced"]))
            for key, value in data["functions"].items()
        }
        return Baseline(
            min_confidence=float(data["min_confidence"]),
            functions=functions,
            files={str(k): str(v) for k, v in data["files"].items()},
            ratio=float(data["overall"]["coverage"]),
            weighted=float(data["overall"]["weighted_coverage"]),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise BaselineError(f"{path} is not a baseline file (missing or bad field: {exc})") from None


@dataclass(frozen=True, slots=True)
class Comparison:
    """Coverage against a baseline. ``lost`` and ``new_in_changed`` are regressions; functions that newly deserve a
    span in files that did not change (a callee changed, the scorer improved) are reported but are not."""

    baseline: Baseline
    lost: tuple[FunctionCoverage, ...]  # traced in the baseline, no span now
    new_in_changed: tuple[FunctionCoverage, ...]  # not in the baseline, no span, in a changed or new file
    new_in_unchanged: tuple[FunctionCoverage, ...]  # not in the baseline, no span, in a file that did not change
    changed_files: frozenset[str]

    @property
    def regressions(self) -> tuple[FunctionCoverage, ...]:
        return (*self.lost, *self.new_in_changed)

    def is_new(self, function: FunctionCoverage) -> bool:
        """Whether an untraced function's missing span is new since the baseline (SARIF ``baselineState``)."""
        known = self.baseline.functions.get(function.key)
        return known is None or known.traced


def compare(coverage: Coverage, baseline: Baseline, changed: frozenset[str] | None = None) -> Comparison:
    """What regressed since ``baseline``. ``changed`` (relative paths) overrides the files whose content hash differs
    from the baseline's (e.g. the files changed since a git ref)."""
    if changed is None:
        changed = frozenset(path for path, digest in coverage.files.items() if baseline.files.get(path) != digest)
    lost: list[FunctionCoverage] = []
    new_changed: list[FunctionCoverage] = []
    new_unchanged: list[FunctionCoverage] = []
    for function in coverage.functions:
        if function.is_traced:
            continue
        known = baseline.functions.get(function.key)
        if known is not None and known.traced:
            lost.append(function)
        elif known is None:
            (new_changed if function.file in changed else new_unchanged).append(function)
    return Comparison(baseline, tuple(lost), tuple(new_changed), tuple(new_unchanged), changed)

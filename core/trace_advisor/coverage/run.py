"""One coverage run, as ``trace-advisor coverage`` and the agent server do it: the measurement of the requested files
against the project's baseline (when there is one), with what the user should know about the comparison."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.config_model import Config
from trace_advisor.coverage.baseline import BASELINE_NAME, Baseline, Comparison, compare
from trace_advisor.coverage.measure import Coverage, measure
from trace_advisor.index import Index


@dataclass(frozen=True, slots=True)
class CoverageRun:
    coverage: Coverage
    comparison: Comparison | None
    root: Path  # the baseline's folder: the coverage's file paths are relative to it
    warnings: tuple[str, ...] = ()


def baseline_path(project: Path, given: Path | None = None) -> Path:
    """The baseline file: ``given``, else ``.trace-advisor-baseline.json`` in the project root."""
    return (given or project / BASELINE_NAME).absolute()


def run_coverage(
    index: Index,
    config: Config,
    files: Sequence[Path],
    baseline_file: Path,
    baseline: Baseline | None,
    changed: frozenset[str] | None = None,
    *,
    cancel: CancelToken = NEVER,
    progress: Callable[[int, int], None] | None = None,
) -> CoverageRun:
    """Measure ``files`` (paths relative to the baseline's folder) and compare with ``baseline`` when given;
    ``changed`` (relative paths) are the files a new untraced function is a regression in (None: files whose
    content differs from the baseline's)."""
    root = baseline_file.parent
    coverage = measure(index, config, root, files, cancel=cancel, progress=progress)
    if baseline is None:
        return CoverageRun(coverage, None, root)
    warnings = []
    if baseline.min_confidence != coverage.min_confidence:
        warnings.append(
            f"the baseline was written at min_confidence {baseline.min_confidence:g}, this run uses "
            f"{coverage.min_confidence:g}: functions near the threshold compare as new or gone"
        )
    return CoverageRun(coverage, compare(coverage, baseline, changed), root, tuple(warnings))

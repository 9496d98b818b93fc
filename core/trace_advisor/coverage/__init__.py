"""Span coverage: how many of the functions that deserve a span have one, per package and overall, and a baseline
file that lets CI fail only on regressions (a span removed, a new untraced function in a changed file)."""

from trace_advisor.coverage.baseline import (
    BASELINE_NAME,
    Baseline,
    BaselineError,
    Comparison,
    compare,
    load,
    to_text,
)
from trace_advisor.coverage.measure import Coverage, FunctionCoverage, Tally, measure
from trace_advisor.coverage.render import FORMATS, render
from trace_advisor.coverage.run import CoverageRun, baseline_path, run_coverage

__all__ = [
    "BASELINE_NAME",
    "FORMATS",
    "Baseline",
    "BaselineError",
    "Comparison",
    "Coverage",
    "CoverageRun",
    "FunctionCoverage",
    "Tally",
    "baseline_path",
    "compare",
    "load",
    "measure",
    "render",
    "run_coverage",
    "to_text",
]

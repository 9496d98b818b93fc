"""Recommendations checked against real traces (``analyze --traces``): read OTLP JSON exports, map their spans to the
workspace's functions and let the figures raise confidence, explain untraced time and find spans nobody sees."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.config_model import Config
from trace_advisor.model import AnalysisResult
from trace_advisor.traces.check import check_traces, code_functions
from trace_advisor.traces.otlp import ObservedSpan, TraceFileError, read_traces

if TYPE_CHECKING:
    from trace_advisor.index import Index

__all__ = ["ObservedSpan", "TraceFileError", "check_against_traces", "read_trace_files"]

TRACE_SUFFIXES = (".json", ".jsonl", ".ndjson")


def read_trace_files(paths: Sequence[Path]) -> tuple[tuple[ObservedSpan, ...], tuple[Path, ...]]:
    """The spans of every file (a folder: its ``*.json``/``*.jsonl``/``*.ndjson`` files), and the files read;
    raises :class:`TraceFileError` for a missing path, a folder without such files, a file that is not OTLP JSON, or
    no span at all."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in TRACE_SUFFIXES)
            if not found:
                raise TraceFileError(f"{path}: no {'/'.join(TRACE_SUFFIXES)} files in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise TraceFileError(f"{path}: no such file or folder")
    spans: list[ObservedSpan] = []
    for file in files:
        spans.extend(read_traces(file))
    if not spans:
        raise TraceFileError(f"no spans in {', '.join(str(f) for f in files)}: nothing to check against")
    return tuple(spans), tuple(files)


def check_against_traces(
    result: AnalysisResult, index: Index, config: Config, spans: Sequence[ObservedSpan], files: Sequence[Path]
) -> AnalysisResult:
    """``result`` checked against ``spans`` (read from ``files``), matched to every function of ``index``."""
    functions = code_functions(index, config, index.files())
    return check_traces(result, functions, index.graph(), spans, [str(f) for f in files])

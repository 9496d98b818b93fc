"""Recommendations checked against real traces (``analyze --traces``, the ``traces`` setting): read OTLP JSON
exports, map their spans to the workspace's functions and let the figures raise confidence, explain untraced time
and find spans nobody sees."""

from __future__ import annotations

import dataclasses
import glob
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.config_model import Config
from trace_advisor.datatypes import AnalysisResult, Problem
from trace_advisor.span_names import SpanNames
from trace_advisor.traces.check import check_traces, code_functions
from trace_advisor.traces.otlp import ObservedSpan, TraceFileError, read_traces

if TYPE_CHECKING:
    from trace_advisor.index import Index

__all__ = [
    "ObservedSpan",
    "TraceFileError",
    "configured_traces",
    "read_trace_files",
    "trace_files",
    "with_traces",
]

TRACE_SUFFIXES = (".json", ".jsonl", ".ndjson")
Traces = tuple[tuple[ObservedSpan, ...], tuple[Path, ...]]  # spans and the files they were read from
_GLOB_CHARS = frozenset("*?[")


def trace_files(patterns: Sequence[str | Path]) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    """The files ``patterns`` name, in order, each once: a file; a folder's ``*.json``/``*.jsonl``/``*.ndjson``
    files; a glob pattern's matches (``**`` for any depth; matched folders count as folders). And what was wrong:
    a missing path, a folder without such files, a pattern that matches nothing."""
    files: dict[Path, None] = {}
    problems: list[str] = []
    for pattern in patterns:
        text = str(pattern)
        if _GLOB_CHARS & set(text):
            matched = [Path(p) for p in sorted(glob.glob(text, recursive=True))]
            found = [f for m in matched for f in (_in_folder(m) if m.is_dir() else [m] if m.is_file() else [])]
            if not found:
                problems.append(f"{text}: no trace files match this pattern")
        else:
            path = Path(text)
            found = _in_folder(path) if path.is_dir() else [path] if path.is_file() else []
            if not found:
                problems.append(
                    f"{path}: no {'/'.join(TRACE_SUFFIXES)} files in this folder"
                    if path.is_dir()
                    else f"{path}: no such file or folder"
                )
        files.update(dict.fromkeys(found))
    return tuple(files), tuple(problems)


def _in_folder(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in TRACE_SUFFIXES)


def read_trace_files(paths: Sequence[Path]) -> Traces:
    """The spans of every file ``paths`` name (see :func:`trace_files`), and the files read; raises
    :class:`TraceFileError` for a missing path, a folder without trace files, a file that is not OTLP JSON, or no
    span at all (``--traces``: the user named these files, nothing is worth doing without them)."""
    files, problems = trace_files(paths)
    if problems:
        raise TraceFileError(problems[0])
    spans: list[ObservedSpan] = []
    for file in files:
        spans.extend(read_traces(file))
    if not spans:
        raise TraceFileError(f"no spans in {', '.join(str(f) for f in files)}: nothing to check against")
    return tuple(spans), files


def configured_traces(
    patterns: Sequence[str],
) -> tuple[tuple[ObservedSpan, ...], tuple[Path, ...], tuple[Problem, ...]]:
    """The spans of the files the ``traces`` setting names, the files read and, as warnings, what could not be
    read (the setting outlives the files it names: a missing or broken file never stops a run)."""
    files, missing = trace_files(patterns)
    problems = [Problem(f"traces setting: {text}") for text in missing]
    spans: list[ObservedSpan] = []
    read: list[Path] = []
    for file in files:
        try:
            spans.extend(read_traces(file))
        except TraceFileError as exc:
            problems.append(Problem(f"traces setting: {exc}"))
        else:
            read.append(file)
    return tuple(spans), tuple(read), tuple(problems)


def with_traces(
    result: AnalysisResult,
    index: Index,
    config: Config,
    given: Traces | None = None,
    analysed: Sequence[Path] | None = None,
) -> AnalysisResult:
    """``result`` (of the ``analysed`` files, None: all) checked against ``given`` traces (``--traces``, the
    ``recommend`` tool's ``traces``), else against the files of the ``traces`` setting (what cannot be read there
    becomes a warning); unchanged without either. Functions of ``analysed`` files below ``min_confidence`` that ran in
    a slow untraced gap are recommended after all."""
    if given is None and config.traces:
        spans, read, unread = configured_traces(config.traces)
        result = dataclasses.replace(result, problems=(*result.problems, *unread))
        given = (spans, read) if spans else None
    if given is None:
        return result
    from trace_advisor.traces.promote import Promotion  # the analysis: loaded when traces are given

    functions = code_functions(index, index.files())
    promotion = Promotion(index, config, analysed)
    names = index.extension(SpanNames).table(index)
    return check_traces(result, functions, index.graph(), given[0], [str(f) for f in given[1]], promotion, names)

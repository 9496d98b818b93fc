"""The traces the ``traces`` setting names, kept with the index (``index.extension(TraceWatch)``) for the editor's
hovers and lenses: the files are read again when one changes (or the patterns match other files), and the spans
matched to the functions again when the code changes (each file's functions kept while its text is the same)."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.datatypes import Observed, SpanGap, SymbolId
from trace_advisor.span_names import SpanNames
from trace_advisor.traces import trace_files
from trace_advisor.traces.check import file_functions, grouped, observe, unmapped_message
from trace_advisor.traces.figures import Timed, timed
from trace_advisor.traces.match import CodeFunction
from trace_advisor.traces.otlp import ObservedSpan, TraceFileError, read_traces

if TYPE_CHECKING:
    from trace_advisor.index import Index

FilesKey = tuple[tuple[str, int, int], ...]  # (path, mtime ns, size) of each file read


@dataclass(frozen=True, slots=True)
class TraceView:
    """What the configured traces say about the workspace's functions now: ``functions`` with spans of their own,
    the ``gaps`` of traced functions (by that function) and, for untraced functions that ran in one, the figures of
    the slowest (``inside``); ``problems`` name files that could not be read and spans that fit no function."""

    files: tuple[Path, ...]
    spans: int
    functions: Mapping[SymbolId, Observed] = field(default_factory=dict)
    gaps: Mapping[SymbolId, SpanGap] = field(default_factory=dict)
    inside: Mapping[SymbolId, Observed] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


class TraceWatch:
    """Reads the configured trace files on demand and keeps what they say until the files or the code change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._patterns: tuple[str, ...] = ()
        self._files_key: FilesKey | None = None
        self._read: tuple[Path, ...] = ()
        self._spans: tuple[ObservedSpan, ...] = ()
        self._groups: dict[tuple[object, ...], list[Timed]] = {}
        self._unread: tuple[str, ...] = ()
        self._functions: dict[Path, tuple[str, tuple[CodeFunction, ...]]] = {}  # by file: (its text, functions)
        self._view: tuple[tuple[int, FilesKey], TraceView] | None = None

    @property
    def patterns(self) -> tuple[str, ...]:
        return self._patterns

    def use(self, patterns: Sequence[str]) -> None:
        """Read traces from the files ``patterns`` name (see :func:`trace_advisor.traces.trace_files`)."""
        with self._lock:
            if tuple(patterns) != self._patterns:
                self._patterns, self._files_key, self._view = tuple(patterns), None, None

    def load(self) -> None:
        """Read the files again if they changed: a server calls this off its request thread when the setting or the
        files change, so that ``view(index, wait=False)`` never waits for a large read."""
        with self._lock:
            if self._patterns:
                self._reread()

    def view(self, index: Index, wait: bool = True) -> TraceView | None:
        """What the traces say about ``index``'s code now; None when no traces are configured. With ``wait=False``,
        while a ``load`` is reading the files: the last view (None before the first)."""
        if not self._lock.acquire(blocking=wait):
            return self._view[1] if self._view is not None else None
        try:
            if not self._patterns:
                return None
            key = self._reread()
            wanted = (index.graph_version(), key)
            if self._view is None or self._view[0] != wanted:
                self._view = (wanted, self._observe(index))
            return self._view[1]
        finally:
            self._lock.release()

    def _reread(self) -> FilesKey:
        files, missing = trace_files(self._patterns)
        key = tuple((str(f), st.st_mtime_ns, st.st_size) for f in files if (st := _stat(f)) is not None)
        if key == self._files_key:
            return key
        spans: list[ObservedSpan] = []
        read: list[Path] = []
        unread = list(missing)
        for file in files:
            try:
                spans.extend(read_traces(file))
            except TraceFileError as exc:
                unread.append(str(exc))
            else:
                read.append(file)
        self._files_key, self._read, self._unread = key, tuple(read), tuple(unread)
        self._spans, self._groups = tuple(spans), grouped(timed(spans))
        return key

    def _observe(self, index: Index) -> TraceView:
        functions = self._code_functions(index)
        names = index.extension(SpanNames).table(index)
        seen = observe(functions, index.graph(), self._spans, groups=self._groups, names=names)
        problems = self._unread
        if self._spans and not seen.functions:
            problems = (*problems, unmapped_message(self._spans))
        return TraceView(
            files=self._read,
            spans=len(self._spans),
            functions=seen.functions,
            gaps={gap.function.symbol: gap for gap in seen.gaps},
            inside=seen.inside,
            problems=problems,
        )

    def _code_functions(self, index: Index) -> list[CodeFunction]:
        """Every indexed file's functions, found again only for files whose text changed."""
        kept: dict[Path, tuple[str, tuple[CodeFunction, ...]]] = {}
        out: list[CodeFunction] = []
        for path in index.files():
            text = index.source(path)
            if text is None:
                continue
            cached = self._functions.get(path)
            if cached is None or cached[0] is not text:
                cached = (text, file_functions(index, path))
            kept[path] = cached
            out.extend(cached[1])
        self._functions = kept
        return out


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None

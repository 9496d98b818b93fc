"""What the server knows per workspace folder: its config, its index, and the latest findings per file."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from trace_advisor.advise.provider import Provider
from trace_advisor.cancel import CancelToken
from trace_advisor.config import find_project_root
from trace_advisor.config_model import Config
from trace_advisor.datatypes import InstrumentationHint, Recommendation, SyntaxProblem, Usage
from trace_advisor.edits.formatter import find_formatter
from trace_advisor.edits.style import ProjectStyles, SpanOrigin, SpanStyle, span_origin, span_style
from trace_advisor.index import Index

from trace_advisor_lsp.convert import split_lines, uri_to_path

State = Literal["indexing", "ready", "error"]


@dataclass(frozen=True, slots=True)
class LocalFindings:
    """The local engine's findings of one file: its recommendations, and the instrumentation to install rather than
    a span per request handler (covering this file's handlers)."""

    recommendations: tuple[Recommendation, ...] = ()
    install: tuple[InstrumentationHint, ...] = ()


@dataclass(slots=True)
class FileFindings:
    """The latest findings of one file. ``local`` is the last analysis of a version that parsed; ``answers`` are a
    model provider's answers about its functions, each standing while its function's code is unchanged."""

    local: LocalFindings = field(default_factory=LocalFindings)
    visible: tuple[Recommendation, ...] = ()  # what was last published (local merged with the model's answers)
    answers: tuple[Recommendation, ...] = ()
    syntax: SyntaxProblem | None = None
    refreshed_version: int | None = None  # None: never refreshed, or outdated by a settings change

    def recommendation(self, symbol: str, line: int | None) -> Recommendation | None:
        """The published recommendation for ``symbol`` whose def spans ``line`` (defs can share a symbol: a
        property's getter and setter); with no line, the first one for ``symbol``."""
        for rec in self.visible:
            if rec.symbol == symbol and (line is None or rec.range.start.line <= line <= rec.range.end.line):
                return rec
        return None


@dataclass(slots=True)
class Project:
    """One workspace folder. ``index`` is None until the first build finishes; the engine thread owns it. Before
    that, ``loading`` is the index being built once its files are named: right about a file and what it imports
    (each read when first asked about), not yet about the whole folder (a function's callers)."""

    root: Path
    config: Config
    index: Index | None = None
    loading: Index | None = None
    state: State = "indexing"
    indexed: int = 0
    total: int = 0
    usage: Usage = field(default_factory=Usage)
    findings: dict[str, FileFindings] = field(default_factory=dict)
    provider: tuple[Config, Provider | None] | None = None  # (the config it was built for, None: local engine)
    built: asyncio.Event = field(default_factory=asyncio.Event)  # set once the first build is done (or failed)
    named: asyncio.Event = field(default_factory=asyncio.Event)  # set once the first build named its files (or failed)
    building: tuple[CancelToken, tuple[object, ...]] | None = None  # the build in flight and its index settings
    indexed_with: tuple[object, ...] | None = None  # the index settings ``index`` was built with
    _lines: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    _style: tuple[Config, SpanStyle] | None = None
    _formatted: tuple[Config, SpanStyle] | None = None
    _nested: dict[bool, tuple[Config, ProjectStyles]] = field(default_factory=dict)  # by formatter: nested projects

    def span_style(self, *, formatter: bool = False, path: str | None = None) -> SpanStyle:
        """How span code is written in this folder (read once per config), or, for the file at ``path`` inside a
        project nested in it (its own pyproject.toml: a repository's ``backend/``), in that project (read once per
        config and project). ``formatter``: with the project's ruff/black laying out the lines a span's indent pushes
        out (a subprocess per function: only for the edit of an action the user picked, never while actions are
        listed); found once per config."""
        nested = self._nested_root(path)
        if nested is not None:
            kept = self._nested.get(formatter)
            if kept is None or kept[0] is not self.config:
                kept = self._nested[formatter] = (self.config, ProjectStyles(self.config, formatter=formatter))
            return kept[1].of_root(nested)
        if not formatter:
            if self._style is None or self._style[0] is not self.config:
                self._style = (self.config, span_style(self.config, self.root))
            return self._style[1]
        if self._formatted is None or self._formatted[0] is not self.config:
            style = self.span_style()  # the project's style as read once; only the formatter is looked up
            found = find_formatter(self.root, style.project.formatter, self.config.python)
            self._formatted = (self.config, dataclasses.replace(style, formatter=found))
        return self._formatted[1]

    def _nested_root(self, path: str | None) -> Path | None:
        """The root of the project nested in this folder that holds ``path`` (None: the folder's own)."""
        if path is None:
            return None
        found, root = find_project_root(Path(path)), self.root.resolve()
        return found if found != root and found.is_relative_to(root) else None

    def findings_for(self, path: str) -> FileFindings:
        return self.findings.setdefault(path, FileFindings())

    def outdate_findings(self) -> None:
        """The settings changed: every file's findings must be refreshed before they are acted on."""
        for findings in self.findings.values():
            findings.refreshed_version = None

    @property
    def serving(self) -> Index | None:
        """The index that answers questions about one file: the built one, else the one being built."""
        return self.index if self.index is not None else self.loading

    def indexes(self) -> list[Index]:
        """The built index and the one being built: what a change on disk or a closed document must reach."""
        found = [self.index] if self.index is not None else []
        if self.loading is not None and self.loading is not self.index:
            found.append(self.loading)
        return found

    def text(self, path: str) -> str | None:
        """The file's current text (open-document overlay first)."""
        index = self.serving
        return index.source(Path(path)) if index is not None else None

    def lines(self, path: str) -> list[str]:
        """The file's current lines (open-document overlay first), split once per text version."""
        text = self.text(path)
        if text is None:
            return []
        cached = self._lines.get(path)
        if cached is not None and cached[0] is text:
            return cached[1]
        lines = split_lines(text)
        self._lines[path] = (text, lines)
        return lines

    def forget_lines(self, path: str) -> None:
        self._lines.pop(path, None)

    def index_settings(self) -> tuple[object, ...]:
        """The config keys that change what gets indexed: a change to these rebuilds the index."""
        c = self.config
        return (c.search_paths, c.python, c.ignore, c.max_file_bytes)

    def needs_build(self) -> bool:
        """Whether neither the index nor the build in flight was made with the current index settings."""
        wanted = self.index_settings()
        if self.building is not None:
            return self.building[1] != wanted
        return self.index is None or self.indexed_with != wanted


@dataclass(frozen=True, slots=True)
class Target:
    """Where a request points: the folder's project, the file path, the folder's index and the document uri."""

    project: Project
    path: str
    index: Index
    uri: str

    def span_origin(self) -> SpanOrigin:
        """The file's module and project-relative path, for the ``code.*`` attributes of its spans."""
        return span_origin(Path(self.path), self.index.module_for_path(Path(self.path)), self.index.graph())


class Projects:
    """The workspace folders, found by the longest folder that contains a path."""

    def __init__(self) -> None:
        self._by_root: dict[Path, Project] = {}

    def __iter__(self) -> Iterator[Project]:
        return iter(list(self._by_root.values()))

    def __len__(self) -> int:
        return len(self._by_root)

    def get(self, root: Path) -> Project | None:
        return self._by_root.get(root)

    def add(self, project: Project) -> None:
        self._by_root[project.root] = project

    def remove(self, root: Path) -> Project | None:
        return self._by_root.pop(root, None)

    def for_path(self, path: str | Path) -> Project | None:
        target = Path(path)
        best: Project | None = None
        for root, project in self._by_root.items():
            if target == root or root in target.parents:
                if best is None or len(root.parts) > len(best.root.parts):
                    best = project
        return best

    def of_uri(self, uri: str) -> tuple[Project, str] | None:
        """The project and file path of ``uri``, when it is a file inside a workspace folder."""
        path = uri_to_path(uri)
        if path is None:
            return None
        project = self.for_path(path)
        return (project, path) if project is not None else None

    def target(self, uri: str) -> Target | None:
        """Project, path and index of ``uri`` once its folder is indexed (None before, or outside the folders)."""
        found = self.of_uri(uri)
        if found is None or found[0].index is None:
            return None
        return Target(found[0], found[1], found[0].index, uri)

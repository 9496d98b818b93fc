"""What the agent server's tools and resources do, without the protocol: each call confines its paths to the roots,
brings the workspace index up to date with the disk and answers through the same core code as the CLI, so a tool's
answer equals the CLI's JSON for the same request. Calls are serialised: one index per workspace, one writer."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.advise.provider import Provider
from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.config_model import Config
from trace_advisor.datatypes import SymbolId
from trace_advisor.graph_json import callees_json, callers_json, tree_json
from trace_advisor.index import Index
from trace_advisor.lookup import NotFoundError, files_under, function_symbol, parse_function
from trace_advisor.mcp.workspaces import RequestError, ServerOptions, Workspace, Workspaces
from trace_advisor.parsing import content_hash
from trace_advisor.request_config import RequestConfigError, only_priorities
from trace_advisor.span_files import FileEdit, SymbolError, edit_files, symbol_targets, write_edit

if TYPE_CHECKING:
    from trace_advisor.traces import Traces

CHANGED_SINCE_PREVIEW = "changed on disk since preview_span read it; not written (call preview_span again)"

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Located:
    """A function a request named: its workspace, that workspace's current index and the symbol id."""

    workspace: Workspace
    index: Index
    symbol: SymbolId


class AdvisorService:
    """The tools' behaviour over the server's workspaces. Thread-safe: one call at a time."""

    def __init__(self, options: ServerOptions) -> None:
        self.workspaces = Workspaces(options)
        self._lock = threading.Lock()
        self._previewed: dict[Path, str] = {}  # file -> content hash when preview_span last read it

    def warm(self, cancel: CancelToken = NEVER) -> None:
        """Index every workspace now, so the first call does not wait for it (errors wait for that call)."""
        for workspace in self.workspaces.all:
            with self._lock:
                try:
                    workspace.index(workspace.config(), cancel)
                except (RequestError, OSError):
                    continue
                finally:
                    workspace.take_notice()  # told with the first call that reads the configuration

    def take_notices(self) -> list[str]:
        """What the user must know about the configurations read since the last call (an untrusted project file's
        ignored settings and how to trust it), each once."""
        return list(dict.fromkeys(n for w in self.workspaces.all if (n := w.take_notice()) is not None))

    # ---- tools -------------------------------------------------------------------------------------------------
    def recommend(
        self,
        paths: Sequence[str],
        min_confidence: float | None = None,
        priorities: Sequence[str] | None = None,
        traces: Sequence[str] | None = None,
        *,
        cancel: CancelToken = NEVER,
        progress: Progress | None = None,
    ) -> dict[str, object]:
        """``trace-advisor analyze PATHS --format json [--traces TRACES]`` run in the workspace root: the JSON report
        (paths relative to the root), analysed with the whole workspace's call graph and checked against ``traces``
        (else the project's ``traces`` setting)."""
        with self._lock:
            workspace, targets = self.workspaces.locate_all(paths)
            config = workspace.config({"min_confidence": min_confidence})
            if priorities is not None:
                try:
                    config = only_priorities(config, priorities)
                except RequestConfigError as exc:
                    raise RequestError(str(exc)) from None
            read = self._traces(workspace, traces) if traces is not None else None  # bad files: before any work
            text = self._report(workspace, config, "json", [p.resolve() for p in targets], cancel, progress, read)
            report: dict[str, object] = json.loads(text)
            return report

    def coverage(
        self,
        paths: Sequence[str],
        min_confidence: float | None = None,
        *,
        cancel: CancelToken = NEVER,
        progress: Progress | None = None,
    ) -> dict[str, object]:
        """``trace-advisor coverage ROOT --format json``: which functions that deserve a span have one, compared
        with the project's baseline when it has one; ``warnings`` says what the CLI prints on stderr."""
        from trace_advisor.config import find_project_root
        from trace_advisor.coverage import BaselineError, baseline_path, load, render, run_coverage

        with self._lock:
            workspace, targets = self.workspaces.locate_all(paths)
            config = workspace.config({"min_confidence": min_confidence})
            baseline_file = baseline_path(find_project_root(workspace.root))
            try:
                baseline = load(baseline_file) if baseline_file.is_file() else None
            except BaselineError as exc:
                raise RequestError(str(exc)) from None
            index = workspace.index(config, cancel)
            files = files_under(index, [p.resolve() for p in targets])
            run = run_coverage(index, config, files, baseline_file, baseline, cancel=cancel, progress=progress)
            answer: dict[str, object] = json.loads(render(run.coverage, "json", run.comparison, run.root))
            problems = [f"{p.file or 'trace-advisor'}: {p.severity}: {p.message}" for p in run.coverage.problems]
            answer["warnings"] = [*problems, *run.warnings]
            return answer

    def report(
        self, workspace: Workspace, fmt: str, *, cancel: CancelToken = NEVER, progress: Progress | None = None
    ) -> str:
        """``trace-advisor analyze ROOT --format FMT`` run in the root: the report of the whole workspace."""
        with self._lock:
            return self._report(workspace, workspace.config(), fmt, [workspace.root.resolve()], cancel, progress)

    def lint_spans(
        self, paths: Sequence[str], rules: Sequence[str] | None = None, *, cancel: CancelToken = NEVER
    ) -> dict[str, object]:
        """``trace-advisor lint PATHS --format json [--select RULE ...]`` run in the workspace root, plus
        ``warnings`` (what the CLI prints on stderr: files not read or not parsed). Reads only: fixing is the CLI's
        ``--fix`` or the editor's quick-fixes."""
        from trace_advisor.config import find_project_root
        from trace_advisor.edits.style import span_style
        from trace_advisor.lint import RULES, LintOptions
        from trace_advisor.lint.files import lint_files, lint_targets

        with self._lock:
            workspace, targets = self.workspaces.locate_all(paths)
            unknown = sorted(set(rules or ()) - {rule.id for rule in RULES})
            if unknown:
                raise RequestError(f"no such rule: {', '.join(unknown)} (rules: {', '.join(r.id for r in RULES)})")
            config = workspace.config()
            options = LintOptions.of(span_style(config, find_project_root(workspace.root)))
            chosen = tuple(rule for rule in RULES if not rules or rule.id in rules)
            # a folder's files as the CLI finds them; a symlink leading out of the root is not read
            files = [f for f in lint_targets(targets, config.ignore) if workspace.contains(f)]
            run = lint_files(files, options, chosen, cancel=cancel)
            answer = run.to_json(lambda path: _relative(path, workspace.root))
            answer["warnings"] = [f"{_relative(path, workspace.root)}: {problem}" for path, problem in run.problems]
            return answer

    def call_tree(self, entry: str, depth: int = 8, *, cancel: CancelToken = NEVER) -> dict[str, object]:
        """``trace-advisor calls ROOT --entry ENTRY --depth N --format json``."""
        with self._lock:
            found = self._function(entry, cancel)
            return tree_json(found.index.graph().tree(found.symbol, depth))

    def callees(self, symbol: str, *, cancel: CancelToken = NEVER) -> dict[str, object]:
        """What a function calls: its ``calls`` in ``trace-advisor calls ROOT --format json``, with call sites."""
        with self._lock:
            found = self._function(symbol, cancel)
            return callees_json(found.index.graph(), found.index, found.symbol)

    def callers(self, symbol: str, *, cancel: CancelToken = NEVER) -> dict[str, object]:
        """Every workspace function whose ``calls`` in ``trace-advisor calls ROOT --format json`` include it."""
        with self._lock:
            found = self._function(symbol, cancel, called_only=True)
            found.index.resolve_all(cancel)
            return callers_json(found.index.graph(), found.index, found.symbol)

    def preview_span(self, symbol: str, plain: bool = False, *, cancel: CancelToken = NEVER) -> dict[str, object]:
        """``trace-advisor apply ROOT --symbol SYMBOL --diff [--plain]``: the diff ``apply_span`` would write, and
        what each function gets. The files' contents are remembered: ``apply_span`` refuses one changed since."""
        with self._lock:
            found = self._function(symbol, cancel)
            edits, problems = self._span_edits(found.workspace, found.index, [found.symbol], plain)
            for edit in edits:
                if edit.source is not None:
                    self._previewed[edit.path] = content_hash(edit.source.original)
            root = found.workspace.real_root
            return {
                "diff": "".join(edit.source.diff(edit.text, root) for edit in edits if edit.changed and edit.source),
                "files": [_relative(edit.path, root) for edit in edits if edit.changed],
                "spans": _outcomes_json(edits, root),
                "problems": problems,
            }

    def apply_span(
        self, symbols: Sequence[str], plain: bool = False, *, cancel: CancelToken = NEVER
    ) -> dict[str, object]:
        """``trace-advisor apply ROOT --symbol S... [--plain]``: writes each file atomically, except a file that
        changed since ``preview_span`` showed it (or since it was read): that one is refused, nothing else is."""
        with self._lock:
            located = [self._function(symbol, cancel) for symbol in symbols]
            workspace = located[0].workspace
            if any(found.workspace is not workspace for found in located):
                raise RequestError("the functions are in different roots: apply the spans of each root separately")
            edits, problems = self._span_edits(workspace, located[0].index, [f.symbol for f in located], plain)
            root = workspace.real_root
            written: list[FileEdit] = []
            refused: list[dict[str, str]] = []
            unwritten: set[Path] = set()
            for edit in edits:
                if not edit.changed or edit.source is None:
                    continue
                previewed = self._previewed.get(edit.path)
                if previewed is not None and previewed != content_hash(edit.source.original):
                    problem: str | None = CHANGED_SINCE_PREVIEW
                else:
                    problem = write_edit(edit)
                if problem:
                    refused.append({"file": _relative(edit.path, root), "reason": problem})
                    unwritten.add(edit.path)
                    continue
                self._previewed.pop(edit.path, None)
                written.append(edit)
            return {
                "diff": "".join(edit.source.diff(edit.text, root) for edit in written if edit.source),
                "files": [_relative(edit.path, root) for edit in written],
                "spans": _outcomes_json(edits, root, unwritten),
                "problems": problems,
                "refused": refused,
            }

    # ---- shared steps ------------------------------------------------------------------------------------------
    def _report(
        self,
        workspace: Workspace,
        config: Config,
        fmt: str,
        targets: Sequence[Path],
        cancel: CancelToken,
        progress: Progress | None,
        traces: Traces | None = None,
    ) -> str:
        from trace_advisor.analysis import analyze
        from trace_advisor.report import ReportError, render
        from trace_advisor.traces import with_traces
        from trace_advisor.volume import estimate_costs

        provider = _provider(config)
        index = workspace.index(config, cancel)
        files = files_under(index, targets)
        result = analyze(index, config, files, provider=provider, cancel=cancel, progress=progress)
        result = estimate_costs(result, index, config)  # as ``analyze`` on the command line: the same report
        result = with_traces(result, index, config, traces, files)
        try:
            return render(result, fmt, graph=index.graph(), config=config, root=workspace.root)
        except ReportError as exc:
            raise RequestError(str(exc)) from None

    def _traces(self, workspace: Workspace, texts: Sequence[str]) -> Traces:
        """The spans of the trace files ``texts`` name (files, folders or glob patterns, relative to the workspace
        root or absolute), which must all lie inside the workspace."""
        from trace_advisor.traces import TraceFileError, read_trace_files, trace_files

        patterns = [text if Path(text).is_absolute() else str(workspace.root / text) for text in texts]
        files, problems = trace_files(patterns)
        if problems:
            raise RequestError(f"traces: {problems[0]}")
        outside = next((f for f in files if not workspace.contains(f)), None)
        if outside is not None:
            raise RequestError(
                f"traces: {outside} is outside the workspace root {workspace.root}: only its files are read"
            )
        try:
            return read_trace_files(files)
        except TraceFileError as exc:
            raise RequestError(f"traces: {exc}") from None

    def _span_edits(
        self, workspace: Workspace, index: Index, symbols: Sequence[SymbolId], plain: bool
    ) -> tuple[list[FileEdit], list[str]]:
        """What ``trace-advisor apply ROOT --symbol ...`` computes: each file's span edits, and the problems (names
        matching nothing under the root, unreadable files, analysis problems) as messages."""
        from trace_advisor.edits import ProjectStyles

        config = workspace.config()
        root = workspace.real_root
        try:
            targets, problems, analysed = symbol_targets(
                index, config, root, symbols, plain=plain, display=lambda p: _relative(p, root)
            )
        except SymbolError as exc:
            raise RequestError(str(exc)) from None
        edits = edit_files(targets, ProjectStyles(config, formatter=True), index)
        problems += [f"{p.file or 'trace-advisor'}: {p.severity}: {p.message}" for p in analysed]
        problems += [f"{_relative(e.path, root)}: {e.problem}; nothing changed" for e in edits if e.problem]
        return edits, problems

    def _function(self, text: str, cancel: CancelToken, *, called_only: bool = False) -> Located:
        """The function ``text`` names (``FILE:QUALNAME``, FILE absolute or relative to a root, or a symbol id
        ``module:qualname``). With ``called_only``, a symbol without source (``json:dumps``) is accepted too."""
        try:
            ref = parse_function(text, [w.root for w in self.workspaces.all])
        except NotFoundError as exc:
            raise RequestError(str(exc)) from None
        if ref.file is not None:
            workspace, _ = self.workspaces.locate(str(ref.file))
            candidates = [workspace]
        else:
            candidates = list(self.workspaces.all)
        problems: list[str] = []
        for workspace in candidates:
            index = workspace.index(workspace.config(), cancel)
            try:
                return Located(workspace, index, function_symbol(ref, index, workspace.root))
            except NotFoundError as exc:
                symbol = f"{ref.module}:{ref.qualname}"
                if called_only and ref.module is not None and index.graph().callers(symbol):
                    return Located(workspace, index, symbol)
                problems.append(str(exc))
        raise RequestError("; ".join(problems))


def _outcomes_json(
    edits: Sequence[FileEdit], root: Path, unwritten: set[Path] | None = None
) -> list[dict[str, object]]:
    """What each function got, as ``trace-advisor apply`` reports it on stderr; a span of a file in ``unwritten``
    is ``not_written``."""
    found: list[dict[str, object]] = []
    for edit in edits:
        if edit.source is None:
            continue
        for target, outcome in zip(edit.targets, edit.outcomes, strict=True):
            result = outcome.result
            status = "added" if result.edits else "already_traced" if result.already_traced else "not_added"
            if status == "added" and unwritten is not None and edit.path in unwritten:
                status = "not_written"
            found.append(
                {
                    "symbol": target.label,
                    "file": _relative(edit.path, root),
                    "line": outcome.line,
                    "status": status,
                    "span_name": result.span_name if result.edits else None,
                    "form": result.form if result.edits else None,
                    "message": result.message,
                    "notes": list(result.notes),
                }
            )
    return found


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _provider(config: Config) -> Provider | None:
    """The configured model provider (None: the local engine); nothing is sent anywhere unless one is configured."""
    if config.provider.name == "local":
        return None
    from trace_advisor.advise.providers import create_provider

    try:
        return create_provider(config)
    except ValueError as exc:  # ProviderConfigError: the message names the key to fix
        raise RequestError(str(exc)) from None

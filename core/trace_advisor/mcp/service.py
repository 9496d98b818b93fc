"""What the agent server's tools and resources do, without the protocol: each call confines its paths to the roots,
brings the workspace index up to date with the disk and answers through the same core code as the CLI, so a tool's
answer equals the CLI's JSON for the same request. Calls are serialised: one index per workspace, one writer."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.advise.provider import Provider
from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.config_model import Config
from trace_advisor.graph_json import callees_json, callers_json, tree_json
from trace_advisor.index import Index
from trace_advisor.lookup import NotFoundError, files_under, function_symbol, parse_function
from trace_advisor.mcp.workspaces import RequestError, ServerOptions, Workspace, Workspaces
from trace_advisor.model import SymbolId
from trace_advisor.request_config import RequestConfigError, only_priorities

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

    def warm(self, cancel: CancelToken = NEVER) -> None:
        """Index every workspace now, so the first call does not wait for it (errors wait for that call)."""
        for workspace in self.workspaces.all:
            with self._lock:
                try:
                    workspace.index(workspace.config(), cancel)
                except (RequestError, OSError):
                    continue

    # ---- tools -------------------------------------------------------------------------------------------------
    def recommend(
        self,
        paths: Sequence[str],
        min_confidence: float | None = None,
        priorities: Sequence[str] | None = None,
        *,
        cancel: CancelToken = NEVER,
        progress: Progress | None = None,
    ) -> dict[str, object]:
        """``trace-advisor analyze PATHS --format json`` run in the workspace root: the JSON report (paths relative
        to the root), analysed with the whole workspace's call graph."""
        with self._lock:
            workspace, targets = self.workspaces.locate_all(paths)
            config = workspace.config({"min_confidence": min_confidence})
            if priorities is not None:
                try:
                    config = only_priorities(config, priorities)
                except RequestConfigError as exc:
                    raise RequestError(str(exc)) from None
            text = self._report(workspace, config, "json", [p.resolve() for p in targets], cancel, progress)
            report: dict[str, object] = json.loads(text)
            return report

    def report(
        self, workspace: Workspace, fmt: str, *, cancel: CancelToken = NEVER, progress: Progress | None = None
    ) -> str:
        """``trace-advisor analyze ROOT --format FMT`` run in the root: the report of the whole workspace."""
        with self._lock:
            return self._report(workspace, workspace.config(), fmt, [workspace.root.resolve()], cancel, progress)

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

    # ---- shared steps ------------------------------------------------------------------------------------------
    def _report(
        self,
        workspace: Workspace,
        config: Config,
        fmt: str,
        targets: Sequence[Path],
        cancel: CancelToken,
        progress: Progress | None,
    ) -> str:
        from trace_advisor.analysis import analyze
        from trace_advisor.report import ReportError, render

        provider = _provider(config)
        index = workspace.index(config, cancel)
        files = files_under(index, targets)
        result = analyze(index, config, files, provider=provider, cancel=cancel, progress=progress)
        try:
            return render(result, fmt, graph=index.graph(), config=config, root=workspace.root)
        except ReportError as exc:
            raise RequestError(str(exc)) from None

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


def _provider(config: Config) -> Provider | None:
    """The configured model provider (None: the local engine); nothing is sent anywhere unless one is configured."""
    if config.provider.name == "local":
        return None
    from trace_advisor.advise.providers import create_provider

    try:
        return create_provider(config)
    except ValueError as exc:  # ProviderConfigError: the message names the key to fix
        raise RequestError(str(exc)) from None

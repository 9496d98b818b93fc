"""The ``traces`` setting in the editor: each folder's index reads the trace files its config names, what cannot be
read is shown once, and the client watches those files so that lenses are asked for again when they change."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from trace_advisor.traces import TRACE_SUFFIXES
from trace_advisor.traces.watch import TraceView, TraceWatch

from trace_advisor_lsp.context import Shared
from trace_advisor_lsp.documents import Documents
from trace_advisor_lsp.projects import Project

LOG = logging.getLogger(__name__)
REGISTRATION = "trace-advisor-trace-files"
_GLOB_CHARS = frozenset("*?[{")


class Traces:
    """Owned by the server: keeps each folder's :class:`TraceWatch` on its config and the client's file watchers
    on the trace files."""

    def __init__(self, shared: Shared, documents: Documents) -> None:
        self._ls, self._projects, self._shared = shared.ls, shared.projects, shared
        self._documents = documents
        self._shown: set[tuple[Path, str]] = set()
        self._watched: list[types.FileSystemWatcher] | None = None  # registered with the client

    def configure(self) -> None:
        """Point every indexed folder's watch at the patterns of its current config and read them (in the
        background)."""
        for project in self._projects:
            if project.index is not None:
                project.index.extension(TraceWatch).use(project.config.traces)
        self.reload()

    def reload(self) -> None:
        """Read the folders' trace files again where they changed, off the request thread (a large export takes
        seconds; requests meanwhile show the last figures), then ask for the lenses again."""
        watches = [p.index.extension(TraceWatch) for p in self._projects if p.index is not None and p.config.traces]
        if watches:
            self._shared.tasks.spawn(self._load(watches))

    async def _load(self, watches: list[TraceWatch]) -> None:
        for watch in watches:
            await self._shared.engine.run_background(watch.load)
        self._documents.refresh_lenses()

    def report(self, project: Project, view: TraceView | None) -> None:
        """Show each problem of the folder's traces once (a file that cannot be read, spans of other code)."""
        for problem in view.problems if view is not None else ():
            if (project.root, problem) not in self._shown:
                self._shown.add((project.root, problem))
                LOG.warning("traces: %s", problem)
                self._documents.show(f"trace-advisor: traces: {problem}", "warning")

    def changed(self, paths: Sequence[str]) -> None:
        """Files the client reported changed: when trace files are among them, read them again."""
        if any(Path(path).suffix in TRACE_SUFFIXES for path in paths):
            self.reload()

    async def watch(self) -> None:
        """Ask the client to watch the configured trace files (again, when the patterns changed)."""
        workspace = self._ls.client_capabilities.workspace
        capability = workspace.did_change_watched_files if workspace is not None else None
        if capability is None or not capability.dynamic_registration:
            return
        relative = bool(capability.relative_pattern_support)
        watchers = [w for p in self._projects for pattern in p.config.traces for w in _watchers(pattern, relative)]
        if watchers == self._watched or (not watchers and self._watched is None):
            return
        method = types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        try:
            if self._watched is not None:
                gone = types.Unregistration(id=REGISTRATION, method=method)
                await self._ls.client_unregister_capability_async(types.UnregistrationParams(unregisterations=[gone]))
                self._watched = None
            if watchers:
                options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
                registration = types.Registration(id=REGISTRATION, method=method, register_options=options)
                await self._ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
                self._watched = watchers
        except Exception as exc:  # a client that refuses: the files are still re-read on each request
            LOG.warning("could not watch the trace files: %s", exc)


def _watchers(pattern: str, relative: bool) -> list[types.FileSystemWatcher]:
    """Watchers for what one (absolute) pattern names: its folder part as the base and the rest as the pattern
    (``relative``: the client takes a base folder; else one absolute glob); a plain path also watches the trace files
    inside it (it may be a folder, or become one)."""
    path = Path(pattern)
    if not path.is_absolute():  # the config resolves every path; nothing to anchor a watcher to
        return []
    parts = path.parts
    cut = next((i for i, part in enumerate(parts) if _GLOB_CHARS & set(part)), len(parts))
    if cut == len(parts):
        inside = "*.{" + ",".join(s.lstrip(".") for s in TRACE_SUFFIXES) + "}"
        pairs = [(path.parent, path.name), (path, inside)]
    else:
        pairs = [(Path(*parts[:cut]), "/".join(parts[cut:]))]
    return [
        types.FileSystemWatcher(
            glob_pattern=types.RelativePattern(base_uri=base.as_uri(), pattern=glob)
            if relative
            else f"{base.as_posix().rstrip('/')}/{glob}"
        )
        for base, glob in pairs
    ]

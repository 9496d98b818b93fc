"""The agent server's workspaces, one per root it was started with: each reads its project configuration on every
call and keeps one index in step with the disk between calls. Paths in requests are confined to the roots."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.config import find_project_root
from trace_advisor.config.trust import untrusted_warning
from trace_advisor.config_model import Config
from trace_advisor.disksync import DiskSync
from trace_advisor.index import Index
from trace_advisor.request_config import RequestConfigError, load_request_config


class RequestError(ValueError):
    """A request the server refuses or cannot answer; the message tells the agent what to do instead."""


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """How the server was started: its roots and the options every request shares (as the CLI's flags)."""

    roots: tuple[Path, ...]
    config_file: Path | None = None
    search_paths: tuple[Path, ...] = ()
    use_cache: bool = True
    overrides: Mapping[str, object] = field(default_factory=dict)  # e.g. provider.name from --provider


class Workspace:
    """One root: its configuration (read again on every call, so edits to the project file apply at once) and one
    index, built on first use, synced with the disk on every call, rebuilt when the indexing settings change."""

    def __init__(self, root: Path, name: str, options: ServerOptions) -> None:
        self.root = root
        self.name = name  # unique among the roots; used in resource URIs
        self.real_root = root.resolve()
        self._options = options
        self._sync: DiskSync | None = None
        self._indexed_with: tuple[object, ...] | None = None
        self._notice: str | None = None  # the untrusted-file warning of the last configuration read, until taken

    def config(self, overrides: Mapping[str, object] | None = None) -> Config:
        """The project's configuration with the server's options, then the request's ``overrides``."""
        try:
            config = load_request_config(
                find_project_root(self.root),
                config_file=self._options.config_file,
                overrides={**self._options.overrides, **(overrides or {})},
                search_paths=self._options.search_paths,
                origin="trace-advisor mcp",
            )
        except RequestConfigError as exc:
            raise RequestError(str(exc)) from None
        if config.ignored and config.untrusted_file:
            self._notice = untrusted_warning(config.untrusted_file, config.ignored)
        return config

    def take_notice(self) -> str | None:
        """The warning about settings an untrusted project file could not set, once per configuration read."""
        notice, self._notice = self._notice, None
        return notice

    def index(self, config: Config, cancel: CancelToken = NEVER) -> Index:
        """The workspace index, up to date with the files on disk."""
        settings = (config.search_paths, config.python, config.ignore, config.max_file_bytes)
        if self._sync is None or settings != self._indexed_with:
            sync = DiskSync(Index.from_config(config, [self.root], use_cache=self._options.use_cache))
            sync.build(cancel)
            self._sync, self._indexed_with = sync, settings
        else:
            self._sync.sync()
        return self._sync.index

    def contains(self, path: Path) -> bool:
        """Whether ``path`` (symlinks followed) is inside this root."""
        return path.resolve().is_relative_to(self.real_root)


class Workspaces:
    """The roots the server was started with; the longest root containing a path owns it."""

    def __init__(self, options: ServerOptions) -> None:
        roots = [Path(os.path.abspath(r)) for r in options.roots]
        names: dict[str, int] = {}
        self.all: list[Workspace] = []
        for root in dict.fromkeys(roots):
            base = root.name or "root"
            names[base] = names.get(base, 0) + 1
            name = base if names[base] == 1 else f"{base}-{names[base]}"
            self.all.append(Workspace(root, name, options))

    def named(self, name: str) -> Workspace | None:
        return next((w for w in self.all if w.name == name), None)

    def locate(self, text: str) -> tuple[Workspace, Path]:
        """The workspace owning the file or folder ``text`` (absolute, or relative to a root: the first root where
        it exists) and its absolute path. Refuses paths outside every root, symlinks followed."""
        if not text.strip():
            raise RequestError('empty path: give a file or folder inside the workspace ("." for all of it)')
        given = Path(text)
        candidates = [given] if given.is_absolute() else [w.root / given for w in self.all]
        found = next((c for c in candidates if c.exists()), None)
        if found is None:
            where = "" if given.is_absolute() else f" (relative paths are resolved against {self._roots_text()})"
            if given.is_absolute() and not self._owner(given):
                raise self._outside(text)
            raise RequestError(f"no such file or folder: {text}{where}")
        path = Path(os.path.abspath(found))
        owner = self._owner(path)
        if owner is None:
            raise self._outside(text)
        return owner, path

    def locate_all(self, texts: Sequence[str]) -> tuple[Workspace, list[Path]]:
        """Several paths of one workspace (a request spanning roots is refused: ask once per root)."""
        if not texts:
            raise RequestError('no paths given: pass files or folders inside the workspace (["."] for all of it)')
        located = [self.locate(text) for text in texts]
        owners = {w.root for w, _ in located}
        if len(owners) > 1:
            raise RequestError(f"the paths are in different roots ({', '.join(map(str, owners))}): ask once per root")
        return located[0][0], [path for _, path in located]

    def _owner(self, path: Path) -> Workspace | None:
        inside = [w for w in self.all if w.contains(path)]
        return max(inside, key=lambda w: len(w.real_root.parts)) if inside else None

    def _outside(self, text: str) -> RequestError:
        return RequestError(
            f"{text} is outside the workspace roots this server was started with ({self._roots_text()}); "
            "only files inside them are read or edited"
        )

    def _roots_text(self) -> str:
        return ", ".join(str(w.root) for w in self.all)

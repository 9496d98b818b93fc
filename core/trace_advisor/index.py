"""The workspace index: files, module names, cached facts, open-document overlays, and the lazily resolved graph."""

from __future__ import annotations

import builtins
import gc
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.cache import FactsCache
from trace_advisor.callgraph import CallGraph, ModuleCalls
from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.config_model import Config
from trace_advisor.facts import codec
from trace_advisor.facts.definitions import definitions_of
from trace_advisor.facts.model import ModuleFacts, Scope
from trace_advisor.facts.splice import splice
from trace_advisor.model import CallEdge, Definition, Position, Problem, SymbolId, SyntaxProblem
from trace_advisor.parsing import Parsed, content_hash, decode_source, parse_bytes, parse_source
from trace_advisor.resolve import ModuleInfo, Resolver
from trace_advisor.resolve.dependencies import Importers, interface_of
from trace_advisor.workspace import Workspace

log = logging.getLogger(__name__)

_EMPTY_FACTS = ModuleFacts(scopes=(Scope("<module>", "module", None, (1, 0, 1, 0), (1, 0, 1, 0), {}),), calls=())


@dataclass(frozen=True, slots=True)
class _Loaded:
    facts: ModuleFacts | None = None
    raw: bytes | None = None
    key: str | None = None
    syntax: SyntaxProblem | None = None
    problem: Problem | None = None


@dataclass(slots=True)
class _File:
    path: Path
    module: str
    facts: ModuleFacts | None = None  # the last facts that parsed
    raw: bytes | None = None  # facts still encoded as read from the cache (decoded on first use)
    key: str | None = None  # content hash of ``raw``
    problem: Problem | None = None  # why the current content is not (fully) indexed
    syntax: SyntaxProblem | None = None  # the current content's syntax error, when that is the problem
    overlay: str | None = None  # the editor's text while the document is open
    parsed_text: str | None = None  # the edited text the facts came from (for re-parsing only what changed)
    definitions: tuple[Definition, ...] | None = None


class Index:
    """Everything known about a workspace; thread-safe, recomputes only what an edit invalidated."""

    def __init__(
        self,
        roots: Sequence[Path],
        *,
        search_paths: Sequence[Path] = (),
        python: str | None = None,
        ignore: Sequence[str] = (),
        cache_dir: Path | None = None,
        use_cache: bool = True,
        max_file_bytes: int = 5_000_000,
    ) -> None:
        self._workspace = Workspace(roots, search_paths=search_paths, python=python, ignore=ignore)
        self._cache = FactsCache(cache_dir, enabled=use_cache)
        self._max_bytes = max_file_bytes
        self._lock = threading.RLock()
        self._files: dict[Path, _File] = {}
        self._modules: dict[str, Path] = {}
        self._packages: set[str] = set()  # every package prefix of a workspace module (namespaces included)
        self._infos: dict[str, ModuleInfo | None] = {}
        self._outside: dict[str, tuple[Definition, ...]] = {}  # definitions of modules read from search paths
        self._external_classes: dict[str, bool] = {}  # stdlib symbol -> defined there as a class
        self._stdlib: dict[str, ModuleFacts | None] = {}  # stdlib facts read for the two questions above
        self._resolver = Resolver(self, dir(builtins))
        self._calls: dict[str, ModuleCalls] = {}
        self._stale: dict[str, ModuleCalls] = {}  # dropped calls whose reverse edges are still in _incoming
        self._complete = False  # every workspace module's calls are resolved and in _incoming
        self._incoming: dict[SymbolId, dict[str, list[CallEdge]]] = {}
        self._importers: Importers | None = None
        self._graph = CallGraph(self)

    @classmethod
    def from_config(cls, config: Config, roots: Sequence[Path], **kwargs: object) -> Index:
        """An index using the configuration's search paths, interpreter, ignore globs and size limit."""
        return cls(
            roots,
            search_paths=[Path(p) for p in config.search_paths],
            python=config.python,
            ignore=config.ignore,
            max_file_bytes=config.max_file_bytes,
            **kwargs,  # type: ignore[arg-type]
        )

    # ---- building ----------------------------------------------------------------------------------------------
    def build(self, cancel: CancelToken = NEVER, progress: Callable[[int, int], None] | None = None) -> None:
        """Discover and index every workspace file (facts come from the cache when the content is unchanged)."""
        paths = self._workspace.discover()
        with self._lock, _gc_paused():
            overlays = {path: state.overlay for path, state in self._files.items() if state.overlay is not None}
            self._files.clear()
            self._modules.clear()
            self._packages.clear()
            for number, path in enumerate(paths):
                cancel.check()
                self._add(path)
                if progress is not None:
                    progress(number + 1, len(paths))
            self._invalidate_all()
            for path, text in overlays.items():  # open documents survive a rebuild
                self.update_file(path, text)
        _settle()

    def _add(self, path: Path) -> _File | None:
        module = self._workspace.module_name(path)
        if module is None:
            return None
        state = _File(path, module)
        self._load(state)
        known = self._modules.get(module)
        if known is not None and known != path:
            state.problem = Problem(f"module {module} is also defined by {known}; this file is shadowed", str(path))
        else:
            self._modules[module] = path
            parts = module.split(".")
            self._packages.update(".".join(parts[:end]) for end in range(1, len(parts)))
        self._files[path] = state
        return state

    def _load(self, state: _File) -> None:
        """Read a file from disk and set its facts (or its still-encoded cache entry) or its problem."""
        loaded = self._read(state.path)
        state.problem = loaded.problem
        state.syntax = loaded.syntax
        state.definitions = None
        if loaded.facts is not None or loaded.raw is not None:
            state.facts, state.raw, state.key = loaded.facts, loaded.raw, loaded.key

    def _read(self, path: Path, *, use_cache: bool = True) -> _Loaded:
        file = str(path)
        try:
            size = path.stat().st_size
            if size > self._max_bytes:
                message = f"skipped: file is {size} bytes, over max_file_bytes ({self._max_bytes})"
                return _Loaded(problem=Problem(message, file))
            data = path.read_bytes()
        except OSError as exc:
            return _Loaded(problem=Problem(f"cannot read file: {exc.strerror or exc}", file, None, "error"))
        key = content_hash(data)
        raw = self._cache.get_raw(key) if use_cache else None
        if raw is not None:
            return _Loaded(raw=raw, key=key)
        parsed = parse_bytes(data, file)
        if parsed.facts is None:
            return _Loaded(syntax=parsed.problem, problem=_problem(parsed.problem, file))
        self._cache.put(key, parsed.facts)
        return _Loaded(facts=parsed.facts, key=key)

    def _parsed_text(self, state: _File) -> str | None:
        """The text the file's current facts came from (the disk text only if its content hash still matches)."""
        if state.parsed_text is not None or state.key is None:
            return state.parsed_text
        try:
            data = state.path.read_bytes()
        except OSError:
            return None
        if content_hash(data) != state.key:
            return None
        decoded = decode_source(data, str(state.path))
        return decoded if isinstance(decoded, str) else None

    def _facts_of(self, state: _File) -> ModuleFacts | None:
        """The file's facts, decoding a cache entry on first use (a corrupt entry is discarded and re-parsed)."""
        if state.raw is not None:
            raw, key = state.raw, state.key or ""
            state.raw = None
            try:
                state.facts = codec.decode(raw)
            except Exception as exc:  # noqa: BLE001 - any corruption is a cache miss, never fatal
                self._cache.discard(key, exc)
                loaded = self._read(state.path, use_cache=False)
                state.facts, state.problem, state.syntax = loaded.facts, loaded.problem, loaded.syntax
        return state.facts

    def _decoded(self, loaded: _Loaded, path: Path) -> ModuleFacts | None:
        state = _File(path, "", loaded.facts, raw=loaded.raw, key=loaded.key)
        return self._facts_of(state)

    # ---- edits -------------------------------------------------------------------------------------------------
    def update_file(self, path: Path, text: str | None) -> SyntaxProblem | None:
        """Replace one file's text (``None``: re-read it from disk and drop the overlay).

        When the new text does not parse, the last good facts stay in use and the syntax problem is returned.
        """
        path = Path(os.path.abspath(path))
        with self._lock, _gc_paused():
            state = self._files.get(path)
            if state is None:
                if not self._workspace.accepts(path):  # e.g. a site-packages file opened in the editor
                    return None
                state = self._add(path)
                if state is None:
                    return None
                self._invalidate_all()
                if text is None:
                    return state.syntax
            old = self._facts_of(state)
            if text is None:
                state.overlay = None
                state.parsed_text = None
                self._load(state)
            else:
                state.overlay = text
                base = self._parsed_text(state)
                spliced = splice(base, old, text) if base is not None and old is not None else None
                parsed = Parsed(text, spliced) if spliced is not None else parse_source(text, str(path))
                state.syntax = parsed.problem
                state.problem = _problem(parsed.problem, str(path))
                if parsed.facts is not None:
                    state.facts = parsed.facts
                    state.parsed_text = text
                    state.definitions = None
            new = self._facts_of(state)
            if new is not old:
                self._changed(state.module, old, new)
            return state.syntax

    def remove_file(self, path: Path) -> None:
        path = Path(os.path.abspath(path))
        with self._lock:
            state = self._files.pop(path, None)
            if state is not None and self._modules.get(state.module) == path:
                del self._modules[state.module]
            self._invalidate_all()

    def _changed(self, module: str, old: ModuleFacts | None, new: ModuleFacts | None) -> None:
        """Drop what the change can affect: the module's own calls, plus its importers when its interface changed."""
        self._infos.pop(module, None)
        self._outside.pop(module, None)
        if old is not None and new is not None and interface_of(old) == interface_of(new):
            self._drop_calls({module})
            return
        if self._importers is None:  # importers not mapped yet (the graph was never fully resolved): drop it all
            self._resolver.clear()
            self._drop_calls(set(self._calls))
            return
        affected = self._importers.affected_by(module)
        self._resolver.forget(affected)
        self._drop_calls(affected)
        self._importers.update(module, self.module_info(module) if module in self._modules else None)

    def _invalidate_all(self) -> None:
        self._infos.clear()
        self._outside.clear()
        self._workspace.forget_locations()
        self._resolver.clear()
        self._importers = None
        self._calls.clear()
        self._stale.clear()
        self._incoming.clear()
        self._complete = False

    def _drop_calls(self, modules: set[str]) -> None:
        """Forget these modules' resolved calls; their reverse edges are removed lazily (see ``_unstale``)."""
        for module in modules:
            calls = self._calls.pop(module, None)
            if calls is not None and module not in self._stale:
                self._stale[module] = calls
                self._complete = False

    def _unstale(self, module: str) -> None:
        calls = self._stale.pop(module, None)
        if calls is not None:
            for edges in calls.edges.values():
                for edge in edges:
                    self._incoming.get(edge.callee, {}).pop(module, None)

    def _map_importers(self) -> None:
        if self._importers is None:
            self._importers = Importers()
            for module in self._modules:
                self._importers.update(module, self.module_info(module))

    # ---- queries -----------------------------------------------------------------------------------------------
    @property
    def problems(self) -> tuple[Problem, ...]:
        with self._lock:
            found = list(self._workspace.problems)
            found.extend(state.problem for state in self._files.values() if state.problem is not None)
            return tuple(found)

    def files(self) -> tuple[Path, ...]:
        with self._lock:
            return tuple(self._files)

    def source(self, path: Path) -> str | None:
        path = Path(os.path.abspath(path))
        with self._lock:
            state = self._files.get(path)
            if state is not None and state.overlay is not None:
                return state.overlay
        try:
            decoded = decode_source(path.read_bytes(), str(path))
        except OSError:
            return None
        return decoded if isinstance(decoded, str) else None

    def module_for_path(self, path: Path) -> str | None:
        path = Path(os.path.abspath(path))
        with self._lock:
            state = self._files.get(path)
            return state.module if state is not None else self._workspace.module_name(path)

    def path_for_module(self, module: str) -> Path | None:
        with self._lock:
            found = self._modules.get(module)
            if found is not None:
                return found
            location = self._workspace.locate(module)
            return location.path if location is not None else None

    def facts(self, path: Path) -> ModuleFacts | None:
        """The last good facts of a workspace file (for detectors that work from facts)."""
        with self._lock:
            state = self._files.get(Path(os.path.abspath(path)))
            return self._facts_of(state) if state is not None else None

    def definitions(self, path: Path | None = None) -> tuple[Definition, ...]:
        with self._lock:
            if path is not None:
                state = self._files.get(Path(os.path.abspath(path)))
                return self._definitions_of(state) if state is not None else ()
            return tuple(d for state in self._files.values() for d in self._definitions_of(state))

    def _definitions_of(self, state: _File) -> tuple[Definition, ...]:
        if state.definitions is None:
            facts = self._facts_of(state) or _EMPTY_FACTS
            state.definitions = definitions_of(facts, state.module, str(state.path))
        return state.definitions

    def definition(self, symbol: SymbolId) -> Definition | None:
        """A workspace definition, or one in a module read from a search path (site-packages, extra paths)."""
        module = symbol.partition(":")[0]
        with self._lock:
            path = self._modules.get(module)
            state = self._files.get(path) if path is not None else None
            if state is not None:
                found = self._definitions_of(state)
            else:
                info = self.module_info(module)
                if info is None:
                    return None
                found = self._outside.get(module) or definitions_of(info.facts, module, info.file)
                self._outside[module] = found
            return next((d for d in found if d.symbol == symbol), None)

    def definition_at(self, path: Path, pos: Position) -> Definition | None:
        """The innermost function, method or class whose range contains ``pos``."""
        best: Definition | None = None
        for found in self.definitions(path):
            if found.kind != "module" and found.range.contains(pos):
                if best is None or best.range.contains(found.range.start):
                    best = found
        return best

    def graph(self) -> CallGraph:
        return self._graph

    def resolve_all(self, cancel: CancelToken = NEVER, progress: Callable[[int, int], None] | None = None) -> None:
        """Resolve every module's calls now, cancellably and one module per lock hold (edits can interleave), so
        that ``callers()`` and ``entry_points()`` answer at once afterwards."""
        with self._lock:
            modules = [module for module in self._modules if module not in self._calls]
        with _gc_paused():
            for number, module in enumerate(modules):
                cancel.check()
                with self._lock:
                    if module in self._modules:
                        self.module_calls(module)
                if progress is not None:
                    progress(number + 1, len(modules))
        self.incoming("")  # the bookkeeping: stale reverse edges, the importer map

    # ---- what resolution and the graph read (ModuleProvider, CallSource) ----------------------------------------
    def module_info(self, name: str) -> ModuleInfo | None:
        with self._lock:
            if name in self._infos:
                return self._infos[name]
            info: ModuleInfo | None = None
            path = self._modules.get(name)
            if path is not None:
                state = self._files[path]
                facts = self._facts_of(state) or _EMPTY_FACTS
                info = ModuleInfo(name, facts, path.name == "__init__.py", True, str(path))
            else:
                location = self._workspace.locate(name)
                if (
                    location is not None
                    and location.path is not None
                    and not self._workspace.is_inside_roots(location.path)
                ):
                    found = self._decoded(self._read(location.path), location.path)
                    if found is not None:
                        info = ModuleInfo(name, found, location.path.name == "__init__.py", False, str(location.path))
            self._infos[name] = info
            return info

    def module_exists(self, name: str) -> bool:
        with self._lock:
            return (
                name in self._modules
                or name in self._packages
                or self._workspace.locate(name) is not None
                or self._workspace.stdlib_module_exists(name)
            )

    def is_external_class(self, symbol: str) -> bool:
        module, _, qualname = symbol.partition(":")
        if module == "builtins":
            return isinstance(getattr(builtins, qualname, None), type)
        with self._lock:
            known = self._external_classes.get(symbol)
            if known is None:
                facts = self._stdlib_facts(module)
                scope = facts.scope_map().get(qualname) if facts is not None else None
                known = self._external_classes[symbol] = scope is not None and scope.kind == "class"
            return known

    def stdlib_exports(self, module: str) -> frozenset[str]:
        with self._lock:
            facts = self._stdlib_facts(module)
            if facts is None:
                return frozenset()
            if facts.all_names is not None:
                return frozenset(facts.all_names)
            return frozenset(name for name in facts.scopes[0].bindings if not name.startswith("_"))

    def _stdlib_facts(self, module: str) -> ModuleFacts | None:
        """Facts of a stdlib module's source, read only to learn which names are classes or exported."""
        if module not in self._stdlib:
            path = self._workspace.stdlib_path(module)
            self._stdlib[module] = self._decoded(self._read(path), path) if path is not None else None
        return self._stdlib[module]

    def module_calls(self, module: str) -> ModuleCalls | None:
        with self._lock:
            found = self._calls.get(module)
            if found is not None or module not in self._modules:
                return found
            info = self.module_info(module)
            if info is None:
                return None
            self._unstale(module)
            edges, unresolved = self._resolver.resolve_module(info)
            calls = ModuleCalls.build(module, edges, unresolved)
            self._calls[module] = calls
            for edge in edges:
                self._incoming.setdefault(edge.callee, {}).setdefault(module, []).append(edge)
            return calls

    def incoming(self, symbol: SymbolId) -> tuple[CallEdge, ...]:
        with self._lock:
            if not self._complete:  # some modules are not (or no longer) resolved: resolve them all once
                for module in list(self._stale):
                    self._unstale(module)
                missing = [module for module in self._modules if module not in self._calls]
                with _gc_paused():
                    for module in missing:
                        self.module_calls(module)
                    self._map_importers()
                _settle()
                self._complete = True
            by_module = self._incoming.get(symbol, {})
            edges = [edge for module in sorted(by_module) for edge in by_module[module]]
            return tuple(sorted(edges, key=lambda e: (e.caller.partition(":")[0], e.range.start, e.caller)))

    def graph_symbols(self) -> tuple[SymbolId, ...]:
        with self._lock:
            return tuple(
                d.symbol
                for module in sorted(self._modules)
                for d in self._definitions_of(self._files[self._modules[module]])
                if d.kind != "class"
            )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Indexing allocates millions of long-lived objects: the cyclic GC would rescan them over and over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _settle() -> None:
    """Move the long-lived index data out of the cyclic GC's way (it is acyclic and freed by reference counting).

    Without this every later collection re-traverses millions of fact objects: an edit's parse took seconds.
    """
    gc.freeze()


def _problem(syntax: SyntaxProblem | None, file: str) -> Problem | None:
    if syntax is None:
        return None
    where = f" (line {syntax.line}, column {syntax.column})" if syntax.line and syntax.column is not None else ""
    return Problem(f"{syntax.message}{where}", file, syntax.line, "error")

"""The workspace index: files, module names, cached facts, open-document overlays, and the lazily resolved graph."""

from __future__ import annotations

import ast
import builtins
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar, cast

from trace_advisor.analysed import AnalysedModule
from trace_advisor.callgraph import CallGraph, ModuleCalls
from trace_advisor.calltable import CallTable
from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.config_model import Config
from trace_advisor.datatypes import (
    CallEdge,
    Definition,
    Position,
    Problem,
    ResolvedCall,
    SymbolId,
    SyntaxProblem,
)
from trace_advisor.facts.definitions import definition_kind, definition_of, definitions_of
from trace_advisor.facts.records import KEY, REACHING, VALUE, CallSite, ModuleFacts, plain_name
from trace_advisor.facts.splice import splice
from trace_advisor.facts_cache import FactsCache
from trace_advisor.gcpause import gc_paused
from trace_advisor.graph_cache import GraphCache, Located, Snapshot, file_key
from trace_advisor.parsing import Parsed, content_hash, decode_source, parse_source
from trace_advisor.positions import source_lines
from trace_advisor.resolve import ModuleInfo, Resolver
from trace_advisor.resolve.dependencies import Importers, local_change, runs_in, same_interface
from trace_advisor.resolve.flow import site_keys
from trace_advisor.resolve.interface import (
    Mentions,
    changed_calls,
    changed_closure,
    changed_names,
    classes_moved,
    decorated,
    exported,
    passing_sites,
    readable_names,
)
from trace_advisor.resolve.mentioned import Mentioned, top_name
from trace_advisor.resolve.stdlib_classes import StdlibClasses, StdlibSource
from trace_advisor.sourcefiles import (
    EMPTY_FACTS,
    DiskTexts,
    FactsReader,
    FileState,
    rewritten_note,
    syntax_problem,
)
from trace_advisor.syntaxtrees import SyntaxTrees
from trace_advisor.workspace import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")
_UNKNOWN = object()
_KEPT_ANALYSED = 64  # analysed modules kept for reuse (the edited files and the ones their callees live in)
# edited modules whose old facts and answers are kept until they are resolved again (each holds a copy of its facts:
# a branch switch changing hundreds of files must not keep them all; older ones are resolved from scratch)
_KEPT_UNCHANGED_SITES = 32
_KEPT_MENTIONED = 8  # edited modules whose facts' names are kept for the next interface edit (resolve/interface.py)

# the literal values a stdlib module-level name may hold to be read as an instance of the builtin type
_LITERAL_ROOTS = frozenset({"<dict>", "<list>", "<set>", "<tuple>", "<str>", "<bytes>", "<int>", "<float>"})


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
        keep_trees: bool = False,
        workers: int | None = None,
    ) -> None:
        self._workspace = Workspace(roots, search_paths=search_paths, python=python, ignore=ignore)
        # ``keep_trees``: a one-shot run that analyses the workspace (the CLI's ``analyze``) keeps every file's syntax
        # tree, from the parse that gave its facts, and every analysed module, for the index's life: one parse per
        # module however many phases read it. An editor's index keeps those of its recent files only.
        self._trees = SyntaxTrees(None if keep_trees else 64)
        self._kept_analysed = None if keep_trees else _KEPT_ANALYSED
        keep = self._trees.put if keep_trees else None
        # ``workers``: the processes parsing the files missing from the facts cache (None: facts_pool decides)
        self._reader = FactsReader(FactsCache(cache_dir, enabled=use_cache), max_file_bytes, keep, workers)
        self._graphs = GraphCache(cache_dir, enabled=use_cache)
        self._max_file_bytes = max_file_bytes
        self._reused_serial = -1  # the last serial of the calls taken from a graph snapshot (later: resolved here)
        # the calls were taken from a snapshot and no edit came since: the resolver recorded none of the reads (values
        # flowing into parameters, conftest fixtures, decorators) that tell which other modules an edit affects
        self._untold = False
        # after a snapshot: what gives every module in the order that resolved its answers (``reuse_resolved``'s
        # ``sequence``), the modules it gave, resolved again to record those reads (``tell_readers``), and how many of
        # them are told so far
        self._sequence: Callable[[Index], Sequence[str]] | None = None
        self._telling: list[str] | None = None
        self._told = 0
        # file -> the content key of its facts and the newer syntax they rewrote, as the snapshot knew them (the
        # facts of the modules whose calls it gave are not decoded)
        self._known_rewritten: dict[Path, tuple[str | None, tuple[tuple[int, str], ...]]] = {}
        self._disk = DiskTexts()
        self._lock = threading.RLock()
        self._files: dict[Path, FileState] = {}
        self._modules: dict[str, Path] = {}
        self._packages: set[str] = set()  # every package prefix of a workspace module (namespaces included)
        self._read_all = False  # every registered file read (load() finished since the last register())
        self._infos: dict[str, ModuleInfo | None] = {}
        self._outside: dict[str, tuple[Definition, ...]] = {}  # definitions of modules read from search paths
        self._external_classes: dict[str, bool | None] = {}  # stdlib symbol -> a class there (None: not stdlib)
        self._stdlib: dict[str, ModuleFacts | None] = {}  # stdlib facts read for the two questions above
        # the attributes of stdlib classes (their source, or the C module defining them), read from those facts
        self._stdlib_classes = StdlibClasses()
        self._stdlib_defs: dict[str, tuple[Definition, ...]] = {}  # and for where a stdlib symbol is defined
        self._resolver = Resolver(self, dir(builtins))
        self._calls = CallTable()
        self._version = 0  # bumped by every change of a file's facts or of the set of files
        self._shape = 0  # bumped when who calls whom, or which functions exist, may have changed (see graph_shape)
        self._resolutions = 0  # module resolutions so far (each ModuleCalls' serial)
        self._sites = [0, 0]  # call sites resolved, and sites whose answer from before an edit stood (site_counts)
        # per module edited since it was last resolved, with only call sites (and bindings no other module sees,
        # dependencies.local_change) changed, or only names no other module reads: what its sites resolved to then
        self._unchanged_sites: dict[str, _KeptSites] = {}
        # the readers of the slots interface edits changed (the modules they dropped from a resolved graph), not
        # resolved again yet: what :meth:`resolve_readers` resolves now, and a query would otherwise resolve lazily
        self._readers: set[str] = set()
        self._importers: Importers | None = None
        self._mentions: dict[str, Mentions] = {}  # per module: which names it may read (resolve/interface.py)
        # per recently edited module: what interface edits read of its facts, for the next edit (by object identity)
        self._mentioned: OrderedDict[str, Mentioned] = OrderedDict()
        self._graph = CallGraph(self)
        self._extensions: dict[type, object] = {}
        self._analysed: OrderedDict[Path, tuple[int, AnalysedModule]] = OrderedDict()  # valid for one graph version

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
        self.register(cancel)
        self.load(cancel, progress)

    def register(self, cancel: CancelToken = NEVER) -> int:
        """Discover the workspace files and name their modules without reading them; how many. From here on every
        question is answered right: a file is read when an answer first needs it (an editor's first request reads
        the open file and what it imports), and :meth:`load` reads the rest."""
        paths = self._workspace.discover()
        with self._lock:
            overlays = {path: state.overlay for path, state in self._files.items() if state.overlay is not None}
            self._files.clear()
            self._modules.clear()
            self._packages.clear()
            self._read_all = False
            for path in paths:
                cancel.check()
                self._add(path, read=False)
            self._invalidate_all()
            for path, text in overlays.items():  # open documents survive a rebuild
                self.update_file(path, text)
        return len(paths)

    def load(self, cancel: CancelToken = NEVER, progress: Callable[[int, int], None] | None = None) -> None:
        """Read every registered file not read yet (cache entry, else a parse). Each file is read outside the lock
        and taken in under it, so questions answered meanwhile wait for no more than one file's bookkeeping."""
        with self._lock:
            states = list(self._files.values())
        unread = [state for state in states if not state.loaded]
        # cache lookups here, parses in worker processes when many files miss (facts_pool), in the files' order
        with gc_paused(then_settle=True), closing(self._reader.read_all([s.path for s in unread], cancel)) as read:
            unread_ids = {id(state) for state in unread}
            for number, state in enumerate(states):
                cancel.check()
                if id(state) in unread_ids:
                    loaded = next(read)
                    with self._lock:
                        if not state.loaded and self._files.get(state.path) is state:
                            self._reader.load(state, loaded)
                if progress is not None:
                    progress(number + 1, len(states))
        with self._lock:
            self._read_all = all(state.loaded for state in self._files.values())

    def discover(self) -> tuple[Path, ...]:
        """The workspace files on disk now (what :meth:`build` would index), without indexing them."""
        with self._lock:
            return tuple(self._workspace.discover())

    def _add(self, path: Path, read: bool = True) -> FileState | None:
        module = self._workspace.module_name(path)
        if module is None:
            return None
        state = FileState(path, module)
        if read:
            self._reader.load(state)
        known = self._modules.get(module)
        if known is not None and known != path:
            state.shadowed = Problem(f"module {module} is also defined by {known}; this file is shadowed", str(path))
        else:
            self._modules[module] = path
            parts = module.split(".")
            self._packages.update(".".join(parts[:end]) for end in range(1, len(parts)))
        self._files[path] = state
        return state

    # ---- edits -------------------------------------------------------------------------------------------------
    def update_file(self, path: Path, text: str | None) -> SyntaxProblem | None:
        """Replace one file's text (``None``: re-read it from disk and drop the overlay).

        When the new text does not parse, the last good facts stay in use and the syntax problem is returned.
        """
        path = Path(os.path.abspath(path))
        if self._untold and self._sequence is not None and self._may_change(path, text):
            self.tell_readers()  # what resolution reads, known first: one module per lock hold, requests in between
        with self._lock, gc_paused():
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
            if text is not None and state.overlay is text:
                return state.syntax  # this very text is in already (a request put it in before the edit's refresh)
            unread = not state.loaded  # named but never read: the editor's text comes first, the disk's if needed
            if self._untold and self._sequence is not None and self._may_change(path, text):
                self._tell_rest()  # (an edit from another thread came in since: the rest under this lock hold)
            if unread and text is not None and self._take_cached(state, text):
                self._changed(state.module, None, self._reader.facts_of(state))
                return state.syntax
            old = None if unread else self._reader.facts_of(state)
            if text is None:
                state.overlay = None
                state.parsed_text = None
                self._reader.load(state)
            else:
                state.overlay = text
                base = None if unread else self._reader.parsed_text(state)
                if old is not None and base is not None and base != text and type(old.reads) is not tuple:
                    # reads held encoded (a cache entry) are new objects each time they are read: decoded once here,
                    # the spliced facts share them, and the reads the edit left as they were keep their answers
                    old = replace(old, reads=tuple(old.reads))
                # one parse per edit: the splicer re-parses only what changed, for the facts and the tree at once
                tree = self._trees.kept(path, base) if base is not None else None
                spliced = splice(base, old, text, tree) if base is not None and old is not None else None
                parsed = (
                    Parsed(text, spliced.facts, tree=spliced.tree)
                    if spliced is not None
                    else parse_source(text, str(path))
                )
                if parsed.facts is None and unread:
                    self._reader.load(state)  # the disk's facts stand in until the editor's text parses
                state.loaded = True
                state.syntax = parsed.problem
                state.problem = syntax_problem(parsed.problem, str(path))
                if parsed.facts is not None:
                    before = state.definitions
                    state.set_facts(parsed.facts)
                    state.parsed_text = text
                    if before is not None and old is not None:
                        self._reader.take_definitions(state, _kept_definitions(old, before, parsed.facts, state))
                if parsed.tree is not None:
                    self._trees.put(path, text, parsed.tree)
            new = self._reader.facts_of(state)
            if new is not old:
                self._changed(state.module, old, new)
                if new is not None and state.module in self._mentioned:
                    self._mentioned[state.module].keep(new)
            return state.syntax

    def _may_change(self, path: Path, text: str | None) -> bool:
        """Whether putting ``text`` in for ``path`` may change the module's facts (not: the text they came from; nor
        a new file, which has every answer dropped)."""
        with self._lock:
            state = self._files.get(path)
            if state is None:
                return False
            if text is None or not state.loaded:
                return True
            return state.overlay is not text and text != self._reader.parsed_text(state)

    def _take_cached(self, state: FileState, text: str) -> bool:
        """Whether the file's cache entry is for ``text`` (a document just opened shows the file as saved): then the
        file takes it, as the folder's other files do, instead of a parse (its syntax tree is parsed when an
        analysis first needs it, after the first answers)."""
        loaded = self._reader.cached(state.path, text)
        if loaded is None:
            return False
        self._reader.load(state, loaded)
        state.overlay = state.parsed_text = text
        return True

    def remove_file(self, path: Path) -> None:
        path = Path(os.path.abspath(path))
        with self._lock:
            state = self._files.pop(path, None)
            self._trees.forget(path)
            self._analysed.pop(path, None)
            if state is not None and self._modules.get(state.module) == path:
                del self._modules[state.module]
            self._invalidate_all()

    def _changed(self, module: str, old: ModuleFacts | None, new: ModuleFacts | None) -> None:
        """Drop what the change can affect: the module's own calls, plus its importers when its interface changed
        (and the modules of its classes' bases, whose ``self.m()`` calls can reach its overrides). Bindings of
        function bodies that no other module sees are not its interface: what was evaluated in those functions is
        dropped, and the modules whose parameters read their calls are resolved again."""
        self._version += 1
        untold, self._untold, self._sequence, self._telling = self._untold, False, None, None
        if untold:  # nothing tells which modules read the changed one: all are resolved again, as after a rebuild
            self._importers = None  # (a module reading a parameter value from it need not import it)
        same = not untold and old is not None and new is not None and same_interface(old, new)
        # only bindings of function bodies that no other module sees
        local = local_change(old, new) if not same and not untold and old is not None and new is not None else None
        inside = same or local is not None  # no other module sees the change (but parameter flow, below)
        passing: Collection[str] = local.passing if local is not None else ()  # calls that may pass other values now
        # an interface change told by name: the top-level names it changed (and the module's names that read them)
        seen = self._mentioned_in(module)
        told = not inside and not untold
        names = changed_names(old, new, seen) if told and old is not None and new is not None else None
        quiet: dict[str, list[CallSite]] = {}  # keys only new calls pass under, if they pass nothing (checked below)
        if names is not None and old is not None and new is not None:
            names, passing, quiet = self._told_by_name(module, old, new, names, True)
            flow = self._resolver.flow_readers(module, None, None, passing)  # read what its calls pass to parameters
            flow.discard(module)  # its functions reading them are among the changed names
        else:
            flow = self._resolver.flow_readers(module, old, new, passing)  # read what changed calls pass to parameters
        # the modules of its classes' bases (as they were), unless no class changed: an edit told by name that changed
        # no class (and no decorated definition) leaves every class, and so every override, as it was
        hierarchy = not inside and (names is None or old is None or new is None or _hierarchy_named(old, new, names))
        above = self._resolver.modules_above(module) if hierarchy and self._importers is not None else set()
        self._infos.pop(module, None)
        self._outside.pop(module, None)
        self._mentions.pop(module, None)
        if inside and old is not None and not flow:
            functions = local.functions if local is not None else frozenset()
            self._resolver.forget_functions(module, functions)  # what was evaluated there read the old bindings
            resolved = self._calls.get(module)
            if resolved is not None:  # only call sites changed: the others' answers stand (see module_calls)
                self._keep_sites(module, _KeptSites(old, resolved, functions))
            elif module in self._unchanged_sites:  # not resolved since the last edit: its functions join
                before = self._unchanged_sites[module]
                self._unchanged_sites[module] = replace(before, functions=before.functions | functions)
            else:  # no edges from before to compare the new ones with
                self._shape += 1
            self._calls.drop({module})
            return
        self._shape += 1
        self._unchanged_sites.clear()
        if self._importers is None:  # importers not mapped yet (the graph was never fully resolved): drop it all
            self._resolver.clear()
            self._calls.drop(self._calls.modules())
            self._readers.clear()  # no readers told apart: the next whole-graph question resolves it all
            return
        if names is not None and old is not None and new is not None:
            affected = self._name_readers(module, old, new, names, flow, above)
        else:
            affected = {module} if inside else self._importers.affected_by(module)
            if not inside:
                # tests read their conftest files without importing them
                affected |= self._importers.affected_by_all(self._resolver.readers_of(module))
                flow |= self._resolver.flow_readers_of(affected)  # what their calls pass may evaluate differently now
            while flow - affected:  # parameter values read calls of other modules (resolve/flow.py)
                reached = self._importers.affected_by_all(flow - affected)
                affected |= reached
                flow |= self._resolver.flow_readers_of(reached)
        self._resolver.forget(affected)
        if module in self._modules and hierarchy:
            above |= self._resolver.modules_above(module)  # the bases its classes have now
        resolved = self._calls.get(module)  # what its sites resolved to with the old facts
        self._calls.drop(affected | above)  # their values stand; their class-hierarchy edges may not
        self._readers |= affected | above
        self._importers.update(module, self.module_info(module) if module in self._modules else None)
        info = self.module_info(module)
        made = {key: sites for key, sites in quiet.items() if sites}  # the new calls of the quiet keys
        if made and names is not None and old is not None and new is not None and info is not None:
            if not self._resolver.passes_nothing(info, made):  # they pass something: as for any changed call
                names, keys, _ = self._told_by_name(module, old, new, names, False)
                flow = self._resolver.flow_readers_of_keys(keys) - {module}
                more = self._name_readers(module, old, new, names, flow, above) - affected
                self._resolver.forget(more)
                self._calls.drop(more)
                self._readers |= more
                affected |= more
        if resolved is not None and names is not None and old is not None and new is not None:
            if affected == {module} and not _hierarchy_named(old, new, names):
                # no other module reads the changed names: the module's sites that do not either resolve as before
                self._keep_sites(module, _KeptSites(old, resolved, frozenset(), frozenset(names)))

    def _mentioned_in(self, module: str) -> Mentioned:
        """What interface edits read of ``module``'s facts (made on its first edit; kept for the last few modules)."""
        found = self._mentioned.get(module)
        if found is None:
            found = self._mentioned[module] = Mentioned()
            while len(self._mentioned) > _KEPT_MENTIONED:
                self._mentioned.popitem(last=False)
        self._mentioned.move_to_end(module)
        return found

    def _keep_sites(self, module: str, kept: _KeptSites) -> None:
        self._unchanged_sites[module] = kept
        if len(self._unchanged_sites) > _KEPT_UNCHANGED_SITES:
            del self._unchanged_sites[next(iter(self._unchanged_sites))]
            self._shape += 1  # that module's edges can no longer be compared with the ones it had

    def _told_by_name(
        self, module: str, old: ModuleFacts, new: ModuleFacts, names: set[str], quiet: bool
    ) -> tuple[set[str], set[str], dict[str, list[CallSite]]]:
        """The changed names of an interface edit, grown by the module's functions whose parameters receive what its
        changed calls pass; the keys of those calls; and (``quiet``) the keys whose calls passed nothing a parameter
        holds before the edit, left out of both until it is known that they pass nothing after it either (the new
        calls, checked by the caller with ``Resolver.passes_nothing``): typing a new ``def`` that calls the module's
        own functions with its parameters changes no other name."""
        known = self._infos.get(module)  # the facts the resolver's answers about the module were computed from
        while True:
            before, after = changed_calls(old, new, names, seen := self._mentioned_in(module))
            fresh: dict[str, list[CallSite]] = {}
            if quiet and (not before or (known is not None and known.facts is old)):
                for key in before.keys() | after.keys():
                    gone = {key: before[key]} if key in before else {}
                    if gone and (known is None or not self._resolver.passes_nothing(known, gone)):
                        continue
                    fresh[key] = after.get(key, [])
            keys = (before.keys() | after.keys()) - fresh.keys()
            # its own functions whose parameters receive what those calls pass: their names changed too
            tops = {top_name(f) for f in self._resolver.flow_functions(module, None, None, keys)} - names
            if not tops:
                return names, keys, fresh
            names = changed_closure(names | tops, old, new, seen)

    def _name_readers(
        self, module: str, old: ModuleFacts, new: ModuleFacts, names: set[str], flow: set[str], above: set[str]
    ) -> set[str]:
        """The modules an interface change of ``module`` can affect, told by the top-level ``names`` it changed
        (``resolve/interface.py``): the module itself; the modules that may name one of them, with their importers;
        the modules star-importing it when the names are exported, which are told by name in turn; and, as for any
        change, the modules whose parameters read what changed calls pass (``flow``), the tests reading it as their
        conftest, the decorators' readers when what decorators receive may change, and the modules of its classes'
        bases when its class hierarchy changed (with their importers)."""
        assert self._importers is not None
        pending = flow | self._resolver.fixture_readers_of(module)
        if classes_moved(old, new, names):
            pending |= above | self._resolver.modules_above(module)  # the bases its classes had and have now
        decorators = decorated(old, names) or decorated(new, names)
        affected = {module}
        # the modules whose namespace changed by name: the edited one, and those star-importing one of them
        sources = [(module, names, exported(old, names) | exported(new, names))]
        while sources:
            source, changed, starred = sources.pop()
            reach = self._importers.affected_by(source)
            for reader in sorted(reach - pending - {source}):
                mentions = self._mentions_of(reader)
                if mentions is None:
                    continue
                if mentions.may_name(changed) and self._names_one(reader, changed, bool(mentions.stars)):
                    pending.add(reader)  # (one told by name as a star importer too: all of it, with its importers)
                elif starred and source in mentions.stars and reader not in affected:
                    info = self.module_info(reader)
                    assert info is not None
                    seen = changed_closure(starred, info.facts)  # its names that read the names it now sees
                    affected.add(reader)
                    sources.append((reader, seen, exported(info.facts, seen)))
                    decorators = decorators or decorated(info.facts, seen)
                    keys = {key for site in passing_sites(info.facts, seen) for key in site_keys(site, info.scopes)}
                    pending |= self._resolver.flow_readers_of_keys(keys)
        expanded: set[str] = set()
        while True:
            if decorators:
                pending |= self._resolver.decorator_readers()
            pending -= expanded
            if not pending:
                return affected
            reached = self._importers.affected_by_all(pending)
            expanded |= reached
            affected |= reached
            pending = self._resolver.flow_readers_of(reached)  # what their calls pass may evaluate differently now
            decorators = decorators or any(
                mentions.decorates for reader in reached if (mentions := self._mentions_of(reader)) is not None
            )

    def _names_one(self, module: str, names: set[str], stars: bool) -> bool:
        info = self.module_info(module)
        return info is not None and not names.isdisjoint(readable_names(info.facts, stars))

    def _mentions_of(self, module: str) -> Mentions | None:
        found = self._mentions.get(module)
        if found is None:
            info = self.module_info(module)
            if info is None:
                return None
            found = self._mentions[module] = Mentions.of(info)
        return found

    def _invalidate_all(self) -> None:
        self._untold = False
        self._sequence = self._telling = None
        self._mentions.clear()
        self._readers.clear()
        self._unchanged_sites.clear()
        self._version += 1
        self._shape += 1
        self._infos.clear()
        self._outside.clear()
        self._workspace.forget_locations()
        self._resolver.clear()
        self._importers = None
        self._calls.clear()

    def _map_importers(self) -> None:
        if self._importers is None:
            self._importers = Importers()
            for module in self._modules:
                self._importers.update(module, self.module_info(module))
                self._mentions_of(module)  # read now, not by the first interface edit (resolve/interface.py)

    # ---- queries -----------------------------------------------------------------------------------------------
    @property
    def problems(self) -> tuple[Problem, ...]:
        # what newer syntax each file's facts rewrote decodes the facts not decoded yet (a run taking the facts from
        # the cache, not its graph: every module's; 1.8 s of full collections on the standard library, collector on)
        with self._lock, gc_paused(then_settle=True):
            found = list(self._workspace.problems)
            for state in self._files.values():
                if not state.loaded:
                    self._reader.load(state)
                problem = state.shadowed or state.problem
                if problem is not None:
                    found.append(problem)
                elif rewritten := self._rewritten_of(state):
                    found.append(rewritten_note(rewritten, str(state.path)))
            return tuple(found)

    def _rewritten_of(self, state: FileState) -> tuple[tuple[int, str], ...]:
        """The newer syntax the file's facts rewrote (from a graph snapshot while they are not decoded)."""
        known = self._known_rewritten.get(state.path)
        if known is not None and state.raw is not None and known[0] == state.key:
            return known[1]
        facts = self._reader.facts_of(state)
        return facts.rewritten if facts is not None else ()

    def files(self) -> tuple[Path, ...]:
        with self._lock:
            return tuple(self._files)

    def is_indexed(self, path: Path) -> bool:
        """Whether ``path`` is one of the workspace files (not a search-path or stdlib file)."""
        with self._lock:
            return Path(os.path.abspath(path)) in self._files

    def source(self, path: Path) -> str | None:
        path = Path(os.path.abspath(path))
        with self._lock:
            state = self._files.get(path)
            if state is not None and state.overlay is not None:
                return state.overlay
        return self._disk.get(path)

    def kept_tree(self, path: Path, text: str) -> ast.Module | None:
        """The syntax tree the index keeps for ``text`` when that is the file's text as last updated (an open
        document's); None when it keeps none (parse it yourself)."""
        with self._lock:
            return self._trees.kept(Path(os.path.abspath(path)), text)

    def kept_lines(self, path: Path, text: str) -> list[str] | None:
        """:func:`~trace_advisor.positions.source_lines` of ``text`` when the index keeps the syntax tree of that text
        for the file (every file's in a one-shot run: ``keep_trees``), shared with the file's analysed module (read
        them, never change them); None otherwise (split it yourself)."""
        with self._lock:
            return self._trees.lines(Path(os.path.abspath(path)), text)

    def module_for_path(self, path: Path) -> str | None:
        path = Path(os.path.abspath(path))
        with self._lock:
            state = self._files.get(path)
            return state.module if state is not None else self._workspace.module_name(path)

    def function_syntax(self, symbol: SymbolId) -> tuple[ast.Module, ast.AST] | None:
        """The syntax tree of a workspace function's module and its (first) def, None outside the workspace."""
        path = self.path_for_module(symbol.partition(":")[0])
        analysed = self.analysed(path) if path is not None else None
        if not isinstance(analysed, AnalysedModule):
            return None
        function = analysed.function(symbol)
        return (analysed.tree, function.node) if function is not None else None

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
            return self._reader.facts_of(state) if state is not None else None

    def analysed(self, path: Path) -> AnalysedModule | Problem:
        """A workspace file as the analysis reads it: text, syntax tree, facts and resolved call sites, all of the
        text the facts came from; the file's problem when it has no such text (it does not parse, cannot be read)."""
        path = Path(os.path.abspath(path))
        with self._lock:
            state = self._files.get(path)
            if state is None:
                return Problem("not a file of the workspace", str(path))
            if not state.loaded:
                self._reader.load(state)
            text = self._reader.parsed_text(state) if state.syntax is None else None
            if text is None and state.syntax is None and state.overlay is None:
                self.update_file(path, None)  # changed on disk since it was read
                text = self._reader.parsed_text(state) if state.syntax is None else None
            shadowed = self._modules.get(state.module) != path
            if text is None or shadowed or self._reader.facts_of(state) is None:
                return state.shadowed or state.problem or Problem("could not read the file", str(path), None, "error")
            kept = self._analysed.get(path)
            if kept is not None and kept[0] == self._version and kept[1].text == text:
                self._analysed.move_to_end(path)
                return kept[1]
            text = self._trees.kept_text(path, text)
            tree = self._trees.tree(path, text)
            if isinstance(tree, SyntaxProblem):
                return syntax_problem(tree, str(path)) or Problem(tree.message, str(path), None, "error")
            info = self.module_info(state.module)
            calls = self.module_calls(state.module)
            assert info is not None and calls is not None  # a workspace module with facts
            mros = {
                scope.qualname: tuple(ident for _, ident in self._resolver.mro(f"{state.module}:{scope.qualname}")[1:])
                for scope in info.facts.scopes
                if scope.kind == "class"
            }
            lines = self._trees.lines(path, text)
            found = AnalysedModule(path, text, source_lines(text) if lines is None else lines, tree, info, calls, mros)
            self._analysed[path] = (self._version, found)
            self._analysed.move_to_end(path)
            while self._kept_analysed is not None and len(self._analysed) > self._kept_analysed:
                self._analysed.popitem(last=False)
            return found

    def definitions(self, path: Path | None = None) -> tuple[Definition, ...]:
        with self._lock:
            if path is not None:
                state = self._files.get(Path(os.path.abspath(path)))
                return self._reader.definitions_of(state) if state is not None else ()
            with gc_paused(then_settle=True):  # (every module's definitions made, and facts decoded)
                return tuple(d for state in self._files.values() for d in self._reader.definitions_of(state))

    def definition(self, symbol: SymbolId) -> Definition | None:
        """A workspace definition, or one in a module read from a search path (site-packages, extra paths)."""
        module = symbol.partition(":")[0]
        with self._lock:
            path = self._modules.get(module)
            state = self._files.get(path) if path is not None else None
            if state is not None:
                self._reader.definitions_of(state)
                return state.by_symbol.get(symbol)
            info = self.module_info(module)
            if info is None:
                return None
            found = self._outside.get(module) or definitions_of(info.facts, module, info.file)
            self._outside[module] = found
            return next((d for d in found if d.symbol == symbol), None)

    def stdlib_definition(self, symbol: SymbolId) -> Definition | None:
        """Where a symbol of the standard library is defined, when its module has Python source that defines it."""
        module = symbol.partition(":")[0]
        with self._lock:
            found = self._stdlib_defs.get(module)
            if found is None:
                facts, path = self._stdlib_facts(module), self._workspace.stdlib_path(module)
                found = definitions_of(facts, module, str(path)) if facts is not None and path is not None else ()
                self._stdlib_defs[module] = found
            return next((d for d in found if d.symbol == symbol), None)

    def definition_at(self, path: Path, pos: Position) -> Definition | None:
        """The innermost function, method or class whose range contains ``pos`` (in a lambda: the def around it, a
        lambda being no place for a span)."""
        best: Definition | None = None
        for found in self.definitions(path):
            if found.kind not in ("module", "lambda") and found.range.contains(pos):
                if best is None or best.range.contains(found.range.start):
                    best = found
        return best

    def graph(self) -> CallGraph:
        return self._graph

    def implementations(self, method: SymbolId, caller: SymbolId | None = None) -> tuple[SymbolId, ...]:
        """What workspace subclasses define instead of ``method`` (``Resolver.implementations``): where a call that
        resolves to an abstract or overridden method runs (from ``caller``, when it is outside their classes)."""
        with self._lock:
            return self._resolver.implementations(method, caller)

    def extension(self, kind: type[T]) -> T:
        """The one ``kind()`` kept with this index, made on first use: state of higher layers that lives as long as
        the index (the analysis keeps parsed modules and per-function results there)."""
        with self._lock:
            found = self._extensions.get(kind)
            if found is None:
                found = self._extensions[kind] = kind()
            return cast(T, found)

    def resolve_all(self, cancel: CancelToken = NEVER, progress: Callable[[int, int], None] | None = None) -> None:
        """Resolve every module's calls now, cancellably and one module per lock hold (edits can interleave), so
        that ``callers()`` and ``entry_points()`` answer at once afterwards."""
        with self._lock:
            modules = [module for module in self._modules if module not in self._calls]
        with gc_paused():
            for number, module in enumerate(modules):
                cancel.check()
                with self._lock:
                    if module in self._modules:
                        self.module_calls(module)
                if progress is not None:
                    progress(number + 1, len(modules))
        self.incoming("")  # the bookkeeping: stale reverse edges, the importer map

    def stale_readers(self) -> tuple[str, ...]:
        """The modules interface edits left to resolve again (the readers of the module interfaces and value-flow
        slots they changed), in the order a whole-graph question resolves them; empty after an edit whose
        contributions changed nothing another module reads, and when no graph was resolved yet."""
        with self._lock:
            return self._stale_readers()

    def _stale_readers(self) -> tuple[str, ...]:
        self._readers &= self._modules.keys()  # files removed meanwhile
        return tuple(module for module in self._modules if module in self._readers) if self._readers else ()

    def resolve_readers(self, cancel: CancelToken = NEVER) -> ReaderPass:
        """Resolve the :meth:`stale_readers` now, one module per lock hold and checking ``cancel`` before each (a
        newer edit cancels the pass; queries and edits interleave), so that the next question after an interface edit
        finds them resolved. The answers are the ones the lazy path gives (the same resolution, the same order).
        Once none is left and every module is resolved, the reverse edges are settled: ``callers()`` answers at once.
        Raises ``CancelledError`` when cancelled; what it resolved until then stays resolved."""
        resolved: list[str] = []
        with gc_paused(then_settle=True):
            while True:
                with self._lock:
                    version, todo = self._version, self._stale_readers()
                if not todo:
                    break
                for module in todo:
                    cancel.check()
                    with self._lock:
                        if self._version != version:  # an edit came in between: its readers are the stale ones now
                            break
                        if module in self._readers and module not in self._calls:
                            self.module_calls(module)
                            resolved.append(module)
            cancel.check()
            with self._lock:
                complete = self._settle_resolved()
        return ReaderPass(tuple(resolved), complete)

    def _settle_resolved(self) -> bool:
        """When every workspace module's calls are resolved (and the importers mapped), drop the stale reverse edges
        and mark the graph complete, as a whole-graph question would; whether it is complete."""
        if self._calls.complete:
            return True
        if self._importers is None or any(module not in self._calls for module in self._modules):
            return False
        self._calls.settle()
        self._calls.complete = True
        return True

    # ---- the resolved graph of an earlier run (graph_cache.py) ------------------------------------------------
    def reuse_resolved(self, order: str, sequence: Callable[[Index], Sequence[str]] | None = None) -> int:
        """After :meth:`build`, before any question: take every module's resolved calls from the graph cache, when
        the last complete resolution of this workspace there was made in ``order`` (a name of the order a command
        resolves the modules in: ``resolution_order``), read the very facts the modules have now and what it read
        outside the workspace is unchanged. How many modules took them (0: none, everything is resolved as usual).

        The snapshot holds answers, not what resolution read to reach them (which modules' parameters receive values
        from which calls, which tests read which conftest, who reads what decorators receive): without ``sequence``,
        the first edit resolves everything again. With it (the modules in ``order``, ``resolution_order``), an edit
        is told apart as on a cold index once :meth:`tell_readers` resolved them again, which an edit coming earlier
        finishes first.

        All or nothing: resolving only the modules an edit can affect, as the language server does, gives other
        answers than a cold run where values flow in cycles (the memo keeps a cycle's first answer, and which question
        enters a cycle first depends on what was resolved before: on the standard library, a base class changed in
        ``logging`` re-resolved 1,629 modules, and 1,664 functions differed from a cold run's)."""
        with self._lock:
            if not self._graphs.enabled or not self._read_all:
                return 0
            current = self._resolved_modules()
            reading = self._graphs.open(self._graph_key(order)) if current is not None else None
            if current is None or reading is None:
                return 0
            if current != reading.header.modules:
                log.debug("graph snapshot: the workspace's modules or their facts changed; resolving everything")
                return 0
            if not self._outside_holds(reading.header.located, reading.header.outside):
                log.debug("graph snapshot: what it read outside the workspace changed; resolving everything")
                return 0
            # decoding it makes a million objects (sites, edges, definitions), none in a cycle: with the collector on,
            # the standard library's warm ``calls`` spent 0.7 s of its 3 s in 8 full collections re-traversing them
            with gc_paused():
                snapshot = reading.rest()
            if snapshot is None:
                return 0
            self.forget_resolved()  # (a language server's first answers, while the rest was read)
            with gc_paused(then_settle=True):
                for module in sorted(snapshot.calls):
                    self._resolutions += 1
                    self._calls.add(ModuleCalls(module, snapshot.calls[module], self._resolutions), reverse=False)
                self._reused_serial = self._resolutions
                self._untold = True
                self._sequence, self._telling, self._told = sequence, None, 0  # (the sequence decodes every facts)
                for module in current:  # what their facts give: the facts need no decoding
                    path = self._modules[module]
                    state = self._files[path]
                    if state.definitions is None:
                        self._reader.take_definitions(state, snapshot.definitions[module])
                    self._known_rewritten[path] = (state.key, snapshot.rewritten[module])
            log.debug("graph snapshot: %d modules take their calls from it", len(current))
            return len(current)

    def forget_resolved(self) -> None:
        """Drop every resolved answer and what resolution read (the facts stay): answers given to questions asked
        before the whole graph is resolved in a named order (:meth:`keep_resolved`) give way to that order's (a
        question about one call site fills the resolver's memo without resolving its module)."""
        with self._lock:
            self._resolver.clear()
            self._calls.clear()
            self._readers.clear()
            self._unchanged_sites.clear()
            self._importers = None
            self._untold, self._sequence, self._telling = False, None, None
            self._version += 1
            self._shape += 1

    def tell_readers(
        self,
        cancel: CancelToken = NEVER,
        until: float | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """After :meth:`reuse_resolved` with a ``sequence``: resolve every module again in it (the order that gave
        the snapshot's answers, so the same answers), one module per lock hold and checking ``cancel`` before each,
        to record what each resolution reads; the snapshot's answers are served meanwhile. Stops at ``until`` (a
        ``time.monotonic()``; call again to go on). How many modules are left (0: edits are told apart as on a cold
        index now, or there is nothing to tell: no snapshot, or an edit resolved everything again).
        ``progress(done, total)`` is called between two modules."""
        with gc_paused(then_settle=True):
            while True:
                cancel.check()
                with self._lock:
                    if not self._untold or self._sequence is None:
                        return 0
                    if self._telling is None:
                        self._telling = list(self._sequence(self))
                    if self._told == len(self._telling):
                        self._told_all()
                        return 0
                    self._tell_next()
                    done, total = self._told, len(self._telling)
                if progress is not None:
                    progress(done, total)
                if until is not None and time.monotonic() >= until and done < total:
                    return total - done

    def _tell_rest(self) -> None:
        """An edit comes before :meth:`tell_readers` is done: the rest of it first (uncancellable)."""
        assert self._sequence is not None
        if self._telling is None:
            self._telling = list(self._sequence(self))
        left = len(self._telling) - self._told
        log.debug("graph snapshot: an edit came %d modules before what they read was known", left)
        with gc_paused():
            while self._told < len(self._telling):
                self._tell_next()
        self._told_all()

    def _tell_next(self) -> None:
        """Resolve the next module of the sequence again (the resolver records what it reads); its snapshot answers
        give way to these when they differ (they should not: the same facts resolved in the same order)."""
        assert self._telling is not None
        module = self._telling[self._told]
        self._told += 1
        info = self.module_info(module) if module in self._modules else None
        if info is None:
            return
        fresh = tuple(self._resolver.resolve_module(info))
        served = self._calls.get(module)
        if served is None or served.ordered != fresh:
            log.debug("graph snapshot: %s resolves otherwise than the snapshot said", module)
            self._resolutions += 1
            self._calls.drop({module})
            self._calls.add(ModuleCalls(module, fresh, self._resolutions))
            self._version += 1
            self._shape += 1

    def _told_all(self) -> None:
        self._untold, self._sequence, self._telling = False, None, None
        self._map_importers()
        log.debug("graph snapshot: what resolution reads is known")

    def keep_resolved(self, order: str, sequence: Callable[[Index], Sequence[str]] | None = None) -> bool:
        """Write the resolved graph to the graph cache for the next run (:meth:`reuse_resolved`), when every module
        is resolved and this index resolved them (not taken from the cache); whether it was written. Call it after
        resolving the modules as a cold run of the reading command does, in the order ``order`` names (``calls``: one
        by one in module order): the next run resolving in that order takes these answers for its own; a run
        resolving in another order has another key (a cycle's values depend on which question entered it first).
        ``sequence``: the modules in that order; nothing is written unless they were resolved in it, one after the
        other (a language server's questions, or an edit, may resolve a module first or again)."""
        with self._lock:
            if not self._graphs.enabled:
                return False
            current = self._resolved_modules()
            if current is None or any(module not in self._calls for module in current):
                return False
            calls = {module: cast(ModuleCalls, self._calls.get(module)) for module in current}
            if all(found.serial <= self._reused_serial for found in calls.values()):
                return False  # the snapshot read holds this very graph
            if sequence is not None:
                serials = [calls[module].serial for module in sequence(self) if module in calls]
                if len(serials) != len(calls) or serials != sorted(serials):
                    log.debug("graph snapshot: not kept, the modules were not resolved in the %s order", order)
                    return False
            located: dict[str, Located] = {
                name: None if found is None else (None if found.path is None else str(found.path), found.workspace)
                for name, found in self._workspace.located().items()
            }
            outside: dict[str, str | None] = {}
            read = [str(found.path) for found in self._workspace.located().values() if found and found.path]
            read += [  # the standard library's files resolution read, when it is (part of) the workspace
                str(path)
                for module in self._stdlib
                if (path := self._workspace.stdlib_path(module)) is not None and self._workspace.is_inside_roots(path)
            ]
            for file in read:
                if file not in outside:
                    outside[file] = file_key(file)
            snapshot = Snapshot(
                current,
                located,
                outside,
                {module: found.ordered for module, found in calls.items()},
                {module: self._reader.definitions_of(self._files[self._modules[module]]) for module in current},
                {module: self._rewritten_of(self._files[self._modules[module]]) for module in current},
            )
        self._graphs.save(self._graph_key(order), snapshot)
        return True

    def _graph_key(self, order: str) -> str:
        workspace = self._workspace
        return self._graphs.key(
            (
                "order",
                order,
                "roots",
                *map(str, workspace.roots),
                "search",
                *map(str, workspace.search_paths),
                "site",
                *sorted(map(str, workspace.site_paths)),
                "ignore",
                *workspace.ignore,
                "max",
                str(self._max_file_bytes),
            )
        )

    def _resolved_modules(self) -> dict[str, tuple[str, str | None]] | None:
        """Every workspace module's file and the content key of its facts (None: it has none); None when an open
        document's text stands for a file and differs from it (the editor's state is no run to keep). An editor
        opens files as saved: their facts are the disk's."""
        found: dict[str, tuple[str, str | None]] = {}
        for module, path in self._modules.items():
            state = self._files[path]
            if not state.loaded:
                return None
            key = state.key
            if state.overlay is not None and (key := self._saved_key(state)) is None:
                return None
            has_facts = state.facts is not None or state.raw is not None
            found[module] = (str(path), key if has_facts else None)
        return found

    def _saved_key(self, state: FileState) -> str | None:
        """The content key of an open document's text when it is the file's on disk and parses (its facts are then
        the disk's, whichever way they were read), else None."""
        if state.syntax is not None:  # (its facts are the last text that parsed)
            return None
        try:
            data = state.path.read_bytes()
        except OSError:
            return None
        return content_hash(data) if decode_source(data, str(state.path)) == state.overlay else None

    def _outside_holds(self, located: dict[str, Located], outside: dict[str, str | None]) -> bool:
        """Whether every module looked for outside the workspace is found where it was, and every file read there
        has the content it had."""
        for name, where in located.items():
            found = self._workspace.locate(name)
            now = None if found is None else (None if found.path is None else str(found.path), found.workspace)
            if now != where:
                return False
        return all(file_key(file) == key for file, key in outside.items())

    # ---- what resolution and the graph read (ModuleProvider, CallSource) ----------------------------------------
    def module_info(self, name: str) -> ModuleInfo | None:
        # known: no lock (one dict read; resolution asks 1.6 million times on the stdlib, holding the lock already)
        found = self._infos.get(name, _UNKNOWN)
        if found is not _UNKNOWN:
            return found  # type: ignore[return-value]
        with self._lock:
            if name in self._infos:
                return self._infos[name]
            info: ModuleInfo | None = None
            path = self._modules.get(name)
            if path is not None:
                state = self._files[path]
                facts = self._reader.facts_of(state) or EMPTY_FACTS
                info = ModuleInfo(name, facts, path.name == "__init__.py", True, str(path))
            else:
                location = self._workspace.locate(name)
                if (
                    location is not None
                    and location.path is not None
                    and not self._workspace.is_inside_roots(location.path)
                ):
                    found = self._reader.decoded(self._reader.read(location.path), location.path)
                    if found is not None:
                        info = ModuleInfo(name, found, location.path.name == "__init__.py", False, str(location.path))
            self._infos[name] = info
            return info

    def resolution_order(self) -> tuple[str, ...]:
        """Every workspace module in the order :meth:`resolve_all` resolves them (the files' order)."""
        with self._lock:
            return tuple(self._modules)

    def workspace_modules(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(sorted(self._modules))

    def workspace_paths(self) -> tuple[tuple[str, Path], ...]:
        """Every workspace module and its file, in module order."""
        with self._lock:
            return tuple(sorted(self._modules.items()))

    @property
    def roots(self) -> tuple[Path, ...]:
        return self._workspace.roots

    def workspace_facts(self) -> tuple[tuple[str, Path, ModuleFacts], ...]:
        """Every workspace module with facts, its file and its last good facts, in module order (one lock hold: a
        pass over the workspace costs no path arithmetic per module)."""
        with self._lock, gc_paused(then_settle=True):  # (the facts not decoded yet are)
            found = []
            for module in sorted(self._modules):
                path = self._modules[module]
                state = self._files.get(path)
                facts = self._reader.facts_of(state) if state is not None else None
                if facts is not None:
                    found.append((module, path, facts))
            return tuple(found)

    def workspace_read(self) -> bool:
        return self._read_all

    def module_exists(self, name: str) -> bool:
        with self._lock:
            return (
                name in self._modules
                or name in self._packages
                or self._workspace.locate(name) is not None
                or self._workspace.stdlib_module_exists(name)
            )

    def stdlib_literal(self, symbol: str) -> str | None:
        module, _, name = symbol.partition(":")
        with self._lock:
            facts = self._stdlib_facts(module)
        bindings = facts.scopes[0].bindings.get(name) if facts is not None else None
        if not bindings:
            return None
        roots = {binding.chains[0] if binding.kind == VALUE and binding.chains else None for binding in bindings}
        if len(roots) != 1:
            return None
        (root,) = roots
        if root is None or root[0] not in _LITERAL_ROOTS or any(part[:1] != KEY for part in root[1:]):
            return None  # (a short string keeps its value: ("<str>", "=utf-8"))
        return root[0][1:-1]

    def is_external_class(self, symbol: str) -> bool | None:
        module, _, qualname = symbol.partition(":")
        if module == "builtins":
            return isinstance(getattr(builtins, qualname, None), type)
        with self._lock:
            if symbol not in self._external_classes:
                facts = self._stdlib_facts(module)
                scope = facts.scope_map().get(qualname) if facts is not None else None
                self._external_classes[symbol] = None if facts is None else scope is not None and scope.kind == "class"
            return self._external_classes[symbol]

    def external_class_attributes(self, symbol: str) -> frozenset[str] | None:
        with self._lock:
            return self._stdlib_classes.attributes(symbol, StdlibSource(self._stdlib_facts, self._stdlib_is_package))

    def _stdlib_is_package(self, module: str) -> bool:
        path = self._workspace.stdlib_path(module)
        return path is not None and path.name == "__init__.py"

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
            self._stdlib[module] = self._reader.decoded(self._reader.read(path), path) if path is not None else None
        return self._stdlib[module]

    def module_calls(self, module: str) -> ModuleCalls | None:
        with self._lock:
            found = self._calls.get(module)
            if found is not None or module not in self._modules:
                return found
            info = self.module_info(module)
            if info is None:
                return None
            self._resolutions += 1
            kept = self._unchanged_sites.pop(module, None)
            known = kept.known(self._mentioned.get(module)) if kept else None
            calls = ModuleCalls.build(module, self._resolver.resolve_module(info, known), self._resolutions)
            self._calls.add(calls)
            self._readers.discard(module)
            stood = sum(id(call) in known for call in info.facts.calls) if known else 0
            self._sites[0] += len(info.facts.calls) - stood
            self._sites[1] += stood
            reads = info.facts.reads
            if known and type(reads) is tuple:  # (held decoded: an edited module's) property reads that stood too
                self._sites[1] += sum(id(read) in known for read in reads)
            # (an interface edit changed the graph's shape already)
            if kept is not None and not kept.names and _shape_of(kept.calls) != _shape_of(calls):
                self._shape += 1  # the edit changed who calls whom (not only where)
            return calls

    def incoming(self, symbol: SymbolId) -> tuple[CallEdge, ...]:
        with self._lock:
            if not self._calls.complete:  # some modules are not (or no longer) resolved: resolve them all once
                missing = [module for module in self._modules if module not in self._calls]
                self._calls.settle(keep=set(missing))  # (theirs are replaced edge by edge as they are resolved)
                with gc_paused(then_settle=True):
                    for module in missing:
                        self.module_calls(module)
                    self._map_importers()
                self._calls.settle()  # (any that gave no calls)
                self._calls.complete = True
            return self._calls.incoming(symbol)

    def graph_changes(self) -> tuple[frozenset[SymbolId], frozenset[str]] | None:
        """What changed in the resolved calls since this was last asked (``CallGraph.entry_points``): the functions
        whose callers changed and the modules whose calls were resolved again (None: anything may have)."""
        with self._lock:
            return self._calls.take_changes()

    def graph_version(self) -> int:
        """Changes whenever a file's facts or the set of files change (answers about definitions may differ)."""
        return self._version

    def site_counts(self) -> tuple[int, int]:
        """How many call sites were resolved so far, and how many call sites and property reads kept the answer they
        had before an edit instead (an edit's module resolves only the sites the edit may change): what edits cost the
        resolver. Read without the lock (a server's event loop asks while resolution holds it: two counters, each up
        to date)."""
        return self._sites[0], self._sites[1]

    def graph_shape(self) -> int:
        """Changes whenever who calls whom, or which functions exist, may have changed: answers derived from the
        whole graph (entry points, reachability) stand while it is the same. An edit that moved or changed call
        sites without changing their callees (most keystrokes) keeps it: its module is resolved now to know."""
        with self._lock:
            for module in list(self._unchanged_sites):
                if module in self._modules:
                    self.module_calls(module)
                else:
                    self._unchanged_sites.pop(module)
                    self._shape += 1
            return self._shape

    def graph_symbols(self) -> tuple[SymbolId, ...]:
        with self._lock, gc_paused(then_settle=True):  # (every module's definitions made, and facts decoded)
            return tuple(
                d.symbol
                for module in sorted(self._modules)
                for d in self._reader.definitions_of(self._files[self._modules[module]])
                if d.kind != "class"
            )


@dataclass(frozen=True, slots=True)
class _KeptSites:
    """What an edited module's sites resolved to before the edit (``calls``, from ``facts``), for those the edit
    left as they were: a call site (or property read) object the splice kept (the lines an edit did not touch or
    move) resolves as it did, unless it runs in one of ``functions`` (whose own bindings changed) or may read one of
    ``names`` (the top-level names an interface edit changed that no other module reads, with the module's names that
    read them: a site in one of those definitions, or naming one of them, is resolved again)."""

    facts: ModuleFacts
    calls: ModuleCalls
    functions: frozenset[str]
    names: frozenset[str] = frozenset()

    def known(self, seen: Mentioned | None = None) -> dict[int, ResolvedCall | None]:
        """The standing answers by ``id`` of the facts' call sites and property reads (None: a read that runs no
        getter). The calls' sites come first in ``ordered``, then those of the reads that run a getter, in the order
        of the facts' reads; reads the facts hold only encoded (decoded anew each time, ``codec.EncodedReads``) have
        no lasting identity and are resolved again, as are reads sharing a position and text (which site is whose).
        ``seen``: the names the module's sites mention, as interface edits read them (else read here)."""
        stands = _Standing(self.functions, self.names, seen, self.facts)
        calls = self.facts.calls
        if stands.every:  # (the common case: a name typed that none of the facts' sites runs in or mentions)
            known: dict[int, ResolvedCall | None] = dict(zip(map(id, calls), self.calls.ordered, strict=False))
        elif not stands.by_name:  # told by scope alone
            fits = stands.fits({call.scope for call in calls})
            known = {id(call): site for call, site in zip(calls, self.calls.ordered, strict=False) if fits[call.scope]}
        else:
            known = {id(call): site for call, site in zip(calls, self.calls.ordered, strict=False) if stands(call)}
        reads = self.facts.reads
        if type(reads) is not tuple or len(self.calls.ordered) < len(calls):
            return known
        getters = self.calls.ordered[len(calls) :]
        places = [(read.loc, read.text) for read in reads]
        if len(set(places)) != len(places):
            return known
        at = 0
        for read, place in zip(reads, places, strict=True):
            getter: ResolvedCall | None = getters[at] if at < len(getters) else None
            if getter is not None and (getter.span, getter.text) == place:
                at += 1
            else:
                getter = None
            if stands.every or stands(read):
                known[id(read)] = getter
        if at != len(getters):  # the sites do not follow the reads (never expected): resolve every read again
            for read in reads:
                known.pop(id(read), None)
        return known


class _Standing:
    """Whether a site an edit left as it was resolves as before: it runs in none of ``functions`` (whose own bindings
    changed) and neither is in nor mentions one of the changed top-level ``names``: told once per scope, and per site
    only when a site of the facts may mention one of them (what ``seen`` tallies of the facts' sites, when given)."""

    __slots__ = ("functions", "names", "seen", "scopes", "by_scope", "by_name", "every")

    def __init__(
        self, functions: frozenset[str], names: frozenset[str], seen: Mentioned | None, facts: ModuleFacts
    ) -> None:
        self.functions, self.names = functions, names
        plain = not any(REACHING in name for name in names)  # (names as the tally counts them)
        self.seen = seen if plain else None
        tally = self.seen.every(facts) if self.seen is not None and names else None
        self.scopes: dict[str, bool] = {}  # scope -> whether its sites may stand
        self.by_scope = bool(functions) or bool(names and (tally is None or any(n in tally.tops for n in names)))
        self.by_name = bool(names) and (tally is None or any(name in tally.names for name in names))
        self.every = not self.by_scope and not self.by_name  # every site stands

    def fits(self, scopes: Iterable[str]) -> dict[str, bool]:
        """Whether the sites of each of ``scopes`` may stand (told by scope)."""
        functions, names = self.functions, self.names
        return {
            scope: not (functions and runs_in(scope, functions)) and not (names and top_name(scope) in names)
            for scope in scopes
        }

    def __call__(self, site: CallSite) -> bool:
        if self.by_scope:
            scope = site.scope
            fits = self.scopes.get(scope)
            if fits is None:
                functions, names = self.functions, self.names
                fits = not (functions and runs_in(scope, functions)) and not (names and top_name(scope) in names)
                self.scopes[scope] = fits
            if not fits:
                return False
        if not self.by_name:
            return True
        if self.seen is not None:
            return self.names.isdisjoint(self.seen.mentions(site))
        return not _names_one(site, self.names)


def _names_one(call: CallSite, names: frozenset[str]) -> bool:
    """Whether a call site's chain or arguments mention one of ``names`` (may read one of those top-level names)."""
    for chain in (call.chain or (), *(chain for _, chain in call.args)) if call.args else (call.chain or (),):
        for part in chain:
            if part in names or (REACHING in part and plain_name(part) in names):
                return True
    return False


def _kept_definitions(
    old: ModuleFacts, before: tuple[Definition, ...], new: ModuleFacts, state: FileState
) -> tuple[Definition, ...]:
    """The definitions of a file's new facts, ``before`` being those of its ``old`` facts: a scope the splice kept
    (the same object: the same name, place and parent) keeps its definition when it is still of the same kind, the
    others are made anew. A call hierarchy after each edit locates definitions of the edited file: making all of them
    again (3,000 lines: 200 scopes) cost more than its callers query."""
    if len(before) != len(old.scopes):
        return definitions_of(new, state.module, str(state.path))
    kept = {id(scope): found for scope, found in zip(old.scopes, before, strict=True)}
    scopes = new.scope_map()
    file, prefix = str(state.path), f"{state.module}:"
    out = []
    for scope in new.scopes:
        found = kept.get(id(scope))  # (the old facts are alive: an id is the same scope's)
        kind = definition_kind(scope, scopes)
        if found is None or found.kind != kind or found.symbol != prefix + scope.qualname or found.file != file:
            found = definition_of(scope, kind, state.module, file)
        out.append(found)
    return tuple(out)


def _hierarchy_named(old: ModuleFacts, new: ModuleFacts, names: Collection[str]) -> bool:
    """Whether a changed name is (or was) a class or is decorated: ``self.m()`` in a base class reaches methods of its
    subclasses, and what a decorator receives is read wherever it is applied, so no site is known to stand."""
    wanted = names if isinstance(names, set | frozenset) else set(names)
    for facts in (old, new):  # (one pass each: the few classes and decorated definitions are named, not every scope)
        for scope in facts.scopes[1:]:
            if (scope.kind == "class" or scope.decorators) and top_name(scope.qualname) in wanted:
                return True
    return False


@dataclass(frozen=True, slots=True)
class ReaderPass:
    """What :meth:`Index.resolve_readers` did: the modules it resolved again, in order, and whether the whole graph
    is resolved afterwards (callers answer without resolving anything)."""

    resolved: tuple[str, ...]
    complete: bool


def _shape_of(calls: ModuleCalls) -> frozenset[tuple[SymbolId, SymbolId, bool]]:
    """Who calls whom in a module (what the graph's derived answers read), without where."""
    return frozenset((edge.caller, edge.callee, edge.external) for edge in calls.all_edges())

"""Reading one file's facts for the index: size limit, content hash, facts cache, parse, and the per-file state."""

from __future__ import annotations

import ast
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

from trace_advisor import facts_pool
from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.datatypes import Definition, Problem, SymbolId, SyntaxProblem
from trace_advisor.facts import codec
from trace_advisor.facts.definitions import definitions_of
from trace_advisor.facts.records import ModuleFacts, Scope, loc_of
from trace_advisor.facts_cache import FactsCache
from trace_advisor.newer_syntax import running_python
from trace_advisor.parsing import content_hash, decode_source, parse_bytes

EMPTY_FACTS = ModuleFacts(
    scopes=(Scope("<module>", "module", None, loc_of(1, 0, 1, 0), loc_of(1, 0, 1, 0), {}),), calls=()
)


@dataclass(frozen=True, slots=True)
class Loaded:
    """What reading a file gave: facts, a still-encoded cache entry, or why there are none."""

    facts: ModuleFacts | None = None
    raw: bytes | None = None
    key: str | None = None
    syntax: SyntaxProblem | None = None
    problem: Problem | None = None
    text: str | None = None  # when the file was parsed: its text and the tree its facts came from
    tree: ast.Module | None = None


@dataclass(slots=True)
class FileState:
    """One workspace file as the index knows it."""

    path: Path
    module: str
    loaded: bool = False  # read (facts, cache entry or problem) at least once; a file is named before it is read
    facts: ModuleFacts | None = None  # the last facts that parsed
    raw: bytes | None = None  # facts still encoded as read from the cache (decoded on first use)
    key: str | None = None  # content hash of ``raw``
    problem: Problem | None = None  # why the current content is not (fully) indexed
    shadowed: Problem | None = None  # another file defines the same module (that one is indexed, this one not)
    syntax: SyntaxProblem | None = None  # the current content's syntax error, when that is the problem
    overlay: str | None = None  # the editor's text while the document is open
    parsed_text: str | None = None  # the edited text the facts came from (for re-parsing only what changed)
    definitions: tuple[Definition, ...] | None = None
    by_symbol: dict[SymbolId, Definition] = field(default_factory=dict)

    def set_facts(self, facts: ModuleFacts) -> None:
        self.facts = facts
        self.definitions = None


class FactsReader:
    """Reads files into facts through the content-hash cache; decodes cache entries only when first used. With
    ``keep_tree``, each file parsed to be loaded hands it its text and syntax tree (the index keeps them for the
    analysis that follows, so that it parses no module twice). ``workers``: the number of parsing processes asked
    for (``facts_pool.requested_workers``; None: one per core when the files missing from the cache are many)."""

    def __init__(
        self,
        cache: FactsCache,
        max_bytes: int,
        keep_tree: Callable[[Path, str, ast.Module], None] | None = None,
        workers: int | None = None,
    ) -> None:
        self._cache = cache
        self._max_bytes = max_bytes
        self._keep_tree = keep_tree
        self._workers = workers

    def load(self, state: FileState, loaded: Loaded | None = None) -> None:
        """Read a file from disk (or take what :meth:`read` gave) and set its facts (or its still-encoded cache
        entry) or its problem."""
        loaded = self.read(state.path) if loaded is None else loaded
        state.loaded = True
        state.problem = loaded.problem
        state.syntax = loaded.syntax
        state.definitions = None
        if loaded.facts is not None or loaded.raw is not None:
            state.facts, state.raw, state.key = loaded.facts, loaded.raw, loaded.key
        if self._keep_tree is not None and loaded.tree is not None and loaded.text is not None:
            self._keep_tree(state.path, loaded.text, loaded.tree)

    def read(self, path: Path, *, use_cache: bool = True) -> Loaded:
        found = self.probe(path, use_cache=use_cache)
        return found if isinstance(found, Loaded) else self.parse(path, *found)

    def read_all(self, paths: Sequence[Path], cancel: CancelToken = NEVER) -> Generator[Loaded, None, None]:
        """What :meth:`read` gives for each path, in order. Files missing from the cache are parsed in worker
        processes when they are many (``facts_pool``): the same facts, entries and problems as parsing them here."""
        few = len(paths) < facts_pool.MIN_FILES and facts_pool.requested_workers(self._workers) is None
        if self._keep_tree is not None or few:
            for path in paths:  # a small workspace pays no pool start-up (nor a command keeping syntax trees)
                cancel.check()
                yield self.read(path)
            return
        probed: list[Loaded | tuple[bytes, str]] = []

        def misses() -> Generator[facts_pool.Miss, None, None]:
            for path in paths:
                cancel.check()
                found = self.probe(path)
                probed.append(found)
                if not isinstance(found, Loaded):
                    yield (path, *found)

        # the pool's workers parse the first files missing from the cache while the next ones are read
        parsed = facts_pool.parse_all(
            self._parse_compact, self._take_parsed, self.cache, misses(), cancel, self._workers
        )
        try:
            results = chain(list(islice(parsed, 1)), parsed)  # its first result comes once every file is read
            for found in probed:
                yield found if isinstance(found, Loaded) else next(results)
        finally:
            parsed.close()

    def _parse_compact(self, path: Path, data: bytes, key: str) -> Loaded:
        """:meth:`parse` for :meth:`read_all`, whose files' facts are all kept: the facts decoding the cache entry made
        of them gives, as a worker's are (:meth:`_take_parsed`; made from the entry's tuples, not read back from it:
        ``codec.compacted``), not the facts as extracted: decoded, equal chains and bindings are one object and
        property reads stay encoded (``codec``), where extracted facts take 1.6 times the memory (the standard
        library's, parsed half here and half in a worker: 40 MB more at the peak of ``calls``)."""
        file = str(path)
        parsed = parse_bytes(data, file)
        if parsed.facts is None:
            return Loaded(syntax=parsed.problem, problem=syntax_problem(parsed.problem, file))
        try:
            raw, facts = codec.compacted(parsed.facts)
        except ValueError:
            self._cache.put(key, parsed.facts)  # (it says why it cannot)
            return Loaded(facts=parsed.facts, key=key)
        self._cache.put_raw(key, raw)
        return Loaded(facts=facts, key=key)

    def _take_parsed(self, miss: facts_pool.Miss, raw: bytes | None, syntax: SyntaxProblem | None) -> Loaded:
        """A worker's result for ``miss``: its facts decoded, or its syntax problem."""
        path, _, key = miss
        if raw is None:
            return Loaded(syntax=syntax, problem=syntax_problem(syntax, str(path)))
        try:
            return Loaded(facts=codec.decode(raw), key=key)
        except Exception:  # noqa: BLE001 - damaged on the way (never seen): parsed here instead
            return self.parse(*miss)

    def probe(self, path: Path, *, use_cache: bool = True) -> Loaded | tuple[bytes, str]:
        """The file's cache entry or why it cannot be read, else its content and content hash (to be parsed)."""
        file = str(path)
        try:
            size = path.stat().st_size
            if size > self._max_bytes:
                message = f"skipped: file is {size} bytes, over max_file_bytes ({self._max_bytes})"
                return Loaded(problem=Problem(message, file, kind="too-large"))
            data = path.read_bytes()
        except OSError as exc:
            message = f"cannot read file: {exc.strerror or exc}"
            return Loaded(problem=Problem(message, file, None, "error", "unreadable"))
        key = content_hash(data)
        raw = self._cache.get_raw(key) if use_cache else None
        if raw is not None:
            return Loaded(raw=raw, key=key)
        return data, key

    def parse(self, path: Path, data: bytes, key: str) -> Loaded:
        """Parse a file's content into facts (written to the cache) or its syntax problem."""
        file = str(path)
        parsed = parse_bytes(data, file)
        if parsed.facts is None:
            return Loaded(syntax=parsed.problem, problem=syntax_problem(parsed.problem, file))
        self._cache.put(key, parsed.facts)
        kept = self._keep_tree is not None
        return Loaded(
            facts=parsed.facts, key=key, text=parsed.text if kept else None, tree=parsed.tree if kept else None
        )

    @property
    def cache(self) -> FactsCache:
        return self._cache

    def cached(self, path: Path, text: str) -> Loaded | None:
        """The cache entry of the file when the disk's content is ``text`` (None: not saved as such, or not in the
        cache): what :meth:`read` would give, without parsing on a miss."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        key = content_hash(data)
        raw = self._cache.get_raw(key)
        if raw is None or decode_source(data, str(path)) != text:
            return None
        return Loaded(raw=raw, key=key)

    def parsed_text(self, state: FileState) -> str | None:
        """The text the file's current facts came from (the disk text only if its content hash still matches)."""
        if not state.loaded:
            self.load(state)
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

    def facts_of(self, state: FileState) -> ModuleFacts | None:
        """The file's facts, read on first use (a file is named before it is read) and decoding a cache entry on
        first use (a corrupt entry is discarded and re-parsed)."""
        if not state.loaded:
            self.load(state)
        if state.raw is not None:
            raw, key = state.raw, state.key or ""
            state.raw = None
            try:
                state.facts = codec.decode(raw)
            except Exception as exc:  # noqa: BLE001 - any corruption is a cache miss, never fatal
                self._cache.discard(key, exc)
                loaded = self.read(state.path, use_cache=False)
                state.facts, state.problem, state.syntax = loaded.facts, loaded.problem, loaded.syntax
        return state.facts

    def decoded(self, loaded: Loaded, path: Path) -> ModuleFacts | None:
        """The facts of a file read outside the workspace (search paths, the stdlib)."""
        return self.facts_of(FileState(path, "", True, loaded.facts, raw=loaded.raw, key=loaded.key))

    def definitions_of(self, state: FileState) -> tuple[Definition, ...]:
        if state.definitions is None:
            facts = self.facts_of(state) or EMPTY_FACTS
            self.take_definitions(state, definitions_of(facts, state.module, str(state.path)))
        assert state.definitions is not None
        return state.definitions

    @staticmethod
    def take_definitions(state: FileState, found: tuple[Definition, ...]) -> None:
        """Set the definitions of the file's current facts (computed from them, or kept from a run that did)."""
        state.definitions = found
        state.by_symbol = {d.symbol: d for d in reversed(found)}  # the first of equal symbols wins


class DiskTexts:
    """Decoded texts of files on disk, read again only when their size or modification time changed, so that
    repeated questions about one file (ranges of many call sites) share one string. Keeps the latest ``limit``.

    A file modified shortly before it was read is read again every time (as git does with "racy" entries): file
    system clocks are coarse, and two writes of equal size within one tick would otherwise look unchanged.
    """

    _RACY_NS = 2_000_000_000

    def __init__(self, limit: int = 256) -> None:
        self._limit = limit
        self._texts: OrderedDict[Path, tuple[tuple[int, int], str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: Path) -> str | None:
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            with self._lock:
                known = self._texts.get(path)
                if known is not None and known[0] == stamp:
                    self._texts.move_to_end(path)
                    return known[1]
            read_at = time.time_ns()
            decoded = decode_source(path.read_bytes(), str(path))
        except OSError:
            return None
        if not isinstance(decoded, str):
            return None
        if stat.st_mtime_ns > read_at - self._RACY_NS:
            return decoded  # too recent to trust the stamp next time
        with self._lock:
            self._texts[path] = (stamp, decoded)
            while len(self._texts) > self._limit:
                self._texts.popitem(last=False)
        return decoded


def rewritten_note(rewritten: tuple[tuple[int, str], ...], file: str) -> Problem:
    """What newer syntax a file uses that was rewritten for the running Python to read it (nothing is lost)."""
    lines: dict[str, list[int]] = {}
    for line, what in rewritten:
        lines.setdefault(what, []).append(line)
    parts = [f"{what} at line{'s' if len(at) > 1 else ''} {', '.join(map(str, at))}" for what, at in lines.items()]
    message = f"read with {running_python()} after rewriting newer syntax: {'; '.join(parts)}"
    return Problem(message, file, rewritten[0][0], "info", "rewritten")


def syntax_problem(syntax: SyntaxProblem | None, file: str) -> Problem | None:
    """The index problem for a file whose content does not parse."""
    if syntax is None:
        return None
    where = f" (line {syntax.line}, column {syntax.column})" if syntax.line and syntax.column is not None else ""
    if syntax.newer_syntax:
        message = f"{syntax.message}{where}: uses {syntax.newer_syntax}; trace-advisor runs on {running_python()}"
        return Problem(message, file, syntax.line, "error", "newer-syntax")
    return Problem(f"{syntax.message}{where}", file, syntax.line, "error", "unparsed")

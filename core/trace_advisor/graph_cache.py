"""The on-disk cache of resolved call graphs: one snapshot per workspace and configuration, what a later run takes
instead of resolving again.

Module facts are cached by content (``facts_cache``), but resolving every call site from them costs several times a
parse of the workspace. A snapshot holds what the last complete resolution of a workspace gave: every module's
resolved call sites, definitions and rewritten-syntax notes, the content key of the facts each module had, and what
resolution looked up and read outside the workspace. A later run takes all of it when every module has the same facts
and those outside answers still hold (``Index.reuse_resolved``), and then decodes no facts and resolves nothing;
otherwise it resolves everything, as a cold run (resolving only what changed can give other answers: see there).

A snapshot is keyed by the workspace's roots, search paths, ignore globs and size limit, the Python running and the
trace-advisor code itself (any change of the package's files is another key: resolution rules change with the code).
Entries are ``marshal``-ed plain tuples behind checksums, as facts entries are: loading creates data only, never
objects of arbitrary classes; a damaged or truncated entry is a miss (and is removed). The body is one encoding per
module, each written as it is made (and decoded in turn): a snapshot is never held whole in memory. Writes are atomic
(``cache_writes``); the ``KEEP`` most recently used snapshots are kept, older ones are removed.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import os
import struct
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trace_advisor.cache_writes import CacheWriter
from trace_advisor.datatypes import CallEdge, Definition, Range, ResolvedCall, UnresolvedCall
from trace_advisor.facts_cache import cache_version, default_cache_dir
from trace_advisor.parsing import content_hash

log = logging.getLogger(__name__)

_FORMAT = 5
_DIGEST = 16
_HEAD = struct.Struct("<16s16sQ")  # checksum of the header, checksum of the body, length of the header
_LENGTH = struct.Struct("<Q")  # the body: per module, the length of its encoding, then its encoding
KEEP = 6  # snapshots kept: a few workspaces, or one under a few configurations
SUFFIX = ".graph"

# Where a module was found on the search paths: (its file, or None for a namespace package; a workspace file) or None
Located = tuple[str | None, bool] | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one complete resolution of a workspace gave, and what it depended on.

    ``modules``: every workspace module -> its file and the content key of its facts (None: it had none, e.g. a
    syntax error). ``located``: every module looked for outside the workspace table -> what was found. ``outside``:
    the files read outside the workspace (search paths, the standard library when it is the workspace) -> their
    content key (None: unreadable). ``calls``: per module, its resolved call sites (``ModuleCalls.ordered``).
    ``definitions`` and ``rewritten``: per module, what its facts give for them (a run that takes a module's calls
    needs its facts for nothing else: they are not even decoded)."""

    modules: dict[str, tuple[str, str | None]]
    located: dict[str, Located]
    outside: dict[str, str | None]
    calls: dict[str, tuple[ResolvedCall, ...]]
    definitions: dict[str, tuple[Definition, ...]]
    rewritten: dict[str, tuple[tuple[int, str], ...]]


@dataclass(frozen=True, slots=True)
class Header:
    """A snapshot's first part, read before the calls: whether it is still valid is decided from it alone."""

    modules: dict[str, tuple[str, str | None]]
    located: dict[str, Located]
    outside: dict[str, str | None]


@functools.cache
def code_version() -> str:
    """A hash of every file of the trace_advisor package (its code and tables): a snapshot made by other code is
    another key, however small the change."""
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    found: list[Path] = []
    for folder, subfolders, files in os.walk(package, followlinks=True):  # resources/ is a link in a checkout
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        found.extend(Path(folder, name) for name in files)
    for path in sorted(found):
        digest.update(str(path.relative_to(package)).encode("utf-8", "surrogateescape") + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


def file_key(path: str) -> str | None:
    """The content key of a file now (None: it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            return content_hash(handle.read())
    except OSError:
        return None


class GraphCache:
    """Snapshots under ``<cache dir>/<version>/graphs/<key>.graph``; every failure is a miss."""

    def __init__(self, cache_dir: Path | None = None, *, enabled: bool = True) -> None:
        self.root = (cache_dir or default_cache_dir()) / cache_version() / "graphs"
        self.enabled = enabled
        self._writer = CacheWriter(self.root)
        self._swept = False

    def key(self, parts: Iterable[str]) -> str:
        """The key of a workspace and configuration (``parts``), this Python and this trace-advisor."""
        digest = hashlib.blake2b(digest_size=20)
        for part in (str(_FORMAT), code_version(), sys.version, sys.prefix, *parts):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / f"{key}{SUFFIX}"

    def open(self, key: str) -> Reading | None:
        """The snapshot stored under ``key``, its header read and checked (the calls are read by the caller when it
        decides to use them); None when there is none or it is damaged."""
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        try:
            head_digest, body_digest, size = _HEAD.unpack_from(data)
            header = memoryview(data)[_HEAD.size : _HEAD.size + size]
            if len(header) != size or _digest(header) != head_digest:
                raise ValueError("checksum mismatch")
            found = _decode_header(marshal.loads(header))
        except Exception as exc:  # noqa: BLE001 - any corruption (truncated, garbage) is a miss
            self._discard(path, exc)
            return None
        return Reading(self, path, data, _HEAD.size + size, body_digest, found)

    def save(self, key: str, snapshot: Snapshot) -> None:
        """Write ``snapshot`` under ``key``: its header, then each module's calls encoded and written in turn (the
        standard library's whole encoding held at once cost 80 MB over the graph: the peak of a cold ``calls``)."""
        if not self.enabled:
            return
        header = marshal.dumps(_encode_header(snapshot))
        path = self._path(key)
        try:
            if not self._swept:
                self._swept = True
                self._writer.sweep()
            with self._writer.open(path) as handle:
                handle.write(_HEAD.pack(b"", b"", len(header)))  # its checksums once the body is written
                handle.write(header)
                body = hashlib.blake2b(digest_size=_DIGEST)
                for module in sorted(snapshot.modules):
                    part = marshal.dumps(_encode_module(snapshot, module))
                    length = _LENGTH.pack(len(part))
                    body.update(length)
                    body.update(part)
                    handle.write(length)
                    handle.write(part)
                handle.seek(0)
                handle.write(_HEAD.pack(_digest(header), body.digest(), len(header)))
        except (OSError, ValueError) as exc:
            log.debug("cannot write graph snapshot %s: %s", path, exc)
            return
        self._evict(keep=path)

    def _evict(self, keep: Path) -> None:
        """Keep the ``KEEP`` most recently used snapshots (a hit touches its file)."""
        try:
            found = [entry for entry in os.scandir(self.root) if entry.name.endswith(SUFFIX)]
            found.sort(key=lambda entry: entry.stat().st_mtime, reverse=True)
        except OSError:
            return
        for entry in found[KEEP:]:
            if entry.path != str(keep):
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass

    def _discard(self, path: Path, reason: object) -> None:
        log.warning("discarding damaged graph snapshot %s: %s", path, reason)
        try:
            path.unlink()
        except OSError:
            pass


@dataclass(slots=True)
class Reading:
    """A snapshot whose header is read: ``header``; :meth:`rest` reads the calls and definitions."""

    cache: GraphCache
    path: Path
    data: bytes
    start: int
    digest: bytes
    header: Header

    def rest(self) -> Snapshot | None:
        """The whole snapshot (None: the calls are damaged; the entry is removed)."""
        try:
            body = memoryview(self.data)[self.start :]
            if _digest(body) != self.digest:
                raise ValueError("checksum mismatch")
            calls, definitions, rewritten = _decode_body(body, self.header.modules)
        except Exception as exc:  # noqa: BLE001 - any corruption is a miss
            self.cache._discard(self.path, exc)
            return None
        try:
            os.utime(self.path)  # used: kept longer than the others
        except OSError:
            pass
        header = self.header
        return Snapshot(header.modules, header.located, header.outside, calls, definitions, rewritten)


def _digest(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST).digest()


def _encode_header(snapshot: Snapshot) -> Any:
    return (
        _FORMAT,
        tuple((module, path, key) for module, (path, key) in sorted(snapshot.modules.items())),
        tuple(sorted(snapshot.located.items())),
        tuple(sorted(snapshot.outside.items())),
    )


def _decode_header(data: Any) -> Header:
    form, modules, located, outside = data
    if form != _FORMAT:
        raise ValueError(f"format {form}")
    return Header(
        {module: (path, key) for module, path, key in modules},
        dict(located),
        dict(outside),
    )


def _encode_module(snapshot: Snapshot, module: str) -> Any:
    """One module's part of the body (the modules in the header's order): its sites as parallel columns
    (``marshal`` then makes a few long tuples, not one small tuple per site and edge): callers, spans, texts, how
    many edges each site has; the edges' callees and kinds; the edges that do not have their site's caller and span
    (none, as resolution makes them) as ``(edge number, caller, span)``; the unresolved calls as ``(site number,
    reason, detail)``, with the call's caller, text and span after those when they are not its site's. Then its
    definitions and the newer syntax its facts rewrote. Equal strings are written once (``marshal`` refers back to an
    object it wrote before)."""
    shared: dict[object, object] = {}
    share = shared.setdefault
    callers: list[object] = []
    spans: list[object] = []
    texts: list[object] = []
    counts: list[int] = []
    callees: list[object] = []
    kinds: list[object] = []
    odd: list[tuple[object, ...]] = []
    missing: list[tuple[object, ...]] = []
    for number, site in enumerate(snapshot.calls[module]):
        caller, span = share(site.caller, site.caller), site.span
        callers.append(caller)
        spans.append(span)
        texts.append(share(site.text, site.text))
        edges = site.edges
        counts.append(len(edges))
        for e in edges:
            if e.caller != caller or e.span != span:
                odd.append((len(callees), e.caller, e.span))
            callees.append(share(e.callee, e.callee))
            kinds.append(share(e.kind, e.kind))
        found = site.unresolved
        if found is not None:
            entry: tuple[object, ...] = (number, found.reason, share(found.detail, found.detail))
            if found.caller != caller or found.span != span or found.text != site.text:
                entry += (found.caller, found.text, found.span)
            missing.append(entry)
    definitions = tuple(
        [
            (share(d.symbol, d.symbol), d.kind, d.range.key, d.name_range.key, d.is_async)
            for d in snapshot.definitions[module]
        ]
    )
    columns = (tuple(callers), tuple(spans), tuple(texts), tuple(counts), tuple(callees), tuple(kinds))
    return (*columns, tuple(odd), tuple(missing), definitions, snapshot.rewritten[module])


_new = object.__new__
_edge_caller, _edge_callee, _edge_span, _edge_kind = (
    CallEdge.__dict__[name].__set__ for name in ("caller", "callee", "span", "kind")
)
_site_caller, _site_span, _site_text, _site_held, _site_unresolved = (
    ResolvedCall.__dict__[name].__set__ for name in ("caller", "span", "text", "held", "unresolved")
)
_missing_caller, _missing_text, _missing_span, _missing_reason, _missing_detail = (
    UnresolvedCall.__dict__[name].__set__ for name in ("caller", "text", "span", "reason", "detail")
)


def _decode_body(
    body: memoryview, modules: Mapping[str, tuple[str, str | None]]
) -> tuple[
    dict[str, tuple[ResolvedCall, ...]],
    dict[str, tuple[Definition, ...]],
    dict[str, tuple[tuple[int, str], ...]],
]:
    calls, definitions, rewritten = {}, {}, {}
    at, length = 0, _LENGTH.size
    for name in sorted(modules):
        (size,) = _LENGTH.unpack_from(body, at)
        part = body[at + length : at + length + size]
        if len(part) != size:
            raise ValueError("truncated")
        at += length + size
        *columns, defined, notes = marshal.loads(part)
        calls[name] = _decode_sites(*columns)
        file = modules[name][0]
        definitions[name] = tuple(
            [
                Definition(symbol, kind, file, Range.keyed(whole), Range.keyed(named), is_async)
                for symbol, kind, whole, named, is_async in defined
            ]
        )
        rewritten[name] = tuple(notes)
    if at != len(body):
        raise ValueError("modules and calls differ")
    return calls, definitions, rewritten


def _decode_sites(
    callers: Any, spans: Any, texts: Any, counts: Any, callees: Any, kinds: Any, odd: Any, missing: Any
) -> tuple[ResolvedCall, ...]:
    new, edge_caller, edge_callee, edge_span, edge_kind = _new, _edge_caller, _edge_callee, _edge_span, _edge_kind
    site_caller, site_span, site_text, site_held, site_unresolved = (
        _site_caller,
        _site_span,
        _site_text,
        _site_held,
        _site_unresolved,
    )
    sites = []
    edges = []
    at = 0
    for caller, span, text, count in zip(callers, spans, texts, counts, strict=True):
        site = new(ResolvedCall)
        site_caller(site, caller)
        site_span(site, span)
        site_text(site, text)
        site_unresolved(site, None)
        made = []
        for number in range(at, at + count):
            edge = new(CallEdge)
            edge_caller(edge, caller)
            edge_span(edge, span)
            edge_callee(edge, callees[number])
            edge_kind(edge, kinds[number])
            made.append(edge)
        edges.extend(made)
        site_held(site, made[0] if count == 1 else tuple(made))  # a one-edge site holds the edge itself
        at += count
        sites.append(site)
    if at != len(callees) or len(kinds) != at:
        raise ValueError("edges and sites differ")
    for number, caller, span in odd:
        edge_caller(edges[number], caller)
        edge_span(edges[number], span)
    for number, reason, detail, *own in missing:
        site = sites[number]
        found = new(UnresolvedCall)
        caller, text, span = own or (site.caller, site.text, site.span)
        _missing_caller(found, caller)
        _missing_text(found, text)
        _missing_span(found, span)
        _missing_reason(found, reason)
        _missing_detail(found, detail)
        site_unresolved(site, found)
    return tuple(sites)

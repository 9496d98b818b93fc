"""Adding spans to files on disk, shared by ``trace-advisor apply`` and the agent server: the functions to instrument
(named, or every recommendation), each file's new text with one outcome per function, its unified diff, and an
atomic write that refuses a file changed since it was read."""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import stat
import tempfile
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from trace_advisor.config_model import Config
from trace_advisor.datatypes import Capture, Problem, Recommendation, split_symbol
from trace_advisor.edits import SourceText, SpanOutcome, SpanStyle, SpanTarget, add_spans, span_origin
from trace_advisor.index import Index
from trace_advisor.lookup import files_under
from trace_advisor.span_names import SpanNames

CHANGED_ON_DISK = "changed on disk since it was read; not overwritten (run the command again)"


class SymbolError(ValueError):
    """A function name that cannot name a function (the message starts with the name as given)."""


@dataclass(frozen=True, slots=True)
class Target:
    """One function to instrument; ``line`` (a line of the def in the file as read, from a recommendation) picks
    among defs sharing the qualname (a property's getter and setter)."""

    path: Path
    qualname: str
    capture: Capture | None = None  # None: a plain span
    line: int | None = None
    label: str = ""  # the name as the user gave it
    name: str | None = None  # the span name, unique in the workspace (None: ``Class.method``)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file as read: its bytes, the encoding its coding cookie names, and the decoded text."""

    path: Path
    original: bytes
    encoding: str
    text: str

    def diff(self, new_text: str, base: Path) -> str:
        """Unified diff to ``new_text``, paths relative to ``base`` (apply it with ``patch -p1`` from there)."""
        old_source, new_source = SourceText(self.text), SourceText(new_text)
        old_lines = [line + end for line, end in zip(old_source.lines, old_source.endings, strict=True) if line or end]
        new_lines = [line + end for line, end in zip(new_source.lines, new_source.endings, strict=True) if line or end]
        name = self.path.relative_to(base).as_posix() if self.path.is_relative_to(base) else self.path.name
        return "".join(difflib.unified_diff(old_lines, new_lines, fromfile=f"a/{name}", tofile=f"b/{name}"))


def read_source_file(path: Path) -> SourceFile | str:
    """The file, decoded as its encoding cookie says, or why it cannot be read."""
    try:
        original = path.read_bytes()
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc})"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(original).readline)
        text = original.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return f"cannot decode ({exc})"
    return SourceFile(path, original, encoding, text)


@dataclass(frozen=True, slots=True)
class FileEdit:
    """One file's targets and what adding their spans gave: the new text and one outcome per target, or why the
    file could not be read (``source`` None, ``problem`` set)."""

    path: Path
    targets: tuple[Target, ...]
    source: SourceFile | None
    text: str = ""
    outcomes: tuple[SpanOutcome, ...] = ()
    problem: str | None = None
    aliases: tuple[Path, ...] = ()  # other names of the same file in this run (hard links, symlinks): edited once

    @property
    def changed(self) -> bool:
        return self.source is not None and self.text != self.source.text


def edit_files(
    targets: Sequence[Target], style: SpanStyle | Callable[[Path], SpanStyle], index: Index | None = None
) -> list[FileEdit]:
    """Each file's spans, added in the order the targets name them; files in first-named order. A file reached by
    several names (hard links, symlinks) is edited once, under the first name, with each function once. ``style``
    is one for every file, or each file's (:class:`trace_advisor.edits.style.ProjectStyles`). ``index`` names a
    file's module for the ``code.function.name`` attribute, and its call graph says which functions may see a web
    framework's 4xx exception from their callees."""
    graph = index.graph() if index is not None else None
    by_file: dict[object, list[Target]] = {}
    names: dict[object, list[Path]] = {}
    for target in targets:
        identity = _identity(target.path)
        by_file.setdefault(identity, []).append(target)
        if target.path not in names.setdefault(identity, []):
            names[identity].append(target.path)
    edits: list[FileEdit] = []
    for identity, mine in by_file.items():
        path, *aliases = names[identity]
        unique: dict[tuple[str, int | None], Target] = {}
        for target in mine:  # the same function named through two names of the file: once
            unique.setdefault((target.qualname, target.line), target)
        found, others = tuple(unique.values()), tuple(aliases)
        source = read_source_file(path)
        if isinstance(source, str):
            edits.append(FileEdit(path, found, None, problem=source, aliases=others))
            continue
        spans = [SpanTarget(t.qualname, t.capture, t.line, t.name) for t in found]
        origin = span_origin(path, index.module_for_path(path) if index is not None else None, graph)
        text, outcomes = add_spans(source.text, spans, style(path) if callable(style) else style, origin)
        edits.append(FileEdit(path, found, source, text, tuple(outcomes), aliases=others))
    return edits


def _identity(path: Path) -> object:
    """What names one file whatever the path: device and inode (the path itself when it cannot be read)."""
    try:
        info = path.stat()
    except OSError:
        return path
    return (info.st_dev, info.st_ino)


# ---- which functions ------------------------------------------------------------------------------------------


def recommended(
    index: Index, config: Config, files: Sequence[Path]
) -> tuple[tuple[Recommendation, ...], tuple[Problem, ...]]:
    """The local engine's recommendations for ``files`` at or above ``min_confidence`` (the ones ``analyze``
    reports, without a model provider), and the analysis' problems."""
    from trace_advisor.analysis import analyze

    result = analyze(index, config, files)
    chosen = tuple(r for r in result.recommendations if r.confidence >= config.min_confidence)
    return chosen, result.problems


def symbol_targets(
    index: Index,
    config: Config,
    path: Path,
    symbols: Sequence[str],
    *,
    plain: bool = False,
    display: Callable[[Path], str] = str,
) -> tuple[list[Target], list[str], tuple[Problem, ...]]:
    """The functions ``symbols`` name under ``path`` (a folder: ``module:qualname``; a file: also the qualname
    alone), the names that match nothing there (as messages) and the analysis' problems. A recommended function
    gets its recommendation's capture, like the editor's quick-fix, unless ``plain``. Raises SymbolError for a
    malformed name."""
    targets: list[Target] = []
    failures: list[str] = []
    for symbol in symbols:
        if ":" not in symbol:
            if path.is_dir():
                raise SymbolError(f"{symbol!r}: use MODULE:QUALNAME when PATH is a folder")
            targets.append(Target(path, symbol, label=symbol))
            continue
        try:
            module, qualname = split_symbol(symbol)
        except ValueError as exc:
            raise SymbolError(f"{symbol!r}: {exc}") from None
        if path.is_file():
            own = index.module_for_path(path) or path.stem
            if module != own and not own.endswith("." + module) and module != path.stem:
                failures.append(f"{symbol}: {display(path)} is module {own}, not {module}")
                continue
            targets.append(Target(path, qualname, label=symbol))
            continue
        found = index.path_for_module(module)
        if found is None or not found.resolve().is_relative_to(path):
            failures.append(f"{symbol}: no module {module} under {display(path)}")
            continue
        targets.append(Target(found.resolve(), qualname, label=symbol))
    names = index.extension(SpanNames)
    targets = [
        replace(t, name=names.name(index, f"{index.module_for_path(t.path) or t.path.stem}:{t.qualname}"))
        for t in targets
    ]
    if plain or not targets:
        return targets, failures, ()
    recommendations, problems = recommended(index, config, sorted({t.path for t in targets}))
    by_function: dict[tuple[Path, str], Recommendation] = {}
    for rec in recommendations:
        by_function.setdefault((Path(rec.file).resolve(), rec.qualname), rec)
    found_recs = [by_function.get((t.path, t.qualname)) for t in targets]
    chosen = [
        replace(t, capture=rec.capture, line=rec.range.start.line, name=rec.span_name) if rec else t
        for t, rec in zip(targets, found_recs, strict=True)
    ]
    return chosen, failures, problems


def recommended_targets(index: Index, config: Config, path: Path) -> tuple[list[Target], tuple[Problem, ...]]:
    """Every recommendation of the local engine for files under ``path``, in file and line order."""
    chosen, problems = recommended(index, config, files_under(index, [path]))
    targets = [
        Target(Path(r.file).resolve(), r.qualname, r.capture, r.range.start.line, r.symbol, r.span_name)
        for r in sorted(chosen, key=lambda r: (r.file, r.range.start.line))
    ]
    return targets, problems


# ---- writing --------------------------------------------------------------------------------------------------


def write_if_unchanged(path: Path, original: bytes, new: bytes) -> str | None:
    """Write ``new`` over ``path`` unless its content is no longer ``original``; returns a problem or None.

    A file the user may not write is refused (replacing it by rename would bypass its permissions). Otherwise the
    file is replaced atomically (temp file with its mode, owner and group, then ``os.replace``), except when that
    would lose something: a file with other hard links, whose owner or group the temp file cannot take, or in a
    folder the user may not add files to, is rewritten in place instead, so every name and all of its metadata
    stay. Symlinks are followed.
    """
    real = path.resolve()
    try:
        info = real.stat()
        if not os.access(real, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
            return "not writable for you (no write permission); not changed"
        if real.read_bytes() != original:
            return CHANGED_ON_DISK
        if info.st_nlink > 1:
            return _write_in_place(real, original, new)
        try:
            fd, temp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
        except PermissionError:  # a writable file in a folder the user may not add files to
            return _write_in_place(real, original, new)
    except OSError as exc:
        return f"cannot write ({exc.strerror or exc})"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, stat.S_IMODE(info.st_mode))
        made = os.stat(temp)
        if (made.st_uid, made.st_gid) != (info.st_uid, info.st_gid):
            try:
                os.chown(temp, info.st_uid, info.st_gid)
            except PermissionError:  # not ours to give away: keep the file's inode and write into it
                os.unlink(temp)
                return _write_in_place(real, original, new)
        if real.read_bytes() != original:  # last look right before replacing
            os.unlink(temp)
            return CHANGED_ON_DISK
        os.replace(temp, real)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        return f"cannot write ({exc.strerror or exc})"
    return None


def _write_in_place(real: Path, original: bytes, new: bytes) -> str | None:
    """Overwrite the file's own bytes (same inode: hard links, owner, group, mode, ACLs stay), checking under the
    open handle that it still holds ``original``; on a failed write the original bytes are put back."""
    try:
        with open(real, "r+b") as handle:
            if handle.read() != original:
                return CHANGED_ON_DISK
            try:
                handle.seek(0)
                handle.write(new)
                handle.truncate()
                handle.flush()
                os.fsync(handle.fileno())
            except OSError:
                handle.seek(0)
                handle.write(original)
                handle.truncate()
                raise
    except OSError as exc:
        return f"cannot write ({exc.strerror or exc})"
    return None


def write_edit(edit: FileEdit) -> str | None:
    """Write the edited text in the file's own encoding, unless the file changed since it was read; returns a
    problem or None."""
    assert edit.source is not None
    try:
        new = edit.text.encode(edit.source.encoding)
    except UnicodeEncodeError as exc:
        return f"the span code cannot be written in {edit.source.encoding} ({exc.reason})"
    return write_if_unchanged(edit.path, edit.source.original, new)

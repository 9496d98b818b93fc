"""``trace-advisor apply``: insert spans for given symbols or for every recommendation, or print the diff."""

from __future__ import annotations

import argparse
import difflib
import io
import os
import stat
import sys
import tempfile
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from trace_advisor.cli import common
from trace_advisor.config import find_project_root
from trace_advisor.edits import SourceText, SpanTarget, add_spans, span_origin, span_style
from trace_advisor.model import Capture, Recommendation, split_symbol
from trace_advisor.span_names import SpanNames

if TYPE_CHECKING:
    from trace_advisor.config_model import Config
    from trace_advisor.index import Index

EXIT_OK, EXIT_INCOMPLETE = 0, 1


@dataclass(frozen=True, slots=True)
class Target:
    """One function to instrument: ``occurrence`` picks among defs sharing the qualname (property setters...)."""

    path: Path
    qualname: str
    capture: Capture | None = None
    line: int | None = None  # a line inside the def in the file as read (recommendations), resolved to occurrence
    label: str = ""
    name: str | None = None  # the span name, unique in the workspace


@dataclass
class FileWork:
    path: Path
    original: bytes = b""
    encoding: str = "utf-8"
    text: str = ""
    targets: list[Target] = field(default_factory=list)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, metavar="PATH", help="a Python file or a workspace folder")
    parser.add_argument(
        "--symbol",
        action="append",
        default=[],
        metavar="MODULE:QUALNAME",
        help="function to instrument, e.g. shop.orders:OrderService.place (repeatable; QUALNAME alone when PATH "
        "is a file); a recommended function gets the span the report shows, with its captured attributes",
    )
    parser.add_argument("--all", action="store_true", help="instrument every recommendation of `analyze` under PATH")
    parser.add_argument(
        "--min-confidence", type=common.confidence, metavar="X", help="with --all: only recommendations at or above X"
    )
    parser.add_argument(
        "--plain", action="store_true", help="spans without captured attributes (with --symbol or --all)"
    )
    parser.add_argument(
        "--form",
        choices=("with", "decorator"),
        help="with: a with block inside the function (default, changes no traceback or signature); decorator: "
        "@tracer.start_as_current_span above functions that record no attributes (overrides spans.form)",
    )
    parser.add_argument("--diff", action="store_true", help="print a unified diff and change nothing")
    common.add_config_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return common.run_reporting_usage_errors(lambda: _run(args, sys.stdout, sys.stderr))


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    common.check_paths([args.path])
    if bool(args.symbol) == bool(args.all):
        raise common.UsageError("give --symbol MODULE:QUALNAME (repeatable) or --all")
    if args.min_confidence is not None and not args.all:
        raise common.UsageError("--min-confidence only applies to --all")
    path = args.path.resolve()
    if path.is_file() and path.suffix != ".py":
        raise common.UsageError(f"not a Python file: {args.path}")
    config, index = _open(path, args)
    targets, failures = (
        _symbol_targets(path, args, config, index, err)
        if args.symbol
        else _recommended_targets(path, args, config, index, err)
    )
    if args.plain:
        targets = [replace(t, capture=None) for t in targets]
    style = span_style(config, find_project_root(path))

    work: dict[Path, FileWork] = {}
    for target in targets:
        work.setdefault(target.path, FileWork(target.path)).targets.append(target)
    added = 0
    for item in work.values():
        problem = _read(item)
        if problem:
            failures.append(f"{item.path}: {problem}; nothing changed")
            continue
        spans = [SpanTarget(t.qualname, t.capture, t.line, t.name) for t in item.targets]
        origin = span_origin(item.path, index.module_for_path(item.path))
        text, outcomes = add_spans(item.text, spans, style, origin)
        for outcome in outcomes:
            qualname, line, result = outcome.target.qualname, outcome.line, outcome.result
            where = f"{_display(item.path)}:{line}" if line else _display(item.path)
            if result.edits:
                added += 1
                err.write(f'{where}: {qualname}: span "{result.span_name}" added ({result.form} form)\n')
            elif result.already_traced:
                err.write(f"{where}: {qualname}: already has a span\n")
            else:
                failures.append(f"{where}: {qualname}: {result.message}")
            for note in result.notes:
                err.write(f"{where}: {qualname}: note: {note}\n")
        if text == item.text:
            continue
        if args.diff:
            _write_diff(out, _diff(item, text, path if path.is_dir() else path.parent), item.encoding)
            continue
        try:
            new_bytes = text.encode(item.encoding)
        except UnicodeEncodeError as exc:
            failures.append(f"{item.path}: the span code cannot be written in {item.encoding} ({exc.reason})")
            continue
        problem = write_if_unchanged(item.path, item.original, new_bytes)
        if problem:
            failures.append(f"{item.path}: {problem}")
    out.flush()
    for failure in failures:
        err.write(f"{failure}\n")
    verb = "would add" if args.diff else "added"
    err.write(f"trace-advisor: {verb} {added} span(s)" + (f"; {len(failures)} not done\n" if failures else "\n"))
    return EXIT_INCOMPLETE if failures else EXIT_OK


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read(item: FileWork) -> str | None:
    """Read and decode a file as its encoding cookie says; returns a problem or None."""
    try:
        item.original = item.path.read_bytes()
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc})"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(item.original).readline)
        item.text = item.original.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return f"cannot decode ({exc})"
    item.encoding = encoding
    return None


def _diff(item: FileWork, new_text: str, base: Path) -> str:
    """Unified diff with paths relative to ``base`` (apply it with ``patch -p1`` from there)."""
    old_source, new_source = SourceText(item.text), SourceText(new_text)
    old_lines = [line + end for line, end in zip(old_source.lines, old_source.endings, strict=True) if line or end]
    new_lines = [line + end for line, end in zip(new_source.lines, new_source.endings, strict=True) if line or end]
    name = item.path.relative_to(base).as_posix() if item.path.is_relative_to(base) else item.path.name
    return "".join(difflib.unified_diff(old_lines, new_lines, fromfile=f"a/{name}", tofile=f"b/{name}"))


def _write_diff(out: TextIO, diff: str, encoding: str) -> None:
    """Write a file's diff in the file's own encoding, so ``git apply``/``patch`` match its context lines."""
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(diff)
        return
    out.flush()
    buffer.write(diff.encode(encoding.removesuffix("-sig"), errors="surrogateescape"))
    buffer.flush()


def write_if_unchanged(path: Path, original: bytes, new: bytes) -> str | None:
    """Replace ``path`` with ``new`` atomically (temp file + ``os.replace``, mode kept), unless its content is no
    longer ``original``. Returns a problem or None. Symlinks are followed: the target file is replaced."""
    real = path.resolve()
    try:
        info = real.stat()
        if real.read_bytes() != original:
            return "changed on disk since it was read; not overwritten (run the command again)"
        fd, temp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as exc:
        return f"cannot write ({exc.strerror or exc})"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown"):
            try:
                os.chown(temp, info.st_uid, info.st_gid)
            except PermissionError:
                pass
        if real.read_bytes() != original:  # last look right before replacing
            os.unlink(temp)
            return "changed on disk since it was read; not overwritten (run the command again)"
        os.replace(temp, real)
    except OSError as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        return f"cannot write ({exc.strerror or exc})"
    return None


# ---- which functions ------------------------------------------------------------------------------------------


def _open(path: Path, args: argparse.Namespace) -> tuple[Config, Index]:
    """The configuration and a built index for ``path`` (a file is indexed with its whole project)."""
    project = find_project_root(path)
    overrides = {"min_confidence": args.min_confidence, "spans.form": args.form}
    config = common.load_cli_config(args, project, overrides)
    index = common.open_index(config, [path if path.is_dir() else project], args)
    index.build()
    return config, index


def _analyse(index: Index, config: Config, files: Sequence[Path], err: TextIO) -> tuple[Recommendation, ...]:
    """The local engine's recommendations for ``files`` (the ones ``analyze`` reports); problems go to ``err``."""
    from trace_advisor.analysis import analyze

    result = analyze(index, config, files)
    for problem in result.problems:
        err.write(f"{problem.file or 'trace-advisor'}: {problem.severity}: {problem.message}\n")
    return tuple(r for r in result.recommendations if r.confidence >= config.min_confidence)


def _symbol_targets(
    path: Path, args: argparse.Namespace, config: Config, index: Index, err: TextIO
) -> tuple[list[Target], list[str]]:
    """Resolve ``--symbol`` values to files under ``path`` (usage errors for malformed ids); a recommended function
    gets its recommendation's capture, like the editor's quick-fix, unless ``--plain``."""
    targets: list[Target] = []
    failures: list[str] = []
    for symbol in args.symbol:
        if ":" not in symbol:
            if path.is_dir():
                raise common.UsageError(f"--symbol {symbol!r}: use MODULE:QUALNAME when PATH is a folder")
            targets.append(Target(path, symbol, label=symbol))
            continue
        try:
            module, qualname = split_symbol(symbol)
        except ValueError as exc:
            raise common.UsageError(f"--symbol {symbol!r}: {exc}") from None
        if path.is_file():
            own = index.module_for_path(path) or path.stem
            if module != own and not own.endswith("." + module) and module != path.stem:
                failures.append(f"{symbol}: {_display(path)} is module {own}, not {module}")
                continue
            targets.append(Target(path, qualname, label=symbol))
            continue
        found = index.path_for_module(module)
        if found is None or not found.resolve().is_relative_to(path):
            failures.append(f"{symbol}: no module {module} under {_display(path)}")
            continue
        targets.append(Target(found.resolve(), qualname, label=symbol))
    names = index.extension(SpanNames)
    targets = [
        replace(t, name=names.name(index, f"{index.module_for_path(t.path) or t.path.stem}:{t.qualname}"))
        for t in targets
    ]
    if args.plain or not targets:
        return targets, failures
    recommended: dict[tuple[Path, str], Recommendation] = {}
    for rec in _analyse(index, config, sorted({t.path for t in targets}), err):
        recommended.setdefault((Path(rec.file).resolve(), rec.qualname), rec)
    found_recs = [recommended.get((t.path, t.qualname)) for t in targets]
    return [
        replace(t, capture=rec.capture, line=rec.range.start.line) if rec else t
        for t, rec in zip(targets, found_recs, strict=True)
    ], failures


def _recommended_targets(
    path: Path, args: argparse.Namespace, config: Config, index: Index, err: TextIO
) -> tuple[list[Target], list[str]]:
    """Every recommendation of the local analysis for files under ``path`` at or above the confidence threshold."""
    files = [f for f in index.files() if f.resolve() == path or (path.is_dir() and f.resolve().is_relative_to(path))]
    chosen = _analyse(index, config, files, err)
    if not chosen:
        err.write(f"trace-advisor: no recommendations at or above confidence {config.min_confidence}\n")
    targets = [
        Target(Path(r.file).resolve(), r.qualname, r.capture, r.range.start.line, r.symbol, r.span_name)
        for r in sorted(chosen, key=lambda r: (r.file, r.range.start.line))
    ]
    return targets, []

"""``trace-advisor calls``: print the workspace call graph (json, pycg) or a call tree from an entry point."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from trace_advisor import resolution_order
from trace_advisor.atomic_text import atomic_text
from trace_advisor.cli import common, observe
from trace_advisor.config import find_project_root
from trace_advisor.datatypes import CallTreeNode
from trace_advisor.gcpause import gc_paused
from trace_advisor.graph_json import functions_json, pycg_json, tree_json
from trace_advisor.json_text import dump_indented, dumps_indented
from trace_advisor.lookup import NotFoundError, function_symbol, parse_function

EXIT_OK = 0
FORMATS = ("json", "pycg", "tree")


def _depth(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text}")
    return value


def _workers(text: str) -> int:
    value = _depth(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, metavar="PATH", help="a Python file or a folder (the workspace root)")
    parser.add_argument(
        "--format", choices=FORMATS, help="json (default), pycg (PyCG's format) or tree (default with --entry)"
    )
    parser.add_argument("--entry", metavar="FILE:QUALNAME", help="print the call tree from this function instead")
    parser.add_argument("--depth", type=_depth, default=8, metavar="N", help="call tree depth limit (default 8)")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write it here (default: stdout)")
    parser.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="processes parsing the files missing from the cache (1: this one only; default: $TRACE_ADVISOR_WORKERS,"
        " else one per core when the missing files hold 1.5 MB of source or more)",
    )
    common.add_config_arguments(parser)
    observe.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return common.run_reporting_usage_errors(lambda: _run_to(args, args.output))


def _run_to(args: argparse.Namespace, output: Path | None) -> int:
    """The graph on stdout, or written to ``output`` as it is made (the standard library's is 40 MB of text: never
    held whole) into a temp file that replaces ``output`` once the graph is complete (atomically, as reports are)."""
    if output is None or args.record:
        return _run(args, sys.stdout, sys.stderr)
    if output.is_dir():
        raise common.UsageError(f"--output {output} is a folder: name a file (e.g. {output / 'calls.json'})")
    running = False
    try:
        with atomic_text(output) as handle:
            running = True
            code = _run(args, handle, sys.stderr)
            running = False
    except OSError as exc:
        if running:  # not the output's (the run's own errors are its problems, reported as they are)
            raise
        raise common.UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    return code


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    common.check_paths([args.path])
    observe.check(args)
    path = Path(os.path.abspath(args.path))
    fmt = args.format or ("tree" if args.entry else "json")
    if args.entry and fmt == "pycg":
        raise common.UsageError("--entry prints a call tree: use --format tree or json")
    if args.compare is not None and fmt not in ("json", "tree") or (args.compare is not None and args.entry):
        raise common.UsageError("--compare prints a table (default) or --format json")
    config = common.load_cli_config(args, find_project_root(path))
    index = common.open_index(config, [path], args)
    if args.record:
        return observe.record(args, path, index, err)
    base = path if path.is_dir() else path.parent
    try:
        ref = parse_function(args.entry, [Path.cwd(), base]) if args.entry else None
        index.build()
        entry = function_symbol(ref, index, path) if ref is not None else None
    except NotFoundError as exc:
        raise common.UsageError(f"--entry {exc}") from None
    if entry is None and args.compare is None:
        # the last run's graph when nothing changed since: resolved as here, module by module in module order (the
        # graph of every function is made first, also for a tree); a tree from one entry resolves in another order
        index.reuse_resolved(resolution_order.CALLS)
    common.print_problems(index.problems, err)
    graph = index.graph()
    if args.compare is not None:
        found, result = observe.comparison(args, path, index)
        if args.format == "json":
            observe.write_comparison_json(found, result, out)
        else:
            out.write(observe.render_comparison(found, result, Path.cwd()))
        return EXIT_OK
    observed = None if fmt == "pycg" else observe.observed_graph(args, index, find_project_root(path), err)
    if entry is not None:
        tree = graph.tree(entry, args.depth, observed)
        if fmt == "json":
            out.write(dumps_indented(tree_json(tree)))
            out.write("\n")
        else:
            out.write(render_tree(tree, Path.cwd()))
        return EXIT_OK
    files = {str(p) for p in index.files()} if path.is_dir() else {str(path)}
    symbols = [s for s in graph.symbols() if (d := index.definition(s)) is not None and d.file in files]
    # resolving every module, in the graph's order: its memo tables and sites, millions of objects without cycles,
    # are no work for the cyclic GC (each full collection re-traversed all of them)
    with gc_paused(then_settle=True):
        if fmt == "tree":  # the graph of every function is made first, as for the other formats
            functions_json(graph, index, symbols, observed)
        elif fmt == "pycg":
            dump_indented(pycg_json(graph, index, symbols), out.write)
        else:  # each function's entry made, written and dropped in turn (the standard library's: 40 MB of JSON)
            dump_indented(functions_json(graph, index, symbols, observed, lazy=True), out.write)
    index.keep_resolved(resolution_order.CALLS)  # for the next run, when this one resolved something
    if fmt == "tree":
        for root in graph.entry_points():
            if root in symbols:
                out.write(render_tree(graph.tree(root, args.depth, observed), Path.cwd()))
        return EXIT_OK
    out.write("\n")
    return EXIT_OK


def render_tree(root: CallTreeNode, base: Path) -> str:
    """Box-drawing tree; ``↻`` marks a call back into the path (not expanded), ``…`` the depth limit."""
    lines = [_label(root, base)]

    def walk(node: CallTreeNode, prefix: str) -> None:
        for position, child in enumerate(node.children):
            last = position == len(node.children) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{_label(child, base)}")
            walk(child, prefix + ("    " if last else "│   "))

    walk(root, "")
    return "\n".join(lines) + "\n"


def _label(node: CallTreeNode, base: Path) -> str:
    text = node.symbol + node.runs_label  # a decorator's closure: the decorated function this call runs through it
    if node.file is not None:
        try:
            shown = os.path.relpath(node.file, base)
        except ValueError:
            shown = node.file
        if shown.startswith(".." + os.sep + ".."):
            shown = node.file
        text += f"  ({shown}:{node.line})"
    if node.external:
        text += "  [external]"
    if node.observed:
        text += f"  [observed only, {node.observed:,}x]" if not node.static else f"  (observed {node.observed:,}x)"
    if node.cycle:
        text += "  ↻ cycle"
    if node.truncated:
        text += "  … depth limit"
    return text

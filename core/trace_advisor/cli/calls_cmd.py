"""``trace-advisor calls``: print the workspace call graph (json, pycg) or a call tree from an entry point."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TextIO

from trace_advisor.callgraph import CallGraph
from trace_advisor.cli import common, observe
from trace_advisor.config import find_project_root
from trace_advisor.index import Index
from trace_advisor.model import CallTreeNode, SymbolId
from trace_advisor.record.observed import ObservedGraph, merged_callees

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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, metavar="PATH", help="a Python file or a folder (the workspace root)")
    parser.add_argument(
        "--format", choices=FORMATS, help="json (default), pycg (PyCG's format) or tree (default with --entry)"
    )
    parser.add_argument("--entry", metavar="FILE:QUALNAME", help="print the call tree from this function instead")
    parser.add_argument("--depth", type=_depth, default=8, metavar="N", help="call tree depth limit (default 8)")
    common.add_config_arguments(parser)
    observe.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    return common.run_reporting_usage_errors(lambda: _run(args, sys.stdout, sys.stderr))


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
    entry = _entry_symbol(args.entry, path, index) if args.entry else None
    index.build()
    if entry is not None:
        entry = _check_entry(entry, args.entry, index)
    for problem in index.problems:
        where = f"{problem.file}:{problem.line}" if problem.line else (problem.file or "")
        err.write(f"trace-advisor: {problem.severity}: {where}: {problem.message}\n")
    graph = index.graph()
    if args.compare is not None:
        found, result = observe.comparison(args, path, index)
        if args.format == "json":
            observe.write_comparison_json(found, result, out)
        else:
            out.write(observe.render_comparison(found, result, Path.cwd()))
        return EXIT_OK
    observed = None if fmt == "pycg" else observe.observed_graph(args, path, err)
    if entry is not None:
        tree = graph.tree(entry, args.depth, observed)
        if fmt == "json":
            json.dump(_tree_json(tree), out, indent=2)
            out.write("\n")
        else:
            out.write(render_tree(tree, Path.cwd()))
        return EXIT_OK
    files = {str(p) for p in index.files()} if path.is_dir() else {str(path)}
    symbols = [s for s in graph.symbols() if (d := index.definition(s)) is not None and d.file in files]
    data = _pycg(graph, symbols) if fmt == "pycg" else _functions_json(graph, index, symbols, observed)
    if fmt == "tree":
        for root in graph.entry_points():
            if root in symbols:
                out.write(render_tree(graph.tree(root, args.depth, observed), Path.cwd()))
        return EXIT_OK
    json.dump(data, out, indent=2)
    out.write("\n")
    return EXIT_OK


def _entry_symbol(entry: str, path: Path, index: Index) -> SymbolId:
    """``FILE:QUALNAME`` (FILE relative to the current folder or to PATH) or a symbol id ``module:qualname``."""
    file_text, sep, qualname = entry.rpartition(":")
    if not sep or not file_text or not qualname:
        raise common.UsageError(f"--entry must be FILE:QUALNAME, got {entry!r}")
    base = path if path.is_dir() else path.parent
    for candidate in (Path(file_text), base / file_text):
        if candidate.is_file():
            module = index.module_for_path(Path(os.path.abspath(candidate)))
            if module is None:
                raise common.UsageError(f"--entry file is not under {path}: {file_text}")
            return f"{module}:{qualname}"
    looks_like_file = file_text.endswith(".py") or os.sep in file_text or "/" in file_text
    if not looks_like_file and all(part.isidentifier() for part in file_text.split(".")):
        return f"{file_text}:{qualname}"  # already a symbol id: module:qualname
    raise common.UsageError(f"--entry file not found: {file_text}")


def _check_entry(symbol: SymbolId, entry: str, index: Index) -> SymbolId:
    if index.definition(symbol) is not None:
        return symbol
    module = symbol.partition(":")[0]
    path = index.path_for_module(module)
    if path is None or path not in set(index.files()):
        raise common.UsageError(f"--entry {entry}: no indexed module {module}")
    known = [d.symbol.partition(":")[2] for d in index.definitions(path) if d.kind in ("function", "method")]
    hint = f" (functions there: {', '.join(known[:8])}{', ...' if len(known) > 8 else ''})" if known else ""
    raise common.UsageError(f"--entry {entry}: no function {symbol.partition(':')[2]} in {path}{hint}")


def _functions_json(
    graph: CallGraph, index: Index, symbols: list[SymbolId], observed: ObservedGraph | None
) -> dict[str, object]:
    """The contract's shape; with a recording, each function also gets ``edges`` (static, observed or both, with
    observed counts and seconds) and ``observed`` (calls into it and cumulative seconds)."""
    functions: dict[str, object] = {}
    for symbol in symbols:
        definition = index.definition(symbol)
        static = graph.callees(symbol)
        entry: dict[str, object] = {
            "file": definition.file if definition else None,
            "line": definition.name_range.start.line if definition else None,
            "calls": list(dict.fromkeys(edge.callee for edge in static)),
            "unresolved": [call.text for call in graph.unresolved(symbol)],
        }
        if observed is not None:
            entry["edges"] = [edge.to_json() for edge in merged_callees(symbol, static, observed)]
            totals = observed.totals(symbol)
            entry["observed"] = {"calls": totals.calls, "seconds": round(totals.seconds, 6)}
        functions[symbol] = entry
    data: dict[str, object] = {"functions": functions}
    if observed is not None:
        found = observed.recording
        data["recording"] = {"command": list(found.command), "seconds": found.seconds, "exit_code": found.exit_code}
    return data


def pycg_name(symbol: SymbolId) -> str:
    """PyCG's naming: dotted, module bodies are the module, builtins are ``<builtin>.name``."""
    module, _, qualname = symbol.partition(":")
    if module == "builtins":
        return f"<builtin>.{qualname}"
    if qualname == "<module>":
        return module
    return ".".join([module, *(part for part in qualname.split(".") if part != "<locals>")])


def _pycg(graph: CallGraph, symbols: list[SymbolId]) -> dict[str, list[str]]:
    return {
        pycg_name(symbol): list(dict.fromkeys(pycg_name(edge.callee) for edge in graph.callees(symbol)))
        for symbol in symbols
    }


def _tree_json(node: CallTreeNode) -> dict[str, object]:
    return {
        "id": node.id,
        "symbol": node.symbol,
        "file": node.file,
        "line": node.line,
        "cycle": node.cycle,
        "truncated": node.truncated,
        "external": node.external,
        "static": node.static,
        "observed": node.observed,
        "children": [_tree_json(child) for child in node.children],
    }


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
    text = node.symbol
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

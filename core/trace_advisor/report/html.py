"""The self-contained HTML report: the recommendations strongest first, call trees from each entry point with each
node's recommendations, and what imported traces observed (``analyze --traces``)."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from importlib import resources
from typing import TYPE_CHECKING, Protocol

from trace_advisor.advise.instrumentation_hints import spanned_text
from trace_advisor.datatypes import MODULE_QUALNAME, CallTreeNode, Observed, SymbolId, TraceCheck
from trace_advisor.reading_order import is_auxiliary
from trace_advisor.report.facts import (
    RecommendationFacts,
    ReportFacts,
    all_recommendations,
    count_of,
    priority_title,
)
from trace_advisor.traces.figures import duration_text

if TYPE_CHECKING:
    from trace_advisor.record.observed import ObservedGraph

ASSETS = "resources/templates/html"
HOT_EDGES = 25  # the observed calls with the most cumulative time shown above the trees
MAX_NODES = 20_000  # a report stays openable on huge graphs; deeper nodes are marked truncated
TREE_DEPTH = 8


class CallTrees(Protocol):
    """What the HTML report needs from :class:`trace_advisor.callgraph.CallGraph`."""

    def entry_points(self) -> tuple[SymbolId, ...]: ...

    def tree(self, root: SymbolId, depth: int = ..., observed: ObservedGraph | None = ...) -> CallTreeNode: ...


def render_html(facts: ReportFacts, graph: CallTrees | None, observed: ObservedGraph | None = None) -> str:
    data = report_data(facts, graph, observed)
    folder = resources.files("trace_advisor").joinpath(ASSETS)
    page = folder.joinpath("report.html").read_text(encoding="utf-8")
    title = f"{facts.tool} report"
    replacements = {
        "<!--@TITLE@-->": html.escape(title),
        "/*@STYLE@*/": folder.joinpath("report.css").read_text(encoding="utf-8"),
        "/*@SCRIPT@*/": folder.joinpath("report.js").read_text(encoding="utf-8"),
        "<!--@DATA@-->": script_json(data),
    }
    for marker, value in replacements.items():
        page = page.replace(marker, value)
    return page


def script_json(data: object) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</script>``, no ``<!--``, no line separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def report_data(
    facts: ReportFacts, graph: CallTrees | None, observed: ObservedGraph | None = None
) -> dict[str, object]:
    recs: dict[str, list[dict[str, object]]] = {}
    position: dict[int, tuple[str, int]] = {}  # a recommendation -> [symbol, its index in recs[symbol]]
    for rec in all_recommendations(facts):
        position[id(rec)] = (rec.symbol, len(recs.get(rec.symbol, ())))
        recs.setdefault(rec.symbol, []).append(_rec(rec))
    budget = [MAX_NODES]
    if graph is not None:
        roots = graph.entry_points()
        trees = [_node(_tree(graph, root, observed), budget) for root in roots if not _launcher(root, roots, graph)]
        # entry points whose whole tree holds no recommendation go last, folded into one group
        holds = [any(symbol in recs for symbol in _symbols([tree])) for tree in trees]
        quiet = [tree for tree, hold in zip(trees, holds, strict=True) if not hold]
        trees = [tree for tree, hold in zip(trees, holds, strict=True) if hold]
        if quiet:
            trees.append(
                {
                    "id": "quiet",
                    "symbol": "",
                    "label": f"Entry points without recommendations ({len(quiet)})",
                    "kind": "group",
                    "collapsed": True,
                    "children": quiet,
                }
            )
        title = "Call trees from each entry point"
    else:
        trees = _file_trees(all_recommendations(facts))
        title = "Recommendations by file (no call graph given)"
    reached = set(_symbols(trees))
    unreached = [symbol for symbol in recs if symbol not in reached]
    if unreached:
        trees.append(
            {
                "id": "unreached",
                "symbol": "",
                "label": "Not reached from an entry point",
                "kind": "group",
                "children": [_leaf(symbol, recs[symbol][0], f"unreached:{symbol}") for symbol in unreached],
            }
        )
    return {
        "meta": {
            "tool": facts.tool,
            "version": facts.version,
            "engine": facts.engine,
            "model": facts.model,
            "filesAnalysed": facts.files_analysed,
            "total": facts.total,
            "functions": facts.functions_with_recommendations,
            "minConfidence": facts.min_confidence,
            "generatedAt": facts.generated_at,
            "usage": {
                "calls": facts.usage.calls,
                "inputTokens": facts.usage.input_tokens,
                "outputTokens": facts.usage.output_tokens,
                "cost": facts.usage.cost_text,
                "byFile": [
                    {
                        "file": f.file,
                        "calls": f.calls,
                        "inputTokens": f.input_tokens,
                        "outputTokens": f.output_tokens,
                        "cost": f.cost_text,
                    }
                    for f in facts.usage.by_file
                ],
            },
            "treeTitle": title,
        },
        "priorities": [{"name": name, "title": priority_title(name), "count": count} for name, count in facts.counts],
        "recommendations": recs,
        "ranked": [list(position[id(rec)]) for rec in facts.ranked],
        "trees": trees,
        "hot": _hot(observed, recs),
        "traces": _traces(facts.traces, recs) if facts.traces is not None else None,
        "install": _install(facts),
        "problems": [
            {"severity": p.severity, "message": p.message, "file": p.file, "line": p.line} for p in facts.problems
        ],
    }


def _install(facts: ReportFacts) -> list[str]:
    """The instrumentation to install, one line per package (`code` marks the package): rather than spans on the
    request handlers it covers, or beside the recommended spans."""
    lines = [
        f"{item.hint.action}: it gives {item.gives}; {count_of(item.covers, item.hint.handler)}"
        f" {'needs' if item.covers == 1 else 'need'} no span of {'its' if item.covers == 1 else 'their'} own beside it"
        if item.covers
        else f"{item.hint.action}: it gives {item.gives}, {spanned_text(item.hint)}"
        for item in facts.install
    ]
    lines += [
        f"{item.action} for {item.gives} ({count_of(item.recommendations, 'recommendation')} below)"
        for item in facts.also_install
    ]
    return lines


def _rec(rec: RecommendationFacts) -> dict[str, object]:
    return {
        "priority": rec.priority,
        "priorityTitle": priority_title(rec.priority),
        "confidence": round(rec.confidence, 4),
        "confidenceText": rec.confidence_text,
        "rationale": rec.rationale,
        "file": rec.file,
        "line": rec.start_line,
        "qualname": rec.qualname,
        "placement": rec.placement,
        "snippet": rec.snippet,  # the edited function, unchanged stretches folded; "" when no span is added
        "setupAdded": list(rec.setup_added),
        "spanNotes": list(rec.span_notes),
        "capture": list(rec.capture),
        "evidence": list(rec.evidence),
        "source": rec.source,
        "auxiliary": is_auxiliary(rec.file),  # a development script or example: ranked after the product code
    }


def _launcher(root: SymbolId, roots: tuple[SymbolId, ...], graph: CallTrees) -> bool:
    """A module body that only calls other entry points (``if __name__ == "__main__": main()``): its tree would
    repeat theirs, so it is left out (functions are never left out, so no tree disappears)."""
    if not root.endswith(":" + MODULE_QUALNAME):
        return False
    children = [child for child in graph.tree(root, 1).children if not child.external]  # SystemExit, print...
    return bool(children) and all(
        child.symbol in roots and not child.symbol.endswith(":" + MODULE_QUALNAME) for child in children
    )


def _node(node: CallTreeNode, budget: list[int]) -> dict[str, object]:
    budget[0] -= 1
    module, _, qualname = node.symbol.partition(":")
    children = []
    truncated = node.truncated
    for child in node.children:
        if budget[0] <= 0:
            truncated = True
            break
        children.append(_node(child, budget))
    return {
        "id": node.id,
        "symbol": node.symbol,
        "label": (qualname or node.symbol) + node.runs_label,
        "module": module,
        "file": node.file,
        "line": node.line,
        "cycle": node.cycle,
        "truncated": truncated,
        "external": node.external,
        "kind": "function",
        "observed": node.observed,
        "static": node.static,
        "children": children,
    }


def _tree(graph: CallTrees, root: SymbolId, observed: ObservedGraph | None) -> CallTreeNode:
    return graph.tree(root, TREE_DEPTH) if observed is None else graph.tree(root, TREE_DEPTH, observed)


def _hot(observed: ObservedGraph | None, recs: dict[str, list[dict[str, object]]]) -> dict[str, object] | None:
    """The recorded calls between workspace functions with the most cumulative time (``calls --record``)."""
    if observed is None:
        return None
    found = observed.recording
    edges = [c for c in found.calls if c.caller is not None and not c.external]
    edges.sort(key=lambda c: (-c.seconds, -c.count, c.caller or "", c.callee))
    wall = found.seconds or 1.0
    return {
        "command": " ".join(found.command),
        "seconds": round(found.seconds, 3),
        "edges": [
            {
                "caller": c.caller,
                "callee": c.callee,
                "line": c.line,
                "count": c.count,
                "seconds": round(c.seconds, 6),
                "share": round(min(c.seconds / wall, 1.0), 4),
                "via": c.via,
                "recommended": c.callee in recs,
            }
            for c in edges[:HOT_EDGES]
        ],
    }


def _traces(check: TraceCheck, recs: dict[str, list[dict[str, object]]]) -> dict[str, object]:
    """``analyze --traces``: each observed function's figures, the slow untraced gaps with what ran in them, and the
    spans in code that no trace holds; recommended functions are marked so the page can link to them."""

    def figures(o: Observed) -> dict[str, object]:
        return {
            "spanName": o.span_name,
            "spans": o.spans,
            "traces": o.traces,
            "rate": f"{o.per_second:.3g}/s" if o.per_second else "-",
            "p50": duration_text(o.p50_ms),
            "p95": duration_text(o.p95_ms),
            "errors": o.errors,
            "untracedP95": duration_text(o.untraced_p95_ms),
            "untracedShare": round(o.untraced_share, 4),
        }

    return {
        "files": list(check.files),
        "spans": check.spans,
        "traces": check.traces,
        "mapped": check.mapped,
        "windowS": round(check.window_s, 3),
        "functions": [
            {"symbol": f.symbol, "file": f.file, "line": f.line, "recommended": f.symbol in recs, **figures(f.observed)}
            for f in check.functions
        ],
        "gaps": [
            {
                "symbol": g.function.symbol,
                "file": g.function.file,
                "line": g.function.line,
                **figures(g.function.observed),
                "callees": [{"symbol": s, "recommended": s in recs} for s in g.callees],
                "library": list(g.library_calls),
            }
            for g in check.gaps
        ],
        "unseen": [{"symbol": u.symbol, "file": u.file, "line": u.line, "spanName": u.span_name} for u in check.unseen],
    }


def _leaf(symbol: str, rec: dict[str, object], node_id: str) -> dict[str, object]:
    module, _, qualname = symbol.partition(":")
    return {
        "id": node_id,
        "symbol": symbol,
        "label": qualname,
        "module": module,
        "file": rec["file"],
        "line": rec["line"],
        "kind": "function",
        "children": [],
    }


def _file_trees(recs: Iterable[RecommendationFacts]) -> list[dict[str, object]]:
    files: dict[str, dict[str, object]] = {}
    seen: set[str] = set()
    for rec in sorted(recs, key=lambda r: (r.file, r.start_line)):
        if rec.symbol in seen:
            continue
        seen.add(rec.symbol)
        group = files.setdefault(
            rec.file, {"id": f"file:{rec.file}", "symbol": "", "label": rec.file, "kind": "file", "children": []}
        )
        children = group["children"]
        assert isinstance(children, list)
        children.append(_leaf(rec.symbol, {"file": rec.file, "line": rec.start_line}, f"fn:{rec.symbol}"))
    return list(files.values())


def _symbols(trees: list[dict[str, object]]) -> Iterable[str]:
    for tree in trees:
        symbol = tree.get("symbol")
        if isinstance(symbol, str) and symbol:
            yield symbol
        children = tree.get("children")
        if isinstance(children, list):
            yield from _symbols(children)

"""Conditional branches whose outcomes differ observably: cache hit/miss, feature flags, early exits."""

from __future__ import annotations

import ast
import re

from trace_advisor.datatypes import Evidence
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.detect.names import expr_text

PRIORITY = "branches"
_FLAG = re.compile(r"(feature|flag|toggle|experiment|rollout|enabled|is_enabled|dry_run|beta)", re.IGNORECASE)
_CACHE = re.compile(r"(cache|cached|memo|hit)", re.IGNORECASE)


def returns_cached_first(body: list[ast.stmt]) -> bool:
    """Whether the body returns a cached value before its first ``try`` (``if self.cache is not None: return
    self.cache``): a memoized function, whose handlers run only on a miss."""
    for stmt in body:
        if isinstance(stmt, ast.Try):
            return False
        if isinstance(stmt, ast.If) and _CACHE.search(ast.unparse(stmt.test)) and isinstance(stmt.body[-1], ast.Return):
            return True
    return False


def _exits(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], ast.Return | ast.Raise | ast.Continue | ast.Break)


def _api_in(api_lines: list[int], nodes: list[ast.stmt]) -> bool:
    """Whether a client call starts on a line of the block (cheaper than walking it)."""
    if not nodes:
        return False
    first, last = nodes[0].lineno, nodes[-1].end_lineno or nodes[-1].lineno
    return any(first <= line <= last for line in api_lines)


def detect(ctx: FunctionContext) -> list[Signal]:
    signals: list[Signal] = []
    body = ctx.body_without_docstring()
    if not any(isinstance(n, ast.If) for n in ctx.nodes):
        return signals
    texts = {id(c.node): c.text for c in ctx.calls if c.node is not None}
    api_lines = [c.range.start.line for c in ctx.calls if c.api is not None]
    cache_names = {
        t.id
        for n in ctx.nodes
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and _CACHE.search(texts.get(id(n.value), ""))
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    early_exits = 0
    for node in ctx.nodes:
        if not isinstance(node, ast.If):
            continue
        test = expr_text(node.test, 100)
        rng = ctx.range_of(node)
        names = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
        if _CACHE.search(test) or names & cache_names:
            signals.append(
                Signal(Evidence(PRIORITY, f"cache hit/miss on `{test}`", rng, test), 0.8, Finding.CACHE_BRANCH)
            )
        elif _api_in(api_lines, node.body) != _api_in(api_lines, node.orelse):
            signals.append(
                Signal(
                    Evidence(PRIORITY, f"`{test}` decides whether external calls happen", rng, test),
                    0.5,
                    Finding.IO_BRANCH,
                )
            )
        elif _FLAG.search(test):
            signals.append(
                Signal(
                    Evidence(PRIORITY, f"feature flag `{test}` changes behaviour", rng, test), 0.6, Finding.FEATURE_FLAG
                )
            )
        elif node in body[:-1] and _exits(node.body) and ctx.loop_depth(node) == 0:
            early_exits += 1
            if early_exits <= 2:
                signals.append(
                    Signal(Evidence(PRIORITY, f"exits early when `{test}`", rng, test), 0.3, Finding.EARLY_EXIT)
                )
    return signals

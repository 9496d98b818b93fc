"""Loads the report fixture (tests/fixtures/reports/sample) into real AnalysisResult and CallTreeNode values."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trace_advisor.datatypes import (
    AnalysisResult,
    Attribute,
    CallTreeNode,
    Capture,
    Evidence,
    Problem,
    Range,
    Recommendation,
    Usage,
)


@dataclass(frozen=True)
class SampleTrees:
    """The two call-graph methods the HTML report uses, answered from trees.json."""

    roots: tuple[str, ...]
    trees: dict[str, CallTreeNode]

    def entry_points(self) -> tuple[str, ...]:
        return self.roots

    def tree(self, root: str, depth: int = 8) -> CallTreeNode:
        return self.trees[root]


def _range(values: list[int]) -> Range:
    return Range.of(*values)


def _usage(data: dict[str, Any] | None) -> Usage | None:
    return Usage(**data) if data else None


def load_result(folder: Path) -> AnalysisResult:
    data = json.loads((folder / "result.json").read_text())
    recs = []
    for item in data["recommendations"]:
        capture = dict(item["capture"])
        recs.append(
            Recommendation(
                symbol=item["symbol"],
                file=str(folder / item["file"]),
                qualname=item["qualname"],
                range=_range(item["range"]),
                name_range=_range(item["name_range"]),
                priority=item["priority"],
                rationale=item["rationale"],
                confidence=item["confidence"],
                capture=Capture(
                    parameters=tuple(capture["parameters"]),
                    return_value=capture["return_value"],
                    timing=capture["timing"],
                    exceptions=capture["exceptions"],
                    attributes=tuple(Attribute(**a) for a in capture["attributes"]),
                ),
                code_block=item["code_block"],
                source=item["source"],
                evidence=tuple(
                    Evidence(e["priority"], e["reason"], _range(e["range"]), e["detail"]) for e in item["evidence"]
                ),
                usage=_usage(item.get("usage")),
            )
        )
    problems = tuple(
        Problem(p["message"], str(folder / p["file"]) if p["file"] else None, p["line"], p["severity"])
        for p in data["problems"]
    )
    return AnalysisResult(
        recommendations=tuple(recs),
        problems=problems,
        usage=Usage(**data["usage"]),
        engine=data["engine"],
        files_analysed=data["files_analysed"],
        usage_by_file={str(folder / f): Usage(**u) for f, u in data.get("usage_by_file", {}).items()},
    )


def _node(data: dict[str, Any], folder: Path) -> CallTreeNode:
    return CallTreeNode(
        id=data["id"],
        symbol=data["symbol"],
        file=str(folder / data["file"]) if data.get("file") else None,
        line=data.get("line"),
        children=tuple(_node(child, folder) for child in data.get("children", ())),
        cycle=data.get("cycle", False),
        truncated=data.get("truncated", False),
        external=data.get("external", False),
    )


def load_trees(folder: Path) -> SampleTrees:
    data = json.loads((folder / "trees.json").read_text())
    return SampleTrees(tuple(data["entry_points"]), {k: _node(v, folder) for k, v in data["trees"].items()})


def test_sample_loads(fixtures_dir: Path) -> None:
    folder = fixtures_dir / "reports" / "sample"
    result = load_result(folder)
    assert len(result.recommendations) == 4 and result.usage.calls == 2
    shares = list(result.usage_by_file.values())
    assert sum(u.input_tokens for u in shares) == result.usage.input_tokens
    assert sum(u.output_tokens for u in shares) == result.usage.output_tokens
    trees = load_trees(folder)
    assert trees.tree("shop.worker:main").children[0].symbol == "shop.worker:run_batch"

"""GraphQL resolvers through ``trace-advisor analyze`` (tests/fixtures/graphql_strawberry): strawberry's
``OpenTelemetryExtension`` gives each resolver its span, as a web framework's instrumentation gives each request its
server span. phoenix adds it to its schema, and 201 of its 564 recommendations were resolvers it already spans."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "graphql_strawberry"


def analyse(root: Path, tmp_path: Path) -> tuple[dict[str, object], str]:
    out, md = tmp_path / "report.json", tmp_path / "report.md"
    done = run_cli("analyze", root, "--no-cache", "-q", "--format", "json", "-o", out, "--format", "md", "-o", md)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8")), md.read_text(encoding="utf-8")


def test_resolvers_the_extension_spans_need_no_span_of_their_own(tmp_path: Path) -> None:
    report, _ = analyse(FIXTURE, tmp_path)
    recs = {str(r["qualname"]): r for r in report["recommendations"]}  # type: ignore[union-attr]
    # the extension spans exactly each resolver's body: a span of ours there would be the same span again, even on a
    # write with its own check (a web framework's server span covers the request; a handler may still name its work)
    assert not {"Query.orders", "Mutation.place_order"} & set(recs), sorted(recs)
    assert report["instrumentation"] == []  # nothing to add: the schema has it


def test_coverage_counts_the_resolvers_as_traced(tmp_path: Path) -> None:
    out = tmp_path / "coverage.json"
    done = run_cli("coverage", FIXTURE, "--no-cache", "--format", "json", "-o", out)
    assert done.returncode == 0, done.stderr
    functions = {f["symbol"]: f for f in json.loads(out.read_text(encoding="utf-8"))["functions"]}
    place = functions["shop.resolvers:Mutation.place_order"]
    assert place["traced"] == "strawberry's OpenTelemetryExtension (shop/schema.py:2)", place


def test_without_the_extension_the_report_says_to_add_it_once(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    schema = project / "shop" / "schema.py"
    text = schema.read_text(encoding="utf-8").replace(", extensions=[OpenTelemetryExtension]", "")
    schema.write_text(text.replace("from strawberry.extensions.tracing import OpenTelemetryExtension\n", ""))
    report, md = analyse(project, tmp_path)
    [hint] = report["instrumentation"]  # type: ignore[misc]
    assert hint["package"] == "strawberry-graphql" and hint["handler"] == "GraphQL resolver"
    # every resolver, recommended or not (the boosted model recommends ``orders`` for its query; the rules left
    # it to the extension): the advice does not depend on which are
    resolvers = {c["symbol"] for c in (*hint["covers"], *hint["spanned"])}
    assert resolvers == {"shop.resolvers:Query.orders", "shop.resolvers:Mutation.place_order"}
    assert (
        "- Add strawberry's `OpenTelemetryExtension` (`strawberry.extensions.tracing`) to the schema's extensions: it"
        " gives each GraphQL resolver its span" in md
    )
    assert "Install strawberry-graphql" not in md and "strawberry-graphql`" not in md
    [place] = [r for r in report["recommendations"] if r["qualname"] == "Mutation.place_order"]  # type: ignore[union-attr]
    said = "Add strawberry's OpenTelemetryExtension (strawberry.extensions.tracing) to the schema's extensions for each"
    assert f"{said} GraphQL resolver's span" in place["rationale"]

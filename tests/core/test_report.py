"""Reports: JSON against its schema, Markdown (coded and Jinja2 carry the same facts), templates, atomic writes."""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import re
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from test_report_sample import load_result, load_trees
from trace_advisor.config import config_from_mapping, default_config
from trace_advisor.datatypes import AnalysisResult
from trace_advisor.reading_order import is_auxiliary
from trace_advisor.report import ReportError, default_template, render, validate_template, write_report
from trace_advisor.report.facts import all_recommendations, build_facts

FORMATS = ("json", "md", "sarif", "html")


@pytest.fixture(scope="module")
def sample_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "reports" / "sample"


@pytest.fixture(scope="module")
def result(sample_dir: Path) -> AnalysisResult:
    return load_result(sample_dir)


def md_facts(text: str) -> dict[str, Any]:
    """The facts a reader gets from a Markdown report, read back from its text."""
    engine = re.search(r"^\| Engine \| `([^`]+)` \|$", text, re.M)
    files = re.search(r"^\| Files analysed \| (\d+) \|$", text, re.M)
    usage = re.search(r"^\| (\d+) \| (\d+) \| (\d+) \| (\$[\d.]+) \|$", text, re.M)
    no_calls = "\nNo model calls: nothing to pay.\n" in text  # what the report says instead of a zero table
    assert engine and files and (usage or no_calls), text[:500]
    calls, input_tokens, output_tokens, cost = usage.groups() if usage else ("0", "0", "0", "$0.0000")
    recs = re.findall(r"^- Symbol: `([^`]+)`\n- Priority: `([^`]+)` · Confidence: \*\*([\d.]+)\*\*", text, re.M)
    by_file = re.findall(r"^\| `([^`]+)` \| (\d+) \| (\d+) \| (\d+) \| (\$[\d.]+) \|$", text, re.M)
    facts: dict[str, Any] = {
        "engine": engine.group(1),
        "files_analysed": int(files.group(1)),
        "recommendations": [list(item) for item in recs],
        "usage": {
            "calls": int(calls),
            "input_tokens": int(input_tokens),
            "output_tokens": int(output_tokens),
            "cost": cost,
        },
    }
    if by_file:
        facts["usage_by_file"] = [[f, int(c), int(i), int(o), cost] for f, c, i, o, cost in by_file]
    return facts


# ---- Markdown --------------------------------------------------------------------------------------------------


def test_coded_markdown_and_bundled_template_carry_the_same_facts(result: AnalysisResult, sample_dir: Path) -> None:
    config = default_config()
    coded = render(result, "md", config=config, root=sample_dir)
    templated = render(result, "md", config=config, root=sample_dir, template=default_template())
    expected = json.loads((sample_dir / "expected_facts.json").read_text())
    assert md_facts(coded) == expected
    assert md_facts(templated) == expected
    for section in ("## Run", "## Summary", "## Usage and cost", "## Recommendations", "## Problems"):
        assert section in coded and section in templated


@pytest.mark.parametrize("empty", [False, True])
def test_bundled_template_reproduces_the_coded_report(result: AnalysisResult, sample_dir: Path, empty: bool) -> None:
    # the bundled template is the starting point for custom ones: it must not lag behind the coded formatter
    analysed = AnalysisResult(recommendations=()) if empty else result
    config = default_config()
    when = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)
    coded = render(analysed, "md", config=config, root=sample_dir, generated_at=when)
    templated = render(analysed, "md", config=config, root=sample_dir, generated_at=when, template=default_template())
    assert templated == coded
    assert "| Generated | 2026-05-06T07:08:09Z |" in coded


def test_template_from_config_is_used(result: AnalysisResult, tmp_path: Path) -> None:
    (tmp_path / "short.md.j2").write_text(
        "{% for rec in recommendations %}{{ rec.symbol }} {{ rec.confidence_text }}\n{% endfor %}"
    )
    config = config_from_mapping({"report": {"template": str(tmp_path / "short.md.j2")}}, "test")
    assert render(result, "md", config=config).splitlines() == [
        "shop.services.orders:OrderService.place_order 0.93",
        "shop.clients.payments:PaymentsClient.charge 0.71",
        "shop.web.render:render_page 0.58",
        "shop.worker:main 0.66",
    ]


def test_every_report_shows_usage_per_call_per_file_and_per_run(result: AnalysisResult, sample_dir: Path) -> None:
    config = default_config()
    md = render(result, "md", config=config, root=sample_dir)
    assert "Per call: 2560 input and 415 output tokens on average." in md
    page = render(result, "html", config=config, root=sample_dir, graph=load_trees(sample_dir))
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)[1])
    assert data["meta"]["usage"]["byFile"][1] == {
        "file": "shop/services/orders.py",
        "calls": 1,
        "inputTokens": 2600,
        "outputTokens": 410,
        "cost": "$0.0140",
    }
    assert 'id="usage-files"' in page
    sarif = json.loads(render(result, "sarif", config=config, root=sample_dir))
    usage = sarif["runs"][0]["properties"]["usage"]
    assert usage["inputTokens"] == 5120 and [f["file"] for f in usage["byFile"]][0] == "shop/clients/payments.py"


def test_markdown_groups_by_priority_in_config_order(result: AnalysisResult) -> None:
    text = render(result, "md", config=default_config())
    headings = re.findall(r"^### .*\(`(\w+)`\)$", text, re.M)
    assert headings == ["external_io", "exceptions", "entry_points"]


def test_local_engine_shows_zero_usage() -> None:
    empty = AnalysisResult(recommendations=(), files_analysed=3)
    text = render(empty, "md", config=default_config())
    assert md_facts(text)["usage"] == {"calls": 0, "input_tokens": 0, "output_tokens": 0, "cost": "$0.0000"}
    assert "usage_by_file" not in md_facts(text) and "Per file" not in text and "Per call" not in text
    assert json.loads(render(empty, "json", config=default_config()))["usage_by_file"] == []
    assert "local scorer (deterministic, no network)" in text
    assert "No function needs a span at this confidence." in text


def test_markdown_escapes_user_text_and_code(result: AnalysisResult) -> None:
    text = render(result, "md", config=default_config())
    prose = re.sub(r"^(`{3,})python\n.*?^\1$", "", text, flags=re.M | re.S)  # outside code fences
    prose = re.sub(r"`[^`\n]+`", "", prose)  # and outside inline code, where HTML is shown as text too
    assert "<b>" not in prose and "</script>" not in prose
    # a rationale's `backticked` part is inline code; the rest is escaped text
    assert (
        "- Why: Swallows template errors: a page that fails to render shows `<b>nothing</b>` instead &lt;/script&gt;"
        in text
    )
    assert "a fallback &lt;b&gt;silently&lt;/b&gt;" in prose
    # the code block holding ``` is fenced with four backticks and kept verbatim
    assert (
        "````python\ndef render_page(page):\n"
        '    with tracer.start_as_current_span("render_page") as span:\n'
        '        span.set_attribute("code.function.name", "shop.web.render.render_page")\n'
    ) in text
    assert "        try:\n            return '<script>alert(1)</script><b>bold</b>' + page\n" in text
    assert "str(page)" not in text  # a value of unknown type is never converted to a string
    assert "            return '```'\n````" in text


def test_span_previews_show_the_engines_edit(result: AnalysisResult, sample_dir: Path) -> None:
    facts = build_facts(result, default_config(), root=sample_dir)
    recs = {rec.qualname: rec for rec in all_recommendations(facts)}
    for rec in recs.values():
        assert rec.span_message is None and rec.edited_function and rec.snippet
        ast.parse(textwrap.dedent(rec.edited_function))
    charge = recs["PaymentsClient.charge"]
    assert charge.placement == "a `with` block around the body of `charge`"
    assert charge.edited_function == (
        "    def charge(self, order):\n"
        '        with tracer.start_as_current_span("PaymentsClient.charge") as span:\n'
        '            span.set_attribute("code.function.name", "shop.clients.payments.PaymentsClient.charge")\n'
        '            span.set_attribute("code.file.path", "tests/fixtures/reports/sample/shop/clients/payments.py")\n'
        '            span.set_attribute("code.line.number", 34)\n'
        "            return self._post('/charges', order.as_json())\n"
    )
    assert charge.setup == ("from opentelemetry import trace", "tracer = trace.get_tracer(__name__)")
    assert charge.unusual_setup == ()
    place = recs["OrderService.place_order"]
    assert place.placement == "a `with` block around the body of `place_order`"
    handler = "            except PaymentsDown as exc:\n                span.record_exception(exc)\n"
    assert handler in place.edited_function
    text = render(result, "md", config=default_config(), root=sample_dir)
    assert text.count("```python\n@tracer.start_as_current_span(") == 0  # the with form is the default
    assert '```python\n@retry(times=2)\ndef place_order(self, customer_id, items):\n    """Create' in text


def test_span_previews_say_why_no_span_is_added(result: AnalysisResult, sample_dir: Path, tmp_path: Path) -> None:
    traced = tmp_path / "shop" / "clients" / "payments.py"
    traced.parent.mkdir(parents=True)
    source = (sample_dir / "shop" / "clients" / "payments.py").read_text()
    traced.write_text(source.replace("    def charge(", '    @tracer.start_as_current_span("charge")\n    def charge('))
    moved = [
        dataclasses.replace(r, file=str(traced)) if r.qualname == "PaymentsClient.charge" else r
        for r in result.recommendations
    ]
    missing = [dataclasses.replace(r, file=str(tmp_path / "gone.py")) if r.qualname == "main" else r for r in moved]
    facts = build_facts(dataclasses.replace(result, recommendations=tuple(missing)), default_config(), root=tmp_path)
    recs = {rec.qualname: rec for rec in all_recommendations(facts)}
    assert recs["PaymentsClient.charge"].span_message == "PaymentsClient.charge already starts a span"
    assert recs["PaymentsClient.charge"].snippet == "" and recs["PaymentsClient.charge"].edited_function == ""
    assert recs["main"].span_message.startswith(f"cannot read {tmp_path / 'gone.py'}")
    text = render(dataclasses.replace(result, recommendations=tuple(missing)), "md", config=default_config())
    assert "- Span: none added: PaymentsClient.charge already starts a span\n" in text


def test_span_previews_use_the_text_that_was_analysed(result: AnalysisResult, sample_dir: Path) -> None:
    payments = sample_dir / "shop" / "clients" / "payments.py"
    unsaved = payments.read_text().replace("return self._post('/charges'", "return self._post('/v2/charges'")

    def source(file: str) -> str | None:
        return unsaved if Path(file) == payments else None  # an editor buffer; other files from disk

    text = render(result, "md", config=default_config(), root=sample_dir, source=source)
    assert "    return self._post('/v2/charges', order.as_json())\n```" in text
    assert "def place_order(self, customer_id, items):" in text


# ---- templates -------------------------------------------------------------------------------------------------


def test_template_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md.j2"
    bad.write_text("# Report\n\n{% for rec in recommendations %}\n{{ rec.symbol }\n{% endfor %}\n")
    with pytest.raises(ReportError, match=rf"^report template {re.escape(str(bad))}:4: unexpected '}}'"):
        validate_template(bad)


def test_missing_template_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"report template .*nope.j2: cannot read"):
        validate_template(tmp_path / "nope.j2")


def test_bad_template_fails_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.j2"
    bad.write_text("{% if %}")
    import trace_advisor.report as report

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("facts were computed before the template was checked")

    monkeypatch.setattr(report, "build_facts", must_not_run)
    with pytest.raises(ReportError, match=":1:"):
        render(AnalysisResult(recommendations=()), "md", config=default_config(), template=bad)


def test_template_render_errors_name_the_line(result: AnalysisResult, tmp_path: Path) -> None:
    typo = tmp_path / "typo.j2"
    typo.write_text("line one\n{{ facts.engine }}\n{{ facts.enigne }}\n")
    with pytest.raises(ReportError, match=rf"{re.escape(str(typo))}:3: .*enigne"):
        render(result, "md", config=default_config(), template=typo)


def test_templates_run_in_a_sandbox(result: AnalysisResult, tmp_path: Path) -> None:
    evil = tmp_path / "evil.j2"
    evil.write_text("{{ facts.__class__.__init__.__globals__['os'].system('echo pwned') }}")
    with pytest.raises(ReportError):
        render(result, "md", config=default_config(), template=evil)


def test_unknown_format() -> None:
    with pytest.raises(ReportError, match="unknown report format 'pdf'"):
        render(AnalysisResult(recommendations=()), "pdf", config=default_config())


# ---- JSON ------------------------------------------------------------------------------------------------------


def test_json_report_validates_against_schema(result: AnalysisResult, sample_dir: Path, repo_root: Path) -> None:
    schema = json.loads((repo_root / "config" / "recommendations.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    text = render(result, "json", config=default_config(), root=sample_dir)
    data = json.loads(text)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    assert "generated_at" not in data
    assert data["summary"]["by_priority"]["external_io"] == 2
    assert [r["file"] for r in data["recommendations"]][:2] == ["shop/services/orders.py", "shop/clients/payments.py"]
    assert data["recommendations"][0]["usage"]["input_tokens"] == 2600
    assert data["problems"][0]["file"] == "shop/broken.py"
    assert data["usage_by_file"][1] == {
        "file": "shop/services/orders.py",
        "calls": 1,
        "input_tokens": 2600,
        "output_tokens": 410,
        "cost_usd": 0.01395,
    }
    assert sum(f["input_tokens"] for f in data["usage_by_file"]) == data["usage"]["input_tokens"]
    assert text == render(result, "json", config=default_config(), root=sample_dir)  # deterministic


def test_json_timestamp_only_when_asked(result: AnalysisResult, repo_root: Path) -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    data = json.loads(render(result, "json", config=default_config(), generated_at=when))
    assert data["generated_at"] == "2026-01-02T03:04:05Z"


def test_json_schema_rejects_bad_recommendations(result: AnalysisResult, repo_root: Path) -> None:
    schema = json.loads((repo_root / "config" / "recommendations.schema.json").read_text())
    data = json.loads(render(result, "json", config=default_config()))
    validator = jsonschema.Draft202012Validator(schema)
    for key, bad in (("confidence", 1.5), ("symbol", "no-colon"), ("priority", "Not A Name")):
        broken = json.loads(json.dumps(data))
        broken["recommendations"][0][key] = bad
        assert not validator.is_valid(broken), key


def test_every_format_renders_an_empty_result() -> None:
    for fmt in FORMATS:
        assert render(AnalysisResult(recommendations=()), fmt, config=default_config())


# ---- HTML (structure; behaviour is tested in headless Chromium by tests/e2e/test_html_report.py) ---------------


def test_html_is_self_contained_and_escapes_code(result: AnalysisResult, sample_dir: Path) -> None:
    page = render(result, "html", graph=load_trees(sample_dir), config=default_config(), root=sample_dir)
    assert page.count("</script>") == 2  # the data block and the script: user code cannot close either
    assert "<b>" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page
    data_text = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert data_text
    data = json.loads(data_text.group(1))
    code = data["recommendations"]["shop.web.render:render_page"][0]["rationale"]
    assert "`<b>nothing</b>` instead </script> of an error" in code
    roots = [tree["symbol"] for tree in data["trees"]]
    assert roots == ["shop.web.app:App.__call__", "shop.worker:main"]


def test_html_folds_entry_points_without_recommendations(result: AnalysisResult, sample_dir: Path) -> None:
    from trace_advisor.datatypes import CallTreeNode

    trees = load_trees(sample_dir)
    quiet = CallTreeNode("q1", "shop.cache:<module>", str(sample_dir / "shop/cache.py"), 1)
    graph = type(trees)(("shop.cache:<module>", *trees.roots), {**trees.trees, "shop.cache:<module>": quiet})
    page = render(result, "html", graph=graph, config=default_config(), root=sample_dir)
    data_text = re.search(r'id="report-data">(.*?)</script>', page, re.S)
    assert data_text
    roots = json.loads(data_text.group(1))["trees"]
    assert [tree["label"] for tree in roots] == [
        "App.__call__",
        "main",
        "Entry points without recommendations (1)",
    ]
    assert roots[-1]["collapsed"] is True and roots[-1]["children"][0]["symbol"] == "shop.cache:<module>"


def test_html_leaves_out_module_bodies_that_only_launch_entry_points(result: AnalysisResult, sample_dir: Path) -> None:
    from trace_advisor.datatypes import CallTreeNode

    trees = load_trees(sample_dir)
    worker = sample_dir / "shop/worker.py"
    main = CallTreeNode("m2", "shop.worker:main", str(worker), 12)
    asyncio_run = CallTreeNode("m3", "asyncio:run", None, None, external=True)
    launcher = CallTreeNode("m1", "shop.worker:<module>", str(worker), 1, children=(asyncio_run, main))
    graph = type(trees)(("shop.worker:<module>", *trees.roots), {**trees.trees, "shop.worker:<module>": launcher})
    page = render(result, "html", graph=graph, config=default_config(), root=sample_dir)
    data_text = re.search(r'id="report-data">(.*?)</script>', page, re.S)
    assert data_text
    assert [tree["symbol"] for tree in json.loads(data_text.group(1))["trees"]] == [
        "shop.web.app:App.__call__",
        "shop.worker:main",
    ]


def test_html_node_budget_marks_truncation(
    result: AnalysisResult, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trace_advisor.report.html as html_report

    monkeypatch.setattr(html_report, "MAX_NODES", 3)
    page = render(result, "html", graph=load_trees(sample_dir), config=default_config(), root=sample_dir)
    data_text = re.search(r'id="report-data">(.*?)</script>', page, re.S)
    assert data_text
    trees = json.loads(data_text.group(1))["trees"]

    def count(node: dict[str, Any]) -> int:
        return 1 + sum(count(child) for child in node["children"])

    app, worker = trees[0], trees[1]
    # App.__call__ -> place_order -> charge, then the budget is spent: every node with unseen children says so
    assert (count(app), count(worker)) == (3, 1)
    assert app["truncated"] and app["children"][0]["truncated"] and app["children"][0]["children"][0]["truncated"]
    assert worker["truncated"]  # entry points are always listed, marked when their calls were cut


def test_html_without_graph_groups_by_file(result: AnalysisResult, sample_dir: Path) -> None:
    page = render(result, "html", config=default_config(), root=sample_dir)
    data_text = re.search(r'id="report-data">(.*?)</script>', page, re.S)
    assert data_text
    data = json.loads(data_text.group(1))
    assert [tree["label"] for tree in data["trees"]] == [
        "shop/clients/payments.py",
        "shop/services/orders.py",
        "shop/web/render.py",
        "shop/worker.py",
    ]


def test_html_lists_recommendations_outside_the_trees(result: AnalysisResult, sample_dir: Path) -> None:
    trees = load_trees(sample_dir)
    only_worker = type(trees)(("shop.worker:main",), trees.trees)
    page = render(result, "html", graph=only_worker, config=default_config(), root=sample_dir)
    data_text = re.search(r'id="report-data">(.*?)</script>', page, re.S)
    assert data_text
    last = json.loads(data_text.group(1))["trees"][-1]
    assert last["label"] == "Not reached from an entry point"
    assert {child["symbol"] for child in last["children"]} == {
        "shop.services.orders:OrderService.place_order",
        "shop.clients.payments:PaymentsClient.charge",
        "shop.web.render:render_page",
    }


# ---- writing ---------------------------------------------------------------------------------------------------


def test_write_report_replaces_atomically(tmp_path: Path) -> None:
    out = tmp_path / "build" / "report.md"
    write_report("first\n", out)
    assert out.read_text() == "first\n"
    assert oct(out.stat().st_mode & 0o777) == oct(0o644)
    out.chmod(0o600)
    write_report("second ☃\n", out)
    assert out.read_text(encoding="utf-8") == "second ☃\n"
    assert out.stat().st_mode & 0o777 == 0o600  # an existing file keeps its mode
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.md"]


def test_interrupted_write_keeps_the_old_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.md"
    out.write_text("old\n")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_report("new\n", out)
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_a_preview_of_a_function_on_the_first_line_is_that_function() -> None:
    """The import and tracer inserted at line 1 come before the def on line 1: they are setup, not the function."""
    from trace_advisor.datatypes import Capture
    from trace_advisor.edits import SpanEditor
    from trace_advisor.report.preview import span_preview

    editor = SpanEditor(
        "def handle(x, path):\n    try:\n        return open(path).read()\n    except OSError:\n        return None\n"
    )
    preview = span_preview(editor.source, editor.edits("handle", Capture(("x",))))
    assert preview.function.startswith("def handle(x, path):\n    with tracer.start_as_current_span(")
    assert preview.setup == ("from opentelemetry import trace", "tracer = trace.get_tracer(__name__)")
    assert preview.shown == preview.function  # short: nothing folded


def test_json_and_sarif_do_not_run_the_span_engine(result: AnalysisResult, monkeypatch: pytest.MonkeyPatch) -> None:
    """Span previews are most of a report's cost and only Markdown and HTML show them."""
    from trace_advisor.report.preview import Previewer

    expected = {fmt: render(result, fmt, config=default_config()) for fmt in ("json", "sarif")}

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("a span preview was computed")

    monkeypatch.setattr(Previewer, "preview", must_not_run)
    assert {fmt: render(result, fmt, config=default_config()) for fmt in ("json", "sarif")} == expected
    with pytest.raises(AssertionError, match="span preview"):
        render(result, "md", config=default_config())


def test_project_files_are_development_scripts_only_at_the_top() -> None:
    """invoke's ``tasks.py`` and nox's ``noxfile.py`` sit at a project's top; ``documents/tasks.py`` is a package's
    Celery tasks (product code, read with the service)."""
    assert is_auxiliary("tasks.py") and is_auxiliary("noxfile.py") and is_auxiliary("scripts/seed.py")
    assert not is_auxiliary("documents/tasks.py") and not is_auxiliary("src/app/tasks.py")

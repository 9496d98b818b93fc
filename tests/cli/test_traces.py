"""``trace-advisor analyze --traces`` against traces exported by real runs of tests/fixtures/traces/app under the
OpenTelemetry SDK (scenario.py writes OTLP JSON as the Collector's file exporter does, or as one OTLP/HTTP body):
a slow stretch of the ``checkout`` span with no child span raises the confidence of the untraced callee that ran in
it, spans the code starts and no trace holds are listed, and after ``export`` + ``trace_advisor.runtime`` the
recommended functions are observed through their own spans."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "traces"
SCHEMA = json.loads((REPO / "config" / "recommendations.schema.json").read_text(encoding="utf-8"))
ORDERS = 4
RESERVE = "shop.inventory:Inventory.reserve"
CHECKOUT = "shop.orders:checkout"
# reserve runs once per order line: 10 with the loop over items counted as 10, 1 were it to run once
PER_LINE = {"one_pass": 1, "loop": {"text": "for (sku, units) in lines", "function": CHECKOUT}, "unit": "call"}


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, check=False)


def analyze(root: Path, *extra: str | Path) -> dict[str, object]:
    done = run(sys.executable, "-m", "trace_advisor", "analyze", root, "--format", "json", "--no-cache", *extra)
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    jsonschema.validate(report, SCHEMA)
    return report


def recommendations(report: dict[str, object]) -> dict[str, dict[str, object]]:
    return {r["symbol"]: r for r in report["recommendations"]}  # type: ignore[attr-defined,index]


def record(root: Path, work: Path, out: Path, *extra: str | Path, runtime: Path | None = None) -> Path:
    """Run the scenario (under ``python -m trace_advisor.runtime`` when ``runtime`` is given) writing ``out``."""
    work.mkdir()
    command: list[str | Path] = [sys.executable, FIXTURE / "scenario.py", root, work, out, "--orders", str(ORDERS)]
    if runtime is not None:
        command = [sys.executable, "-m", "trace_advisor.runtime", "--config", runtime, "--", *command]
    done = run(*command, *extra)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("traces") / "app"
    shutil.copytree(FIXTURE / "app", root)
    return root


@pytest.fixture(scope="module")
def collector_file(app: Path) -> Path:
    return record(app, app.parent / "w1", app.parent / "spans.jsonl")


def test_a_slow_untraced_gap_raises_its_callee_and_the_rationale_cites_it(app: Path, collector_file: Path) -> None:
    before = recommendations(analyze(app))
    report = analyze(app, "--traces", collector_file)
    after = recommendations(report)
    assert set(after) == set(before)
    reserve = after[RESERVE]
    assert reserve["confidence"] == pytest.approx(before[RESERVE]["confidence"] + 0.1, abs=1e-3)  # type: ignore[operator]
    observed = reserve["observed"]
    assert observed["symbol"] == CHECKOUT and observed["path"] == [CHECKOUT, RESERVE]  # type: ignore[index]
    assert observed["spans"] == ORDERS and observed["traces"] == ORDERS  # type: ignore[index]
    # three reservations of 30 ms each run in every checkout outside any child span
    assert observed["untraced_p95_ms"] >= 85 and observed["untraced_share"] > 0.5  # type: ignore[index,operator]
    assert observed["p95_ms"] >= observed["untraced_p95_ms"]  # type: ignore[index,operator]
    assert "runs inside span 'checkout'" in reserve["rationale"]  # type: ignore[operator]
    assert f"{ORDERS} spans in {ORDERS} traces" in reserve["rationale"]  # type: ignore[operator]
    restock = after["shop.inventory:Inventory.restock"]
    assert restock == before["shop.inventory:Inventory.restock"]  # never ran inside a traced caller
    traces = report["traces"]
    assert traces["spans"] == 2 * ORDERS and traces["mapped_spans"] == 2 * ORDERS  # type: ignore[index]
    assert [g["symbol"] for g in traces["gaps"]] == [CHECKOUT]  # type: ignore[index]
    assert traces["gaps"][0]["callees"][0] == RESERVE  # type: ignore[index]
    functions = {f["symbol"]: f["observed"] for f in traces["functions"]}  # type: ignore[index]
    assert set(functions) == {CHECKOUT, "shop.orders:write_receipt"}
    assert functions["shop.orders:write_receipt"]["untraced_share"] == 1.0


def test_spans_in_code_that_no_trace_holds_are_listed(app: Path, collector_file: Path) -> None:
    traces = analyze(app, "--traces", collector_file)["traces"]
    unseen = {(u["symbol"], u["span_name"]) for u in traces["unseen_spans"]}  # type: ignore[index]
    assert unseen == {("shop.orders:refund", "refund"), ("shop.orders:sync_legacy", "legacy.sync")}


def test_an_otlp_http_body_reads_like_the_collector_file(app: Path, collector_file: Path) -> None:
    body = record(app, app.parent / "w2", app.parent / "body.json", "--http-body")
    assert body.read_text(encoding="utf-8").startswith("{\n")  # one pretty-printed document
    from_file = analyze(app, "--traces", collector_file)["traces"]
    from_body = analyze(app, "--traces", body)["traces"]
    assert from_body["mapped_spans"] == from_file["mapped_spans"] == 2 * ORDERS  # type: ignore[index]
    assert from_body["unseen_spans"] == from_file["unseen_spans"]  # type: ignore[index]
    assert [g["symbol"] for g in from_body["gaps"]] == [CHECKOUT]  # type: ignore[index]


def test_runtime_spans_close_the_loop(app: Path, tmp_path: Path) -> None:
    """export -> run under trace_advisor.runtime -> the recommended functions appear with figures of their own."""
    traced = tmp_path / "traced.json"
    assert run(sys.executable, "-m", "trace_advisor", "export", app, "-o", traced, "--no-cache").returncode == 0
    spans = record(app, tmp_path / "w", tmp_path / "runtime.jsonl", runtime=traced)
    before = recommendations(analyze(app))
    report = analyze(app, "--traces", spans)
    reserve = recommendations(report)[RESERVE]
    observed = reserve["observed"]
    assert observed["symbol"] == RESERVE and observed["path"] == []  # type: ignore[index]
    assert observed["spans"] == 3 * ORDERS and observed["per_trace"] == 3  # type: ignore[index]
    assert observed["p50_ms"] >= 29  # type: ignore[index,operator]
    assert reserve["confidence"] == pytest.approx(before[RESERVE]["confidence"] + 0.1, abs=1e-3)  # type: ignore[operator]
    assert "Observed in traces as span 'Inventory.reserve'" in reserve["rationale"]  # type: ignore[operator]
    assert report["traces"]["gaps"] == []  # type: ignore[index]  # reserve's own spans now cover the checkout
    # spans per request: measured (three reservations per checkout) instead of the call graph's loop estimate
    assert reserve["cost"] == {"spans_per_request": 3, "entry": None, "source": "traces"}
    assert before[RESERVE]["cost"] == {"spans_per_request": 10, "entry": CHECKOUT, "source": "call graph", **PER_LINE}


def test_span_costs_from_the_call_graph(app: Path) -> None:
    """Without traces: reserve is called in checkout's loop (counted as 10 iterations); restock by no entry point
    but itself; the volume names the entry point where all spans together cost most."""
    report = analyze(app)
    costs = {s: r["cost"] for s, r in recommendations(report).items()}
    assert costs[RESERVE] == {"spans_per_request": 10, "entry": CHECKOUT, "source": "call graph", **PER_LINE}
    restock = "shop.inventory:Inventory.restock"
    assert costs[restock] == {
        "spans_per_request": 1,
        "entry": restock,
        "source": "call graph",
        "one_pass": 1,
        "unit": "call",
    }
    volume = {
        "spans_per_request": 10,
        "one_pass": 1,
        "entry": CHECKOUT,
        "functions": 1,
        "loop_iterations": 10,
        "unit": "call",
    }
    assert report["volume"] == volume


def test_markdown_and_sarif_carry_the_figures(app: Path, collector_file: Path) -> None:
    done = run(sys.executable, "-m", "trace_advisor", "analyze", app, "--traces", collector_file, "--no-cache")
    assert done.returncode == 0, done.stderr
    assert "## Checked against traces" in done.stdout
    assert "`legacy.sync` in `shop.orders:sync_legacy`" in done.stdout
    assert "runs inside span 'checkout'" in done.stdout
    assert "1 untraced gap," in done.stderr and "2 spans in code never seen" in done.stderr
    sarif = json.loads(analyze_text(app, "--format", "sarif", "--traces", collector_file))
    run_ = sarif["runs"][0]
    assert run_["properties"]["traces"]["mapped_spans"] == 2 * ORDERS
    results = {r["logicalLocations"][0]["fullyQualifiedName"]: r for r in (x["locations"][0] for x in run_["results"])}
    assert RESERVE in results
    observed = [r["properties"].get("observed") for r in run_["results"]]
    assert any(o and o["symbol"] == CHECKOUT for o in observed)
    assert run_["properties"]["volume"]["entry"] == CHECKOUT
    costs = [r["properties"]["cost"] for r in run_["results"]]
    assert {"spans_per_request": 10, "entry": CHECKOUT, "source": "call graph", **PER_LINE} in costs


def analyze_text(root: Path, *extra: str | Path) -> str:
    done = run(sys.executable, "-m", "trace_advisor", "analyze", root, "--no-cache", *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bad_trace_files_are_clear_errors_before_any_work(app: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"resourceSpans": []}\n{"resourceSpans": [\n', encoding="utf-8")
    out = tmp_path / "report.json"
    done = run(sys.executable, "-m", "trace_advisor", "analyze", app, "--traces", broken, "-o", out)
    assert done.returncode == 2 and f"{broken}:2: not JSON" in done.stderr
    assert not out.exists()
    other = tmp_path / "other.json"
    other.write_text('{"resourceMetrics": []}', encoding="utf-8")
    done = run(sys.executable, "-m", "trace_advisor", "analyze", app, "--traces", other)
    assert done.returncode == 2 and "not OTLP JSON traces" in done.stderr
    done = run(sys.executable, "-m", "trace_advisor", "analyze", app, "--traces", tmp_path / "missing.json")
    assert done.returncode == 2 and "no such file or folder" in done.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"resourceSpans": []}\n', encoding="utf-8")
    done = run(sys.executable, "-m", "trace_advisor", "analyze", app, "--traces", empty)
    assert done.returncode == 2 and "no spans in" in done.stderr


def test_traces_of_another_program_say_so(app: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.json"
    span = {"traceId": "0" * 31 + "1", "spanId": "0" * 15 + "1", "name": "GET /health", "startTimeUnixNano": "1"}
    scope = {"scope": {"name": "opentelemetry.instrumentation.flask"}, "spans": [{**span, "endTimeUnixNano": "9"}]}
    foreign.write_text(json.dumps({"resourceSpans": [{"scopeSpans": [scope]}]}), encoding="utf-8")
    report = analyze(app, "--traces", foreign)
    assert report["traces"]["mapped_spans"] == 0 and report["traces"]["unseen_spans"] == []  # type: ignore[index]
    assert any("none of the 1 spans" in p["message"] for p in report["problems"])  # type: ignore[attr-defined,index]


def test_the_traces_setting_is_read_when_no_file_is_given(app: Path, collector_file: Path, tmp_path: Path) -> None:
    project = tmp_path / "configured"
    shutil.copytree(app, project)
    (project / "otel").mkdir()
    shutil.copy(collector_file, project / "otel" / "spans.jsonl")
    (project / "otel" / "partial.jsonl").write_text('{"resourceSpans": [\n', encoding="utf-8")  # being written
    (project / ".trace-advisor.yaml").write_text("traces: ['otel/*.jsonl', missing/]\n", encoding="utf-8")
    report = analyze(project)
    traces = report["traces"]
    assert traces["files"] == [str(project / "otel" / "spans.jsonl")]  # type: ignore[index]
    assert traces["mapped_spans"] == 2 * ORDERS  # type: ignore[index]
    assert [g["symbol"] for g in traces["gaps"]] == [CHECKOUT]  # type: ignore[index]
    told = [p["message"] for p in report["problems"]]  # type: ignore[attr-defined]
    assert any(m.startswith(f"traces setting: {project / 'otel' / 'partial.jsonl'}:") for m in told)
    assert f"traces setting: {project / 'missing'}: no such file or folder" in told
    explicit = analyze(project, "--traces", collector_file)["traces"]  # --traces wins over the setting
    assert explicit["files"] == [str(collector_file)]  # type: ignore[index]


def test_a_function_below_the_threshold_that_ran_in_a_gap_is_recommended(app: Path, collector_file: Path) -> None:
    before = recommendations(analyze(app, "--min-confidence", "0.5"))
    assert RESERVE not in before  # 0.34 on its code alone
    report = analyze(app, "--min-confidence", "0.5", "--traces", collector_file)
    after = recommendations(report)
    reserve = after[RESERVE]
    assert reserve["confidence"] == 0.5
    assert "On its code alone 0.34, below min_confidence 0.5: recommended because it ran" in reserve["rationale"]  # type: ignore[operator]
    assert "runs inside span 'checkout'" in reserve["rationale"]  # type: ignore[operator]
    assert reserve["observed"]["path"] == [CHECKOUT, RESERVE]  # type: ignore[index]
    gap = report["traces"]["gaps"][0]  # type: ignore[index]
    assert {"shop.pricing:total", "shop.pricing:line_total"} <= set(gap["callees"])  # ran there too...
    assert set(after) == {RESERVE}  # ...but have no evidence of their own; restock never ran in a gap
    only_pricing = analyze(app / "shop" / "pricing.py", "--min-confidence", "0.5", "--traces", collector_file)
    assert recommendations(only_pricing) == {}  # functions outside the analysed files are not added

"""``trace-advisor export`` + ``python -m trace_advisor.runtime`` against ``trace-advisor apply`` on the same
recommended functions of tests/fixtures/runtime/app: the billing scenario runs under the OpenTelemetry SDK
(in-memory exporter) once with the source edited by ``apply`` and once untouched under the runtime; spans, nesting,
attributes and statuses must be equal, what the callers see must equal a run without any tracing, and no secret
may be recorded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "runtime"
SCENARIO = FIXTURE / "scenario.py"
SECRET = "tok-9f8e7d6c5b4a"


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=180, check=False, env=env)


def scenario(root: Path, work: Path, *, runtime: Path | None = None, sdk: bool = True) -> dict[str, object]:
    """The scenario's JSON report, run plainly or under ``python -m trace_advisor.runtime --config runtime``."""
    work.mkdir()
    command: list[str | Path] = [sys.executable, SCENARIO, root, work, *([] if sdk else ["--no-sdk"])]
    if runtime is not None:
        command = [sys.executable, "-m", "trace_advisor.runtime", "--config", runtime, "--", *command]
    done = run(*command)
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return json.loads(json.dumps(report).replace(str(work), "<work>"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("runtime")
    edited, untouched = tmp / "edited", tmp / "untouched"
    for root in (edited, untouched):
        shutil.copytree(FIXTURE / "app", root)
    applied = run(sys.executable, "-m", "trace_advisor", "apply", edited, "--all", "--no-cache")
    assert applied.returncode == 0, applied.stderr
    traced = tmp / "traced.json"
    exported = run(sys.executable, "-m", "trace_advisor", "export", untouched, "-o", traced, "--no-cache")
    assert exported.returncode == 0, exported.stderr
    return {
        "apply": scenario(edited, tmp / "w1") | {"root": str(edited)},
        "runtime": scenario(untouched, tmp / "w2", runtime=traced) | {"root": str(untouched)},
        "plain": scenario(untouched, tmp / "w3"),
        "runtime-no-sdk": scenario(untouched, tmp / "w4", runtime=traced, sdk=False),
        "export": json.loads(traced.read_text(encoding="utf-8")),
    }


def without_def_lines(run: dict[str, object]) -> list[dict[str, object]]:
    """The run's spans without ``code.line.number``, after checking it is the line of the traced ``def`` in the
    source that ran (``apply`` moved the defs down by the lines it added; the runtime left the file as it was)."""
    spans = json.loads(json.dumps(run["spans"]))
    for span in spans:
        attributes = span["attributes"]
        line = attributes.pop("code.line.number")
        text = (Path(str(run["root"])) / attributes["code.file.path"]).read_text(encoding="utf-8").splitlines()
        name = attributes["code.function.name"].rpartition(".")[2]
        assert text[line - 1].lstrip().startswith((f"def {name}(", f"async def {name}(")), (span["name"], line)
    return spans


def test_runtime_spans_equal_the_spans_apply_writes(runs: dict[str, dict[str, object]]) -> None:
    assert without_def_lines(runs["runtime"]) == without_def_lines(runs["apply"])
    spans = runs["runtime"]["spans"]
    assert isinstance(spans, list) and len(spans) >= 15
    by_name = {s["name"]: s for s in spans}
    assert set(by_name) == {
        "Ledger.open",
        "Ledger.record",
        "Ledger.balance",
        "Ledger.entries",
        "pay",
        "export_statement",
        "reconcile",
        "stream_entries",
    }
    # nesting: the route's children, a thread hop
    parents = {(s["name"], s["parent"]) for s in spans}
    assert {("Ledger.record", "pay"), ("Ledger.balance", "pay"), ("export_statement", "reconcile")} <= parents
    # a generator's span is not current where it yields (its callees are not its children, nothing leaks into the
    # consumer); the scenario's async generator calls Ledger.entries
    assert ("Ledger.entries", "stream_entries") not in parents
    # attributes: semantic conventions and safe parameters; an optional one only when given
    records = [s for s in spans if s["name"] == "Ledger.record"]
    assert records[0]["attributes"] == {
        "code.function.name": "billing.ledger.Ledger.record",
        "code.file.path": "billing/ledger.py",
        "code.line.number": 24,
        "db.system.name": "sqlite",
        "db.operation.name": "INSERT",
        "db.collection.name": "entries",
        "app.account_id": "acct-1",
        "app.cents": 500,
        "app.category": "opening",
    }
    assert "app.category" not in records[1]["attributes"]
    # status: ERROR with the exception for a failure that propagates, unset otherwise
    failed = [s for s in spans if s["status"] == "ERROR"]
    assert {(s["name"], s["events"][0][1]) for s in failed} >= {
        ("pay", "billing.ledger.InsufficientFundsError"),
        ("Ledger.balance", "billing.ledger.InsufficientFundsError"),
        ("pay", "PermissionError"),
        ("Ledger.record", "ValueError"),
    }
    assert all(s["events"] == [] for s in spans if s["status"] == "UNSET" and s["name"] != "Ledger.entries")


def test_no_secret_is_recorded(runs: dict[str, dict[str, object]]) -> None:
    for key in ("runtime", "apply"):
        text = json.dumps(runs[key]["spans"])
        assert SECRET not in text
        assert "password" not in text and "token" not in text


def test_behaviour_is_unchanged(runs: dict[str, dict[str, object]]) -> None:
    plain = runs["plain"]
    assert plain["spans"] == []
    for key in ("runtime", "apply", "runtime-no-sdk"):
        assert runs[key]["outcomes"] == plain["outcomes"], key
        assert runs[key]["kinds"] == plain["kinds"], key
    assert runs["runtime-no-sdk"]["spans"] == []
    outcomes = {o[0]: o[1:] for o in plain["outcomes"]}  # type: ignore[union-attr]
    assert outcomes["pay-insufficient"][:2] == ["raised", "InsufficientFundsError"]
    assert outcomes["entries-throw"][:2] == ["raised", "KeyError"]
    assert outcomes["stream"][0] == "returned"
    kinds = plain["kinds"]
    assert kinds["route"] is True and kinds["entries"] is True and kinds["stream_entries"] is True  # type: ignore[index]


def test_export_lists_each_recommended_function_with_its_attribute_sources(runs: dict[str, dict[str, object]]) -> None:
    exported = runs["export"]
    assert exported["format"] == "trace-advisor/otel-config" and exported["version"] == 1
    functions = {f["symbol"]: f for f in exported["functions"]}  # type: ignore[union-attr]
    record = functions["billing.ledger:Ledger.record"]
    assert record["module"] == "billing.ledger" and record["qualname"] == "Ledger.record"
    assert record["span_name"] == "Ledger.record" and record["file"] == "billing/ledger.py"
    assert {"key": "db.system.name", "value": "sqlite"} in record["attributes"]
    assert {"key": "app.category", "parameter": "category", "skip_none": True} in record["attributes"]
    assert {"key": "code.line.number", "value": 24} in record["attributes"]  # the def line in the file as it is
    assert not any(a.get("parameter") == "password" for a in record["attributes"])


def test_sentry_format(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURE / "app", root)
    done = run(sys.executable, "-m", "trace_advisor", "export", root, "--format", "sentry", "--no-cache")
    assert done.returncode == 0, done.stderr
    names = [entry["qualified_name"] for entry in json.loads(done.stdout)]
    assert "billing.ledger.Ledger.record" in names and "billing.handlers.pay" in names
    assert all(set(entry) == {"qualified_name"} for entry in json.loads(done.stdout))


def test_launcher_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}', encoding="utf-8")
    done = run(sys.executable, "-m", "trace_advisor.runtime", "--config", bad, "--", sys.executable, "-c", "pass")
    assert done.returncode == 2 and "not a traced-functions file" in done.stderr
    good = tmp_path / "good.json"
    good.write_text('{"format": "trace-advisor/otel-config", "version": 1, "functions": []}', encoding="utf-8")
    missing = run(sys.executable, "-m", "trace_advisor.runtime", "--config", good, "--", tmp_path / "no-such-program")
    assert missing.returncode == 127 and "cannot run" in missing.stderr
    exit_code = run(
        sys.executable,
        "-m",
        "trace_advisor.runtime",
        "--config",
        good,
        "--",
        sys.executable,
        "-c",
        "raise SystemExit(7)",
    )
    assert exit_code.returncode == 7  # the command's own exit code


@pytest.mark.parametrize("launcher", ["entry point", "runtime launcher outside"])
def test_opentelemetry_instrument_loads_the_runtime(tmp_path: Path, launcher: str) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURE / "app", root)
    traced = tmp_path / "traced.json"
    assert run(sys.executable, "-m", "trace_advisor", "export", root, "-o", traced, "--no-cache").returncode == 0
    env = {
        **os.environ,
        "OTEL_TRACES_EXPORTER": "console",
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
    }
    instrument = [Path(sys.executable).parent / "opentelemetry-instrument", sys.executable]
    command: list[str | Path] = [*instrument, FIXTURE / "auto_instrumented.py", root, tmp_path]
    if launcher == "entry point":
        env["TRACE_ADVISOR_RUNTIME_CONFIG"] = str(traced)
    else:  # our launcher outside, opentelemetry-instrument's sitecustomize inside: both apply
        command = [sys.executable, "-m", "trace_advisor.runtime", "--config", traced, "--", *command]
    done = run(*command, env=env)
    assert done.returncode == 0, done.stderr
    spans = [json.loads(chunk) for chunk in _json_objects(done.stdout)]
    assert [s["name"] for s in spans] == ["Ledger.open", "Ledger.record", "Ledger.record", "Ledger.balance", "pay"]
    pay = spans[-1]
    assert pay["attributes"] == {
        "code.function.name": "billing.handlers.pay",
        "code.file.path": "billing/handlers.py",
        "code.line.number": 15,
        "app.account_id": "acct-1",
        "app.cents": 100,
    }
    assert {s["parent_id"] for s in spans if s["name"] != "pay" and s["parent_id"]} == {pay["context"]["span_id"]}


def _json_objects(text: str) -> list[str]:
    """The console exporter prints one pretty-printed JSON object per span, back to back."""
    decoder, out, index = json.JSONDecoder(), [], 0
    while index < len(text):
        if text[index] != "{":
            index += 1
            continue
        obj, end = decoder.raw_decode(text, index)
        out.append(json.dumps(obj))
        index = end
    return out

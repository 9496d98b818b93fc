"""``trace-advisor coverage`` as a subprocess on a copy of tests/fixtures/coverage/ledger: a baseline, then the changes
a pull request makes (a span removed, untraced functions added, a callee changed) and what the CI gate says."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LEDGER = REPO / "tests" / "fixtures" / "coverage" / "ledger"
BASELINE = ".trace-advisor-baseline.json"


def coverage(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trace_advisor", "coverage", str(root), "--no-cache", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=root,
    )


def gate(root: Path) -> tuple[int, dict[str, object]]:
    """The CI gate's exit code and its JSON report."""
    done = coverage(root, "--fail-on-regression", "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    shutil.copytree(LEDGER, root)
    done = coverage(root, "--update-baseline")
    assert done.returncode == 0, done.stderr
    return root


def test_baseline_lists_each_function_once_sorted_and_is_stable(ledger: Path) -> None:
    text = (ledger / BASELINE).read_text(encoding="utf-8")
    data = json.loads(text)
    assert {key: value["traced"] for key, value in data["functions"].items()} == {
        "ledger.rates:fetch_rate": True,
        "ledger.rates:refresh_rates": False,
        "ledger.store:LedgerStore.balance": True,
        "ledger.store:LedgerStore.close_month": False,
        "ledger.store:LedgerStore.transfer": True,
    }
    assert data["overall"]["functions"] == 5 and data["overall"]["traced"] == 3
    assert data["packages"]["ledger"]["coverage"] == 0.6
    assert 0 < data["overall"]["weighted_coverage"] < 1
    assert sorted(data["files"]) == ["ledger/__init__.py", "ledger/rates.py", "ledger/report.py", "ledger/store.py"]
    # one line per function, so a diff shows exactly what changed
    assert (
        '    "ledger.rates:fetch_rate": {"confidence": '
        in text.splitlines()[text.splitlines().index('  "functions": {') + 1]
    )
    assert coverage(ledger, "--update-baseline").returncode == 0
    assert (ledger / BASELINE).read_text(encoding="utf-8") == text


def test_unchanged_code_passes(ledger: Path) -> None:
    code, report = gate(ledger)
    assert code == 0
    baseline = report["baseline"]
    assert isinstance(baseline, dict)
    assert baseline["regression"] is False and baseline["changed_files"] == []
    text = coverage(ledger, "--fail-on-regression")
    assert text.returncode == 0
    assert re.search(r"^overall\s+3 / 5\s+60\.0%\s+\d+\.\d%$", text.stdout, re.MULTILINE), text.stdout


def test_removing_a_span_fails(ledger: Path) -> None:
    edit(ledger / "ledger" / "store.py", '    @tracer.start_as_current_span("LedgerStore.transfer")\n', "")
    code, report = gate(ledger)
    assert code == 1
    assert report["baseline"]["spans_removed"] == ["ledger.store:LedgerStore.transfer"]  # type: ignore[index]
    done = coverage(ledger, "--fail-on-regression")
    assert "Regressions: spans removed" in done.stdout and "LedgerStore.transfer" in done.stdout
    assert "1 span(s) removed" in done.stderr


def test_removing_a_with_span_and_its_attributes_fails(ledger: Path) -> None:
    store = ledger / "ledger" / "store.py"
    text = store.read_text(encoding="utf-8")
    start = text.index("    def balance(")
    end = text.index("    def close_month(")
    body = text[start:end].splitlines(keepends=True)
    kept = [body[0]] + [line[4:] for line in body[3:]]  # drop the with line and the set_attribute line, dedent
    store.write_text(text[:start] + "".join(kept) + text[end:], encoding="utf-8")
    code, report = gate(ledger)
    assert code == 1
    assert report["baseline"]["spans_removed"] == ["ledger.store:LedgerStore.balance"]  # type: ignore[index]


def test_new_untraced_function_in_a_changed_file_fails(ledger: Path) -> None:
    rates = ledger / "ledger" / "rates.py"
    rates.write_text(
        rates.read_text(encoding="utf-8") + "\n\ndef publish_rates(rates: dict[str, float]) -> int:\n"
        "    sent = 0\n"
        "    for pair, rate in rates.items():\n"
        "        body = json.dumps({'pair': pair, 'rate': rate}).encode()\n"
        "        request = urllib.request.Request('https://feed.example.com/rates', data=body, method='POST')\n"
        "        with urllib.request.urlopen(request, timeout=5) as response:\n"
        "            sent += response.status == 200\n"
        "    return sent\n",
        encoding="utf-8",
    )
    code, report = gate(ledger)
    assert code == 1
    baseline = report["baseline"]
    assert baseline["new_in_changed_files"] == ["ledger.rates:publish_rates"]  # type: ignore[index]
    assert baseline["changed_files"] == ["ledger/rates.py"]  # type: ignore[index]
    sarif = json.loads(coverage(ledger, "--format", "sarif").stdout)
    states = {
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: (r["baselineState"], r["level"])
        for r in sarif["runs"][0]["results"]
    }
    assert states == {
        "ledger.rates:publish_rates": ("new", "warning"),
        "ledger.rates:refresh_rates": ("unchanged", "note"),
        "ledger.store:LedgerStore.close_month": ("unchanged", "note"),
    }
    # tracing it fixes the build
    edit(
        rates,
        "def publish_rates(rates: dict[str, float]) -> int:\n",
        "@tracer.start_as_current_span('publish_rates')\ndef publish_rates(rates: dict[str, float]) -> int:\n",
    )
    code, report = gate(ledger)
    assert code == 0
    assert report["overall"]["traced"] == 4  # type: ignore[index]
    assert "coverage went up" in coverage(ledger).stderr


def test_new_untraced_function_in_an_unchanged_file_does_not_fail(ledger: Path) -> None:
    # LedgerStore.total starts reading fees from the database (with a span): report.statements, unchanged, calls it
    # in a loop and now deserves a span of its own
    edit(
        ledger / "ledger" / "store.py",
        "    def total(self, entries: list[int]) -> int:\n        subtotal = 0\n",
        '    @tracer.start_as_current_span("LedgerStore.total")\n'
        "    def total(self, entries: list[int]) -> int:\n"
        "        with sqlite3.connect(self.path) as conn:\n"
        '            fees = conn.execute("SELECT SUM(cents) FROM fees").fetchone()\n'
        "        subtotal = int(fees[0] or 0)\n",
    )
    code, report = gate(ledger)
    assert code == 0
    baseline = report["baseline"]
    assert baseline["new_in_unchanged_files"] == ["ledger.report:statements"]  # type: ignore[index]
    assert baseline["new_in_changed_files"] == []  # type: ignore[index]
    assert baseline["changed_files"] == ["ledger/store.py"]  # type: ignore[index]
    states = {f["key"]: f.get("baseline_state") for f in report["functions"]}  # type: ignore[union-attr]
    assert states["ledger.report:statements"] == "new"
    assert states["ledger.store:LedgerStore.total"] is None  # traced: no state
    done = coverage(ledger, "--fail-on-regression")
    assert "New in files that did not change" in done.stdout


def test_changed_since_a_git_ref_decides_which_files_changed(ledger: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=ledger, check=True, capture_output=True, timeout=60)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "base")
    rates = ledger / "ledger" / "rates.py"
    edit(rates, "def refresh_rates(", "def refresh_all_rates(")  # a rename: a new key, untraced
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "rename")
    assert coverage(ledger, "--fail-on-regression").returncode == 1  # its content differs from the baseline's
    assert coverage(ledger, "--fail-on-regression", "--changed-since", "HEAD").returncode == 0
    assert coverage(ledger, "--fail-on-regression", "--changed-since", "HEAD~1").returncode == 1


def test_bad_baselines_are_usage_errors(ledger: Path, tmp_path: Path) -> None:
    missing = coverage(ledger, "--fail-on-regression", "--baseline", str(tmp_path / "none.json"))
    assert missing.returncode == 2
    assert "needs a baseline" in missing.stderr and "--update-baseline" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 1, "functions": [', encoding="utf-8")
    done = coverage(ledger, "--fail-on-regression", "--baseline", str(broken))
    assert done.returncode == 2 and "not a baseline file" in done.stderr
    # writing a new one over a broken file is allowed
    assert coverage(ledger, "--update-baseline", "--baseline", str(broken)).returncode == 0
    assert json.loads(broken.read_text(encoding="utf-8"))["version"] == 1


def test_apply_all_brings_coverage_to_full_and_keeps_each_confidence(tmp_path: Path) -> None:
    root = tmp_path / "examples"
    shutil.copytree(REPO / "examples", root, ignore=shutil.ignore_patterns("__pycache__"))
    before = json.loads(coverage(root, "--format", "json").stdout)
    applied = subprocess.run(
        [sys.executable, "-m", "trace_advisor", "apply", str(root), "--all", "--no-cache"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert applied.returncode == 0, applied.stderr
    after = json.loads(coverage(root, "--format", "json").stdout)
    assert before["overall"]["traced"] == 0 and before["overall"]["functions"] >= 20
    assert after["overall"] == {
        **before["overall"],
        "traced": before["overall"]["functions"],
        "coverage": 1.0,
        "weighted_coverage": 1.0,
    }
    # a traced function is scored on its own code: the span the engine wrote changes no confidence
    assert {f["key"]: f["confidence"] for f in after["functions"]} == {
        f["key"]: f["confidence"] for f in before["functions"]
    }


HELPER_SPANS = {
    "tracing.py": (
        "from contextlib import contextmanager\n\n"
        "from opentelemetry import trace\n\n"
        "tracer = trace.get_tracer(__name__)\n\n\n"
        "@contextmanager\n"
        "def query_span(sql: str):\n"
        "    with tracer.start_as_current_span('clickhouse query') as span:\n"
        "        span.set_attribute('db.system.name', 'clickhouse')\n"
        "        yield span\n"
    ),
    "store.py": (
        "import sqlite3\n\n"
        "from tracing import query_span\n\n\n"
        "def count_rows(path: str, table: str) -> int:\n"
        "    with query_span(table):\n"
        "        rows = sqlite3.connect(path).execute(f'select count(*) from {table}').fetchone()\n"
        "    if rows is None:\n"
        "        raise LookupError(table)\n"
        "    return rows[0]\n\n\n"
        "def drop(path: str, table: str) -> None:\n"
        "    if not table.isidentifier():\n"
        "        raise ValueError(table)\n"
        "    sqlite3.connect(path).execute(f'drop table {table}')\n"
    ),
}


def test_a_span_started_through_the_projects_helper_counts_as_traced(tmp_path: Path) -> None:
    """snuba wraps each ClickHouse query in ``with _query_span(sql) as span:``, a context manager of its own that
    starts the span: the function using it is traced, and is not recommended again."""
    for name, text in HELPER_SPANS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = coverage(tmp_path, "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    traced = {f["symbol"] for f in report["functions"] if f["traced"]}
    assert "store:count_rows" in traced and "store:drop" not in traced, report["functions"]
    out = tmp_path / "report.json"
    analysed = subprocess.run(
        [sys.executable, "-m", "trace_advisor", "analyze", str(tmp_path), "--no-cache", "-q", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert analysed.returncode == 0, analysed.stderr
    recommended = {r["symbol"] for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    assert "store:drop" in recommended and "store:count_rows" not in recommended, recommended

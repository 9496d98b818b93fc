"""The HTML report's "Checked against traces" section in headless Chromium: `analyze --traces --format html` on
tests/fixtures/traces/app with traces of real checkouts (one failing) shows each observed function's figures, the
slow untraced gap of ``checkout`` with the recommended function that ran in it (a click shows its recommendation),
and the spans in code that no trace holds, as text."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.chromium import Page, open_page

pytestmark = pytest.mark.e2e
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
RESERVE = "shop.inventory:Inventory.reserve"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("html-traces")
    root = base / "app"
    shutil.copytree(FIXTURE / "app", root)
    with (root / "shop" / "orders.py").open("a", encoding="utf-8") as module:  # a span nobody sees, named to inject
        module.write(f"\n\ndef audit() -> None:\n    with tracer.start_as_current_span({HOSTILE!r}):\n        pass\n")
    spans = base / "spans.jsonl"
    command = [sys.executable, FIXTURE / "scenario.py", root, base, spans, "--orders", "4", "--fail", "1"]
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = base / "report.html"
    analyze = [sys.executable, "-m", "trace_advisor", "analyze", root, "--traces", spans, "--format", "html", "-o", out]
    done = subprocess.run([str(c) for c in analyze], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture()
def page(report_file: Path) -> Iterator[Page]:
    with open_page(report_file) as session:
        yield session


ROWS = "[...document.querySelectorAll('{} tr')].map(tr => [...tr.cells].map(td => td.textContent))"


def test_observed_functions_and_their_figures(page: Page) -> None:
    assert page.js("document.getElementById('traces').hidden") is False
    summary = page.js("document.getElementById('traces-summary').textContent")
    assert summary.startswith("7 spans in 4 traces over ") and "spans.jsonl" in summary
    assert summary.endswith(" 7 of them belong to 2 functions of the analysed code.")
    rows = {row[0].split(" ")[0]: row for row in page.js(ROWS.format("#traces-functions"))}
    assert set(rows) == {"shop.orders:checkout", "shop.orders:write_receipt"}
    checkout = rows["shop.orders:checkout"]
    assert checkout[0].endswith("orders.py:16") and checkout[1:4] == ["checkout", "4", "4"]
    assert checkout[7] == "1 (25%)" and rows["shop.orders:write_receipt"][7] == "0"
    assert all(cell.endswith(("ms", "s")) for cell in checkout[5:7])  # p50, p95
    failing = "document.querySelector('#traces-functions tr.failing td').textContent"
    assert page.js(failing).startswith("shop.orders:checkout")


def test_a_gap_links_to_the_recommendation_of_what_ran_in_it(page: Page) -> None:
    assert page.js("document.getElementById('traces-gaps-block').hidden") is False
    gaps = page.js(ROWS.format("#traces-gaps"))
    assert len(gaps) == 1 and gaps[0][0].startswith("shop.orders:checkout")
    assert gaps[0][2].endswith("%)") and RESERVE in gaps[0][3]
    links = page.js("[...document.querySelectorAll('#traces-gaps button.link')].map(b => b.textContent)")
    assert links == [RESERVE]  # recommended: a link; the others are plain code
    page.click("#traces-gaps button.link")
    assert page.js("document.getElementById('tab-ranked').getAttribute('aria-selected')") == "true"
    assert page.js("document.getElementById('filter-name').value") == RESERVE
    shown = "[...document.querySelectorAll('#ranked > li')].filter(li => !li.hidden)"
    assert page.js(f"{shown}.map(li => li.querySelector('.name').textContent)") == ["Inventory.reserve"]


def test_unseen_spans_are_text(page: Page) -> None:
    unseen = page.js("[...document.querySelectorAll('#traces-unseen li')].map(li => li.textContent)")
    assert any(u.startswith(f"{HOSTILE} in shop.orders:audit") for u in unseen)
    assert any(u.startswith("legacy.sync in shop.orders:sync_legacy") for u in unseen)
    assert page.js("document.querySelectorAll('#traces img, #traces script').length") == 0
    assert page.errors == []
    page.screenshot(ARTIFACTS / "html-report-traces.png")

"""The HTML report in headless Chromium (tests/e2e/chromium.py): expand a node with the mouse and keyboard, filter,
check what is shown."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from trace_advisor.config import default_config
from trace_advisor.report import render

from tests.e2e.chromium import Page, open_page

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


def _sample_module() -> Any:
    spec = importlib.util.spec_from_file_location("report_sample", REPO / "tests/core/test_report_sample.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("report_sample", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path) -> Path:
    sample = _sample_module()
    folder = fixtures_dir / "reports" / "sample"
    page = render(
        sample.load_result(folder), "html", graph=sample.load_trees(folder), config=default_config(), root=folder
    )
    out = tmp_path_factory.mktemp("html") / "report.html"
    out.write_text(page, encoding="utf-8")
    return out


@pytest.fixture()
def page(report_file: Path) -> Iterator[Page]:
    with open_page(report_file) as session:
        yield session


SHOWN = """[...document.querySelectorAll('[role=treeitem]')]
  .filter(li => li.offsetParent !== null).map(li => li.querySelector(':scope > .row > .name').textContent)"""


def item(symbol: str, nth: int = 0) -> str:
    return f"document.querySelectorAll('[data-symbol=\"{symbol}\"]')[{nth}]"


def test_usage_per_file_table(page: Page) -> None:
    assert page.js("document.getElementById('usage-files').hidden") is False
    rows = page.js(
        "[...document.querySelectorAll('#usage-files-rows tr')].map(tr => [...tr.cells].map(td => td.textContent))"
    )
    assert rows[1] == ["shop/services/orders.py", "1", "2,600", "410", "$0.0140"] and len(rows) == 3


RANKED = """[...document.querySelectorAll('#ranked > li')].filter(li => li.offsetParent !== null)
  .map(li => li.querySelector('.name').textContent)"""


def test_ranked_list_is_the_first_view(page: Page) -> None:
    # the report opens on the recommendations, strongest first; the call tree is the second view
    assert page.js("document.getElementById('tab-ranked').getAttribute('aria-selected')") == "true"
    assert page.js("document.getElementById('tree-panel').hidden") is True
    assert page.js(RANKED) == ["OrderService.place_order", "PaymentsClient.charge", "main", "render_page"]
    first = "document.querySelector('#ranked > li')"
    assert "External I/O 0.93" in page.js(f"{first}.innerText")
    assert "shop/services/orders.py:" in page.js(f"{first}.innerText")
    # a click opens the recommendation: the card with the rationale and the span the quick-fix writes
    assert page.js(f"{first}.querySelector('.details').hidden") is True
    page.click("#ranked > li > .row")
    assert page.js(f"{first}.querySelector('.row').getAttribute('aria-expanded')") == "true"
    assert "confidence 0.93" in page.js(f"{first}.querySelector('.card').innerText")
    # the filters apply to this view too; the tree-only controls are hidden here
    assert page.js("document.getElementById('filter-external').closest('label').hidden") is True
    page.click("#filter-name")
    page.type("render")
    assert page.js(RANKED) == ["render_page"]
    assert page.js("document.getElementById('match-count').textContent") == "1 of 4 recommendations in 4 functions"
    # user text stays text in this view as well
    assert page.js("document.querySelectorAll('#ranked b, #ranked script').length") == 0
    # the second view, with the same filter
    page.click("#tab-tree")
    assert page.js("document.getElementById('ranked-panel').hidden") is True
    assert page.js(SHOWN) == ["App.__call__", "render_page"]


def test_narrow_window_never_scrolls_sideways(page: Page) -> None:
    # a long path beside a long name pushed the row's file:line out of the page (mealie at 1400 px); rows wrap instead
    page.send("Emulation.setDeviceMetricsOverride", width=560, height=900, deviceScaleFactor=1, mobile=False)
    page.click("#ranked > li > .row")
    widths = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    scroll, client = page.js(widths)
    assert scroll <= client
    assert "shop/services/orders.py:" in page.js("document.querySelector('#ranked > li .loc').innerText")
    page.click("#tab-tree")
    scroll, client = page.js(widths)
    assert scroll <= client


def test_expand_filter_and_escape(page: Page) -> None:
    assert page.js("document.title") == "trace-advisor report"
    page.click("#tab-tree")
    # entry points are open at first; deeper calls are collapsed; library calls are hidden
    assert page.js(SHOWN) == ["App.__call__", "OrderService.place_order", "render_page", "main", "run_batch"]
    place = item("shop.services.orders:OrderService.place_order")
    assert page.js(f"{place}.getAttribute('aria-expanded')") == "false"

    # a click expands the node: its recommendation and its callees appear, with cycle and depth marks
    page.click('[data-symbol="shop.services.orders:OrderService.place_order"] > .row')
    assert page.js(f"{place}.getAttribute('aria-expanded')") == "true"
    assert page.js(SHOWN)[:5] == [
        "App.__call__",
        "OrderService.place_order",
        "PaymentsClient.charge",
        "PricingEngine.quote",
        "render_page",
    ]
    card = page.js(f"{place}.querySelector('.card').innerText")
    assert "External I/O" in card and "confidence 0.93" in card
    assert "Charges the card through the payments API" in card
    assert page.js(f"{item('shop.services.pricing:PricingEngine.quote')}.innerText").count("depth limit") == 1

    # keyboard: the clicked node has focus; ArrowDown then ArrowRight opens PaymentsClient.charge
    assert page.js("document.activeElement.dataset.symbol") == "shop.services.orders:OrderService.place_order"
    page.press("ArrowDown")
    charge = item("shop.clients.payments:PaymentsClient.charge")
    assert page.js("document.activeElement.dataset.symbol") == "shop.clients.payments:PaymentsClient.charge"
    page.press("ArrowRight")
    assert page.js(f"{charge}.getAttribute('aria-expanded')") == "true"
    assert "↻ cycle" in page.js(f"{item('shop.clients.payments:PaymentsClient.charge', 1)}.innerText")
    page.press("ArrowLeft")
    assert page.js(f"{charge}.getAttribute('aria-expanded')") == "false"

    # filter by name: only the match and its ancestors remain, highlighted and opened
    page.click("#filter-name")
    page.type("render")
    assert page.js(SHOWN) == ["App.__call__", "render_page"]
    assert page.js("document.getElementById('match-count').textContent") == "1 function matches"
    render_page = item("shop.web.render:render_page")
    assert page.js(f"{render_page}.classList.contains('match')")
    # user code and rationale are text, never markup
    details = page.js(f"{render_page}.querySelector('.details').innerText")
    assert "`<b>nothing</b>` instead </script> of an error" in details
    # the span the quick-fix writes, from the span engine
    assert "Span: a with block around the body of render_page" in details
    assert 'with tracer.start_as_current_span("render_page") as span:' in details
    assert page.js(f"{render_page}.querySelectorAll('.details b, .details script').length") == 0
    assert page.js("document.querySelectorAll('script').length") == 2

    # clear the name, filter by priority (a chip) and by confidence (the slider)
    page.js(
        "(() => { const i = document.getElementById('filter-name'); i.value = '';"
        " i.dispatchEvent(new Event('input')); })()"
    )
    page.click('.chip[data-priority="external_io"]')
    assert page.js("document.getElementById('filter-priority').value") == "external_io"
    # PaymentsClient.charge twice: the second is its recursive call, shown with the cycle mark
    assert page.js(SHOWN) == [
        "App.__call__",
        "OrderService.place_order",
        "PaymentsClient.charge",
        "PaymentsClient.charge",
    ]
    assert page.js("document.getElementById('match-count').textContent") == "2 functions match"
    page.js(
        "(() => { const r = document.getElementById('filter-confidence'); r.value = '0.8';"
        " r.dispatchEvent(new Event('input')); })()"
    )
    assert page.js(SHOWN) == ["App.__call__", "OrderService.place_order"]
    assert page.js("document.getElementById('filter-confidence-value').textContent") == "0.80"

    # nothing matches: the tree says so
    page.click('.chip[data-priority="entry_points"]')
    page.js(
        "(() => { const r = document.getElementById('filter-confidence'); r.value = '0.95';"
        " r.dispatchEvent(new Event('input')); })()"
    )
    assert page.js(SHOWN) == []
    assert page.js("!document.getElementById('empty').hidden")


def test_screenshot_artifact(page: Page) -> None:
    page.screenshot(ARTIFACTS / "html-report-ranked.png")
    page.click("#tab-tree")
    page.click("#expand-all")
    assert "urlopen" not in page.js(SHOWN)
    page.click("#filter-external")  # library calls are hidden until asked for
    assert "urlopen" in page.js(SHOWN)
    page.screenshot(ARTIFACTS / "html-report.png")
    assert (ARTIFACTS / "html-report.png").stat().st_size > 10_000

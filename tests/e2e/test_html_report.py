"""The HTML report in headless Chromium: expand a node with the mouse and keyboard, filter, check what is shown.

Driven over the Chrome DevTools Protocol (websocket-client) so input events are real clicks and key presses, and
nothing depends on a browser download: Debian's chromium is used as installed by `make chromium`.
"""

from __future__ import annotations

import base64
import importlib.util
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket
from trace_advisor.config import default_config
from trace_advisor.report import render

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


class Page:
    """A minimal CDP session on one page: evaluate JavaScript, click, type, press keys, take screenshots."""

    def __init__(self, ws_url: str) -> None:
        self._ws = websocket.create_connection(ws_url, timeout=20, suppress_origin=True)
        self._ids = itertools.count(1)
        self.errors: list[str] = []  # uncaught JavaScript exceptions seen on the page
        self.send("Runtime.enable")

    def close(self) -> None:
        self._ws.close()

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self._ids)
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("method") == "Runtime.exceptionThrown":
                self.errors.append(str(message["params"]["exceptionDetails"]))
            if message.get("id") == call_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def js(self, expression: str) -> Any:
        answer = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in answer:
            raise AssertionError(f"JavaScript failed: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.js(expression):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}")
            time.sleep(0.05)

    def click(self, selector: str) -> None:
        box = self.js(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def type(self, text: str) -> None:
        self.send("Input.insertText", text=text)

    def press(self, key: str) -> None:
        codes = {"ArrowDown": 40, "ArrowUp": 38, "ArrowRight": 39, "ArrowLeft": 37, "Enter": 13}
        for kind in ("rawKeyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=codes[key])

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))


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
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:  # a missing browser is a set-up error, never a reason to skip
        pytest.fail("chromium is not installed: run `make chromium` (make test does)")
    profile = tempfile.mkdtemp(prefix="chromium-")
    proc = subprocess.Popen(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "--window-size=1280,900",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--hide-scrollbars",
            report_file.as_uri(),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = _devtools_port(Path(profile), proc)
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        target = next(t for t in targets if t["type"] == "page")
        session = Page(target["webSocketDebuggerUrl"])
        # the page may still be about:blank or loading when we attach
        session.wait_for("document.readyState === 'complete' && document.documentElement?.dataset.ready === 'true'")
        yield session
        session.js("0")  # drain pending events
        session.close()
        assert session.errors == [], "the report's script threw"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def _devtools_port(profile: Path, proc: subprocess.Popen[str]) -> int:
    """Chromium writes the port it chose to DevToolsActivePort in the profile folder."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().splitlines()[0])
        if proc.poll() is not None:
            raise AssertionError(f"chromium exited: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.05)
    raise AssertionError("chromium did not open its DevTools port")


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

"""A 4xx raised below a traced function (tests/fixtures/web_errors_deep, through `apply` and the OTel SDK): a view
whose helper's helper calls Werkzeug's `abort(404)` or raises Starlette's `HTTPException(status_code=404)` leaves its
span's status unset, as do the functions in between, though none of them names the framework; a 5xx or another
exception still sets ERROR; the imports the guard needs pass the project's own lint."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.cli.test_apply import run_instrumented
from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "web_errors_deep"
TRACED = (
    "shop.views:quote",
    "shop.pricing:price_of",
    "inventory.endpoints:read_stock",
    "inventory.service:stock_level",
    "stock.views:show_level",
    "stock.report:level_text",
    "pages.views:page",
)
CALLS = """
from inventory import store
from inventory.endpoints import read_stock
from shop.views import quote
from stock import levels
from stock.views import show_level
store.LEVELS["b"] = -1
levels.LEVELS["b"] = -1
for call in (
    lambda: quote("nope", 1),
    lambda: quote("sku-1", 100),
    lambda: read_stock("zz"),
    lambda: read_stock("b"),
    lambda: show_level("zz"),
    lambda: show_level("b"),
):
    try:
        call()
    except Exception:
        pass
assert quote("sku-1", 2) == {"sku": "sku-1", "total": 500} and read_stock("a") == {"item": "a", "stock": "ok"}
assert show_level("a") == {"text": "a: 4"}
"""


def test_client_errors_raised_two_calls_below_leave_every_span_unset(tmp_path: Path) -> None:
    project = tmp_path / "web_errors_deep"
    shutil.copytree(FIXTURE, project)
    args = [arg for symbol in TRACED for arg in ("--symbol", symbol)]
    applied = run_cli("apply", project, *args, "--no-cache")
    assert applied.returncode == 0, applied.stderr
    assert "from werkzeug.exceptions import HTTPException" in (project / "shop" / "views.py").read_text()
    assert "from starlette.exceptions import HTTPException" in (project / "inventory" / "service.py").read_text()
    assert "from aiohttp.web import HTTPException" in (project / "stock" / "views.py").read_text()
    # Django is not installed: `raise Http404` (the class, no call) is still seen two modules away
    page = (project / "pages" / "views.py").read_text()
    assert "from django.http import Http404" in page and "exc, (Http404, PermissionDenied" in page

    spans = run_instrumented(project, CALLS)
    seen = [(s["name"], s["status"], s["events"]) for s in spans]
    assert seen == [
        ("price_of", "UNSET", ["exception"]),  # abort(404) in product_or_404
        ("quote", "UNSET", ["exception"]),
        ("price_of", "UNSET", []),
        ("quote", "ERROR", ["exception"]),  # ValueError: over the limit, a real failure
        ("stock_level", "UNSET", ["exception"]),  # HTTPException(status_code=404) in level_or_404
        ("read_stock", "UNSET", ["exception"]),
        ("stock_level", "ERROR", ["exception"]),  # HTTPException(status_code=503): the server's failure
        ("read_stock", "ERROR", ["exception"]),
        ("level_text", "UNSET", ["exception"]),  # raise web.HTTPNotFound, the class, in level_or_404
        ("show_level", "UNSET", ["exception"]),
        ("level_text", "ERROR", ["exception"]),  # raise web.HTTPServiceUnavailable
        ("show_level", "ERROR", ["exception"]),
        ("price_of", "UNSET", []),  # and on success: no status, no event
        ("quote", "UNSET", []),
        ("stock_level", "UNSET", []),
        ("read_stock", "UNSET", []),
        ("level_text", "UNSET", []),
        ("show_level", "UNSET", []),
    ]

    edited = [
        str(project / p)
        for p in ("shop/views.py", "shop/pricing.py", "inventory/endpoints.py", "stock/views.py", "pages/views.py")
    ]
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "I,E501", "--output-format", "json", *edited],
        capture_output=True,
        text=True,
        cwd=project,
        check=False,
    )
    assert json.loads(lint.stdout) == [], lint.stdout


def test_the_report_previews_the_same_guard() -> None:
    report = run_cli("analyze", FIXTURE, "--format", "md", "--no-cache", "-q", "--min-confidence", "0.01")
    assert report.returncode == 0, report.stderr
    # route_of: the guard `apply` writes (test_a_callee_that_re_raises_a_caught_4xx_leaves_the_span_unset); `quote`,
    # whose only evidence is an early exit, is no longer recommended at any confidence
    found = report.stdout[report.stdout.index("#### `route_of`") :]
    section = found.split("####")[1]
    assert "the module also gets `from werkzeug.exceptions import HTTPException, NotFound`" in section
    # the guard's helper class by name and purpose, not its lines one by one
    assert "and the helper class `_ErrorStatus` (sets ERROR on the span for an exception leaving it" in section
    assert "`class _ErrorStatus:`" not in report.stdout and "`def __init__" not in report.stdout


def test_a_callee_that_re_raises_a_caught_4xx_leaves_the_span_unset(tmp_path: Path) -> None:
    """tests/fixtures/web_errors_deep/routes: `route_of` catches the `NotFound` werkzeug's `MapAdapter.match` raises
    (a call the call graph cannot tell raises a 4xx), notes the miss and re-raises it: the `except NotFound: ...
    raise` says the 4xx leaves it, so the view above gets the guard and a 404 leaves both spans unset; a
    `ValueError` in the view still sets ERROR."""
    project = tmp_path / "web_errors_deep"
    shutil.copytree(FIXTURE, project)
    applied = run_cli(
        "apply", project, "--symbol", "routes.views:dispatch", "--symbol", "routes.table:route_of", "--no-cache"
    )
    assert applied.returncode == 0, applied.stderr
    view = (project / "routes" / "views.py").read_text()
    assert "from werkzeug.exceptions import HTTPException" in view and "_ErrorStatus(span)" in view
    calls = """
from routes.views import dispatch
for path in ("/nope", "/items/a-b"):
    try:
        dispatch(path)
    except Exception:
        pass
assert dispatch("/items/a1") == {"endpoint": "item", "name": "a1"}
"""
    spans = run_instrumented(project, calls)
    assert [(s["name"], s["status"], s["events"]) for s in spans] == [
        ("route_of", "UNSET", ["exception"]),  # NotFound re-raised: the client's error
        ("dispatch", "UNSET", ["exception"]),
        ("route_of", "UNSET", []),
        ("dispatch", "ERROR", ["exception"]),  # ValueError: a real failure
        ("route_of", "UNSET", []),
        ("dispatch", "UNSET", []),
    ]


def import_findings(project: Path) -> list[object]:
    """What ``ruff check --select I`` finds in the project's ``pages`` package."""
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "I", "--output-format", "json", "pages"],
        capture_output=True,
        text=True,
        cwd=project,
        check=False,
    )
    found: list[object] = json.loads(lint.stdout)
    return found


def applied_page(tmp_path: Path, old: str = "", new: str = "", config: str = "") -> str:
    """``pages/views.py`` of the fixture (``old`` replaced with ``new``, ``config`` added to pyproject.toml) after
    ``apply --symbol pages.views:page``."""
    project = tmp_path / "web_errors_deep"
    shutil.copytree(FIXTURE, project)
    views = project / "pages" / "views.py"
    views.write_text(views.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with (project / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write(config)
    applied = run_cli("apply", project, "--symbol", "pages.views:page", "--no-cache")
    assert applied.returncode == 0, applied.stderr
    return views.read_text(encoding="utf-8")


def test_imports_follow_a_force_single_line_project(tmp_path: Path) -> None:
    # paperless-ngx (isort.force-single-line): ``from django.core.exceptions import BadRequest, PermissionDenied, ...``
    # on one line failed its ``ruff check`` (I001) in 43 files
    page = applied_page(tmp_path, config="\n[tool.ruff.lint.isort]\nforce-single-line = true\n")
    imports = [line for line in page.splitlines() if line.startswith("from django")]
    assert "from django.core.exceptions import BadRequest" in imports, page
    assert all(", " not in line for line in imports), imports
    assert import_findings(tmp_path / "web_errors_deep") == []


def test_the_guards_imports_join_the_modules_import_of_the_same_module(tmp_path: Path) -> None:
    # Flagsmith: ``from django.core.exceptions import ObjectDoesNotExist`` already there; the guard's three classes
    # made a second import of the module (ruff I001 in 10 files) when one line of all four passed the line length
    page = applied_page(
        tmp_path,
        "from pages.lookup import page_or_404\n",
        "from django.core.exceptions import ObjectDoesNotExist\n\nfrom pages.lookup import page_or_404\n\n"
        "MISSING = ObjectDoesNotExist\n",
    )
    joined = (
        "from django.core.exceptions import (\n    BadRequest,\n    ObjectDoesNotExist,\n    PermissionDenied,\n"
        "    SuspiciousOperation,\n)\n"
    )
    assert joined in page and page.count("from django.core.exceptions") == 1, page
    assert import_findings(tmp_path / "web_errors_deep") == []


def test_two_new_third_party_imports_after_a_standard_library_block(tmp_path: Path) -> None:
    # paperless-ngx's classifier.py: its first import block is the standard library's, so OpenTelemetry's import
    # starts a third-party section after it; the guard's Django imports landed above that section's blank line
    page = applied_page(
        tmp_path,
        "from pages.lookup import page_or_404\n",
        "import logging\nfrom typing import TYPE_CHECKING\n\n"
        "if TYPE_CHECKING:\n    from collections.abc import Callable\n\n"
        "from pages.lookup import page_or_404\n\nLOG = logging.getLogger(__name__)\n",
    )
    assert "TYPE_CHECKING\n\nfrom django.core.exceptions import " in page, page
    assert "from django.http import Http404\nfrom opentelemetry import trace\n\nif TYPE_CHECKING" in page, page
    assert import_findings(tmp_path / "web_errors_deep") == []


def test_a_helper_that_only_reads_djangos_settings_gets_no_4xx_guard(tmp_path: Path) -> None:
    """healthchecks/healthchecks: its S3 helper (`hc/lib/s3.py`) reads `django.conf.settings` and catches a client
    library's errors; no request reaches it, yet its span came with Django's 4xx guard class and three Django
    imports. Reading settings, models or `ObjectDoesNotExist` is not handling a request; `Http404` still is."""
    project = tmp_path / "proj"
    (project / "store").mkdir(parents=True)
    (project / "store" / "__init__.py").write_text("", encoding="utf-8")
    (project / "store" / "objects.py").write_text(
        "from django.conf import settings\n"
        "from django.core.exceptions import ObjectDoesNotExist\n"
        "from django.http import Http404\n\n"
        "import requests\n\n\n"
        "def fetch(key):\n"
        "    if not settings.STORE_URL:\n"
        "        return None\n"
        "    try:\n"
        "        return requests.get(settings.STORE_URL + key, timeout=5).content\n"
        "    except ObjectDoesNotExist:\n"
        "        raise\n\n\n"
        "def page(key):\n"
        "    body = requests.get(settings.STORE_URL + key, timeout=5).content\n"
        "    if body is None:\n"
        "        raise Http404\n"
        "    return body\n",
        encoding="utf-8",
    )
    applied = run_cli(
        "apply", project, "--symbol", "store.objects:fetch", "--symbol", "store.objects:page", "--no-cache"
    )
    assert applied.returncode == 0, applied.stderr
    text = (project / "store" / "objects.py").read_text(encoding="utf-8")
    fetch = text[text.index("def fetch") : text.index("def page")]
    page = text[text.index("def page") :]
    assert "_ErrorStatus(span)" not in fetch and "_ErrorStatus(span)" in page, text

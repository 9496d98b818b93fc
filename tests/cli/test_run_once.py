"""Work that runs once per process is none of its callers' I/O (tests/fixtures/run_once, stripe-python's shapes): a
getter guarded by a module-level flag it sets (``if _loaded: return _cached_id``), one that initialises under
``if not _ready:`` and a ``functools.cache``d getter without parameters. stripe's ``_APIRequestor.request_headers``
was "Start with" #2 at 0.90 for the telemetry id file its once-guarded callee writes on the first request."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "run_once"
ONCE = {"svc.telemetry:get_install_id", "svc.config:settings", "svc.config:ensure_dirs"}


def test_callers_do_not_borrow_the_io_of_work_that_runs_once(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = run_cli("analyze", FIXTURE, "--no-cache", "--min-confidence", "0.01", "--format", "json", "-o", out, "-q")
    assert done.returncode == 0, done.stderr
    cited = {
        str(r["qualname"]): {str(e.get("detail")) for e in r["evidence"]}
        for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]
    }
    borrowed = {name: details & ONCE for name, details in cited.items() if details & ONCE}
    assert borrowed == {}, borrowed
    assert "svc.telemetry:write_ping" in cited["send_ping"]  # I/O of a callee without a guard still counts


def test_work_that_runs_once_gets_no_span_of_its_own(tmp_path: Path) -> None:
    """mealie's ``get_logger`` (``if __root_logger is None: ...configure from a file...``), called at import by
    every module, was recommended at 0.72 for the config file it reads on the first call: a span on every other call
    would be empty."""
    out = tmp_path / "report.json"
    done = run_cli("analyze", FIXTURE, "--no-cache", "--min-confidence", "0.01", "--format", "json", "-o", out, "-q")
    assert done.returncode == 0, done.stderr
    recommended = {str(r["symbol"]) for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    assert recommended & (ONCE | {"svc.logs:get_logger"}) == set()
    assert {"svc.telemetry:write_ping", "svc.client:fetch_invoice"} <= recommended

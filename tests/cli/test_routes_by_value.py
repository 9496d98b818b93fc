"""Request handlers registered by value, through ``trace-advisor analyze`` as a subprocess (tests/fixtures/
routes_by_value): aiohttp's ``web.get("/core/info", api.info)`` / ``app.router.add_get`` / ``web.route("*", ...)``
(handlers wrapped by the project's own decorator, one bound with ``functools.partial``), Flask's ``add_url_rule`` and
Starlette's ``Route`` make their handlers request entries, as decorated routes are: evidence naming the route, one
span per request, and covered by the framework's server span unless they do more. The start-up code registering
them counts none of their spans."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "routes_by_value"


def analyse(tmp_path: Path) -> tuple[dict[str, object], str]:
    out, md = tmp_path / "report.json", tmp_path / "report.md"
    done = run_cli(
        "analyze", FIXTURE, "--no-cache", "--min-confidence", "0.01", "--format", "json", "-o", out, "--format", "md",
        "-o", md,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8")), md.read_text(encoding="utf-8")


def test_handlers_registered_by_value_are_request_entries(tmp_path: Path) -> None:
    report, _ = analyse(tmp_path)
    recs = {r["qualname"]: r for r in report["recommendations"]}  # type: ignore[attr-defined]
    options = recs["APIInfo.options"]
    [entry] = [e for e in options["evidence"] if e.get("kind") == "entry"]
    assert entry["reason"] == (
        "handles a request to POST /core/options: registered with `aiohttp.web_routedef:post` by"
        " `hub.api:RestAPI._register_core`"
    )
    assert "handles a request to POST /core/options" in options["rationale"]
    # the handlers that only answer are covered by the framework's server span, as decorated routes are; the hint
    # names them whether or not a low threshold lists them too (--min-confidence 0.01 here: APIInfo.info scores 0.15)
    covers = {
        hint["package"]: {c["symbol"] for c in (*hint["covers"], *hint["spanned"])}
        for hint in report["instrumentation"]  # type: ignore[attr-defined]
    }
    assert covers["opentelemetry-instrumentation-aiohttp-server"] == {
        "hub.api.info:APIInfo.info",  # web.get, through the project's @api_process wrapper
        "hub.api.info:APIInfo.logs",  # web.get("/core/logs/follow", partial(api_info.logs, follow=True))
        "hub.api.info:APIInfo.ping",  # app.router.add_get
        "hub.api.info:APIInfo.fallback",  # web.route("*", ...)
        "hub.api.info:APIInfo.options",  # recommended for its own work: the server span is its parent
    }
    assert covers["opentelemetry-instrumentation-flask"] == {"hub.web:show_report", "hub.web:index"}
    assert covers["opentelemetry-instrumentation-starlette"] == {"hub.asgi:health"}
    # a ViewSet's extra action (@action) is a route of its own, as its list is
    drf = {"hub.drf:OrderViewSet.list", "hub.drf:OrderViewSet.refund"}
    assert covers["opentelemetry-instrumentation-django"] == drf
    # the project's decorator is no handler, nor a function a handler calls
    assert not {"format_info", "api_process.<locals>.wrap_api"} & {r.rpartition(":")[2] for r in recs}


def test_a_handler_is_its_own_unit_and_start_up_counts_none_of_its_spans(tmp_path: Path) -> None:
    report, md = analyse(tmp_path)
    recs = {r["qualname"]: r for r in report["recommendations"]}  # type: ignore[attr-defined]
    cost = recs["APIInfo.options"]["cost"]
    assert (cost["unit"], cost["entry"], cost["spans_per_request"]) == ("request", "hub.api.info:APIInfo.options", 1)
    assert "- Cost: 1 span per request (an entry point)" in md
    summary = md.split("## Summary")[1].split("\n|")[0]
    # every handler is its own unit of one span (which of them the summary names among equals follows what a low
    # threshold lists: OrderViewSet.list at 0.08 with the boosted model)
    assert "about **1 spans per request** at the busiest entry point, `hub." in summary
    # start-up (main -> Core.start -> RestAPI.load -> _register_core) registers it: no span of it per start-up
    assert re.search(r"Per CLI run: about 1 span at `hub.core:main` \(1 recommended function reached", summary)

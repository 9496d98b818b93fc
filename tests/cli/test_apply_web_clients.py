"""Servers and clients of one package (tests/fixtures/web_clients, through `apply` and the OTel SDK over loopback
HTTP): a Tornado or aiohttp handler's 4xx leaves its span unset, but a client of the same package (Tornado's
`httpclient`, aiohttp's `ClientSession`) is no server: its spans get no 4xx guard and no import of the server's
exception classes, and a 404 it receives fails its operation (ERROR)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "web_clients"
TRACED = (
    "hub.catalog:ItemHandler.get",
    "hub.stock:level",
    "hub.remote:item_count",
    "hub.remote:item_count_or_zero",
    "hub.levels:stock_level",
    "hub.proxy:body_size",
    "hub.proxy:CountHandler.get",
)
# both servers on loopback ports, then one client call per step; each step's spans as (name, status, events)
RUN = """
import asyncio, json, logging, sys
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
logging.disable(logging.CRITICAL)
sys.path.insert(0, sys.argv[1])
import tornado.httpserver, tornado.netutil, tornado.web
from aiohttp import web
from hub import catalog, levels, proxy, remote, stock

async def main():
    catalog.ITEMS["b"] = -1
    stock.LEVELS["b"] = -1
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    base = "http://127.0.0.1:%d" % sockets[0].getsockname()[1]
    app = tornado.web.Application(
        [(r"/items/(\\w+)", catalog.ItemHandler), (r"/count/([\\w-]+)", proxy.CountHandler)], catalog=base
    )
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    runner = web.AppRunner(stock.make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    levels_base = "http://127.0.0.1:%d" % runner.addresses[0][1]
    steps = [
        lambda: remote.item_count(base, "a"),
        lambda: remote.item_count(base, "zz"),
        lambda: remote.item_count(base, "b"),
        lambda: remote.item_count_or_zero(base, "zz"),
        lambda: levels.stock_level(levels_base, "a"),
        lambda: levels.stock_level(levels_base, "zz"),
        lambda: levels.stock_level(levels_base, "b"),
        lambda: proxy.body_size(base + "/count/a-b"),
        lambda: proxy.body_size(base + "/count/zz"),
    ]
    seen = []
    for step in steps:
        exporter.clear()
        try:
            result = await step()
        except Exception as error:
            result = type(error).__name__ + " " + str(getattr(error, "code", getattr(error, "status", "")))
        spans = [(s.name, s.status.status_code.name, [e.name for e in s.events]) for s in exporter.get_finished_spans()]
        seen.append([result, spans])
    server.stop()
    await runner.cleanup()
    print(json.dumps(seen))

asyncio.run(main())
"""


def test_clients_of_a_server_package_get_no_server_guard(tmp_path: Path) -> None:
    project = tmp_path / "web_clients"
    shutil.copytree(FIXTURE, project)
    linted = _pylint(project)
    applied = run_cli("apply", project, *(arg for symbol in TRACED for arg in ("--symbol", symbol)), "--no-cache")
    assert applied.returncode == 0, applied.stderr

    for client in ("remote.py", "levels.py"):
        text = (project / "hub" / client).read_text()
        assert "with tracer.start_as_current_span(" in text, client
        assert "HTTPError" not in text.replace("httpclient.HTTPError", ""), client  # flower's own except stays
        assert "HTTPException" not in text and "set_status_on_exception" not in text, client
    proxy = (project / "hub" / "proxy.py").read_text()
    assert proxy.count("set_status_on_exception=False") == 1  # the handler's span, not body_size's
    assert "isinstance(exc, web.HTTPError)" in proxy and "import HTTPError" not in proxy  # reuses `web`
    assert "set_status_on_exception=False" in (project / "hub" / "catalog.py").read_text()
    assert "from aiohttp.web" not in (project / "hub" / "stock.py").read_text()  # `web.HTTPException` is bound

    done = subprocess.run(
        [sys.executable, "-c", RUN, str(project)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout.strip().splitlines()[-1])
    get, level = "ItemHandler.get", "level"
    assert steps == [
        [1, [[get, "UNSET", []], ["item_count", "UNSET", []]]],
        # the server's 404 is the client's error there; the client's call failed: ERROR with its own exception
        ["HTTPClientError 404", [[get, "UNSET", ["exception"]], ["item_count", "ERROR", ["exception"]]]],
        ["HTTPClientError 503", [[get, "ERROR", ["exception"]], ["item_count", "ERROR", ["exception"]]]],
        # handled by falling back to 0: an event, status unset
        [
            0,
            [
                [get, "UNSET", ["exception"]],
                ["item_count", "ERROR", ["exception"]],
                ["item_count_or_zero", "UNSET", ["exception"]],
            ],
        ],
        [3, [[level, "UNSET", []], ["stock_level", "UNSET", []]]],
        ["ClientResponseError 404", [[level, "UNSET", ["exception"]], ["stock_level", "ERROR", ["exception"]]]],
        ["ClientResponseError 503", [[level, "ERROR", ["exception"]], ["stock_level", "ERROR", ["exception"]]]],
        # the proxy's handler: its own 400 unset; the catalog's 404 reached it as a client error, its failure
        ["HTTPClientError 400", [["CountHandler.get", "UNSET", ["exception"]], ["body_size", "ERROR", ["exception"]]]],
        [
            "HTTPClientError 500",
            [
                [get, "UNSET", ["exception"]],
                ["item_count", "ERROR", ["exception"]],
                ["CountHandler.get", "ERROR", ["exception"]],
                ["body_size", "ERROR", ["exception"]],
            ],
        ],
    ]

    edited = [str(project / "hub" / name) for name in ("catalog.py", "stock.py", "remote.py", "levels.py", "proxy.py")]
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "I,E501,F", "--output-format=json", *edited],
        capture_output=True,
        text=True,
        cwd=project,
        check=False,
    )
    assert json.loads(lint.stdout) == [], lint.stdout

    # the project's own pylint (its .pylintrc, flower's): nothing new after apply — no-member on the status code,
    # too-many-branches/locals from an ``except`` in each handler, duplicate-code from a block repeated in modules
    assert _pylint(project) == linted == set()


def _pylint(project: Path) -> set[tuple[str, str, str]]:
    """pylint's messages on the fixture with its own settings, as (module, object, message symbol)."""
    done = subprocess.run(
        [sys.executable, "-m", "pylint", "hub", "--rcfile", ".pylintrc", "--output-format=json", "--persistent=n"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=120,
        check=False,
    )
    assert not done.stderr.strip(), done.stderr
    return {(m["module"], m["obj"], m["symbol"]) for m in json.loads(done.stdout or "[]")}

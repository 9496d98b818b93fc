"""The local scorer: deterministic, never recommends trivial or already-traced code, respects weights and thresholds
(never a per-file cap), explains itself and plans a concrete, safe capture."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest
from trace_advisor.advise.local import LocalScorer
from trace_advisor.analysis import analyze
from trace_advisor.config import default_config
from trace_advisor.config_model import Config, PriorityConfig
from trace_advisor.datatypes import Attribute, Recommendation
from trace_advisor.detect import run_detectors
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.existing import existing_span, spans_in_facts, without_span
from trace_advisor.facts.extract import extract_facts
from trace_advisor.index import Index

from tests.core.test_detect_helpers import DETECT_FIXTURES, contexts

CASE = DETECT_FIXTURES / "scorer"
EXPECTED = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))


def recommend(path: Path, config: Config, installed: frozenset[str] = frozenset()) -> list[Recommendation]:
    scorer = LocalScorer(config, installed)
    recs = []
    for ctx in contexts(path).values():
        rec = scorer.recommend(ctx, run_detectors(ctx))
        if rec is not None:
            recs.append(rec)
    return scorer.ordered(recs)


@pytest.fixture(scope="module")
def config() -> Config:
    return default_config()


def test_operations_recommended_and_trivial_code_never(config: Config) -> None:
    recs = {r.qualname: r for r in recommend(CASE / "orders.py", config)}
    assert set(EXPECTED["recommended"]) <= set(recs)
    assert not set(EXPECTED["never"]) & set(recs)


def test_skip_reasons_are_explained(config: Config) -> None:
    scorer = LocalScorer(config)
    found = contexts(CASE / "orders.py")
    reasons = {q: scorer.verdict(ctx, run_detectors(ctx)).reasons for q, ctx in found.items()}
    assert reasons["OrderService.ship"][0].startswith("already traced: decorated with tracer.start_as_current_span")
    assert reasons["OrderService.archive"][0].startswith("already traced")
    assert reasons["OrderService.audit"] == ("silenced with `# trace-advisor: ignore`",)
    assert "never end" in reasons["OrderService.run_forever"][0]
    assert "context-manager" in reasons["OrderService.transaction"][0]
    assert reasons["OrderService.__repr__"] == ("trivial: special method __repr__",)


def test_deterministic(config: Config) -> None:
    first = [r.to_json() for r in recommend(CASE / "orders.py", config)]
    second = [r.to_json() for r in recommend(CASE / "orders.py", dataclasses.replace(config))]
    assert first == second and first


def test_rationale_is_readable(config: Config) -> None:
    rec = {r.qualname: r for r in recommend(CASE / "orders.py", config)}["OrderService.place_order"]
    assert rec.rationale[0].isupper() and rec.rationale.endswith(".")
    assert "requests.post (external HTTP)" in rec.rationale
    assert "instr:" not in rec.rationale and "kind:" not in rec.rationale
    assert rec.rationale.count(";") <= 2  # the three strongest reasons, not a dump
    assert rec.priority == "external_io" and rec.source == "local"
    assert rec.code_block.startswith("def place_order(")
    line = (CASE / "orders.py").read_text().splitlines()[rec.name_range.start.line - 1]
    assert line[rec.name_range.start.column : rec.name_range.end.column] == "place_order"


def test_capture_is_concrete_and_safe(config: Config) -> None:
    recs = {r.qualname: r for r in recommend(CASE / "orders.py", config)}
    capture = recs["OrderService.place_order"].capture
    assert capture.parameters == ("order_id", "amount_cents")  # never password (secret) nor payload (a dict)
    assert Attribute("app.order_id", "order_id") in capture.attributes
    assert Attribute("db.system.name", '"sqlite"') in capture.attributes
    assert capture.return_value is True  # -> bool: the outcome
    refund = recs["OrderService.refund"].capture
    assert refund.parameters == ("order_id",)  # email is PII
    assert refund.return_value is False


def test_max_per_file_does_not_cut_the_decision(config: Config) -> None:
    """``max_per_file`` only limits what the editor shows (tests/server/test_lsp_more.py): every function above the
    threshold stays recommended, in line order."""
    loose = dataclasses.replace(config, min_confidence=0.2, max_per_file=3)
    recs = recommend(CASE / "many.py", loose)
    assert len(recs) == 6
    assert [r.range.start.line for r in recs] == sorted(r.range.start.line for r in recs)


def test_min_confidence_and_weights_come_from_config(config: Config) -> None:
    strict = dataclasses.replace(config, min_confidence=0.995)
    assert recommend(CASE / "orders.py", strict) == []
    priorities = dict(config.priorities)
    for name in priorities:
        priorities[name] = PriorityConfig(0.0, priorities[name].description)
    assert recommend(CASE / "orders.py", dataclasses.replace(config, priorities=priorities)) == []
    priorities["exceptions"] = PriorityConfig(1.0, "exceptions")
    only = recommend(CASE / "orders.py", dataclasses.replace(config, priorities=priorities))
    assert {r.priority for r in only} == {"exceptions"}


def test_installed_instrumentation_drops_thin_wrappers(config: Config) -> None:
    loose = dataclasses.replace(config, min_confidence=0.2)
    assert len(recommend(CASE / "many.py", loose)) == 6
    installed = frozenset({"opentelemetry-instrumentation-requests"})
    assert recommend(CASE / "many.py", loose, installed) == []
    # the business operation around an instrumented call is still recommended, and says what is traced already
    rec = {r.qualname: r for r in recommend(CASE / "orders.py", config, installed)}["OrderService.place_order"]
    assert "opentelemetry-instrumentation-requests already traces the call itself" in rec.rationale


def test_a_route_names_the_server_span_its_framework_instrumentation_gives(tmp_path: Path, config: Config) -> None:
    """A web framework's instrumentation gives each request its server span (not "client spans"); a route that also
    calls an HTTP client names both."""
    module = tmp_path / "views.py"
    module.write_text(
        "import requests\n"
        "from flask import Flask, request\n\n"
        "app = Flask(__name__)\n\n"
        "@app.route('/orders', methods=['POST'])\n"
        "def create_order():\n"
        "    data = request.get_json()\n"
        "    if not data:\n"
        "        return {'error': 'empty'}, 400\n"
        "    return {'id': data['id']}, 201\n\n"
        "@app.route('/sync', methods=['POST'])\n"
        "def sync():\n"
        "    requests.post('https://stock.example/sync', json=request.get_json(), timeout=5).raise_for_status()\n"
        "    return {}, 204\n",
        encoding="utf-8",
    )
    flask, client = "opentelemetry-instrumentation-flask", "opentelemetry-instrumentation-requests"
    found = {r.qualname: r.rationale for r in recommend(module, dataclasses.replace(config, min_confidence=0.1))}
    assert f"Install {flask} for each request's server span." in found["create_order"]
    assert f"Install {flask} for each request's server span and {client} for the client spans" in found["sync"]
    installed = frozenset({flask, client})
    found = {
        r.qualname: r.rationale for r in recommend(module, dataclasses.replace(config, min_confidence=0.1), installed)
    }
    assert f"{flask} already gives each request its server span: this span names" in found["create_order"]
    assert f"{flask} already gives each request its server span; {client} already traces" in found["sync"]


def test_other_tracers_count_as_existing_spans(tmp_path: Path, config: Config) -> None:
    module = tmp_path / "other_tracers.py"
    module.write_text(
        "import requests\n"
        "from ddtrace import tracer\n"
        "import logfire\n"
        "import sentry_sdk\n"
        "from langfuse import observe\n\n"
        "def a(x):\n"
        "    with tracer.trace('a'):\n"
        "        requests.post('https://a', json=x, timeout=5).raise_for_status()\n"
        "        requests.post('https://audit', json=x, timeout=5)\n\n"
        "def b(x):\n"
        "    with sentry_sdk.start_transaction(name='b'):\n"
        "        requests.post('https://b', json=x, timeout=5).raise_for_status()\n"
        "        requests.post('https://audit', json=x, timeout=5)\n\n"
        # polar's NumeralTaxService.record was recommended at 0.91 under its own logfire span
        "@logfire.instrument('numeral.record')\n"
        "def c(x):\n"
        "    requests.post('https://c', json=x, timeout=5).raise_for_status()\n"
        "    requests.post('https://audit', json=x, timeout=5)\n\n"
        "@observe(name='d')\n"
        "def d(x):\n"
        "    requests.post('https://d', json=x, timeout=5).raise_for_status()\n"
        "    requests.post('https://audit', json=x, timeout=5)\n",
        encoding="utf-8",
    )
    scorer = LocalScorer(config)
    found = contexts(module)
    assert set(found) == {"a", "b", "c", "d"}
    for ctx in found.values():
        assert scorer.verdict(ctx, run_detectors(ctx)).reasons[0].startswith("already traced"), ctx.qualname
    text = module.read_text(encoding="utf-8")
    census = spans_in_facts(extract_facts(ast.parse(text), text))
    assert census.traced == frozenset({"a", "b", "c", "d"})


def test_test_code_is_never_recommended(tmp_path: Path, config: Config) -> None:
    module = tmp_path / "test_orders.py"
    module.write_text((CASE / "orders.py").read_text(encoding="utf-8"), encoding="utf-8")
    assert recommend(module, config) == []


MIGRATIONS = {
    "app/alembic/versions/d98dd8ec85a3_uuid_ids.py": (
        "import sqlalchemy as sa\nfrom alembic import op\n\n\n"
        "def upgrade():\n"
        "    op.execute('CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"')\n"
        "    op.add_column('item', sa.Column('new_id', sa.UUID(), nullable=True))\n"
        "    op.execute('UPDATE item SET new_id = uuid_generate_v4()')\n"
        "    op.drop_column('item', 'id')\n\n\n"
        "def downgrade():\n"
        "    op.add_column('item', sa.Column('old_id', sa.Integer(), autoincrement=True))\n"
        "    op.execute('CREATE SEQUENCE item_id_seq')\n"
        "    op.drop_column('item', 'new_id')\n"
    ),
    "app/alembic/env.py": (
        "from alembic import context\nfrom sqlalchemy import engine_from_config, pool\n\n\n"
        "def run_migrations_online():\n"
        "    connectable = engine_from_config({}, prefix='sqlalchemy.', poolclass=pool.NullPool)\n"
        "    with connectable.connect() as connection:\n"
        "        context.configure(connection=connection)\n"
        "        with context.begin_transaction():\n"
        "            context.run_migrations()\n"
    ),
    "app/core/migrations.py": (
        "async def m001_initial(db):\n"
        "    await db.execute('CREATE TABLE IF NOT EXISTS wallets (id TEXT PRIMARY KEY, balance INT)')\n"
        "    await db.execute('CREATE INDEX IF NOT EXISTS ix_wallets_balance ON wallets (balance)')\n\n\n"
        "async def m002_backfill_balances(db):\n"
        "    rows = await db.fetchall('SELECT id FROM wallets')\n"
        "    for row in rows:\n"
        "        await db.execute('UPDATE wallets SET balance = 0 WHERE id = ?', (row.id,))\n"
    ),
    "shop/migrations/0002_backfill_totals.py": (
        "from django.db import migrations\n\n\n"
        "def backfill(apps, schema_editor):\n"
        "    Order = apps.get_model('shop', 'Order')\n"
        "    for order in Order.objects.filter(total=None):\n"
        "        order.total = sum(line.amount for line in order.lines.all())\n"
        "        order.save()\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.RunPython(backfill)]\n"
    ),
    # an Alembic revision script outside an alembic folder (Netflix dispatch: database/revisions/core/versions/)
    "app/database/revisions/core/versions/2021-06-02_f011c050b9ba.py": (
        '"""Add incident costs\n\nRevision ID: f011c050b9ba\nRevises: 0ab4f8f54bfa\n"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\nfrom sqlalchemy.orm import Session\n\n"
        "from app.models import Incident\n\n"
        "# revision identifiers, used by Alembic.\n"
        "revision = 'f011c050b9ba'\n"
        "down_revision = '0ab4f8f54bfa'\n\n\n"
        "def upgrade():\n"
        "    op.add_column('incident', sa.Column('cost', sa.Float(), nullable=True))\n"
        "    session = Session(bind=op.get_bind())\n"
        "    for incident in session.query(Incident).all():\n"
        "        incident.cost = sum(item.amount for item in incident.items)\n"
        "    session.commit()\n"
    ),
    # a project's own runner of numbered steps (Sentry's snuba: snuba_migrations/<group>/0010_....py)
    "app/snuba_migrations/events/0010_fix_order_by.py": (
        "def fix_order_by(cluster, db) -> None:\n"
        "    if not cluster.is_single_node():\n"
        "        return\n"
        "    for table in ('errors_local', 'transactions_local'):\n"
        "        db.execute(f'ALTER TABLE {table} MODIFY ORDER BY (project_id, timestamp)')\n"
    ),
}


def test_schema_migrations_are_never_recommended(tmp_path: Path, config: Config) -> None:
    for name, code in MIGRATIONS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(code, encoding="utf-8")
    (tmp_path / "app" / "orders.py").write_text((CASE / "orders.py").read_text(encoding="utf-8"), encoding="utf-8")
    index = Index.from_config(config, [tmp_path], use_cache=False)
    index.build()
    result = analyze(index, config, sorted(tmp_path.rglob("*.py")))
    files = {Path(r.file).relative_to(tmp_path).as_posix() for r in result.recommendations}
    assert files == {"app/orders.py"}  # the same code outside a migration is recommended
    moved = tmp_path / "app" / "backfill.py"
    moved.write_text(MIGRATIONS["app/alembic/versions/d98dd8ec85a3_uuid_ids.py"], encoding="utf-8")
    index = Index.from_config(config, [tmp_path], use_cache=False)
    index.build()
    again = analyze(index, config, [moved])
    assert {r.qualname for r in again.recommendations} >= {"upgrade"}


LIFETIME_NEVER = [
    "run_command",  # werkzeug's run_simple: a development server
    "serve",  # uvicorn.run
    "run_app",  # Flask.run
    "shell_command",  # code.interact: an interactive console
    "worker",  # while True: jobs.get() ... a consumer ended only by a sentinel
    "accept_loop",  # while True: server.accept()
    "ticks",  # a generator that never ends
    "Poller.main",  # async for over it, leaving only in burst mode
    "Poller.run",  # runs Poller.main
    "Pump.run",  # while self.running: a flag another thread clears
    "Listener.run",  # while self.running.is_set(): an event another thread clears
    "consume_until_sentinel",  # while running: jobs.get() ... the body clears the flag, but on a sentinel
    "Reader.__enter__",
    "Reader.__exit__",
    "Reader.__call__",
]


@pytest.fixture(scope="module")
def lifetime(config: Config) -> dict[str, float]:
    """Every function of lifetime.py the whole analysis (with the call graph) scores, at any confidence."""
    index = Index([CASE], use_cache=False)
    index.build()
    result = analyze(index, dataclasses.replace(config, min_confidence=0.01), [CASE / "lifetime.py"])
    return {r.qualname: r.confidence for r in result.recommendations}


@pytest.mark.parametrize("qualname", LIFETIME_NEVER)
def test_process_lifetime_code_and_dunders_are_never_recommended(lifetime: dict[str, float], qualname: str) -> None:
    assert qualname not in lifetime


@pytest.mark.parametrize(
    "qualname", ["handle", "Reader.read_all", "Poller.poll_once", "run_job", "last_line", "command"]
)
def test_the_units_of_work_they_drive_are(lifetime: dict[str, float], qualname: str) -> None:
    assert qualname in lifetime, lifetime


def test_per_item_library_hooks_are_never_recommended(config: Config) -> None:
    index = Index([CASE], use_cache=False)
    index.build()
    result = analyze(index, dataclasses.replace(config, min_confidence=0.01), [CASE / "per_item_hooks.py"])
    recommended = {r.qualname for r in result.recommendations}
    assert {"ship_logs", "export", "register_site"} <= recommended, recommended
    hooks = {"ChatHandler.emit", "BlobEncoder.default", "ImportCounter.visit_Import", "LinkCollector.handle_starttag"}
    hooks |= {
        "SiteSerializer.validate_website",
        "SiteSerializer.to_representation",
        "TokenRefreshMiddleware.process_request",
    }
    assert not hooks & recommended
    scorer = LocalScorer(config)
    found = contexts(CASE / "per_item_hooks.py")
    reason = scorer.verdict(found["ChatHandler.emit"], run_detectors(found["ChatHandler.emit"])).reasons[0]
    assert reason.startswith("trivial: a logging.StreamHandler hook, called once per item"), reason


def test_a_traced_function_is_scored_on_its_own_code(config: Config) -> None:
    found = contexts(DETECT_FIXTURES / "unspan" / "forms.py")
    scorer = LocalScorer(dataclasses.replace(config, min_confidence=0.0))
    twins = [q.removeprefix("bare_") for q in found if q.startswith("bare_")]
    assert len(twins) == 4
    for name in twins:
        bare, traced = found[f"bare_{name}"], found[f"traced_{name}"]
        assert existing_span(bare) is None
        span = existing_span(traced)
        assert span is not None
        stripped = FunctionContext(traced.analysed, without_span(traced), traced.graph)
        stripped.node.name = bare.node.name
        assert ast.dump(stripped.node) == ast.dump(bare.node), name
        verdict = scorer.verdict(stripped, run_detectors(stripped), traced=span)
        assert verdict.traced == span and verdict.reasons[0] == f"already traced: {span}"
        assert verdict.confidence == scorer.verdict(bare, run_detectors(bare)).confidence > 0
        assert scorer.recommend(stripped, run_detectors(stripped), verdict) is None  # traced: never recommended


SDK_RESOURCES = """\
from sdk.transport import send


def _path(kind: str, ident: str) -> str:
    return f"/{kind}/{ident}"


def _encode(fields: dict[str, str]) -> bytes:
    return "&".join(f"{key}={value}" for key, value in sorted(fields.items())).encode()


def _check(ident: str) -> None:
    if not ident:
        raise ValueError("ident is required")


def _decode(raw: bytes) -> dict[str, str]:
    return dict(part.split("=", 1) for part in raw.decode().split("&") if part)


def update(kind: str, ident: str, fields: dict[str, str]) -> dict[str, str]:
    _check(ident)
    path = _path(kind, ident)
    body = _encode(fields)
    url = "https://api.example.com" + path
    raw = send(url, body)
    result = _decode(raw)
    result["kind"] = kind
    return result


def rename(ident: str, name: str) -> dict[str, str]:
    return update("users", ident, {"name": name})


def disable(ident: str) -> dict[str, str]:
    return update("users", ident, {"active": "no"})


def tag(ident: str, label: str) -> dict[str, str]:
    return update("projects", ident, {"tag": label})
"""


def test_the_rationale_leads_with_what_a_function_does_not_how_it_is_built(tmp_path: Path, config: Config) -> None:
    """An SDK operation whose HTTP call is a layer down, which also orchestrates five calls for three callers: its
    priority and its rationale lead with the I/O; the orchestration supports it (it led hundreds of openai-python's
    resource methods)."""
    (tmp_path / "sdk").mkdir()
    (tmp_path / "sdk" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "sdk" / "transport.py").write_text(
        "import urllib.request\n\n\n"
        "def send(url: str, body: bytes) -> bytes:\n"
        "    with urllib.request.urlopen(url, data=body, timeout=5) as response:\n"
        "        return response.read()\n",
        encoding="utf-8",
    )
    resources = tmp_path / "sdk" / "resources.py"
    resources.write_text(SDK_RESOURCES, encoding="utf-8")
    index = Index.from_config(config, [tmp_path], use_cache=False)
    index.build()
    rules = dataclasses.replace(config, scoring="rules", min_confidence=0.1)
    [update] = [r for r in analyze(index, rules, [resources]).recommendations if r.qualname == "update"]
    assert update.priority == "external_io"
    assert update.rationale.startswith("Calls sdk.transport:send (external HTTP via urllib.request.urlopen); public")
    assert "public function orchestrating 5 calls" in update.rationale


def test_rpc_system_only_names_rpc_systems(tmp_path: Path) -> None:
    """``rpc.system.name`` holds the conventions' RPC systems (``grpc``); mail sent over SMTP gets none."""
    from trace_advisor.advise.capture import capture_for

    code = tmp_path / "calls.py"
    code.write_text(
        "import smtplib\nimport grpc\n\n\n"
        "def mail(host: str, text: str) -> None:\n"
        "    with smtplib.SMTP(host) as smtp:\n"
        "        smtp.sendmail('a@example.com', ['b@example.com'], text)\n\n\n"
        "def ping(target: str) -> None:\n"
        "    channel = grpc.insecure_channel(target)\n"
        "    channel.unary_unary('/svc/Ping')(b'')\n",
        encoding="utf-8",
    )
    found = {q: capture_for(ctx, run_detectors(ctx)).attributes for q, ctx in contexts(code, tmp_path).items()}
    assert not [a for a in found["mail"] if a.key == "rpc.system.name"], found["mail"]
    assert Attribute("rpc.system.name", '"grpc"') in found["ping"], found["ping"]

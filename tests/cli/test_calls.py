"""``trace-advisor calls`` driven as a subprocess: json, pycg and tree output, entry trees and usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import clean_env, run_cli

RESOLVE = Path(__file__).resolve().parent.parent / "fixtures" / "resolve"


def calls(*args: str | Path, cwd: Path | None = None, cache: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("calls", *args, cwd=cwd, env={"TRACE_ADVISOR_CACHE_DIR": str(cache), "PYTHONIOENCODING": "utf-8"})


def test_json_lists_every_function_with_calls_and_unresolved(tmp_path: Path) -> None:
    project = RESOLVE / "self_attributes" / "project"
    result = calls(project, cache=tmp_path)
    assert result.returncode == 0, result.stderr
    functions = json.loads(result.stdout)["functions"]
    assert set(functions) == {
        "app:<module>",
        "app:Repo.save",
        "app:Mailer.send",
        "app:Clock.now",
        "app:Service.__init__",
        "app:Service.place",
        "app:Poller.setup",
        "app:Poller.poll",
    }
    place = functions["app:Service.place"]
    assert place["file"] == str(project / "app.py") and place["line"] == 20
    assert place["calls"] == ["app:Repo.save", "app:Mailer.send", "app:Clock.now"]
    [missing] = place["unresolved"]
    assert (missing["text"], missing["line"], missing["reason"]) == ("self.unknown.run", 24, "dynamic-attribute")
    assert missing["detail"] == "`self.unknown` is not defined on `self` (set at run time?)"


def test_an_attribute_set_to_what_cannot_be_followed_says_so(tmp_path: Path) -> None:
    """A class attribute bound to what code without source makes (wger's ``objects = ApproximateCountManager()``,
    a manager class Django's ``Manager.from_queryset`` made) is defined: its value is what is not known, not an
    attribute "set at run time"."""
    (tmp_path / "shop.py").write_text(
        "from django.db.models import Manager\n\n"
        "CountingManager = Manager.from_queryset(object)\n\n\n"
        "class Ingredient:\n    objects = CountingManager()\n\n\n"
        "def listing():\n    return Ingredient.objects.filter(name='salt')\n",
        encoding="utf-8",
    )
    [missing] = graph_of(tmp_path, tmp_path / "cache")["shop:listing"]["unresolved"]
    assert (missing["reason"], missing["detail"]) == (
        "unknown-value",
        "`Ingredient.objects` is set in `Ingredient` to something that cannot be followed",
    )


def test_output_writes_the_same_graph_to_a_file(tmp_path: Path) -> None:
    project = RESOLVE / "nested_closures" / "project"
    printed = calls(project, "--format", "pycg", cache=tmp_path)
    out = tmp_path / "graphs" / "calls.json"
    written = calls(project, "--format", "pycg", "-o", out, cache=tmp_path)
    assert written.returncode == 0, written.stderr
    assert written.stdout == "" and out.read_text(encoding="utf-8") == printed.stdout
    folder = calls(project, "--output", tmp_path, cache=tmp_path)
    assert folder.returncode == 2 and f"--output {tmp_path} is a folder" in folder.stderr


def test_search_path_flag_and_single_file(tmp_path: Path) -> None:
    case = RESOLVE / "third_party_reexport"
    result = calls(case / "project" / "client.py", "--search-path", case / "site", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    functions = json.loads(result.stdout)["functions"]
    assert functions["client:fetch"]["calls"] == [
        "requests.api:get",
        "requests.api:post",
        "requests.sessions:Session",
        "requests.sessions:Session.get",
    ]


def test_pycg_format(tmp_path: Path) -> None:
    result = calls(RESOLVE / "nested_closures" / "project", "--format", "pycg", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "m": [],
        "m.helper": [],
        "m.outer": ["m.outer.inner"],
        "m.outer.inner": ["m.helper", "m.outer.deeper"],
        "m.outer.deeper": [],
        "m.K.method": ["m.K.method.local"],
        "m.K.method.local": [],
    }


def test_entry_tree_is_readable_with_cycle_marks(tmp_path: Path) -> None:
    project = RESOLVE / "recursion" / "project"
    result = calls(project, "--entry", "walk.py:main", cwd=project, cache=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "walk:main  (walk.py:1)\n"
        "├── walk:countdown  (walk.py:6)\n"
        "│   └── walk:countdown  (walk.py:6)  ↻ cycle\n"
        "└── walk:ping  (walk.py:11)\n"
        "    └── walk:pong  (walk.py:16)\n"
        "        ├── walk:ping  (walk.py:11)  ↻ cycle\n"
        "        └── walk:helper  (walk.py:22)\n"
    )
    shallow = calls(project, "--entry", "walk.py:main", "--depth", "1", cwd=project, cache=tmp_path)
    assert "walk:ping  (walk.py:11)  … depth limit" in shallow.stdout


def test_entry_tree_as_json(tmp_path: Path) -> None:
    project = RESOLVE / "external_names" / "project"
    result = calls(project, "--entry", f"{project / 'm.py'}:run", "--format", "json", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    tree = json.loads(result.stdout)
    assert tree["symbol"] == "m:run" and tree["line"] == 8
    assert {c["symbol"] for c in tree["children"]} >= {"json:dumps", "builtins:print", "os.path:join"}
    assert all(c["external"] for c in tree["children"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["does-not-exist"], "no such file or folder: does-not-exist"),
        (["{project}", "--entry", "walk.py"], "--entry must be FILE:QUALNAME"),
        (["{project}", "--entry", "nowhere.py:main"], "--entry file not found: nowhere.py"),
        (["{project}", "--entry", "walk.py:nothing"], "no function nothing in"),
        (["{project}", "--depth", "-1"], "must be 0 or more"),
        (["{project}", "--format", "dot"], "invalid choice: 'dot'"),
        (["{project}", "--search-path", "no-such-dir"], "search path is not a folder: no-such-dir"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(args: list[str], message: str, tmp_path: Path) -> None:
    project = RESOLVE / "recursion" / "project"
    result = calls(*(a.format(project=project) for a in args), cwd=project, cache=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_problems_go_to_stderr_and_the_rest_is_output(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("def f():\n    print()\n")
    (tmp_path / "bad.py").write_text("def g(:\n")
    result = calls(tmp_path, cache=tmp_path / "cache")
    assert result.returncode == 0
    assert json.loads(result.stdout)["functions"]["ok:f"]["calls"] == ["builtins:print"]
    assert f"{tmp_path / 'bad.py'}:1: error: syntax error" in result.stderr  # file:line: severity, as everywhere


def test_tree_format_without_entry_prints_every_entry_point(tmp_path: Path) -> None:
    project = RESOLVE / "recursion" / "project"
    result = calls(project, "--format", "tree", cwd=project, cache=tmp_path)
    assert result.returncode == 0, result.stderr
    roots = [line for line in result.stdout.splitlines() if line and line[0] not in "│├└ "]
    assert roots == ["walk:<module>  (walk.py:1)", "walk:main  (walk.py:1)"]


REASONS = """
import json
from typing import Protocol

handlers = {}


class Base(Protocol): ...


def run(client, typed: "Base", rows: list, pair: tuple) -> None:
    client.fetch()  # untyped-parameter
    typed.fetch()  # dynamic-attribute: the class has no fetch
    json.loads("1").keys()  # result-of-external-call
    helper().go()  # unknown-return
    for row in rows:
        row.save()  # unknown-element
    first, second = pair
    first.close()  # unknown-value
    missing_name()  # undefined-name
    handlers["a"]()  # subscript-unknown-key
    (lambda item: item.go())(1)  # calls the lambda, whose parameter says nothing: untyped-parameter
    [x.done() for x in rows]  # unknown-element


def helper():
    return make()
"""


def test_json_says_why_each_call_is_unresolved(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "reasons.py").write_text(REASONS, encoding="utf-8")
    result = calls(tmp_path / "proj", cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)["functions"]["reasons:run"]["unresolved"]
    assert [(u["text"], u["reason"]) for u in found] == [
        ("client.fetch", "untyped-parameter"),
        ("typed.fetch", "dynamic-attribute"),
        ('json.loads("1").keys', "result-of-external-call"),
        ("helper().go", "unknown-return"),
        ("row.save", "unknown-element"),
        ("first.close", "unknown-value"),
        ("missing_name", "undefined-name"),
        ('handlers["a"]', "subscript-unknown-key"),
        ("x.done", "unknown-element"),
    ]
    assert "reasons:run.<locals>.<lambda1>" in json.loads(result.stdout)["functions"]["reasons:run"]["calls"]
    in_lambda = json.loads(result.stdout)["functions"]["reasons:run.<locals>.<lambda1>"]["unresolved"]
    assert [(u["text"], u["reason"]) for u in in_lambda] == [("item.go", "untyped-parameter")]
    assert found[0]["detail"] == "`client` is a parameter without an annotation (annotate it)"
    assert all(u["line"] > 1 for u in found)


def test_json_is_written_as_json_dump_with_an_indent_of_two(tmp_path: Path) -> None:
    """The graph's text is what ``json.dump(data, indent=2)`` writes (ASCII, escapes, empty lists and dicts), though
    written by a faster encoder: non-ASCII names, quotes and backslashes in call texts, functions without calls."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "mod.py").write_text(
        'def café(x):\n    return x\n\n\ndef émoji():\n    café("\\\\ \\"q\\" ☃")\n    x["k\\\\"]("😀")\n    pass\n',
        encoding="utf-8",
    )
    for fmt in ("json", "pycg"):
        result = calls(project, "--format", fmt, cache=tmp_path / "cache")
        assert result.returncode == 0, result.stderr
        assert result.stdout == json.dumps(json.loads(result.stdout), indent=2) + "\n"
        assert "caf\\u00e9" in result.stdout


def test_calls_imports_no_other_subcommand(tmp_path: Path) -> None:
    """Start-up counts in a whole-workspace run (the call-graph issue's figure): the parser imports the module of
    the subcommand run, not every subcommand's (analyze's report renderers, coverage, mcp)."""
    argv = ["calls", str(RESOLVE / "nested_closures" / "project"), "-o", str(tmp_path / "g.json")]
    code = (
        "import sys\n"
        "from trace_advisor.cli import main\n"
        f"code = main({argv!r})\n"
        "print(sorted(m for m in sys.modules if m.startswith('trace_advisor.cli.') and m.endswith('_cmd')))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(TRACE_ADVISOR_CACHE_DIR=str(tmp_path / "cache")),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['trace_advisor.cli.calls_cmd']"


def test_a_django_project_folder_is_where_its_apps_import_from(tmp_path: Path) -> None:
    """netbox keeps its Django project in ``netbox/`` (``manage.py``, no ``__init__.py``) and its apps import each
    other from there (``from core.models import Job``): opened at the repository's root, those imports resolve and
    the modules are named as Django imports them."""
    repo = tmp_path / "repo"
    site = repo / "site"
    (site / "shop").mkdir(parents=True)
    (site / "manage.py").write_text("import sys\n", encoding="utf-8")
    (site / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (site / "shop" / "models.py").write_text("class Order:\n    def ship(self):\n        return 1\n", encoding="utf-8")
    (site / "shop" / "views.py").write_text(
        "from shop.models import Order\n\n\ndef checkout():\n    return Order().ship()\n", encoding="utf-8"
    )
    functions = graph_of(repo, tmp_path / "cache")
    assert functions["shop.views:checkout"]["calls"] == ["shop.models:Order", "shop.models:Order.ship"]
    assert functions["shop.views:checkout"]["unresolved"] == []


def test_a_nested_project_is_where_its_imports_start(tmp_path: Path) -> None:
    """A repository whose service lives in ``backend/`` (its own ``pyproject.toml``, no ``__init__.py``) imports
    ``from app.crud import ...``, and a monorepo's ``packages/<name>/src`` layout imports its package by name: opened
    at the repository's top, both resolve and their modules are named as they import (the FastAPI full-stack
    template's ``backend/app``)."""
    repo = tmp_path / "repo"
    (repo / "backend" / "app").mkdir(parents=True)
    (repo / "pyproject.toml").write_text("[tool.ruff]\n", encoding="utf-8")
    (repo / "backend" / "pyproject.toml").write_text("[project]\nname = 'app'\n", encoding="utf-8")
    (repo / "backend" / "app" / "__init__.py").write_text("", encoding="utf-8")
    (repo / "backend" / "app" / "crud.py").write_text("def create_user():\n    return 1\n", encoding="utf-8")
    (repo / "backend" / "app" / "routes.py").write_text(
        "from app.crud import create_user\nfrom billing import charge\n\n\ndef signup():\n    create_user()\n"
        "    return charge()\n",
        encoding="utf-8",
    )
    billing = repo / "libs" / "packages" / "billing"
    (billing / "src" / "billing").mkdir(parents=True)
    (billing / "setup.cfg").write_text("[metadata]\nname = billing\n", encoding="utf-8")
    (billing / "src" / "billing" / "__init__.py").write_text("def charge():\n    return 2\n", encoding="utf-8")
    functions = graph_of(repo, tmp_path / "cache")
    assert functions["app.routes:signup"]["calls"] == ["app.crud:create_user", "billing:charge"]
    assert functions["app.routes:signup"]["unresolved"] == []


def test_a_package_importing_itself_by_name_starts_its_imports(tmp_path: Path) -> None:
    """A service in ``core/admin/mailu`` with no packaging metadata (Mailu's, deployed by a Dockerfile) whose modules
    import ``from mailu.ui import ui``: its parent folder is where imports start, so the blueprint (and the route its
    decorator registers) resolves. A package that never imports itself by name adds nothing."""
    repo = tmp_path / "repo"
    ui = repo / "core" / "admin" / "mailu" / "ui"
    ui.mkdir(parents=True)
    (repo / "core" / "admin" / "Dockerfile").write_text("FROM python:3.12\nCOPY mailu /app/mailu\n", encoding="utf-8")
    (ui.parent / "__init__.py").write_text("", encoding="utf-8")
    (ui.parent / "models.py").write_text("def load(name):\n    return name\n", encoding="utf-8")
    (ui / "__init__.py").write_text("class Blueprint:\n    pass\n\n\nui = Blueprint()\n", encoding="utf-8")
    (ui / "views.py").write_text(
        "from mailu import models\nfrom mailu.ui import ui\n\n\ndef show(name):\n    return models.load(name), ui\n",
        encoding="utf-8",
    )
    other = repo / "tools" / "lint" / "checks"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("from .rules import run\n", encoding="utf-8")
    (other / "rules.py").write_text("def run():\n    return 1\n", encoding="utf-8")
    functions = graph_of(repo, tmp_path / "cache")
    assert functions["mailu.ui.views:show"]["calls"] == ["mailu.models:load"]
    assert functions["mailu.ui.views:show"]["unresolved"] == []
    assert "tools.lint.checks.rules:run" in functions  # named from the top: it never imports itself by name


def test_a_receiver_with_a_fallback_after_or_is_the_fallback(tmp_path: Path) -> None:
    """``(session or _get_session()).post(url)``: posthog-python's one HTTP post, and celery's ``(backend or
    self.app.backend).save_group``, were "not a name or an attribute chain"; the receiver is the fallback's value when
    the optional one is not given."""
    (tmp_path / "client.py").write_text(
        "class Session:\n    def post(self, url):\n        return url\n\n\n"
        "def _get_session():\n    return Session()\n\n\n"
        "def send(url, session=None):\n    return (session or _get_session()).post(url)\n",
        encoding="utf-8",
    )
    send = graph_of(tmp_path, tmp_path / "cache")["client:send"]
    assert send["calls"] == ["client:Session.post", "client:_get_session"]
    assert send["unresolved"] == []


def graph_of(root: Path, cache: Path) -> dict[str, dict[str, object]]:
    """The functions of ``trace-advisor calls ROOT`` (JSON), the run checked to succeed."""
    result = calls(root, cache=cache)
    assert result.returncode == 0, result.stderr
    functions: dict[str, dict[str, object]] = json.loads(result.stdout)["functions"]
    return functions

"""Model fields are descriptors (factory table, ``descriptors``): through ``trace-advisor calls --format json`` and
``analyze`` as subprocesses on tests/fixtures/django_fields, an attribute of a model instance holds the field's
Python value, a related manager, or nothing known (a relation loaded on first access): never the field object, whose
made-up methods (``DateTimeField.strftime``) read as database calls. With Django not installed and with a stand-in
laid out as Django's (fields defined in ``django.db.models.fields``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "django_fields"


def run(tmp_path: Path, installed: bool, *args: object) -> Any:
    venv = FIXTURE / "env" if installed else tmp_path / "empty-env"
    venv.mkdir(exist_ok=True)
    done = run_cli(*args, env={"VIRTUAL_ENV": str(venv)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("installed", [False, True], ids=["not-installed", "installed"])
def test_a_model_field_is_its_value_not_the_field(tmp_path: Path, installed: bool) -> None:
    functions = run(tmp_path, installed, "calls", FIXTURE / "project", "--no-cache", "--format", "json")["functions"]
    assert functions["shop.models:Order.label"]["calls"] == ["builtins:str.lower", "datetime:datetime.strftime"]
    assert functions["shop.models:Order.retag"]["calls"] == ["django.db.models:Manager.remove"]
    # a relation is an instance of the model it names; one named by a string is not followed, and says why
    assert functions["shop.models:Order.owner_name"]["calls"] == ["shop.models:Customer.display"]
    save = "django.db.models.base:Model.save" if installed else "django.db.models:Model.save"
    assert functions["shop.models:Order.touch_owner"]["calls"] == [save]
    referrer = functions["shop.models:Order.referrer_name"]
    assert referrer["calls"] == []
    [unresolved] = referrer["unresolved"]
    assert unresolved["reason"] == "external-attribute-unknown"
    assert "ForeignKey` loads at run time" in unresolved["detail"]
    named = {callee for symbol, found in functions.items() if "Order." in symbol for callee in found["calls"]}
    assert not {callee for callee in named if "Field." in callee or "ForeignKey." in callee}


@pytest.mark.parametrize("installed", [False, True], ids=["not-installed", "installed"])
def test_only_the_related_manager_is_a_database_call(tmp_path: Path, installed: bool) -> None:
    args = ("analyze", FIXTURE / "project", "--no-cache", "--format", "json", "--min-confidence", "0")
    report = run(tmp_path, installed, *args)
    evidence = {
        r["symbol"]: [(e["priority"], e["detail"]) for e in r["evidence"] if e["priority"] == "external_io"]
        for r in report["recommendations"]
    }
    save = "django.db.models.base:Model.save" if installed else "django.db.models:Model.save"
    assert evidence == {
        "shop.models:Order.retag": [("external_io", "django.db.models:Manager.remove")],
        "shop.models:Order.touch_owner": [("external_io", save)],
    }

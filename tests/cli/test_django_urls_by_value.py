"""A Django function view registered by value in a urlconf (tests/fixtures/django_urls), through ``trace-advisor
analyze`` as a subprocess: ``path("documents/<int:pk>/", pages.document)`` makes ``pages.document`` a request handler
covered by Django's instrumentation, with Django installed (``path`` is a ``functools.partial`` there, which no
analysis calls: the registration is named by its import path) and without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "django_urls"


@pytest.mark.parametrize("installed", [True, False], ids=["django-installed", "django-not-installed"])
def test_a_view_in_a_urlconf_is_a_request_handler(tmp_path: Path, installed: bool) -> None:
    out = tmp_path / "report.json"
    venv = FIXTURE / "env" if installed else tmp_path / "empty-env"
    venv.mkdir(exist_ok=True)
    done = run_cli(
        "analyze", FIXTURE / "project", "--no-cache", "--format", "json", "-o", out, env={"VIRTUAL_ENV": str(venv)}
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    # the hint names the view whether or not it is recommended for its own work (its sqlite reads: 0.43 with the
    # boosted model): Django's instrumentation gives it its server span either way
    hints = report["instrumentation"]
    handlers = {hint["package"]: [c["symbol"] for c in (*hint["covers"], *hint["spanned"])] for hint in hints}
    assert handlers["opentelemetry-instrumentation-django"] == ["docsite.pages:document"]
    calls = run_cli("calls", FIXTURE / "project", "--no-cache", "--format", "json", env={"VIRTUAL_ENV": str(venv)})
    assert calls.returncode == 0, calls.stderr
    module = json.loads(calls.stdout)["functions"]["docsite.urls:<module>"]
    assert module["via"] == {"docsite.pages:document": "django.urls:path"}

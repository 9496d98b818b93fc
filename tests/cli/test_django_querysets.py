"""Django querysets are lazy: through ``trace-advisor analyze`` as a subprocess on tests/fixtures/django_querysets,
a function that only builds a queryset (``Model.objects.filter(...).order_by(...)``, ``get_queryset``) has no
database evidence, and the evaluation of one has: ``count()``/``exists()``/``update()`` on what the builders return,
iterating it (``for``, ``async for``, a comprehension), also when a helper returned it. Seen on paperless-ngx, whose
``get_queryset``/``filter_queryset`` methods and queryset helpers were recommended as "sql database" work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import external_io, recommendations, run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "django_querysets"


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Every analysed function's external I/O evidence (its details), Django not installed."""
    tmp_path = tmp_path_factory.mktemp("querysets")
    venv = tmp_path / "empty-env"
    venv.mkdir()
    found = recommendations(FIXTURE / "project", tmp_path, "--min-confidence", "0", env={"VIRTUAL_ENV": str(venv)})
    return {name: external_io(r) for name, r in found.items()}


@pytest.mark.parametrize(
    "builder", ["visible_documents", "DocumentViewSet.get_queryset", "DocumentViewSet.filter_queryset"]
)
def test_building_a_queryset_runs_no_query(found: dict[str, list[str]], builder: str) -> None:
    assert not found.get(builder)


def test_evaluating_what_the_builders_return_is_a_query(found: dict[str, list[str]]) -> None:
    assert found["has_documents"] == ["django.db.models:QuerySet.exists"]
    assert found["retitle"] == ["django.db.models:QuerySet.update"]
    assert found["count_documents"] == ["django.db.models:QuerySet.count"]  # a helper's queryset, counted here


def test_iterating_a_queryset_is_a_query(found: dict[str, list[str]]) -> None:
    assert found["document_titles"] == ["django.db.models:QuerySet.__iter__"]  # a comprehension over a helper's
    assert found["tag_names"] == ["django.db.models:QuerySet.__iter__"]  # a related manager's ``all()`` in a for
    assert found["stream_titles"] == ["django.db.models:QuerySet.__aiter__"]


def test_a_queryset_known_only_by_its_names_is_lazy_too(found: dict[str, list[str]]) -> None:
    assert not found.get("backfill_titles")
    assert found["drop_untitled"] == ["Document.objects.filter(...).exclude(...).delete"]


def test_a_builtin_that_iterates_or_sizes_a_queryset_runs_it(found: dict[str, list[str]]) -> None:
    assert found["current_tags"] == ["django.db.models:QuerySet.__iter__"]  # ``set(document.tags.all())``
    assert found["document_total"] == ["django.db.models:QuerySet.__len__"]  # ``len(Document.objects.filter(...))``


SITE = FIXTURE.parent / "site_packages"  # a Django-shaped library whose Manager gets its methods at run time
ACCOUNTS = {
    "active_accounts": "django.db.models:QuerySet.__iter__",  # ``list(Account.objects.filter(...))``
    "account_total": "django.db.models:Manager.count",  # a custom user model's ``objects``
    "first_member": "django.db.models:QuerySet.first",  # a ``BaseUserManager`` subclass's own builder, evaluated
    "live_post_count": "django.db.models:QuerySet.count",  # a ``models.Manager`` subclass's builder, evaluated
    "repository_total": "django.db.models:QuerySet.count",  # a model on django-extensions' ``TimeStampedModel``
    "project_or_new": "django.db.models:QuerySet.get_or_create",  # ``objects = ProjectQuerySet.as_manager()``
    "public_project_total": "django.db.models:QuerySet.count",  # the queryset class's own builder, evaluated
}


@pytest.mark.parametrize("search", [(), ("--search-path", str(SITE))], ids=["not-installed", "with-source"])
def test_a_managers_queryset_methods_are_queries_whatever_defines_the_manager(
    tmp_path: Path, search: tuple[str, ...]
) -> None:
    """A custom user model's ``objects`` (``AbstractUser``'s ``UserManager``) and a manager class deriving from
    ``BaseUserManager`` or ``models.Manager`` query through the queryset methods Django's ``Manager`` makes at run
    time (``from_queryset``): with Django's source on a search path (an editor's virtualenv), those were "not
    defined on `User.objects`", and without it a ``contrib.auth`` manager's ``count()`` was no database call
    (bookwyrm's ``models.User.objects.filter(...)``)."""
    venv = tmp_path / "empty-env"
    venv.mkdir()
    env = {"VIRTUAL_ENV": str(venv)}
    found = recommendations(FIXTURE / "project", tmp_path, "--min-confidence", "0", *search, env=env)
    assert {name: external_io(found[name]) for name in ACCOUNTS} == {name: [api] for name, api in ACCOUNTS.items()}
    done = run_cli("calls", FIXTURE / "project", "--no-cache", "--format", "json", *search, env=env)
    assert done.returncode == 0, done.stderr
    functions = json.loads(done.stdout)["functions"]
    for name in ACCOUNTS:
        assert functions[f"library.accounts:{name}"]["unresolved"] == [], name
    assert functions["library.accounts:MemberManager.named"]["calls"] == ["django.db.models:Manager.filter"]

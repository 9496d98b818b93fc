"""update_file / remove_file: one module re-parsed, last good facts kept on syntax errors, dependents refreshed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from trace_advisor.index import Index


@pytest.fixture()
def project(fixtures_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(fixtures_dir / "resolve" / "imports_relative" / "project", target)
    return target


@pytest.fixture()
def index(project: Path, tmp_path: Path) -> Index:
    built = Index([project], cache_dir=tmp_path / "cache")
    built.build()
    return built


def callees(index: Index, symbol: str) -> list[str]:
    return sorted({e.callee for e in index.graph().callees(symbol)})


def test_editing_a_body_updates_only_that_module(index: Index, project: Path) -> None:
    orders = project / "shop" / "services" / "orders.py"
    assert callees(index, "shop.services.orders:place") == ["shop.common:log", "shop.services.pricing:price"]
    text = orders.read_text().replace(
        "    common.log()\n", "    common.log()\n    helper()\n\ndef helper():\n    pass\n"
    )
    assert index.update_file(orders, text) is None
    assert "shop.services.orders:helper" in callees(index, "shop.services.orders:place")
    assert [e.caller for e in index.graph().callers("shop.services.orders:helper")] == ["shop.services.orders:place"]


def test_syntax_error_keeps_last_good_facts(index: Index, project: Path) -> None:
    orders = project / "shop" / "services" / "orders.py"
    before = callees(index, "shop.services.orders:place")
    problem = index.update_file(orders, "def place(:\n    pass\n")
    assert problem is not None
    assert problem.file == str(orders) and problem.line == 1 and problem.column == 10
    assert callees(index, "shop.services.orders:place") == before
    assert [p.file for p in index.problems] == [str(orders)]
    assert index.source(orders) == "def place(:\n    pass\n"
    assert index.update_file(orders, orders.read_text()) is None
    assert index.problems == ()


def test_changing_an_interface_refreshes_importers(index: Index, project: Path) -> None:
    pricing = project / "shop" / "services" / "pricing.py"
    graph = index.graph()
    assert [e.caller for e in graph.callers("shop.services.pricing:price")] == ["shop.services.orders:place"] * 2
    index.update_file(pricing, "def quote():\n    pass\n")  # price renamed: the importer's calls no longer resolve
    assert graph.callers("shop.services.pricing:price") == ()
    texts = [u.text for u in graph.unresolved("shop.services.orders:place")]
    assert texts == ["pricing.price", "p"]
    index.update_file(pricing, "def price():\n    pass\n")
    assert len(graph.callers("shop.services.pricing:price")) == 2


def test_reread_from_disk_and_new_and_removed_files(index: Index, project: Path) -> None:
    common = project / "shop" / "common.py"
    common.write_text("def log():\n    audit()\n\ndef audit():\n    pass\n")
    index.update_file(common, None)
    assert callees(index, "shop.common:log") == ["shop.common:audit"]
    extra = project / "shop" / "extra.py"
    extra.write_text("from .common import audit\n\ndef run():\n    audit()\n")
    index.update_file(extra, None)
    assert extra in index.files()
    assert callees(index, "shop.extra:run") == ["shop.common:audit"]
    index.remove_file(extra)
    assert extra not in index.files()
    assert [e.caller for e in index.graph().callers("shop.common:audit")] == ["shop.common:log"]


def test_unchanged_modules_keep_their_resolution(index: Index, project: Path) -> None:
    graph = index.graph()
    graph.callers("shop.common:log")  # resolve everything
    pricing_calls = index.module_calls("shop.services.pricing")
    orders = project / "shop" / "services" / "orders.py"
    index.update_file(orders, orders.read_text() + "\n# a comment\n")
    assert index.module_calls("shop.services.pricing") is pricing_calls


def test_edits_and_queries_from_several_threads(index: Index, project: Path) -> None:
    """The server edits on one thread while analysis reads the graph on others."""
    import threading

    orders = project / "shop" / "services" / "orders.py"
    original = orders.read_text()
    errors: list[BaseException] = []

    def edit() -> None:
        try:
            for number in range(30):
                index.update_file(orders, original + f"\n\ndef extra_{number}():\n    pass\n")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def read() -> None:
        try:
            for _ in range(30):
                graph = index.graph()
                assert len(graph.callers("shop.common:log")) == 2
                graph.tree("shop.services.orders:place")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=edit), threading.Thread(target=read), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert "shop.services.orders:extra_29" in index.graph().symbols()


def test_files_outside_the_workspace_are_not_added(index: Index, project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.py"
    outside.write_text("def f():\n    pass\n")
    assert index.update_file(outside, None) is None
    assert outside not in index.files()
    venv_file = project / ".venv" / "lib" / "mod.py"
    venv_file.parent.mkdir(parents=True)
    venv_file.write_text("x = 1\n")
    index.update_file(venv_file, "x = 2\n")
    assert venv_file not in index.files()


def test_a_new_unsaved_document_uses_the_given_text(index: Index, project: Path) -> None:
    unsaved = project / "shop" / "draft.py"  # not on disk yet
    assert index.update_file(unsaved, "from .common import log\n\ndef go():\n    log()\n") is None
    assert unsaved in index.files()
    assert callees(index, "shop.draft:go") == ["shop.common:log"]
    assert index.problems == ()


def test_an_override_added_or_removed_in_a_subclass_refreshes_the_base_class(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    """Class-hierarchy edges live in the base class's module, which does not import the subclass's: editing the
    subclass (an override added, removed, or the class moved to another base) re-resolves the base's calls."""
    project = tmp_path / "hierarchy"
    shutil.copytree(fixtures_dir / "callgraph" / "class_hierarchy", project)
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    graph = index.graph()
    users = project / "shop" / "users.py"
    assert callees(index, "shop.models:Model.save") == [
        "shop.models:Model.validate",
        "shop.users:Admin.validate",
        "shop.users:User.validate",
    ]
    assert [e.caller for e in graph.callers("shop.users:Admin.validate")] == ["shop.models:Model.save"]
    text = users.read_text()
    index.update_file(users, text.replace("    def validate(self):\n        return True\n", "    pass\n"))
    assert callees(index, "shop.models:Model.save") == ["shop.models:Model.validate", "shop.users:User.validate"]
    index.update_file(users, text.replace("class Report:", "class Report(Model):"))
    assert "shop.users:Report.validate" in callees(index, "shop.models:Model.save")
    assert [e.dispatch for e in graph.callers("shop.users:Report.validate")] == ["subclass"]
    index.update_file(users, text)
    assert "shop.users:Report.validate" not in callees(index, "shop.models:Model.save")
    assert graph.callers("shop.users:Report.validate") == ()


def test_editing_a_conftest_refreshes_the_tests_that_use_its_fixtures(fixtures_dir: Path, tmp_path: Path) -> None:
    """Tests read their conftest files without importing them (pytest fixtures): an edit there re-resolves them."""
    project = tmp_path / "fixtures"
    shutil.copytree(fixtures_dir / "callgraph" / "pytest_fixtures", project)
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    assert callees(index, "tests.test_cli:test_invoke") == ["shop.cli:Result.lines", "shop.cli:Runner.invoke"]
    conftest = project / "tests" / "conftest.py"
    index.update_file(conftest, conftest.read_text().replace("    return Runner()", "    return Db()"))
    assert callees(index, "tests.test_cli:test_invoke") == []
    inner = project / "tests" / "unit" / "conftest.py"
    index.remove_file(inner)  # the outer fixture is the nearest now
    assert callees(index, "tests.unit.test_override:test_nearest_wins") == []
    index.update_file(
        inner, "import pytest\nfrom shop.cli import Mail\n\n@pytest.fixture\ndef runner():\n    return Mail()\n"
    )
    assert callees(index, "tests.unit.test_override:test_nearest_wins") == ["shop.cli:Mail.send"]


def test_editing_what_a_call_passes_refreshes_the_callee(fixtures_dir: Path, tmp_path: Path) -> None:
    """Parameter flow (issue 13, S2): a parameter's values come from the calls in other modules, which the callee's
    module does not import. An edit that changes only what a call passes (the module's interface unchanged) and one
    that changes what a passed name is bound to both re-resolve the callee; the result equals a fresh index."""
    project = tmp_path / "flow"
    shutil.copytree(fixtures_dir / "callgraph" / "parameter_flow", project)
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    main = project / "flow" / "main.py"
    assert callees(index, "flow.ops:schedule") == ["flow.ops:ping"]
    assert callees(index, "flow.service:Service.get") == ["flow.service:CachedRepo.load", "flow.service:Repo.load"]
    text = main.read_text()
    index.update_file(main, text.replace("schedule(ping)", "schedule(sms)"))  # only a call's argument changed
    assert callees(index, "flow.ops:schedule") == ["flow.ops:sms"]
    edited = text.replace("schedule(ping)", "schedule(job)").replace("def main():", "job = email\n\n\ndef main():")
    index.update_file(main, edited)  # a new binding of the name passed
    assert callees(index, "flow.ops:schedule") == ["flow.ops:email"]
    index.update_file(main, edited.replace("Service(repo=CachedRepo())", "Service(repo=Repo())"))
    assert callees(index, "flow.service:Service.get") == ["flow.service:Repo.load"]
    fresh = Index([project], cache_dir=tmp_path / "fresh")
    main.write_text(edited.replace("Service(repo=CachedRepo())", "Service(repo=Repo())"))
    fresh.build()
    for symbol in fresh.graph().symbols():
        assert callees(index, symbol) == callees(fresh, symbol), symbol
    index.update_file(main, text)
    assert callees(index, "flow.ops:schedule") == ["flow.ops:ping"]


def test_a_method_made_a_property_makes_its_reads_calls(fixtures_dir: Path, tmp_path: Path) -> None:
    """Property reads (issue 13, S7): which reads run a getter depends on another module's decorators."""
    project = tmp_path / "properties"
    shutil.copytree(fixtures_dir / "callgraph" / "property_reads", project)
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    models = project / "shop" / "models.py"
    assert "shop.models:Result.size" in callees(index, "shop.main:describe")
    text = models.read_text()
    index.update_file(models, text.replace("    @property\n    def size(self):", "    def size(self):"))
    assert callees(index, "shop.main:describe") == ["shop.models:Result.output"]
    index.update_file(models, text)
    assert callees(index, "shop.main:describe") == ["shop.models:Result.output", "shop.models:Result.size"]

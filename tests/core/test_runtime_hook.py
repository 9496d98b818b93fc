"""trace_advisor.runtime's import hook: planned defs get the span decorator innermost at import time, from the
module's own source, without touching the file or its line numbers; modules without source, or imported before the
hook, are patched in place."""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.resources
import logging
import py_compile
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from trace_advisor import runtime
from trace_advisor.runtime.hook import TracingFinder, installed_finder
from trace_advisor.runtime.plan import FunctionPlan

SOURCE = '''"""Handlers."""

import functools

ROUTES = {}


def route(path):
    def register(handler):
        ROUTES[path] = handler
        return handler
    return register


@route("/orders")
def list_orders(limit):
    return list(range(limit))


def fails(order_id):
    value = order_id * 2
    raise LookupError(value)


def outer(n):
    def inner(k):
        return k + 1
    return inner(n)


class Shop:
    def __init__(self):
        self._name = "a"

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = value

    @staticmethod
    def tax(amount):
        return amount // 5

    @classmethod
    def build(cls):
        return cls()

    @functools.lru_cache(maxsize=None)
    def cached(self, n):
        return n
'''


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def plan(qualname: str, line: int | None = None, module: str = "shophooks.handlers") -> FunctionPlan:
    return FunctionPlan(module, qualname, qualname.replace(".<locals>", ""), line=line)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Callable[..., TracingFinder]]:
    """Writes ``shophooks/handlers.py`` under tmp_path and installs the hook with the given plans."""
    package = tmp_path / "shophooks"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "handlers.py").write_text(SOURCE, encoding="utf-8")
    (package / "data.txt").write_text("resource", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    before = list(sys.meta_path)

    def install(*plans: FunctionPlan) -> TracingFinder:
        return runtime.install(tuple(plans))

    yield install
    sys.meta_path[:] = before
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.partition(".")[0] == "shophooks"]:
        del sys.modules[name]


def names(exporter: InMemorySpanExporter) -> list[str]:
    return [s.name for s in exporter.get_finished_spans()]


def test_registered_handlers_are_the_traced_functions(
    workspace: Callable[..., TracingFinder], span_exporter: InMemorySpanExporter
) -> None:
    workspace(plan("list_orders"), plan("Shop.tax"), plan("Shop.build"), plan("outer.<locals>.inner"))
    handlers = importlib.import_module("shophooks.handlers")
    assert handlers.ROUTES["/orders"] is handlers.list_orders  # the route table holds the traced function
    assert handlers.ROUTES["/orders"](3) == [0, 1, 2]
    assert handlers.Shop.tax(10) == 2 and isinstance(handlers.Shop.build(), handlers.Shop)
    assert isinstance(vars(handlers.Shop)["tax"], staticmethod)
    assert handlers.outer(1) == 2  # nested functions are traced too, from the source
    assert names(span_exporter) == ["list_orders", "Shop.tax", "Shop.build", "outer.inner"]
    assert Path(handlers.__file__).read_text(encoding="utf-8") == SOURCE  # the file is not touched


def test_tracebacks_keep_the_files_line_numbers(
    workspace: Callable[..., TracingFinder], span_exporter: InMemorySpanExporter
) -> None:
    workspace(plan("fails"))
    handlers = importlib.import_module("shophooks.handlers")
    with pytest.raises(LookupError) as raised:
        handlers.fails(2)
    frame = traceback.extract_tb(raised.tb)[-1]
    assert frame.filename == handlers.__file__ and frame.name == "fails"
    assert frame.lineno == line_of(SOURCE, "raise LookupError(value)")
    assert names(span_exporter) == ["fails"]


def test_the_module_keeps_its_own_loader_and_resources(workspace: Callable[..., TracingFinder]) -> None:
    workspace(plan("list_orders", module="shophooks"), plan("list_orders"))
    handlers = importlib.import_module("shophooks.handlers")
    assert type(handlers.__loader__) is importlib.machinery.SourceFileLoader
    assert handlers.__spec__ is not None and handlers.__spec__.loader is handlers.__loader__
    assert importlib.resources.files("shophooks").joinpath("data.txt").read_text(encoding="utf-8") == "resource"


def test_a_line_picks_the_setter_among_defs_sharing_a_name(
    workspace: Callable[..., TracingFinder], span_exporter: InMemorySpanExporter
) -> None:
    workspace(plan("Shop.name", line=line_of(SOURCE, "@name.setter")))
    handlers = importlib.import_module("shophooks.handlers")
    shop = handlers.Shop()
    assert shop.name == "a"
    shop.name = "b"
    assert shop.name == "b"
    assert names(span_exporter) == ["Shop.name"]  # the setter only


def test_a_line_that_no_longer_matches_traces_every_def_of_the_name(
    workspace: Callable[..., TracingFinder], span_exporter: InMemorySpanExporter
) -> None:
    workspace(plan("list_orders", line=999))  # the file changed since the export
    handlers = importlib.import_module("shophooks.handlers")
    handlers.list_orders(1)
    assert names(span_exporter) == ["list_orders"]


def test_modules_imported_before_the_hook_are_patched_in_place(
    workspace: Callable[..., TracingFinder], span_exporter: InMemorySpanExporter
) -> None:
    handlers = importlib.import_module("shophooks.handlers")
    registered = handlers.ROUTES["/orders"]
    finder = workspace(plan("list_orders"), plan("Shop.tax"), plan("Shop.cached"), plan("outer.<locals>.inner"))
    assert handlers.list_orders is not registered  # replaced in the module; the route table keeps the original
    handlers.list_orders(2)
    registered(2)
    assert handlers.Shop.tax(5) == 1 and isinstance(vars(handlers.Shop)["tax"], staticmethod)
    assert names(span_exporter) == ["list_orders", "Shop.tax"]
    assert finder.wrapped == {("shophooks.handlers", "list_orders"), ("shophooks.handlers", "Shop.tax")}


def test_a_module_without_source_is_patched_after_it_runs(
    workspace: Callable[..., TracingFinder], span_exporter: InMemorySpanExporter, tmp_path: Path
) -> None:
    source = tmp_path / "shophooks" / "handlers.py"
    py_compile.compile(str(source), cfile=str(source.with_suffix(".pyc")), doraise=True)
    source.unlink()
    workspace(plan("list_orders"), plan("Shop.build"))
    handlers = importlib.import_module("shophooks.handlers")
    assert type(handlers.__loader__) is importlib.machinery.SourcelessFileLoader
    handlers.list_orders(1)
    handlers.Shop.build()
    assert names(span_exporter) == ["list_orders", "Shop.build"]


def test_install_is_once_per_process_and_a_bad_file_never_stops_the_app(
    workspace: Callable[..., TracingFinder],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = workspace(plan("list_orders"))
    assert runtime.install(()) is first and installed_finder() is first
    sys.meta_path.remove(first)
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    monkeypatch.setenv(runtime.ENV_CONFIG, str(bad))
    with caplog.at_level(logging.ERROR, logger="trace_advisor.runtime"):
        assert runtime.install_from_env() is None
    assert "not JSON" in caplog.text and installed_finder() is None
    importlib.import_module("shophooks.handlers")  # imports normally


def test_planned_functions_that_do_not_exist_are_ignored(
    workspace: Callable[..., TracingFinder], span_exporter: InMemorySpanExporter
) -> None:
    workspace(plan("no_such_function"), plan("Shop.missing"))
    handlers: ModuleType = importlib.import_module("shophooks.handlers")
    assert handlers.list_orders(1) == [0]
    assert names(span_exporter) == []

"""Does instrumenting a module change what it does? Checked on pure-Python standard-library modules with their own
unit tests (``test.test_<module>``): every function gets a span with attributes and exception reporting (the most
intrusive edit), then the module's test suite runs against the original and against the edited module, in-process,
under the OpenTelemetry SDK, and everything observable is compared:

- the test outcomes (same tests pass, fail and error, with the same messages);
- the frames: which function calls which, for every call into the module during the run (``sys.setprofile``), so a
  wrapper frame added around a function, or a function that stops being called, is a difference;
- ``inspect.signature``, name, qualname, docstring and the function kind (generator, coroutine...) of every
  function and method.

Modules with C accelerators (``heapq``, ``bisect``, ``json``...) are left out: their tests reload the file
themselves. Used by tests/core/test_edits_stdlib.py (a few modules) and benchmarks/span_edits_corpus.py (all).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import io
import sys
import sysconfig
import tempfile
import types
import unittest
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from trace_advisor.datatypes import Capture
from trace_advisor.edits import SpanEditor, SpanOrigin, SpanTarget, add_spans
from trace_advisor.edits.locate import FunctionSite, iter_definitions
from trace_advisor.edits.style import DEFAULT_STYLE, SpanStyle

MODULES = (
    "textwrap",
    "fractions",
    "statistics",
    "difflib",
    "shlex",
    "colorsys",
    "calendar",
    "fnmatch",
    "ipaddress",
    "pprint",
    "reprlib",
    "graphlib",
    "html",
    "getopt",
    "quopri",
    "string",
    "base64",
    "gettext",
    "cmd",
    "glob",
    "optparse",
    "copy",
)
QUICK = ("textwrap", "fractions", "shlex", "graphlib", "colorsys", "getopt")


@dataclass
class Behaviour:
    """What one module's check found."""

    module: str
    functions: int = 0
    edited: int = 0  # spans added (each verified by the engine)
    refused: dict[str, int] = field(default_factory=dict)
    tests: int = 0
    calls: int = 0  # distinct (caller, callee) pairs seen into the module
    differences: list[str] = field(default_factory=list)
    observed: list[str] = field(default_factory=list)  # exception messages the SDK read (not differences)


@dataclass
class _Run:
    outcomes: dict[str, str]
    edges: set[tuple[str, str]]
    tests: int
    observed: set[str]  # the module's exception __str__/__repr__ read by the SDK recording an exception


def _observes(caller_file: str, callee: str) -> bool:
    """The SDK reading an exception's message to record it (what a logger does too), not a change of behaviour."""
    sdk = "opentelemetry" in Path(caller_file).parts or Path(caller_file).name == "traceback.py"
    return sdk and callee in ("__str__", "__repr__")


def _source(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    return Path(spec.origin)


def instrument(
    text: str, module: str, style: SpanStyle = DEFAULT_STYLE, capture: bool = True
) -> tuple[str, int, int, dict[str, int]]:
    """Every function of ``text`` with a span that records what it safely can and reports its exception paths:
    (new text, functions, spans added, refusals by reason)."""
    tree = ast.parse(text)
    sites = [s for s in iter_definitions(tree) if isinstance(s, FunctionSite)]
    targets = []
    for site in sites:
        args = site.node.args
        every = tuple(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])
        targets.append(SpanTarget(site.qualname, Capture(parameters=every) if capture else None, site.node.lineno))
    new_text, outcomes = add_spans(text, targets, style, SpanOrigin(module, f"{module}.py"))
    refused: dict[str, int] = {}
    for outcome in outcomes:
        if not outcome.result.edits:
            reason = (outcome.result.message or "?").split(":")[0].split(" ")[-1]
            refused[reason] = refused.get(reason, 0) + 1
    edited = sum(1 for o in outcomes if o.result.edits)
    return new_text, len(sites), edited, refused


@contextmanager
def _installed(module: str, path: Path) -> Iterator[types.ModuleType]:
    """``module`` loaded from ``path`` in ``sys.modules`` (and its test module imported afresh against it)."""
    saved = {name: sys.modules.get(name) for name in (module, f"test.test_{module}")}
    spec = importlib.util.spec_from_file_location(module, path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[module] = loaded
    sys.modules.pop(f"test.test_{module}", None)
    try:
        spec.loader.exec_module(loaded)
        yield loaded
    finally:
        for name, value in saved.items():
            if value is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = value


def _run_tests(module: str, path: Path) -> _Run:
    with _installed(module, path) as loaded:
        tests = importlib.import_module(f"test.test_{module}")
        suite = unittest.defaultTestLoader.loadTestsFromModule(tests)
        result = unittest.TestResult()
        edges: set[tuple[str, str]] = set()
        observed: set[str] = set()
        filename = loaded.__file__

        def profile(frame: types.FrameType, event: str, _arg: object) -> None:
            if event == "call" and frame.f_code.co_filename == filename:
                caller = frame.f_back
                code = caller.f_code if caller is not None else None
                if code is not None and _observes(code.co_filename, frame.f_code.co_name):
                    observed.add(frame.f_code.co_qualname)
                    return
                where = "<module>" if code is None else f"{Path(code.co_filename).name}:{code.co_qualname}"
                edges.add((where.replace(Path(filename).name, "<self>"), frame.f_code.co_qualname))

        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            sys.setprofile(profile)
            try:
                suite.run(result)
            finally:
                sys.setprofile(None)
    outcomes: dict[str, str] = {}
    for test, trace in result.failures + result.errors:
        outcomes[test.id()] = trace.strip().splitlines()[-1]
    for test, reason in result.skipped:
        outcomes[test.id()] = f"skipped: {reason}"
    return _Run(outcomes, edges, result.testsRun, observed)


def _surface(loaded: types.ModuleType) -> dict[str, str]:
    """Signature, names, docstring and kind of every function and method defined in the module."""
    found: dict[str, str] = {}

    def describe(name: str, obj: object) -> None:
        if not inspect.isfunction(obj) or obj.__module__ != loaded.__name__:
            return
        try:
            signature = str(inspect.signature(obj))
        except (TypeError, ValueError) as exc:
            signature = f"<{exc}>"
        kind = [
            k for k in ("isgeneratorfunction", "iscoroutinefunction", "isasyncgenfunction") if getattr(inspect, k)(obj)
        ]
        found[name] = f"{signature} {obj.__qualname__} {obj.__name__} {kind} {obj.__doc__!r}"

    for name, obj in vars(loaded).items():
        describe(name, obj)
        if inspect.isclass(obj) and obj.__module__ == loaded.__name__:
            for attr, member in vars(obj).items():
                describe(f"{name}.{attr}", getattr(member, "__func__", getattr(member, "fget", member)))
    return found


def check_behaviour(module: str, style: SpanStyle = DEFAULT_STYLE, *, capture: bool = True) -> Behaviour:
    """Instrument ``module`` and compare its test run, frames and signatures with the original's."""
    report = Behaviour(module)
    text = _source(module).read_text(encoding="utf-8")
    edited, report.functions, report.edited, report.refused = instrument(text, module, style, capture)
    if SpanEditor(edited).error:
        report.differences.append(f"{module}: the edited module does not parse")
        return report
    with tempfile.TemporaryDirectory(prefix="ta-behaviour-") as folder:
        original_path = Path(folder, "original", f"{module}.py")
        edited_path = Path(folder, "edited", f"{module}.py")
        for path, content in ((original_path, text), (edited_path, edited)):
            path.parent.mkdir()
            path.write_text(content, encoding="utf-8")
        before = _run_tests(module, original_path)
        after = _run_tests(module, edited_path)
        with _installed(module, original_path) as loaded:
            surface_before = _surface(loaded)
        with _installed(module, edited_path) as loaded:
            surface_after = _surface(loaded)
    report.tests, report.calls, report.observed = after.tests, len(after.edges), sorted(after.observed)
    if before.tests != after.tests:
        report.differences.append(f"{module}: {before.tests} tests ran before, {after.tests} after")
    for test in sorted(set(before.outcomes) | set(after.outcomes)):
        if before.outcomes.get(test) != after.outcomes.get(test):
            was, now = before.outcomes.get(test, "passed"), after.outcomes.get(test, "passed")
            report.differences.append(f"{test}: {was} -> {now}")
    for edge in sorted(before.edges ^ after.edges):
        side = "only before" if edge in before.edges else "only after"
        report.differences.append(f"{module}: call {edge[0]} -> {edge[1]} {side}")
    for name in sorted(set(surface_before) | set(surface_after)):
        if surface_before.get(name) != surface_after.get(name):
            report.differences.append(f"{module}.{name}: {surface_before.get(name)} -> {surface_after.get(name)}")
    return report


def stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])

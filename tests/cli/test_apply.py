"""``trace-advisor apply`` as a subprocess on copies of tests/fixtures/spans/<case>/ and of the example app.

The instrumented code is then run in a fresh interpreter with the OpenTelemetry SDK and an in-memory exporter.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from trace_advisor import span_files
from trace_advisor.cli import main

from tests.support.cli import clean_env

REPO = Path(__file__).resolve().parents[2]
SPANS = REPO / "tests" / "fixtures" / "spans"
CLI = [sys.executable, "-m", "trace_advisor"]

RUN_WITH_SDK = """
import asyncio, json, sys
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
sys.path.insert(0, sys.argv[1])
exec(sys.argv[2])
spans = [
    {"name": s.name, "id": s.context.span_id, "parent": s.parent.span_id if s.parent else None,
     "seconds": (s.end_time - s.start_time) / 1e9, "status": s.status.status_code.name,
     "events": [e.name for e in s.events], "attributes": dict(s.attributes or {})}
    for s in exporter.get_finished_spans()
]
print(json.dumps(spans))
"""


def cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120, check=False)


def run_instrumented(root: Path, code: str) -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_WITH_SDK, str(root), code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    spans: list[dict[str, object]] = json.loads(done.stdout.strip().splitlines()[-1])
    return spans


def copy_case(case: str, tmp_path: Path) -> Path:
    root = tmp_path / case
    shutil.copytree(SPANS / case, root, ignore=shutil.ignore_patterns("expected", "*.md", "plan.json", "__pycache__"))
    return root


def plan_symbols(case: str) -> list[str]:
    plan = json.loads((SPANS / case / "plan.json").read_text())["spans"]
    return [entry["symbol"] for entry in plan]


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*.py"))}


def symbol_args(symbols: list[str]) -> list[str]:
    return [arg for symbol in symbols for arg in ("--symbol", symbol)]


def test_diff_prints_a_unified_diff_and_changes_nothing(tmp_path: Path) -> None:
    root = copy_case("cross_module", tmp_path)
    before = snapshot(root)
    done = cli("apply", root, *symbol_args(plan_symbols("cross_module")), "--diff")
    assert done.returncode == 0, done.stderr
    assert snapshot(root) == before
    assert "--- a/crossapp/service.py\n+++ b/crossapp/service.py\n" in done.stdout
    assert '+        with tracer.start_as_current_span("Catalog.lookup"):\n' in done.stdout
    assert "+from opentelemetry import trace" in done.stdout
    assert "would add 2 span(s)" in done.stderr


@pytest.mark.parametrize("target", ["crossapp/service.py", "crossapp", "."])
def test_a_diff_of_a_file_or_package_applies_with_git_from_the_top(tmp_path: Path, target: str) -> None:
    """``trace-advisor apply crossapp/service.py --diff | git apply`` at the repository's top: the paths are relative
    to the current folder (not to the file's), and the result is what ``apply`` writes."""
    root = copy_case("cross_module", tmp_path)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    symbols = [s for s in plan_symbols("cross_module") if target != "crossapp/service.py" or ".service:" in s]
    preview = cli("apply", target, *symbol_args(symbols), "--diff", cwd=root)
    assert preview.returncode == 0, preview.stderr
    assert "--- a/crossapp/service.py\n+++ b/crossapp/service.py\n" in preview.stdout
    applied = subprocess.run([*git, "apply", "-"], cwd=root, input=preview.stdout, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    patched = snapshot(root)
    other = copy_case("cross_module", tmp_path / "written")
    done = cli("apply", other / target, *symbol_args(symbols))
    assert done.returncode == 0, done.stderr
    assert {p.relative_to(root): data for p, data in patched.items()} == {
        p.relative_to(other): data for p, data in snapshot(other).items()
    }


@pytest.mark.parametrize("case", ["cross_module", "async_gen"])
def test_apply_writes_the_expected_code_and_is_idempotent(case: str, tmp_path: Path) -> None:
    root = copy_case(case, tmp_path)
    done = cli("apply", root, *symbol_args(plan_symbols(case)))
    assert done.returncode == 0, done.stderr
    for path in root.rglob("*.py"):
        expected = SPANS / case / "expected" / path.relative_to(root)
        if expected.exists():
            assert path.read_bytes() == expected.read_bytes(), path
    once = snapshot(root)
    again = cli("apply", root, *symbol_args(plan_symbols(case)))
    assert again.returncode == 0, again.stderr
    assert snapshot(root) == once
    assert "already has a span" in again.stderr and "added 0 span(s)" in again.stderr


def test_instrumented_modules_nest_spans_across_modules(tmp_path: Path) -> None:
    root = copy_case("cross_module", tmp_path)
    assert cli("apply", root, *symbol_args(plan_symbols("cross_module"))).returncode == 0
    spans = run_instrumented(root, 'import crossapp.api as api; api.handle(\'{"skus": ["sku-1", "sku-2"]}\')')
    (handle,) = [s for s in spans if s["name"] == "handle"]
    lookups = [s for s in spans if s["name"] == "Catalog.lookup"]
    assert len(lookups) == 2 and all(s["parent"] == handle["id"] for s in lookups)
    assert handle["parent"] is None


def test_generator_and_async_spans_last_as_long_as_the_work(tmp_path: Path) -> None:
    root = copy_case("async_gen", tmp_path)
    assert cli("apply", root, *symbol_args(plan_symbols("async_gen"))).returncode == 0
    code = (
        "import jobs.stream as s\n"
        "asyncio.run(s.fetch_all(['a', 'b']))\n"
        "list(s.batches(list(range(6)), 2))\n"
        "async def main():\n    return [n async for n in s.ticks(2)]\n"
        "asyncio.run(main())\n"
    )
    spans = {s["name"]: s for s in run_instrumented(root, code)}
    assert spans["fetch_all"]["seconds"] >= 0.04  # type: ignore[operator]
    assert spans["batches"]["seconds"] >= 0.03  # type: ignore[operator]
    assert spans["ticks"]["seconds"] >= 0.02  # type: ignore[operator]


CONSUMER = """
import logging
import jobs.stream as s
detach_failures = []
class Failures(logging.Handler):
    def emit(self, record):
        detach_failures.append(record.getMessage())
logging.getLogger("opentelemetry.context").addHandler(Failures())
consumer = trace.get_tracer("consumer")
with consumer.start_as_current_span("handler"):
    for batch in s.batches(list(range(4)), 2):
        with consumer.start_as_current_span("process"):
            pass
early = s.batches([1, 2, 3], 1)
next(early)
early.close()
async def first_tick():
    async for n in s.ticks(3):
        return n
asyncio.run(first_tick())
try:
    list(s.batches(None, 2))
except TypeError:
    pass
assert not detach_failures, detach_failures
"""


def test_generator_spans_are_not_current_in_the_consumer(tmp_path: Path) -> None:
    """A span made current in a generator stays current wherever it yields to: the consumer's spans would nest under
    it and an async generator closed from another task fails to detach it. The generator's span is not current;
    closing a generator early is no error; a failure inside it sets ERROR with one exception event."""
    root = copy_case("async_gen", tmp_path)
    assert cli("apply", root, *symbol_args(plan_symbols("async_gen"))).returncode == 0
    spans = run_instrumented(root, CONSUMER)
    (handler,) = [s for s in spans if s["name"] == "handler"]
    processes = [s for s in spans if s["name"] == "process"]
    assert len(processes) == 2 and all(s["parent"] == handler["id"] for s in processes)
    batches = [(s["status"], s["events"]) for s in spans if s["name"] == "batches"]
    assert batches == [("UNSET", []), ("UNSET", []), ("ERROR", ["exception"])]
    assert [(s["status"], s["events"]) for s in spans if s["name"] == "ticks"] == [("UNSET", [])]


def test_file_path_with_a_bare_qualname(tmp_path: Path) -> None:
    root = copy_case("methods", tmp_path)
    target = root / "orders_app" / "orders.py"
    symbols = ["--symbol", "OrderService.tax", "--symbol", "orders:outer.<locals>.inner"]
    done = cli("apply", target, *symbols, "--form", "decorator", cwd=root)
    assert done.returncode == 0, done.stderr
    text = target.read_text()
    assert '    @staticmethod\n    @tracer.start_as_current_span("OrderService.tax")\n    def tax' in text
    assert '    @tracer.start_as_current_span("outer.inner")\n    def inner(x):' in text


def test_deeply_nested_generated_code_gets_its_span(tmp_path: Path) -> None:
    """Expressions deeper than Python's stack allows a recursive AST walk (a 1,000-term sum, long attribute and
    subscript chains) used to cost the span ("maximum recursion depth exceeded"); the edit is still verified."""
    root = tmp_path / "generated"
    root.mkdir()
    (root / "tables.py").write_text(
        "class Row:\n    def __getitem__(self, key):\n        return self\n\n    a = None\n\n\nRow.a = Row()\n\n\n"
        "def total(x):\n    return " + " + ".join(["x"] * 1000) + "\n\n\n"
        "def walk(row):\n    return row" + ".a" * 900 + "\n\n\n"
        "def index(row):\n    return row" + "[0]" * 900 + "\n"
    )
    symbols = ["--symbol", "total", "--symbol", "walk", "--symbol", "index"]
    done = cli("apply", root / "tables.py", *symbols, "--plain", cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "trace-advisor: added 3 span(s) in 1 file(s)"
    code = "import tables; r = tables.Row(); assert tables.total(1) == 1000; tables.walk(r); tables.index(r)"
    assert sorted(s["name"] for s in run_instrumented(root, code)) == ["index", "total", "walk"]


def test_bad_input_is_reported_and_nothing_is_written(tmp_path: Path) -> None:
    root = copy_case("bad_input", tmp_path)
    before = snapshot(root)
    broken = cli("apply", root, "--symbol", "badmods.broken:ok")
    assert broken.returncode == 1 and "does not parse (line 5" in broken.stderr
    stubs = cli(
        "apply",
        root,
        "--symbol",
        "badmods.stubs:todo",
        "--symbol",
        "badmods.stubs:Store.get",
        "--symbol",
        "badmods.stubs:vanished",
        "--symbol",
        "badmods.nowhere:f",
    )
    assert stubs.returncode == 1
    for message in ("no code to trace", "is abstract", "no function vanished", "no module badmods.nowhere"):
        assert message in stubs.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize(
    "args",
    [
        ["{root}"],  # neither --symbol nor --all
        ["{root}", "--symbol", "a:b", "--all"],
        ["{root}", "--symbol", "a:b", "--min-confidence", "0.5"],
        ["{root}/missing"],
        ["{root}", "--symbol", "qualname_without_module"],
        ["{root}", "--all", "--min-confidence", "1.5"],
        ["{root}", "--all", "--form", "wrapper"],
    ],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    root = copy_case("cross_module", tmp_path)
    done = cli("apply", *[a.format(root=root) for a in args])
    assert done.returncode == 2, done.stderr
    assert "error" in done.stderr


def test_mode_is_kept_and_symlinks_are_followed(tmp_path: Path) -> None:
    root = copy_case("cross_module", tmp_path)
    service = root / "crossapp" / "service.py"
    service.chmod(0o750)
    link = tmp_path / "link.py"
    link.symlink_to(service)
    done = cli("apply", link, "--symbol", "Catalog.lookup")
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and "start_as_current_span" in service.read_text()
    assert stat.S_IMODE(service.stat().st_mode) == 0o750
    assert not [p for p in service.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_file_changed_while_editing_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_case("cross_module", tmp_path)
    api = root / "crossapp" / "api.py"
    real_read = span_files.read_source_file

    def read_then_someone_saves(path: Path) -> span_files.SourceFile | str:
        read = real_read(path)
        api.write_text(api.read_text() + "\n# saved by the editor meanwhile\n")
        return read

    monkeypatch.setattr(span_files, "read_source_file", read_then_someone_saves)
    assert main(["apply", str(root), "--symbol", "crossapp.api:handle"]) == 1
    assert "changed on disk since it was read; not overwritten" in capsys.readouterr().err
    text = api.read_text()
    assert text.endswith("# saved by the editor meanwhile\n") and "start_as_current_span" not in text


def test_all_recommendations_on_the_example_app(tmp_path: Path) -> None:
    root = tmp_path / "examples"
    shutil.copytree(REPO / "examples", root, ignore=shutil.ignore_patterns("__pycache__"))
    before = snapshot(root)
    preview = cli("apply", root, "--all", "--min-confidence", "0.5", "--diff")
    assert preview.returncode == 0, preview.stderr
    assert snapshot(root) == before and preview.stdout.startswith("--- a/")
    done = cli("apply", root, "--all", "--min-confidence", "0.5")
    assert done.returncode == 0, done.stderr
    changed = [p for p, data in snapshot(root).items() if data != before[p]]
    assert len(changed) >= 3
    compiled = subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(root)], capture_output=True, text=True, check=False
    )
    assert compiled.returncode == 0, compiled.stdout
    again = cli("apply", root, "--all", "--min-confidence", "0.5")
    assert again.returncode == 0 and "added 0 span(s)" in again.stderr
    # the instrumented app still works (spans are no-ops without an SDK)
    env = {**os.environ, "PYTHONPATH": str(root)}
    db = tmp_path / "shop.db"
    for command in (["init-db"], ["show", "1"]):
        ran = subprocess.run(
            [sys.executable, "-m", "shop", "--db", str(db), *command],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert ran.returncode in (0, 2), ran.stderr  # 2: order 1 does not exist (a handled ShopError)
        assert "Traceback" not in ran.stderr


def test_plain_all_adds_spans_without_attributes(tmp_path: Path) -> None:
    root = tmp_path / "examples"
    shutil.copytree(REPO / "examples", root, ignore=shutil.ignore_patterns("__pycache__"))
    captured = cli("apply", root, "--all", "--diff")
    plain = cli("apply", root, "--all", "--plain", "--diff")
    assert captured.returncode == 0 and plain.returncode == 0, plain.stderr
    assert "set_attribute" in captured.stdout and "set_attribute" not in plain.stdout
    added = [line for line in plain.stdout.splitlines() if "start_as_current_span(" in line]
    assert len(added) == captured.stdout.count("start_as_current_span(") and added


def test_the_diff_applies_with_git_apply_and_equals_a_real_run(tmp_path: Path) -> None:
    previewed = copy_case("layout", tmp_path / "preview")
    applied = copy_case("layout", tmp_path / "applied")
    symbols = [
        "layoutmods.crlf_tabs:Encoder.encode",
        "layoutmods.bare:perimeter",
        "layoutmods.cookie_future:price_label",
    ]
    # bytes: the diff of each file is in that file's encoding (latin-1 here), CRLF lines stay CRLF
    diff = subprocess.run([*CLI, "apply", str(previewed), *symbol_args(symbols), "--diff"], capture_output=True)
    assert diff.returncode == 0, diff.stderr
    assert b"\xa3" in diff.stdout and b"\r\n" in diff.stdout
    patch = tmp_path / "spans.patch"
    patch.write_bytes(diff.stdout)
    done = subprocess.run(["git", "apply", str(patch)], cwd=previewed, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert cli("apply", applied, *symbol_args(symbols)).returncode == 0
    assert {p.relative_to(previewed): d for p, d in snapshot(previewed).items()} == {
        p.relative_to(applied): d for p, d in snapshot(applied).items()
    }


def test_code_file_path_is_the_import_path_when_no_project_folder_is_above(tmp_path: Path) -> None:
    """An exported tree (no pyproject.toml, .trace-advisor.yaml or .git above it): ``code.file.path`` names the file by
    its package path, not by its bare name (``broker.py`` would say nothing about which of several it is)."""
    tree = tmp_path / "export"
    (tree / "shop" / "utils").mkdir(parents=True)
    for package in (tree / "shop", tree / "shop" / "utils"):
        (package / "__init__.py").write_text("")
    broker = tree / "shop" / "utils" / "broker.py"
    broker.write_text(
        "import subprocess\n\n\nclass QueueError(Exception):\n    pass\n\n\ndef purge(name: str) -> None:\n"
        "    try:\n        subprocess.run(['rabbitmqctl', 'purge_queue', name], check=True, timeout=30)\n"
        "    except subprocess.CalledProcessError as error:\n        raise QueueError(name) from error\n"
    )
    assert not any((folder / marker).exists() for folder in tree.parents for marker in (".git", "pyproject.toml"))
    # the rules scorer recommends this short subprocess wrapper; the calibrated one (the default) does not
    rules = clean_env(TRACE_ADVISOR_SCORING="rules")
    done = subprocess.run(
        [*CLI, "apply", str(broker), "--symbol", "purge", "--no-cache"],
        capture_output=True,
        text=True,
        cwd=tree,
        env=rules,
    )
    assert done.returncode == 0, done.stderr
    assert 'span.set_attribute("code.file.path", "shop/utils/broker.py")' in broker.read_text()

"""``trace-advisor calls --record -- COMMAND`` on a fixture project's own test suite: the observed edges (getattr, a
plugin registry, a decorator's wrapper, threads, an executor, asyncio tasks, generators, exceptions, recursion), the
merged JSON and tree, ``--compare``, exit codes, and what a failing or killed command leaves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import cli
from tests.support.pythons import newer_python, python313

APP = Path(__file__).resolve().parent.parent / "fixtures" / "record" / "app"
# the fixture's suite needs only pytest itself: the plugins of this venv would only slow the recorded run down
PYTEST_ARGS = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
# the user's interpreter is not ours: the suite runs under this venv's 3.11 (sys.setprofile) and under CPython 3.13
# (sys.monitoring), and both recordings must say the same
INTERPRETERS = {"python3.11": lambda: sys.executable, "python3.13": python313}


def run_cli(
    *args: str | Path, cwd: Path, cache: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    extra = {"TRACE_ADVISOR_CACHE_DIR": str(cache), "PYTHONIOENCODING": "utf-8", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return cli.run_cli("calls", *args, cwd=cwd, timeout=300, env={**extra, **(env or {})})


class Recorded:
    def __init__(self, root: Path, cache: Path, python: str, result: subprocess.CompletedProcess[str]) -> None:
        self.root, self.cache, self.python, self.result = root, cache, python, result
        files = list((cache / "recordings").glob("*.json"))
        assert len(files) == 1, (result.stdout, result.stderr)
        self.file = files[0]
        self.data = json.loads(self.file.read_text(encoding="utf-8"))

    def edges(self, caller: str | None, callee: str) -> list[dict[str, object]]:
        return [c for c in self.data["calls"] if c["caller"] == caller and c["callee"] == callee]

    def count(self, caller: str | None, callee: str) -> int:
        return sum(int(c["count"]) for c in self.edges(caller, callee))  # type: ignore[call-overload]


@pytest.fixture(scope="module", params=sorted(INTERPRETERS))
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    python = INTERPRETERS[request.param]()
    root = tmp_path_factory.mktemp("record") / "app"
    shutil.copytree(APP, root)
    cache = root.parent / "cache"
    result = run_cli(".", "--record", "--", python, *PYTEST_ARGS, cwd=root, cache=cache)
    assert result.returncode == 0, result.stdout + result.stderr
    yield Recorded(root, cache, python, result)


def test_the_command_runs_with_its_own_output_and_a_summary(recorded: Recorded) -> None:
    assert "4 passed, 1 skipped" in recorded.result.stdout  # the user's command prints where it always does
    assert "trace-advisor: recorded" in recorded.result.stderr and str(recorded.file) in recorded.result.stderr
    assert recorded.data["exit_code"] == 0 and recorded.data["processes"] == 1
    assert recorded.data["backend"] == ("setprofile" if recorded.python == sys.executable else "monitoring")


def test_calls_static_analysis_cannot_follow(recorded: Recorded) -> None:
    # getattr dispatch
    assert recorded.count("shop.orders:OrderService.handle", "shop.orders:OrderService.do_place") == 1
    assert recorded.count("shop.orders:OrderService.handle", "shop.orders:OrderService.do_archive") == 1
    # a plugin registry
    assert recorded.count("shop.plugins:notify", "shop.plugins:EmailPlugin.send") == 1
    assert recorded.count("shop.plugins:notify", "shop.plugins:SmsPlugin.send") == 0
    # a decorator-returned wrapper: the caller calls the wrapper, the wrapper calls the function
    assert recorded.count("shop.orders:OrderService.do_place", "shop.timing:timed.<locals>.wrapper") == 1
    assert recorded.count("shop.timing:timed.<locals>.wrapper", "shop.orders:price") == 2001  # + invoice lines
    # a function picked from a dict, and its first calls out of the workspace
    assert recorded.count("shop.orders:OrderService.do_archive", "shop.storage:save") == 1
    assert recorded.count("shop.storage:save", "builtins:open") == 1
    assert recorded.edges("shop.storage:save", "builtins:open")[0]["external"] is True
    [line] = {c["line"] for c in recorded.edges("shop.orders:OrderService.handle", "shop.orders:OrderService.do_place")}
    assert line == 51  # the caller's line


def test_generators_exceptions_and_recursion(recorded: Recorded) -> None:
    assert recorded.count("shop.orders:total", "shop.orders:numbers") == 1  # one generator: one call
    assert recorded.count("shop.orders:numbers", "shop.orders:square") == 4  # resumed four times
    assert recorded.count("shop.orders:safe", "shop.orders:risky") == 2  # one raised, one returned
    test = "tests.test_shop:test_generators_and_exceptions"
    assert recorded.count(test, "shop.orders:safe") == 2  # attribution continues right after the exception
    assert recorded.count(test, "shop.orders:factorial") == 1
    assert recorded.count("shop.orders:factorial", "shop.orders:factorial") == 4
    assert (
        recorded.count(None, test) == 1 and recorded.edges(None, test)[0]["via"] == "_pytest.python:pytest_pyfunc_call"
    )


def test_threads_executors_and_tasks_are_attributed_to_who_handed_the_work_over(recorded: Recorded) -> None:
    thread = recorded.edges("shop.workers:in_thread", "shop.workers:work")
    assert [(c["count"], c["via"], c["line"]) for c in thread] == [(1, "thread", 17)]
    executor = recorded.edges("shop.workers:in_executor", "shop.workers:work")
    assert [(c["count"], c["via"]) for c in executor] == [(3, "executor")]
    tasks = sorted(
        (c["line"], c["count"], c["via"]) for c in recorded.edges("shop.workers:gather_all", "shop.workers:fetch")
    )
    assert tasks == [(42, 1, "task"), (43, 2, "task")]
    assert recorded.count("shop.workers:run_async", "shop.workers:gather_all") == 1
    assert recorded.count("shop.workers:fetch", "shop.orders:square") == 3
    assert recorded.count("shop.workers:work", "shop.orders:square") == 4  # in the thread and in the pool
    assert recorded.count(None, "shop.workers:work") == 0  # never an orphan entry


def test_time_is_sampled_where_it_is_spent(recorded: Recorded) -> None:
    def seconds(caller: str, callee: str) -> float:
        return sum(float(c["seconds"]) for c in recorded.edges(caller, callee))  # type: ignore[arg-type]

    # 0.2 s asleep in another thread: on the hand-over's edge, and on the C call it was waiting in
    assert 0.1 < seconds("shop.workers:pause_in_thread", "shop.workers:pause") < 0.5
    assert 0.1 < seconds("shop.workers:pause", "time:sleep") < 0.5
    assert seconds("shop.workers:pause_in_thread", "threading:Thread.join") > 0.1  # the caller waited meanwhile
    # a caller's cumulative time holds its callee's; recursion is counted once
    invoice = seconds("tests.test_shop:test_invoice", "shop.orders:invoice")
    assert invoice >= seconds("shop.orders:invoice", "shop.orders:line_total") > 0
    assert (
        seconds("shop.orders:factorial", "shop.orders:factorial")
        <= seconds("tests.test_shop:test_generators_and_exceptions", "shop.orders:factorial") + 0.01
    )


def test_module_bodies_are_imports_not_calls(recorded: Recorded) -> None:
    imports = recorded.edges(None, "shop.orders:<module>")
    assert [c["via"] for c in imports] == ["import"]
    assert not [c for c in recorded.data["calls"] if "importlib" in str(c["callee"])]


def test_merged_json_marks_each_edge(recorded: Recorded) -> None:
    result = run_cli(".", cwd=recorded.root, cache=recorded.cache)
    assert result.returncode == 0, result.stderr
    assert "using the calls observed by" in result.stderr
    functions = json.loads(result.stdout)["functions"]

    def edge(caller: str, callee: str) -> dict[str, object]:
        return next(e for e in functions[caller]["edges"] if e["callee"] == callee)

    handle = edge("shop.orders:OrderService.handle", "shop.orders:OrderService.do_place")
    assert handle == {
        "callee": "shop.orders:OrderService.do_place",
        "source": "observed",
        "count": 1,
        "seconds": handle["seconds"],
        "lines": [51],
    }
    assert edge("shop.orders:total", "shop.orders:numbers")["source"] == "both"
    assert edge("shop.orders:total", "shop.orders:numbers")["count"] == 1
    # ``price`` is decorated: ``price(value)`` calls what ``@timed`` made of it, whose ``func(...)`` calls price
    wrapped = edge("shop.orders:OrderService.do_place", "shop.timing:timed.<locals>.wrapper")
    assert wrapped["source"] == "both" and wrapped["count"] == 1
    assert edge("shop.timing:timed.<locals>.wrapper", "shop.orders:price")["source"] == "both"
    assert edge("shop.workers:in_executor", "shop.workers:work")["via"] == ["executor"]
    assert functions["shop.orders:square"]["observed"]["calls"] == 2012
    # the contract's static lists are unchanged
    assert functions["shop.orders:OrderService.handle"]["calls"] == ["builtins:getattr"]
    static_only = run_cli(".", "--no-recording", cwd=recorded.root, cache=recorded.cache)
    assert "edges" not in json.loads(static_only.stdout)["functions"]["shop.orders:total"]


def test_entry_tree_shows_observed_only_edges(recorded: Recorded) -> None:
    result = run_cli(".", "--entry", "shop/orders.py:OrderService.handle", cwd=recorded.root, cache=recorded.cache)
    assert result.returncode == 0, result.stderr
    assert "shop.orders:OrderService.do_place  (shop/orders.py:53)  [observed only, 1x]" in result.stdout
    assert "shop.plugins:notify  (shop/plugins.py:26)  (observed 1x)" in result.stdout
    as_json = run_cli(
        ".", "--entry", "shop.orders:OrderService.handle", "--format", "json", cwd=recorded.root, cache=recorded.cache
    )
    tree = json.loads(as_json.stdout)
    children = {c["symbol"]: c for c in tree["children"]}
    assert children["shop.orders:OrderService.do_place"]["static"] is False
    assert children["shop.orders:OrderService.do_place"]["observed"] == 1
    assert children["builtins:getattr"]["static"] is True


def test_compare_reports_recall_and_why_calls_were_missed(recorded: Recorded) -> None:
    result = run_cli(".", "--compare", "--format", "json", cwd=recorded.root, cache=recorded.cache)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    modules = {m["module"]: m for m in report["modules"]}
    # the decorators ``@register("email")`` apply ``register.<locals>.add``, which writes the class into
    # ``REGISTRY``: ``REGISTRY[kind]()`` is either plugin, so ``plugin.send`` is found too
    assert modules["shop.plugins"] == {"module": "shop.plugins", "observed": 3, "found": 3, "recall": 1.0}
    assert 0 < report["recall"] < 1 and report["observed"] == sum(m["observed"] for m in report["modules"])
    missed = {(m["caller"], m["callee"]): m for m in report["missed"]}
    getattr_call = missed["shop.orders:OrderService.handle", "shop.orders:OrderService.do_place"]
    assert getattr_call["line"] == 51 and 'unresolved `getattr(self, f"do_{action}")`' in getattr_call["reason"]
    assert ("shop.orders:OrderService.do_place", "shop.timing:timed.<locals>.wrapper") not in missed  # decorated
    # work handed to a thread or a pool is a static edge too (Thread(target=work), pool.map(work, ...): via)
    assert ("shop.workers:in_thread", "shop.workers:work") not in missed
    assert ("shop.workers:in_executor", "shop.workers:work") not in missed
    assert ("shop.orders:total", "shop.orders:numbers") not in missed
    assert ("shop.plugins:notify", "shop.plugins:EmailPlugin.send") not in missed
    text = run_cli(".", "--compare", str(recorded.file), cwd=recorded.root, cache=recorded.cache)
    assert "shop/orders.py:51  OrderService.handle -> shop.orders:OrderService.do_place  (observed 1x)" in text.stdout
    assert 'unresolved `getattr(self, f"do_{action}")`: dynamic-attribute' in text.stdout


@pytest.mark.parametrize("interpreter", sorted(INTERPRETERS))
def test_exit_code_passes_through_and_a_failing_suite_keeps_its_edges(tmp_path: Path, interpreter: str) -> None:
    root = tmp_path / "app"
    shutil.copytree(APP, root)
    out = tmp_path / "failing.json"
    python = INTERPRETERS[interpreter]()
    result = run_cli(
        ".",
        "--record",
        "--record-out",
        out,
        "--",
        python,
        *PYTEST_ARGS,
        "--fail-on-purpose",
        cwd=root,
        cache=tmp_path / "cache",
    )
    assert result.returncode == 1, result.stderr
    assert "1 failed, 4 passed" in result.stdout and "the command exited with 1" in result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["exit_code"] == 1
    callees = {c["callee"] for c in data["calls"]}
    assert {"tests.test_shop:test_fails_on_purpose", "shop.plugins:EmailPlugin.send"} <= callees


def test_exit_codes_of_plain_commands(tmp_path: Path) -> None:
    code = "import sys; sys.exit(3)"
    for python in (sys.executable, python313()):
        assert run_cli(tmp_path, "--record", "--", python, "-c", code, cwd=tmp_path, cache=tmp_path).returncode == 3
    missing = run_cli(tmp_path, "--record", "--", "no-such-command-here", cwd=tmp_path, cache=tmp_path)
    assert missing.returncode == 127 and "command not found: no-such-command-here" in missing.stderr
    usage = run_cli(tmp_path, "--record", cwd=tmp_path, cache=tmp_path)
    assert usage.returncode == 2 and "--record runs a command" in usage.stderr
    stray = run_cli(tmp_path, "--", "pytest", cwd=tmp_path, cache=tmp_path)
    assert stray.returncode == 2 and "only run with --record" in stray.stderr


def test_a_killed_process_keeps_what_it_wrote_periodically(tmp_path: Path) -> None:
    (tmp_path / "job.py").write_text(
        "import os, signal, time\n\n\ndef step(n):\n    return n + 1\n\n\ndef main():\n    for n in range(5):\n"
        "        step(n)\n    time.sleep(1.0)\n    os.kill(os.getpid(), signal.SIGKILL)\n\n\nmain()\n",
        encoding="utf-8",
    )
    out = tmp_path / "killed.json"
    result = run_cli(
        tmp_path,
        "--record",
        "--record-out",
        out,
        "--",
        sys.executable,
        "job.py",
        cwd=tmp_path,
        cache=tmp_path / "cache",
        env={"TRACE_ADVISOR_RECORD_FLUSH_SECONDS": "0.2"},
    )
    assert result.returncode == 128 + 9
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [(c["caller"], c["count"]) for c in data["calls"] if c["callee"] == "job:step"] == [("job:main", 5)]


def test_sys_monitoring_and_setprofile_record_the_same_workspace_edges(tmp_path: Path) -> None:
    def record(python: str, name: str, backend: str) -> tuple[str, set[tuple[object, ...]]]:
        root = tmp_path / name / "app"
        shutil.copytree(APP, root)
        out = tmp_path / f"{name}.json"
        result = run_cli(
            ".",
            "--record",
            "--record-out",
            out,
            "--",
            python,
            "run_checks.py",
            cwd=root,
            cache=tmp_path,
            env={"TRACE_ADVISOR_RECORD_BACKEND": backend},
        )
        assert result.returncode == 0, result.stderr
        data = json.loads(out.read_text(encoding="utf-8"))
        edges = {
            (c["caller"], c["callee"], c["line"], c["count"], c["via"])
            for c in data["calls"]
            if not c["external"] and c["caller"] is not None
        }
        return data["backend"], edges

    backend, monitored = record(newer_python(), "monitoring", "monitoring")
    assert backend == "monitoring"
    assert record(sys.executable, "profiled", "setprofile") == ("setprofile", monitored)
    assert ("shop.workers:gather_all", "shop.workers:fetch", 43, 2, "task") in monitored
    assert ("shop.plugins:notify", "shop.plugins:EmailPlugin.send", 28, 1, None) in monitored


def analyze(recorded: Recorded, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trace_advisor", "analyze", ".", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=recorded.root,
        env={**os.environ, "TRACE_ADVISOR_CACHE_DIR": str(recorded.cache)},
        timeout=300,
        check=False,
    )


def test_recommendations_use_observed_calls_as_evidence(recorded: Recorded) -> None:
    with_recording = analyze(recorded, "--format", "json", "--min-confidence", "0")
    assert with_recording.returncode == 0, with_recording.stderr
    assert "using the calls observed by" in with_recording.stderr
    without = analyze(recorded, "--format", "json", "--min-confidence", "0", "--no-recording")
    seen = {r["symbol"]: r for r in json.loads(with_recording.stdout)["recommendations"]}
    static = {r["symbol"]: r for r in json.loads(without.stdout)["recommendations"]}
    # an observed-only call into a function that writes files counts like a static one
    archive = seen["shop.orders:OrderService.do_archive"]
    assert archive["rationale"].startswith("Calls shop.storage:save (file access")
    assert "observed 1×, not in the static graph" in archive["rationale"]
    assert archive["confidence"] > static.get("shop.orders:OrderService.do_archive", {"confidence": 0})["confidence"]
    [io] = [e for e in archive["evidence"] if e["detail"] == "shop.storage:save"]
    assert io["range"]["start_line"] == 60  # the observed call's line
    # a hot path: 2,000 calls in the recorded run, with the figures in the rationale
    line_total = seen["shop.orders:line_total"]
    assert line_total["rationale"].startswith("Hot path: observed 2,000 calls, ")
    assert f"`{Path(recorded.python).name} -m pytest -q -p no:cacheprovider`" in line_total["rationale"]
    assert line_total["confidence"] > static.get("shop.orders:line_total", {"confidence": 0})["confidence"]


def test_html_report_shows_hot_calls_and_observed_edges(recorded: Recorded, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = analyze(recorded, "--format", "html", "-o", out)
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    raw = page.split('<script type="application/json" id="report-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(raw)
    hot = {(e["caller"], e["callee"]): e for e in data["hot"]["edges"]}
    assert hot["shop.orders:invoice", "shop.orders:line_total"]["count"] == 2000
    assert data["hot"]["command"].endswith("-q -p no:cacheprovider")

    def nodes(node: dict[str, object]) -> Iterator[dict[str, object]]:
        yield node
        for child in node.get("children", []):  # type: ignore[union-attr]
            yield from nodes(child)  # type: ignore[arg-type]

    marks = {(n["symbol"], n.get("static"), n.get("observed")) for tree in data["trees"] for n in nodes(tree)}
    assert ("shop.orders:OrderService.do_place", False, 1) in marks  # observed only: the getattr dispatch
    assert "Hot calls" in page


@pytest.mark.parametrize("interpreter", sorted(INTERPRETERS))
def test_a_c_method_reached_through_a_subclass_is_named_by_the_class_defining_it(
    tmp_path: Path, interpreter: str
) -> None:
    """CPython names a bound C method by its object's class (``Buffer.write`` for ``super().write`` in a subclass of
    ``io.StringIO``): the recording names the C class that defines it, as the static graph does, and the C call no
    longer reads as the subclass's own method calling itself (which crashed the recording)."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "buf.py").write_text(
        "import io\n\n\nclass Buffer(io.StringIO):\n"
        "    def write(self, text):\n        return super().write(text)\n\n\n"
        "def main():\n    b = Buffer()\n    b.write('x')\n    return b.getvalue()\n\n\nmain()\n",
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    result = run_cli(".", "--record", "--", INTERPRETERS[interpreter](), "buf.py", cwd=root, cache=cache)
    assert result.returncode == 0, result.stdout + result.stderr
    done = Recorded(root, cache, interpreter, result)
    assert done.count("buf:main", "buf:Buffer.write") == 1
    assert done.count("buf:Buffer.write", "io:StringIO.write") == 1
    assert done.count("buf:main", "io:StringIO.getvalue") == 1
    assert not [c for c in done.data["calls"] if c["callee"] == "buf:Buffer.getvalue"]

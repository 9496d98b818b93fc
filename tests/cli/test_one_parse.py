"""One parse per module: ``trace-advisor analyze`` (the CLI, in a subprocess) parses each file of the project once,
cold (the tree of the parse that gave its facts serves the analysis) and warm (facts from the cache, one parse for
the tree), however many phases read it: detectors, the cost decision, the span-volume figures. Parses are counted
from the interpreter's ``compile`` audit events (``ast.parse`` compiles). The project is several fixture projects in
one folder: more modules than an editor's index keeps trees of (64), so a phase that comes back to a module after
others shows as a second parse."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.support.cli import clean_env

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPO = FIXTURES.parent.parent
# top-level packages and modules of fixture projects, none in syntax newer than the running Python's
PARTS = [
    REPO / "examples" / "shop",
    *sorted((FIXTURES / "devset").glob("*.py")),
    FIXTURES / "worker_loop" / "app",
    FIXTURES / "web_clients" / "hub",
    FIXTURES / "cost_hot" / "catalog",
    FIXTURES / "cost_promote" / "names",
    FIXTURES / "work_units" / "jobs",
    FIXTURES / "units" / "billing",
]

# the CLI's own entry point, with every compile of a file under the project counted
COUNTING = """
import collections, json, sys
root, out, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
counts = collections.Counter()
def hook(event, args):
    if event == "compile" and isinstance(args[1], str) and args[1].startswith(root):
        counts[args[1]] += 1
sys.addaudithook(hook)
from trace_advisor.cli import main
try:
    code = main(argv)
finally:
    with open(out, "w") as handle:
        json.dump(counts, handle)
sys.exit(code)
"""


def analyze_counting(project: Path, cache: Path, report: Path, counts: Path) -> Counter[str]:
    argv = ["analyze", str(project), "--format", "json", "--quiet", "--output", str(report)]
    done = subprocess.run(
        [sys.executable, "-c", COUNTING, str(project), str(counts), *argv],
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(TRACE_ADVISOR_CACHE_DIR=str(cache)),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found: Counter[str] = Counter(json.loads(counts.read_text(encoding="utf-8")))
    return found


def test_each_module_is_parsed_once_cold_and_warm(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for part in PARTS:
        if part.is_dir():
            shutil.copytree(part, project / part.name)
        else:
            project.mkdir(exist_ok=True)
            shutil.copyfile(part, project / part.name)
    modules = sorted(str(p) for p in project.rglob("*.py"))
    assert len(modules) > 64
    cache = tmp_path / "cache"
    report = tmp_path / "report.json"

    cold = analyze_counting(project, cache, report, tmp_path / "cold.json")
    first = json.loads(report.read_text(encoding="utf-8"))
    assert first["files_analysed"] == len(modules)
    assert first["recommendations"], "the analysis found nothing to weigh: the test shows nothing"
    assert sorted(cold) == modules
    assert {path: n for path, n in cold.items() if n != 1} == {}

    warm = analyze_counting(project, cache, report, tmp_path / "warm.json")
    assert sorted(warm) == modules
    assert {path: n for path, n in warm.items() if n != 1} == {}
    assert json.loads(report.read_text(encoding="utf-8")) == first

"""The cost figure decides (tests/fixtures/cost_hot, through the CLI): a pure URL helper the call graph estimates at
thousands of calls per request is left out with its figure and the recommended callers whose spans measure it, in the
JSON and Markdown reports, in `apply --all` and in coverage; a helper as hot that handles errors itself keeps its
span."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.cli.test_apply import run_instrumented
from tests.support.cli import run_cli as run_any_scorer

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cost_hot"
PROMOTE = FIXTURE.parent / "cost_promote"
PARSE_URL = "catalog.urls:parse_url"


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Any:
    """The CLI with the rules scorer: these tests are about the cost decision, and the fixture's recommended callers
    (whose spans measure the hot helper) were chosen with the rules' confidences."""
    return run_any_scorer(*args, cwd=cwd, env={"TRACE_ADVISOR_SCORING": "rules", **(env or {})})


def _analyze(project: Path, *extra: str) -> dict[str, Any]:
    done = run_cli("analyze", ".", "--format", "json", "--no-cache", "-q", *extra, cwd=project)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_a_hot_pure_helper_is_left_out_with_its_figure_and_the_callers_that_measure_it(tmp_path: Path) -> None:
    project = tmp_path / "cost_hot"
    shutil.copytree(FIXTURE, project)
    report = _analyze(project)
    recommended = {r["symbol"]: r for r in report["recommendations"]}
    assert set(recommended) == {"catalog.crawl:crawl", "catalog.crawl:Crawler.fetch_page"}
    [note] = [n for n in report["left_out"] if n["symbol"] == PARSE_URL]
    assert note["file"] == "catalog/urls.py" and note["line"] == 10
    # 10 pages (a while loop) x 10 lines x 10 links (two nested for loops); resolve's two calls are the two arms of
    # one if: they count once
    assert note["reason"] == (
        "estimated 1,000 calls per call of catalog.crawl:crawl on every path (each branch and handler taken, a loop"
        " over items counted as 10 iterations), with no I/O, error handling or entry point of its own: a span here"
        " adds as many spans; the spans of Crawler.fetch_page (recommended callers) measure it"
    )
    assert report["volume"] == {  # what is kept: one crawl, ten pages
        "spans_per_request": 11.0,
        "one_pass": 2.0,
        "entry": "catalog.crawl:crawl",
        "functions": 2,
        "loop_iterations": 10,
        "unit": "call",
    }

    markdown = run_cli("analyze", ".", "--format", "md", "--no-cache", "-q", cwd=project)
    assert f"- `{PARSE_URL}` (`catalog/urls.py:10`): estimated 1,000 calls per call of" in markdown.stdout

    coverage = run_cli("coverage", project, "--format", "json", "--no-cache")
    assert coverage.returncode == 0, coverage.stderr
    counted = {f["symbol"] for f in json.loads(coverage.stdout)["functions"]}
    assert counted == set(recommended)  # what analyze leaves out for cost is not a missing span

    applied = run_cli("apply", project, "--all", "--no-cache")
    assert applied.returncode == 0, applied.stderr
    assert (project / "catalog" / "urls.py").read_text() == (FIXTURE / "catalog" / "urls.py").read_text()
    assert "start_as_current_span" in (project / "catalog" / "crawl.py").read_text()


def test_a_hot_helper_that_handles_errors_itself_keeps_its_span() -> None:
    # the error-handling detectors alone: with every detector, a pure helper whose only evidence is its error handling
    # is no work of its own and no candidate at all (tests/cli/test_handling_only.py)
    report = _analyze(FIXTURE, "--min-confidence", "0.2", "--priorities", "exceptions,branches")
    costs = {r["symbol"]: r["cost"] for r in report["recommendations"]}
    # `except ValueError` is its own to show; typically 10 calls (one loop over items counted as 10 on each path, the
    # nested ones once), 1,000 were every loop over items 10 long (what decides that it is hot)
    cost = costs["catalog.urls:parse_port"]
    assert (cost["spans_per_request"], cost["one_pass"], cost["all_paths"]) == (10, 1, 1000)
    assert PARSE_URL not in costs


def test_the_threshold_is_a_setting_of_the_project_and_of_the_environment(tmp_path: Path) -> None:
    project = tmp_path / "cost_hot"
    shutil.copytree(FIXTURE, project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.trace-advisor]\nhot_calls_per_unit = 5000\n")
    report = _analyze(project)
    kept = {r["symbol"]: r for r in report["recommendations"]}
    assert kept[PARSE_URL]["cost"]["all_paths"] == 1000  # under 5,000: worth its span now
    assert PARSE_URL not in {n["symbol"] for n in report["left_out"]}

    lower = run_cli(
        "analyze",
        ".",
        "--format",
        "json",
        "--no-cache",
        "-q",
        cwd=project,
        env={"TRACE_ADVISOR_HOT_CALLS_PER_UNIT": "999.5"},
    )  # the environment wins over the file
    assert lower.returncode == 0, lower.stderr
    [note] = [n for n in json.loads(lower.stdout)["left_out"] if n["symbol"] == PARSE_URL]
    assert note["reason"].startswith("estimated 1,000 calls per call of")


def test_the_threshold_s_former_name_is_still_read(tmp_path: Path) -> None:
    """``hot_calls_per_request`` (the setting's name before figures were per unit of work) still sets it, in the
    project file and in the environment, with a warning naming the new name."""
    project = tmp_path / "cost_hot"
    shutil.copytree(FIXTURE, project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.trace-advisor]\nhot_calls_per_request = 5000\n")
    done = run_cli("analyze", ".", "--format", "json", "--no-cache", "-q", cwd=project)
    assert done.returncode == 0, done.stderr
    assert PARSE_URL in {r["symbol"] for r in json.loads(done.stdout)["recommendations"]}  # under 5,000
    assert "pyproject.toml:7: hot_calls_per_request is deprecated, read as hot_calls_per_unit" in done.stderr
    env = {"TRACE_ADVISOR_HOT_CALLS_PER_REQUEST": "999.5"}
    lower = run_cli("analyze", ".", "--format", "json", "--no-cache", "-q", cwd=project, env=env)
    assert lower.returncode == 0, lower.stderr
    assert PARSE_URL in {n["symbol"] for n in json.loads(lower.stdout)["left_out"]}  # the environment wins
    assert "TRACE_ADVISOR_HOT_CALLS_PER_REQUEST is deprecated, read as TRACE_ADVISOR_HOT_CALLS_PER_UNIT" in lower.stderr


def test_an_invalid_threshold_is_an_error_naming_the_key(tmp_path: Path) -> None:
    project = tmp_path / "cost_hot"
    shutil.copytree(FIXTURE, project)
    pyproject = project / "pyproject.toml"
    base = pyproject.read_text()
    for value, message in [("0", "must be at least 1, got 0"), ('"many"', "expected a number, got 'many'")]:
        pyproject.write_text(base + f"\n[tool.trace-advisor]\nhot_calls_per_unit = {value}\n")
        done = run_cli("analyze", ".", "--format", "json", "--no-cache", "-q", cwd=project)
        assert done.returncode == 2
        assert f"config: pyproject.toml:7 hot_calls_per_unit: {message}" in done.stderr
        assert done.stdout == ""


def test_a_hot_computation_no_recommended_function_measures_promotes_its_nearest_caller(tmp_path: Path) -> None:
    """tests/fixtures/cost_promote: `similarity` (nested loops) runs ~200 times per `dedupe` and nothing recommended
    calls it: `closest` (~10 calls per `dedupe`) gets the span in its place, and under the OTel SDK one `dedupe` of
    ten names makes ten `closest` spans that hold all the `similarity` work (no span at all before)."""
    project = tmp_path / "cost_promote"
    shutil.copytree(PROMOTE, project)
    report = _analyze(project)
    [note] = report["left_out"]
    assert note["symbol"] == "names.distance:similarity"
    assert note["reason"].endswith(
        "no recommended function calls it, so its nearest caller cheap enough for a span, closest, is recommended"
        " to measure it"
    )
    [promoted] = report["recommendations"]
    assert (promoted["symbol"], promoted["priority"]) == ("names.dedupe:closest", "performance")
    assert promoted["rationale"].startswith(
        "Calls similarity, too hot for a span of its own (about 200 calls per call of names.dedupe:dedupe)."
    )
    assert "Recommended in place of similarity, left out for cost (from names.dedupe:dedupe)" in promoted["rationale"]
    assert promoted["confidence"] >= 0.35 and promoted["cost"]["spans_per_request"] == 10

    # coverage reads the same decision: the promoted caller is what needs a span, not the hot function
    covered = run_cli("coverage", ".", "--format", "json", "--no-cache", cwd=project)
    assert covered.returncode == 0, covered.stderr
    coverage = json.loads(covered.stdout)
    assert [(f["symbol"], f["priority"], f["traced"]) for f in coverage["functions"]] == [
        ("names.dedupe:closest", "performance", None)
    ]
    assert coverage["functions"][0]["line"] == 10 and coverage["functions"][0]["confidence"] == promoted["confidence"]

    applied = run_cli("apply", project, "--all", "--no-cache")
    assert applied.returncode == 0, applied.stderr
    assert (project / "names" / "distance.py").read_text() == (PROMOTE / "names" / "distance.py").read_text()
    # with its span the caller is no longer promoted (its span measures similarity now): it counts as traced
    covered = run_cli("coverage", ".", "--format", "json", "--no-cache", cwd=project)
    assert covered.returncode == 0, covered.stderr
    coverage = json.loads(covered.stdout)
    assert [(f["symbol"], f["priority"], f["traced"]) for f in coverage["functions"]] == [
        ("names.dedupe:closest", "performance", "already calls tracer.start_as_current_span")
    ]
    assert coverage["functions"][0]["confidence"] == promoted["confidence"]
    assert coverage["overall"]["traced"] == coverage["overall"]["functions"] == 1
    names = [f"name{i}" for i in range(10)] + ["Name3"]
    spans = run_instrumented(project, f"import names.dedupe as d; assert d.dedupe({names!r})['Name3'] == 'name3'")
    assert [s["name"] for s in spans] == ["closest"] * len(names)  # 11 spans, not 220 of similarity
    assert all(s["status"] == "UNSET" for s in spans)


FAN_OUT = (
    "import asyncio\n"
    "import urllib.request\n\n"
    "URL = 'https://llm.example/v1/chat'\n\n\n"
    "async def _post(body: bytes) -> bytes:\n"
    "    with urllib.request.urlopen(URL, data=body, timeout=30) as response:\n"
    "        return response.read()\n\n\n"
    "async def ask(chunk: str) -> str:\n"
    "    if not chunk:\n"
    "        raise ValueError('empty chunk')\n"
    "    answer = await _post(chunk.encode())\n"
    "    return answer.decode()\n\n\n"
    "async def summarise(chunk: str) -> str:\n"
    "    if not chunk:\n"
    "        raise ValueError('empty chunk')\n"
    "    answer = await _post(chunk.encode())\n"
    "    return answer.decode()\n\n\n"
    "async def ask_all(chunks: list[str]) -> list[str]:\n"
    "    tasks = []\n"
    "    for chunk in chunks:\n"
    "        tasks.append(ask(chunk))\n"
    "    answers = await asyncio.gather(*tasks)\n"
    "    if not answers:\n"
    "        raise ValueError('no answers')\n"
    "    return list(answers)\n\n\n"
    "async def summarise_all(chunks: list[str]) -> list[str]:\n"
    "    out = []\n"
    "    for chunk in chunks:\n"
    "        out.append(await summarise(chunk))\n"
    "    if not out:\n"
    "        raise ValueError('no summaries')\n"
    "    return out\n\n\n"
    "if __name__ == '__main__':\n"
    "    asyncio.run(ask_all(['a', 'b']))\n"
    "    asyncio.run(summarise_all(['a', 'b']))\n"
)


def test_calls_fanned_out_concurrently_keep_their_spans_awaited_one_by_one_they_do_not(tmp_path: Path) -> None:
    (tmp_path / "chunks.py").write_text(FAN_OUT, encoding="utf-8")
    report = _analyze(tmp_path)
    recommended = {r["symbol"] for r in report["recommendations"]}
    assert {"chunks:ask_all", "chunks:summarise_all", "chunks:ask"} <= recommended
    # gathered: the caller's span lasts as long as the slowest call, so each call needs its own
    assert "chunks:ask" not in {n["symbol"] for n in report["left_out"]}
    # awaited in turn: the caller's span measures the loop
    [note] = [n for n in report["left_out"] if n["symbol"] == "chunks:summarise"]
    assert note["reason"].startswith("called in a loop of summarise_all (also recommended)")


MEMOIZED = {
    "notify/__init__.py": "",
    "notify/plugins.py": (
        "import importlib\n"
        "import logging\n\n"
        "log = logging.getLogger(__name__)\n\n\n"
        "class Registry:\n"
        "    def __init__(self, paths: list[str]) -> None:\n"
        "        self.paths = paths\n"
        "        self.cache: list[type] | None = None\n\n"
        "    def all(self) -> list[type]:\n"
        "        if self.cache is not None:\n"
        "            return self.cache\n"
        "        found = []\n"
        "        for path in self.paths:\n"
        "            module_name, _, name = path.rpartition('.')\n"
        "            try:\n"
        "                found.append(getattr(importlib.import_module(module_name), name))\n"
        "            except ImportError:\n"
        "                log.warning('plugin %s is missing', path)\n"
        "        self.cache = found\n"
        "        return found\n\n\n"
        "REGISTRY = Registry(['notify.senders.Email'])\n"
    ),
    "notify/send.py": (
        "import requests\n\n"
        "from notify.plugins import REGISTRY\n\n\n"
        "def senders() -> list[type]:\n"
        "    return [plugin for plugin in REGISTRY.all() if plugin.enabled]\n\n\n"
        "def send_all(batches: list[list[dict]]) -> None:\n"
        "    for batch in batches:\n"
        "        for message in batch:\n"
        "            for user in message['to']:\n"
        "                for plugin in senders():\n"
        "                    requests.post(plugin.url, json={'to': user}, timeout=5).raise_for_status()\n"
    ),
}


def test_a_hot_memoized_function_is_left_out_though_it_handles_errors_on_a_miss(tmp_path: Path) -> None:
    """dispatch's plugin registry ``InstanceManager.all`` returns its cached list before anything else; its handlers
    (a plugin that fails to import is skipped) run once, on the first call. Its error handling kept it out of the hot
    rule: 1,400 of the 1,550 spans per request of dispatch's headline. A span there times a cached list."""
    for name, text in MEMOIZED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    # the error-handling detectors alone (with every detector a cache read whose only evidence is its error handling is
    # no candidate at all: tests/cli/test_handling_only.py)
    report = _analyze(tmp_path, "--min-confidence", "0.01", "--priorities", "exceptions,branches")
    assert "notify.plugins:Registry.all" not in {r["symbol"] for r in report["recommendations"]}
    [note] = [n for n in report["left_out"] if n["symbol"] == "notify.plugins:Registry.all"]
    assert "runs only when its cache misses" in note["reason"], note["reason"]
    assert note["reason"].startswith("estimated 1,000 calls per call of notify.send:send_all"), note["reason"]

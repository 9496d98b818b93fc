"""The span a report shows for a function is exactly what ``trace-advisor apply`` writes for it (on the example app).

The report side runs in-process (analysis + report facts), the apply side as a subprocess on a copy of examples/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from trace_advisor.analysis import analyze
from trace_advisor.config import load_config
from trace_advisor.edits import SpanEditor
from trace_advisor.index import Index
from trace_advisor.report.facts import RecommendationFacts, all_recommendations, build_facts

CLI = [sys.executable, "-m", "trace_advisor"]


@pytest.fixture()
def app(tmp_path: Path, examples_dir: Path) -> Path:
    root = tmp_path / "examples"
    shutil.copytree(examples_dir, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def report_previews(root: Path) -> dict[str, RecommendationFacts]:
    config = load_config(root)
    index = Index.from_config(config, [root], use_cache=False)
    index.build()
    facts = build_facts(analyze(index, config), config, root=root)
    return {rec.symbol: rec for rec in all_recommendations(facts)}


def function_text(path: Path, qualname: str, line: int | None = None) -> str:
    """The def of ``qualname`` in ``path`` (decorators included) as written on disk."""
    text = path.read_text(encoding="utf-8")
    sites = SpanEditor(text).sites(qualname)
    node = next(
        (s.node for s in sites if line is None or s.node.lineno <= line <= (s.node.end_lineno or 0)), sites[0].node
    )
    first = min([d.lineno for d in node.decorator_list] + [node.lineno])
    return "".join(text.splitlines(keepends=True)[first - 1 : node.end_lineno])


def apply(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "apply", *map(str, args)], capture_output=True, text=True, timeout=120, check=False)


def test_apply_symbol_writes_the_span_the_report_shows(app: Path) -> None:
    previews = report_previews(app)
    symbol = "shop.services.orders:OrderService.place_order"  # a `with` block, attributes and a swallowed error
    shown = previews[symbol]
    assert "span.set_attribute(" in shown.edited_function and "span.record_exception(" in shown.edited_function
    done = apply(app, "--symbol", symbol)
    assert done.returncode == 0, done.stderr
    assert function_text(app / shown.file, shown.qualname) == shown.edited_function
    # the file-and-qualname form the report suggests writes the same
    other = "shop.repository.sqlite_repo:ProductRepository.reserve_stock"
    target = app / previews[other].file
    done = apply(target, "--symbol", previews[other].qualname)
    assert done.returncode == 0, done.stderr
    assert function_text(target, previews[other].qualname) == previews[other].edited_function


LINE_NUMBER = re.compile(r'"code\.line\.number", (\d+)\)')


def test_apply_all_writes_every_span_the_report_shows(app: Path) -> None:
    previews = report_previews(app)
    done = apply(app, "--all")
    assert done.returncode == 0, done.stderr
    edited = [rec for rec in previews.values() if rec.edited_function]
    assert len(edited) >= 20
    for rec in edited:
        # the same code, but for code.line.number: apply --all edits the file top to bottom, so the spans added
        # above a function move its def down; the preview shows the function's edit on the file as analysed
        written = function_text(app / rec.file, rec.qualname)
        assert LINE_NUMBER.sub("", written) == LINE_NUMBER.sub("", rec.edited_function), rec.symbol
        number = LINE_NUMBER.search(written)
        if number:
            lines = (app / rec.file).read_text().splitlines()
            assert lines[int(number.group(1)) - 1].lstrip().startswith(("def ", "async def ")), rec.symbol
    for rec in previews.values():
        if not rec.edited_function:  # the engine said why: apply adds nothing there either
            assert rec.span_message and rec.qualname in done.stderr


def test_plain_gives_a_span_without_captures(app: Path) -> None:
    rec = report_previews(app)["shop.worker.jobs:send_receipt"]
    assert "span.set_attribute(" in rec.edited_function
    done = apply(app, "--symbol", rec.symbol, "--plain")
    assert done.returncode == 0, done.stderr
    written = function_text(app / rec.file, rec.qualname)
    assert '    with tracer.start_as_current_span("send_receipt"):\n' in written
    assert "set_attribute" not in written and " as span" not in written

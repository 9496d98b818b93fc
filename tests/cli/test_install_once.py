"""What to install beside the recommended spans is said once per package: ``trace-advisor analyze`` on examples/
(eight recommended functions call sqlite3, whose instrumentation is not installed) writes one line for
opentelemetry-instrumentation-sqlite3 under "Instrumentation to install" in the Markdown report (coded and from the
bundled template) and the HTML report, and none in their rationales; JSON and SARIF keep it in each rationale (they
have no such section)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from trace_advisor.report import default_template

from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parent.parent.parent
PACKAGE = "opentelemetry-instrumentation-sqlite3"
SAID = f"Install {PACKAGE} for the client spans themselves"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The reports of one run over a copy of examples/, by format (``md-template``: the bundled Jinja2 template)."""
    root = tmp_path_factory.mktemp("install-once")
    project = root / "examples"
    shutil.copytree(REPO / "examples", project)
    out = {fmt: root / f"report.{fmt}" for fmt in ("md", "json", "sarif", "html")}
    args = [a for fmt, path in out.items() for a in ("--format", fmt, "-o", path)]
    done = run_cli("analyze", project, *args, "--no-cache", "--quiet")
    assert done.returncode == 0, done.stderr
    texts = {fmt: path.read_text(encoding="utf-8") for fmt, path in out.items()}
    done = run_cli("analyze", project, "--format", "md", "--template", default_template(), "--no-cache", "--quiet")
    assert done.returncode == 0, done.stderr
    texts["md-template"] = done.stdout
    return texts


def test_json_and_sarif_keep_it_in_each_rationale(reports: dict[str, str]) -> None:
    recs = json.loads(reports["json"])["recommendations"]
    saying = [r["symbol"] for r in recs if SAID in r["rationale"]]
    assert len(saying) >= 3, "examples/ no longer shows the repetition: pick another project"
    results = json.loads(reports["sarif"])["runs"][0]["results"]
    assert sum(SAID in r["message"]["text"] for r in results) == len(saying)


@pytest.mark.parametrize("fmt", ["md", "md-template"])
def test_markdown_says_it_once_under_instrumentation_to_install(reports: dict[str, str], fmt: str) -> None:
    text = reports[fmt]
    saying = sum(SAID in r["rationale"] for r in json.loads(reports["json"])["recommendations"])
    section = text.split("## Instrumentation to install\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if PACKAGE in line]
    assert lines == [f"- Install `{PACKAGE}` for the client spans themselves ({saying} recommendations below)."]
    assert text.count(PACKAGE) == 1
    whys = [line for line in text.splitlines() if line.startswith("- Why: ")]
    assert len(whys) == len(json.loads(reports["json"])["recommendations"])
    assert not [line for line in whys if "Install " in line]


def test_html_says_it_once(reports: dict[str, str]) -> None:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', reports["html"], re.S)
    assert found is not None
    data = json.loads(found.group(1))
    saying = sum(SAID in r["rationale"] for r in json.loads(reports["json"])["recommendations"])
    assert [line for line in data["install"] if PACKAGE in line] == [
        f"Install `{PACKAGE}` for the client spans themselves ({saying} recommendations below)"
    ]
    shown = [rec for recs in data["recommendations"].values() for rec in recs]
    assert len(shown) == len(json.loads(reports["json"])["recommendations"])
    assert not [rec for rec in shown if "Install " in rec["rationale"]]

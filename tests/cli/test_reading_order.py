"""The reading order through ``trace-advisor analyze`` as a subprocess (tests/fixtures/reading_order): of two
equally strong recommendations (the same 0.05 band of confidence), the function making remote calls is listed first
in "Start with" and in the summary's strongest, before the database writer that comes first in the file and is a hair
stronger; its evidence says what each is about (``kind``). Scored by the rules (``scoring: rules``), whose
confidences put the three in one band: the order within a band is the subject (the boosted model puts ``resync`` a
band above the others, which then reads first on confidence alone)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from trace_advisor.reading_order import band

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "reading_order"


def by_the_rules(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    (project / ".trace-advisor.yaml").write_text("scoring: rules\n", encoding="utf-8")
    return project


def test_equally_strong_recommendations_start_with_the_remote_calls(tmp_path: Path) -> None:
    out, md = tmp_path / "report.json", tmp_path / "report.md"
    project = by_the_rules(tmp_path)
    done = run_cli("analyze", project, "--no-cache", "--format", "json", "-o", out, "--format", "md", "-o", md)
    assert done.returncode == 0, done.stderr
    recs = {str(r["qualname"]): r for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    save, push = recs["save_orders"], recs["push_orders"]
    assert band(save["confidence"]) == band(push["confidence"]) and save["confidence"] >= push["confidence"]
    assert {e.get("kind") for e in save["evidence"]} == {"db", None}
    assert {e.get("kind") for e in push["evidence"]} == {"http", "file", None}
    start = md.read_text(encoding="utf-8").split("Start with:")[1]
    assert re.findall(r"^\d\. `(\w+)`", start, re.MULTILINE)[:2] == ["push_orders", "save_orders"]
    strongest = done.stderr.split("strongest:")[1]
    assert strongest.index("push_orders") < strongest.index("save_orders")


def test_a_command_run_by_hand_reads_after_the_service(tmp_path: Path) -> None:
    """``resync`` (a click command, in the same band and the HTTP caller ``push_orders``'s kind of work) comes after
    the service's database writer: an admin run, not traffic. Its CLI evidence says so (``kind: command``)."""
    out, md = tmp_path / "report.json", tmp_path / "report.md"
    project = by_the_rules(tmp_path)
    done = run_cli("analyze", project, "--no-cache", "--format", "json", "-o", out, "--format", "md", "-o", md)
    assert done.returncode == 0, done.stderr
    recs = {str(r["qualname"]): r for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]}
    assert band(recs["resync"]["confidence"]) == band(recs["save_orders"]["confidence"])
    assert "command" in {e.get("kind") for e in recs["resync"]["evidence"]}
    start = md.read_text(encoding="utf-8").split("Start with:")[1]
    assert re.findall(r"^\d\. `(\w+)`", start, re.MULTILINE) == ["push_orders", "save_orders", "resync"]

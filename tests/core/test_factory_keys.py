"""A keyed factory given a parameter (issue 13, S9): the parameter's default and the literals the calls reaching it
pass say which client it builds, and an edit to such a literal in a caller is seen by the function that builds it
(tests/fixtures/factories: ``queue(service="sqs")``, called as ``queue()`` and ``queue("sns")``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from trace_advisor.index import Index


def callees(index: Index, symbol: str) -> set[str]:
    return {edge.callee for edge in index.graph().callees(symbol)}


def unresolved(index: Index, symbol: str) -> set[str]:
    return {missing.text for missing in index.graph().unresolved(symbol)}


def test_an_edit_to_a_callers_literal_changes_the_client(fixtures_dir: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(fixtures_dir / "factories" / "project", project)
    path = project / "shop" / "aws.py"
    index = Index([project], cache_dir=tmp_path / "cache")
    index.build()
    assert "botocore.client:SNS.publish" in callees(index, "shop.aws:announce")
    text = path.read_text()
    for literal, published in (('queue("sts")', False), ('queue("sns")', True)):
        edited = text.replace('queue("sns")', literal, 1)
        index.update_file(path, edited)
        # STS has no ``publish``: unresolved, never named; back to "sns": SNS's again
        assert ("botocore.client:SNS.publish" in callees(index, "shop.aws:announce")) is published
        assert (f"{literal}.publish" in unresolved(index, "shop.aws:announce")) is not published
        assert "botocore.client:SQS.send_message" in callees(index, "shop.aws:enqueue")
        path.write_text(edited)
        fresh = Index([project], cache_dir=tmp_path / "fresh", use_cache=False)
        fresh.build()
        assert callees(fresh, "shop.aws:announce") == callees(index, "shop.aws:announce")

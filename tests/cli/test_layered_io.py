"""I/O found through a client written in layers (tests/fixtures/layered_sdk, issue #16), through ``trace-advisor
analyze`` as a subprocess: a caller of an SDK's public operation learns that it does I/O even when the network call
sits three functions below that operation, as in the Slack SDK."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "layered_sdk"


def evidence(tmp_path: Path, scoring: str) -> dict[str, list[str]]:
    """Each recommended function's evidence reasons, at any confidence."""
    out = tmp_path / f"{scoring}.json"
    done = run_cli(
        "analyze", FIXTURE, "--format", "json", "-o", out, "--no-cache", "--min-confidence", "0.01",
        env={"TRACE_ADVISOR_SCORING": scoring},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    recs = json.loads(out.read_text(encoding="utf-8"))["recommendations"]
    return {str(r["qualname"]): [str(e["reason"]) for e in r["evidence"]] for r in recs}


def test_a_caller_of_a_layered_sdk_operation_sees_its_io(tmp_path: Path) -> None:
    """``rotate_token -> oauth_v2_access -> api_call -> _send -> _request -> urlopen``: the token rotation calls a
    function doing HTTP I/O (found four calls below it, and named rather than the upload's file reads found nearer),
    under both scorers; a method that only formats text gets nothing."""
    for scoring in ("rules", "calibrated"):
        found = evidence(tmp_path, scoring)
        assert "TokenStore.describe" not in found, found
        rotate = found.get("TokenStore.rotate_token", [])
        assert (
            "calls chatkit.client:WebClient.oauth_v2_access (I/O through chatkit.base_client:BaseClient._request)"
            in rotate
        ), (scoring, rotate)
        assert any("I/O through" in reason for reason in found["WebClient.oauth_v2_access"]), found

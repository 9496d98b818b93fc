"""``trace-advisor analyze --provider ...`` as a subprocess against loopback endpoints speaking the providers' wire
formats: a malformed answer costs only its own batch (every paid call counted, one clear warning), and Bedrock
finds its region in ``AWS_REGION`` as well as ``AWS_DEFAULT_REGION``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.bedrock_server import fake_bedrock
from tests.support.openai_server import Reply, fake_openai

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def analyze(cache: Path, report: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``analyze examples/`` with a fresh cache, no inherited AWS/OpenAI/trace-advisor settings, and ``env``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TRACE_ADVISOR_", "OPENAI_", "AWS_"))}
    environ.update(
        TRACE_ADVISOR_CACHE_DIR=str(cache),
        XDG_CACHE_HOME=str(cache),  # the answer cache lives there
        TRACE_ADVISOR_PROVIDER__BATCH_SIZE="1",
        TRACE_ADVISOR_PROVIDER__CONCURRENCY="1",
        **env,
    )
    command = [sys.executable, "-m", "trace_advisor", "analyze", str(EXAMPLES), *args]
    return subprocess.run(
        [*command, "--format", "json", "-o", str(report), "--quiet"],
        capture_output=True,
        text=True,
        timeout=180,
        env=environ,
        check=False,
    )


@pytest.mark.parametrize(
    "malformed",
    [
        pytest.param("[" * 100_000, id="nested-too-deep"),
        pytest.param('{"recommendations": ' + "[" * 5_000 + "]" * 5_000 + "}", id="deep-but-closed"),
        pytest.param("Here you go: " + "[0, " * 30_000, id="unclosed-prose"),  # each start scans to the end
    ],
)
def test_one_malformed_answer_costs_only_its_batch(tmp_path: Path, malformed: str) -> None:
    with fake_openai() as server:
        server.add(Reply(text=malformed))
        done = analyze(
            tmp_path / "cache",
            tmp_path / "report.json",
            "--provider",
            "openai",
            TRACE_ADVISOR_PROVIDER__OPENAI__BASE_URL=f"{server.url}/v1",
        )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    calls = len(server.requests)
    assert calls >= 5  # one request per candidate function (batch_size 1)
    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert data["usage"]["calls"] == calls  # every paid call is counted, the malformed one included
    by_model = [r for r in data["recommendations"] if r["source"] == "llama3.2"]
    assert len({r["symbol"] for r in by_model}) >= calls - 1 - 2  # the other answers are merged (some below 0.5)
    warnings = [p for p in data["problems"] if p["severity"] == "warning"]
    assert len(warnings) == 1 and "1 function(s) keep their local advice" in warnings[0]["message"]
    assert "model 'llama3.2'" in warnings[0]["message"] and warnings[0]["message"] in done.stderr


@pytest.mark.parametrize("variable", ["AWS_REGION", "AWS_DEFAULT_REGION"])
def test_bedrock_region_from_either_environment_variable(tmp_path: Path, variable: str) -> None:
    with fake_bedrock() as server:
        done = analyze(
            tmp_path / "cache",
            tmp_path / "report.json",
            "--provider",
            "bedrock",
            TRACE_ADVISOR_PROVIDER__BEDROCK__ENDPOINT_URL=server.url,
            AWS_ACCESS_KEY_ID="AKIDEXAMPLETESTKEY00",
            AWS_SECRET_ACCESS_KEY="fake-secret-for-tests",
            AWS_CONFIG_FILE=str(tmp_path / "none"),
            AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
            AWS_EC2_METADATA_DISABLED="true",
            **{variable: "eu-west-3"},
        )
    assert done.returncode == 0, done.stderr
    assert "no AWS region" not in done.stderr and server.requests
    scopes = {r.headers["authorization"].split("Credential=")[1].split("/")[2] for r in server.requests}
    assert scopes == {"eu-west-3"}  # requests are signed for the region from the environment
    assert json.loads((tmp_path / "report.json").read_text("utf-8"))["usage"]["calls"] == len(server.requests)

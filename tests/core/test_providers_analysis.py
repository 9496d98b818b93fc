"""analyze() with a model provider against the fake Bedrock server: answers merged per function, local ones kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from trace_advisor.analysis import analyze
from trace_advisor.config import default_config
from trace_advisor.index import Index

from tests.support.bedrock_server import Reply, fake_bedrock
from tests.support.providers import CLAUDE, bedrock, isolate_aws

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def index() -> Index:
    built = Index([EXAMPLES])
    built.build()
    return built


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws(monkeypatch, tmp_path)


def test_model_answers_are_merged_per_function_keeping_their_source(index: Index, tmp_path: Path) -> None:
    config = default_config()
    local = analyze(index, config)
    with fake_bedrock() as server:
        merged = analyze(index, config, provider=bedrock(server.url, tmp_path))
    assert merged.engine == f"bedrock:{CLAUDE}"
    sources = {r.symbol: r.source for r in merged.recommendations}
    assert CLAUDE in sources.values()
    sent = {
        line.split("### symbol: ")[1]
        for r in server.requests
        for line in r.text.splitlines()
        if line.startswith("### symbol: ")
    }
    assert all(sources.get(symbol, CLAUDE) == CLAUDE for symbol in sent)  # the model's verdict wins where it spoke
    assert merged.usage.calls == len(server.requests) and merged.usage.input_tokens > 0
    assert {r.symbol for r in local.recommendations} <= set(sources) | sent
    assert all(r.usage is not None for r in merged.recommendations if r.source == CLAUDE)


def test_local_results_survive_a_failing_provider(index: Index, tmp_path: Path) -> None:
    config = default_config()
    local = analyze(index, config)
    with fake_bedrock() as server:
        server.add(Reply(status=403, error_type="AccessDeniedException", message="not authorized"))
        result = analyze(index, config, provider=bedrock(server.url, tmp_path, concurrency=1))
    assert [r.to_json() for r in result.recommendations] == [r.to_json() for r in local.recommendations]
    assert any("access denied" in p.message for p in result.problems)

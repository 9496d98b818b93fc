"""analyze() with a model provider against the fake Bedrock server: answers merged per function, local ones kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from trace_advisor.advise.provider import Candidate, Provider, ProviderResult
from trace_advisor.analysis import analyze
from trace_advisor.cancel import CancelToken
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
    # per-file usage reaches the result: it adds up to the run's tokens, and only files with candidates appear
    by_file = merged.usage_by_file
    assert by_file and sum(u.input_tokens for u in by_file.values()) == merged.usage.input_tokens
    assert sum(u.output_tokens for u in by_file.values()) == merged.usage.output_tokens
    assert all(Path(f).is_file() and u.calls >= 1 for f, u in by_file.items())
    with fake_bedrock() as again:
        rerun = analyze(index, config, provider=bedrock(again.url, tmp_path))
    assert again.requests == [] and rerun.usage.input_tokens == 0 and rerun.usage_by_file == {}


def test_local_results_survive_a_failing_provider(index: Index, tmp_path: Path) -> None:
    config = default_config()
    local = analyze(index, config)
    with fake_bedrock() as server:
        server.add(Reply(status=403, error_type="AccessDeniedException", message="not authorized"))
        result = analyze(index, config, provider=bedrock(server.url, tmp_path, concurrency=1))
    assert [r.to_json() for r in result.recommendations] == [r.to_json() for r in local.recommendations]
    assert any("access denied" in p.message for p in result.problems)


def test_candidates_include_decorators_like_the_recommendations(index: Index) -> None:
    config = default_config()
    local = {r.symbol: r for r in analyze(index, config).recommendations}
    with fake_bedrock() as server:
        recorder = _Recorder(bedrock(server.url))
        analyze(index, config, provider=recorder)
    route = next(c for c in recorder.seen if c.symbol == "shop.web.handlers:create_order")
    lines = Path(route.file).read_text("utf-8").splitlines()
    assert route.code.splitlines()[0] == '@router.route("POST", "/orders")'
    assert lines[route.range.start.line - 1].startswith("@router.route(") and route.range.start.column == 0
    assert route.range == local[route.symbol].range and route.code == local[route.symbol].code_block
    assert any('1|@router.route("POST", "/orders")' in r.text for r in server.requests)


class _Recorder:
    """Passes candidates on to a real provider and keeps them."""

    def __init__(self, inner: Provider) -> None:
        self.inner, self.name, self.model = inner, inner.name, inner.model
        self.seen: tuple[Candidate, ...] = ()

    def advise(self, candidates: tuple[Candidate, ...], cancel: CancelToken) -> ProviderResult:
        self.seen = candidates
        return self.inner.advise(candidates, cancel)

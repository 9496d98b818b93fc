"""The analysis facade over a real index: cross-module evidence, bad files, subsets, progress, cancellation, the
provider merge (a failing provider never loses local results) and the examples app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trace_advisor.advise.provider import Candidate, ProviderResult
from trace_advisor.analysis import analyze
from trace_advisor.cancel import CancelledError, CancelToken
from trace_advisor.config import config_from_mapping
from trace_advisor.config_model import Config
from trace_advisor.datatypes import Capture, Problem, Recommendation, Usage
from trace_advisor.index import Index

WORKSPACE = Path(__file__).resolve().parent.parent / "fixtures" / "detect" / "workspace"


@pytest.fixture(scope="module")
def config() -> Config:
    """The rules scorer: these tests are about the facade, the cache and model providers, and their bands (a model is
    asked where the local confidence is between the cuts) were written with the rules' confidences."""
    return config_from_mapping({"scoring": "rules"}, "test_analysis")


@pytest.fixture(scope="module")
def index(config: Config) -> Index:
    built = Index.from_config(config, [WORKSPACE], use_cache=False)
    built.build()
    return built


def by_symbol(recs: tuple[Recommendation, ...]) -> dict[str, Recommendation]:
    return {r.symbol: r for r in recs}


def test_business_operation_named_by_its_callee(index: Index, config: Config) -> None:
    result = analyze(index, config)
    recs = by_symbol(result.recommendations)
    settle = recs["acme.billing:settle"]
    assert "acme.gateway:charge" in settle.rationale and "external HTTP" in settle.rationale
    assert "handles and swallows paymenterror" in settle.rationale.lower()
    assert settle.capture.parameters == ("account_id",)
    assert "acme.billing:charge_later" not in recs  # only delegates to the I/O function, which has its own span
    assert "acme.billing:total" not in recs
    assert "acme.gateway:charge" in recs
    assert result.engine == "local" and result.usage == Usage()


def test_unparseable_file_reported_and_skipped(index: Index, config: Config) -> None:
    result = analyze(index, config)
    broken = [p for p in result.problems if p.file and p.file.endswith("broken.py")]
    assert len(broken) == 1
    assert result.files_analysed == 4  # __init__, api, gateway, billing
    assert result.recommendations


def test_calls_through_annotated_parameters_and_chains_reach_the_callee(index: Index, config: Config) -> None:
    from trace_advisor.analysis import Analyzer
    from trace_advisor.detect.context import FunctionContext

    analyzer = Analyzer(index, config, index.graph())
    analysed = index.analysed(WORKSPACE / "acme" / "api.py")
    assert not isinstance(analysed, Problem)
    [function] = [f for f in analysed.functions() if f.scope.qualname == "close_day"]
    ctx = FunctionContext(analysed, function, analyzer.builder.facts(function.symbol) if analyzer.builder else None)
    by_text = {c.text: c for c in ctx.calls}
    assert by_text["ledger.settle"].callees == ("acme.billing:Ledger.settle",)
    assert "acme.billing:Ledger.settle" in ctx.callee_io  # it charges through acme.gateway:charge


def test_files_subset_progress_and_cancel(index: Index, config: Config) -> None:
    billing = WORKSPACE / "acme" / "billing.py"
    seen: list[tuple[int, int]] = []
    result = analyze(index, config, [billing], progress=lambda done, total: seen.append((done, total)))
    assert {r.file for r in result.recommendations} == {str(billing)}
    assert seen == [(1, 1)]
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        analyze(index, config, cancel=token)


class FakeProvider:
    """Answers for one candidate (as a model would), or fails."""

    name = "fake"
    model = "fake-model-1"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.seen: tuple[Candidate, ...] = ()

    def advise(self, candidates: tuple[Candidate, ...], cancel: CancelToken) -> ProviderResult:
        self.seen = candidates
        if self.fail:
            raise ConnectionError("endpoint down")
        close_day = next(c for c in candidates if c.qualname == "close_day")
        assert close_day.local is None  # below min_confidence locally: the model may promote it
        answer = Recommendation(
            symbol=close_day.symbol,
            file=close_day.file,
            qualname=close_day.qualname,
            range=close_day.range,
            name_range=close_day.range,
            priority="exceptions",
            rationale="model says so",
            confidence=0.9,
            capture=Capture(),
            code_block=close_day.code,
            source=self.model,
        )
        usage = Usage(1, 100, 20, 0.001)
        return ProviderResult(
            (answer,), usage, (Problem("one batch throttled"),), usage_by_file={close_day.file: usage}
        )


def test_provider_answers_merged_per_function(index: Index, config: Config) -> None:
    provider = FakeProvider()
    local = by_symbol(analyze(index, config).recommendations)
    result = analyze(index, config, provider=provider)
    recs = by_symbol(result.recommendations)
    assert "acme.api:close_day" not in local and recs["acme.api:close_day"].source == "fake-model-1"
    assert recs["acme.gateway:charge"].source == "local"
    assert result.engine == "fake:fake-model-1" and result.usage.input_tokens == 100
    assert any(p.message == "one batch throttled" for p in result.problems)
    close_day = next(c for c in provider.seen if c.qualname == "close_day")
    assert close_day.callees and close_day.content_hash and close_day.evidence
    assert result.usage_by_file == {close_day.file: Usage(1, 100, 20, 0.001)}


def test_model_is_asked_only_where_it_can_change_the_verdict(index: Index, config: Config) -> None:
    provider = FakeProvider()
    analyze(index, config, provider=provider)
    sent = {c.symbol for c in provider.seen}
    local = by_symbol(analyze(index, config).recommendations)
    # settle and charge have overwhelming local evidence (>= 0.9): a model could only restate it
    assert local["acme.billing:settle"].confidence >= 0.9 and local["acme.gateway:charge"].confidence >= 0.9
    assert not sent & {"acme.billing:settle", "acme.gateway:charge"}
    assert "acme.billing:total" not in sent  # no evidence worth a model's look
    assert sent == {"acme.api:close_day", "acme.gateway:refund"}


def test_failing_provider_keeps_local_results(index: Index, config: Config) -> None:
    local = analyze(index, config)
    result = analyze(index, config, provider=FakeProvider(fail=True))
    assert [r.to_json() for r in result.recommendations] == [r.to_json() for r in local.recommendations]
    assert any("endpoint down" in p.message and p.severity == "error" for p in result.problems)


def test_examples_app(config: Config, examples_dir: Path) -> None:
    expected = json.loads((examples_dir / "expected.json").read_text(encoding="utf-8"))
    built = Index.from_config(config, [examples_dir], use_cache=False)
    built.build()
    result = analyze(built, config)
    got = {r.symbol for r in result.recommendations}
    trace = {f"{m}:{q}" for m, v in expected.items() if isinstance(v, dict) for q in v["trace"]}
    never = {f"{m}:{q}" for m, v in expected.items() if isinstance(v, dict) for q in v["never"]}
    assert len(trace & got) >= 0.75 * len(trace), sorted(trace - got)
    assert len(never & got) <= 2, sorted(never & got)
    for must in (
        "shop.services.orders:OrderService.place_order",
        "shop.worker.jobs:Worker.handle",
        "shop.web.app:App.dispatch",
    ):
        assert must in got
    assert not result.problems


def test_callee_io_follows_edits_of_the_callee(tmp_path: Path, config: Config) -> None:
    """What a callee does (I/O or not) is kept between runs only while its resolved calls are the same: an edit of
    the callee, in the caller's module or in another, is seen by the next analysis of the caller."""
    from trace_advisor.analysis import Analyzer

    (tmp_path / "work.py").write_text("def work(path):\n    return path\n")
    run = tmp_path / "run.py"
    run.write_text(
        "from work import work\n\n\ndef helper(path):\n    return path\n\n\n"
        "def run(path):\n    helper(path)\n    return work(path)\n"
    )
    index = Index.from_config(config, [tmp_path], use_cache=False)
    index.build()

    def callee_io() -> set[str]:
        analyzer = Analyzer(index, config, index.graph())
        assert analyzer.builder is not None
        return set(analyzer.builder.facts("run:run").callee_io)

    assert callee_io() == set()
    index.update_file(tmp_path / "work.py", "def work(path):\n    return open(path).read()\n")
    assert callee_io() == {"work:work"}
    index.update_file(run, run.read_text().replace("    return path\n", "    return open(path).read()\n", 1))
    assert callee_io() == {"work:work", "run:helper"}
    index.update_file(tmp_path / "work.py", None)  # back to the disk's: no I/O
    assert callee_io() == {"run:helper"}


def test_callee_io_follows_edits_deep_below_the_callee(tmp_path: Path, config: Config) -> None:
    """I/O is looked for a few calls below a callee (an SDK's operation reaches its transport through layers): an
    edit of the function at the bottom of that walk, in another module, changes what the caller sees of the callee."""
    from trace_advisor.analysis import Analyzer

    transport = tmp_path / "transport.py"
    transport.write_text("def send(path):\n    return path\n")
    (tmp_path / "layers.py").write_text(
        "from transport import send\n\n\ndef operation(path):\n    return call(path)\n\n\n"
        "def call(path):\n    return build(path)\n\n\ndef build(path):\n    return send(path)\n"
    )
    (tmp_path / "run.py").write_text("from layers import operation\n\n\ndef run(path):\n    return operation(path)\n")
    index = Index.from_config(config, [tmp_path], use_cache=False)
    index.build()

    def callee_io() -> dict[str, str]:
        analyzer = Analyzer(index, config, index.graph())
        assert analyzer.builder is not None
        return {callee: io.label for callee, io in analyzer.builder.facts("run:run").callee_io.items()}

    assert callee_io() == {}
    index.update_file(transport, "def send(path):\n    return open(path).read()\n")
    assert callee_io() == {"layers:operation": "I/O through transport:send"}
    index.update_file(transport, None)  # back to the disk's: no I/O
    assert callee_io() == {}


def test_a_callee_using_a_receiver_as_a_mapping_makes_no_guessed_client_call(tmp_path: Path, config: Config) -> None:
    """A receiver named like a client that the callee subscripts is a mapping: celery's ``AsyncResult.get`` read
    "calls maybe_throw (cache access via cache.get)" for ``cache['status']`` then ``cache.get('traceback')``. The
    same call on a receiver used as nothing else stays a guess by name."""
    (tmp_path / "result.py").write_text(
        "def maybe_throw(meta):\n"
        "    cache = meta\n"
        "    state, tb = cache['status'], cache.get('traceback')\n"
        "    return state, tb\n\n\n"
        "def remote(cache):\n"
        "    return cache.get('traceback')\n\n\n"
        "def get(meta):\n"
        "    return maybe_throw(meta), remote(meta)\n"
    )
    assert callee_io_of(tmp_path, config, "result:get") == {"result:remote"}


def test_a_memoised_callee_lends_its_io_to_no_caller(tmp_path: Path, config: Config) -> None:
    """A function behind a memoising decorator runs its body on a miss, once per argument: a call of it is a lookup
    in memory (CTFd's ``@cache.memoize() _get_config(key)`` made 55 functions reading a setting "I/O through
    _get_config"). The same function undecorated lends its I/O."""
    (tmp_path / "settings.py").write_text(
        "import functools\nimport sqlite3\n\n\n"
        "@functools.lru_cache(maxsize=128)\n"
        "def cached_setting(key):\n"
        "    return sqlite3.connect('app.db').execute('select v from s where k = ?', (key,)).fetchone()\n\n\n"
        "def setting(key):\n"
        "    return sqlite3.connect('app.db').execute('select v from s where k = ?', (key,)).fetchone()\n\n\n"
        "def page_title():\n"
        "    return cached_setting('title'), setting('title')\n"
    )
    assert callee_io_of(tmp_path, config, "settings:page_title") == {"settings:setting"}


def callee_io_of(root: Path, config: Config, symbol: str) -> set[str]:
    """The workspace callees of ``symbol`` that do I/O, as a fresh analysis of ``root`` finds them."""
    from trace_advisor.analysis import Analyzer

    index = Index.from_config(config, [root], use_cache=False)
    index.build()
    analyzer = Analyzer(index, config, index.graph())
    assert analyzer.builder is not None
    return set(analyzer.builder.facts(symbol).callee_io)

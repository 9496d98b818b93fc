"""Choosing and configuring a provider, the price table, and the prompt's contract."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from trace_advisor.advise.pricing import PriceTable
from trace_advisor.advise.prompt import PROMPT_VERSION, render_candidate, system_prompt
from trace_advisor.advise.provider import Candidate
from trace_advisor.advise.providers import ProviderConfigError, create_provider
from trace_advisor.advise.providers.bedrock import BedrockProvider
from trace_advisor.advise.providers.openai_compat import OpenAIProvider
from trace_advisor.cancel import NEVER
from trace_advisor.config import default_config, load_config
from trace_advisor.config_model import PROVIDER_NAMES, PROVIDERS, Config, PriorityConfig, ProviderConfig
from trace_advisor.datatypes import Evidence, Range

from tests.support.bedrock_server import fake_bedrock
from tests.support.candidates import candidates_from_file
from tests.support.providers import FIXTURES, isolate_aws

REPO = Path(__file__).resolve().parents[2]


def with_provider(**changes: object) -> Config:
    config = default_config()
    return dataclasses.replace(config, provider=dataclasses.replace(config.provider, **changes))


def test_local_is_the_default_and_has_no_provider() -> None:
    assert create_provider(default_config()) is None


def test_bedrock_and_openai_are_built_from_config(tmp_path: Path) -> None:
    config = load_config(
        tmp_path,
        env={"TRACE_ADVISOR_PROVIDER__NAME": "bedrock"},
        overrides={"provider.bedrock.model_id": "us.meta.llama3-2-3b-instruct-v1:0"},
    )
    provider = create_provider(config, cache_dir=tmp_path)
    assert isinstance(provider, BedrockProvider)
    assert (provider.name, provider.model) == ("bedrock", "us.meta.llama3-2-3b-instruct-v1:0")
    assert provider.cache is not None and provider.cache.directory == tmp_path
    openai = create_provider(with_provider(name="openai", cache=False))
    assert isinstance(openai, OpenAIProvider) and openai.cache is None and openai.model == "llama3.2"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"batch_size": 0}, "provider.batch_size must be a whole number of at least 1"),
        ({"concurrency": -1}, "provider.concurrency"),
        ({"bedrock": {"model_id": " "}}, "provider.bedrock.model_id must be a model id"),
        ({"bedrock": {"endpoint_url": "localhost:8080"}}, "provider.bedrock.endpoint_url must be an http"),
        ({"bedrock": {"temperature": 3.0}}, "provider.bedrock.temperature must be between 0 and 2"),
        ({"bedrock": {"timeout_seconds": 0}}, "provider.bedrock.timeout_seconds must be more than 0"),
        ({"openai": {"base_url": "ftp://x"}}, "provider.openai.base_url must be an http"),
        ({"openai": {"api_key_env": "sk-abc 123"}}, "must be the NAME of an environment variable"),
        ({"openai": {"max_attempts": 0}}, "provider.openai.max_attempts"),
    ],
)
def test_bad_settings_raise_a_clear_error(changes: dict[str, object], message: str) -> None:
    config = default_config()
    provider = config.provider
    name = "openai" if "openai" in changes else "bedrock"
    for key, value in changes.items():
        if isinstance(value, dict):
            provider = dataclasses.replace(provider, **{key: dataclasses.replace(getattr(provider, key), **value)})
        else:
            provider = dataclasses.replace(provider, **{key: value})
    provider = dataclasses.replace(provider, name=name)
    with pytest.raises(ProviderConfigError, match=message.replace("(", r"\(")):
        create_provider(dataclasses.replace(config, provider=provider))


def test_created_provider_talks_to_the_configured_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws(monkeypatch, tmp_path)
    candidates = candidates_from_file(FIXTURES / "orders" / "orders.py", "orders")
    with fake_bedrock() as server:
        config = load_config(
            tmp_path,
            env={},
            overrides={
                "provider.name": "bedrock",
                "provider.bedrock.endpoint_url": server.url,
                "provider.bedrock.region": "eu-west-1",
            },
        )
        provider = create_provider(config, cache_dir=tmp_path / "cache")
        assert provider is not None
        result = provider.advise(candidates, NEVER)
    assert len(result.recommendations) == len(candidates)
    assert "/eu-west-1/bedrock/aws4_request" in server.requests[0].headers["authorization"]


def test_price_table_is_dated_and_covers_claude_and_llama() -> None:
    data = yaml.safe_load((REPO / "config" / "prices.yaml").read_text())
    assert data["as_of"] and "estimate" in (REPO / "config" / "prices.yaml").read_text().lower()
    table = PriceTable.load()
    assert table.as_of == str(data["as_of"])
    assert table.known("anthropic.claude-3-sonnet-20240229-v1:0")
    assert table.known("us.meta.llama3-2-3b-instruct-v1:0")
    assert table.price("anthropic.claude-3-5-haiku-20241022-v1:0").input_per_million == 0.80
    assert table.price("anthropic.claude-3-haiku-20240307-v1:0").input_per_million == 0.25
    assert not table.known("llama3.2") and table.price("llama3.2") == table.default
    assert table.cost("meta.llama3-2-3b-instruct-v1:0", 1_000_000, 1_000_000) == pytest.approx(0.30)


def test_broken_price_table_falls_back_to_the_default(tmp_path: Path) -> None:
    broken = tmp_path / "prices.yaml"
    broken.write_text("models: {x: {input: cheap}}\n")
    assert PriceTable.load(broken).models == {}


def test_prompt_states_priorities_and_shape() -> None:
    config = default_config()
    priorities = dict(config.priorities)
    priorities["branches"] = PriorityConfig(0.0, priorities["branches"].description)
    text = system_prompt(priorities)
    for name, priority in priorities.items():
        assert (priority.description in text) == (priority.weight > 0), name
    for key in ('"symbol"', '"line"', '"priority"', '"confidence"', '"rationale"', '"capture"', '"attributes"'):
        assert key in text
    assert PROMPT_VERSION


def test_rendered_candidate_numbers_lines_relative_to_the_function() -> None:
    [place] = [
        c
        for c in candidates_from_file(FIXTURES / "orders" / "orders.py", "orders")
        if c.qualname == "OrderService.place"
    ]
    rendered = render_candidate(place)
    assert "1|def place(self, order_id, amount):\n2|    body = json.dumps(" in rendered.text  # dedented, numbered
    # evidence at file line 15 = function line 2, on its line; the line's own code is not repeated
    assert (
        '2|    body = json.dumps({"order": order_id, "amount": amount}).encode()  #> external_io: calls json.dumps'
        in (rendered.text)
    )
    assert rendered.line_count == len(place.code.splitlines())


def test_findings_are_compact_and_never_repeat_what_the_line_shows() -> None:
    code = (
        '@router.route("GET", "/orders/{order_id}")\n'
        "def get_order(service, request, order_id):\n"
        "    row = service.orders.get(order_id)\n"
        "    if row is None:\n"
        "        return None\n"
        "    jobs = pool.map(work, row.items)\n"
        "    return row\n"
    )

    def at(line: int, priority: str, reason: str) -> Evidence:
        return Evidence(priority, reason, Range.of(10 + line - 1, 4, 10 + line - 1, 9))

    candidate = Candidate(
        symbol="shop.web:get_order",
        file="/w/shop/web.py",
        qualname="get_order",
        range=Range.of(10, 0, 16, 14),
        code=code,
        evidence=(
            at(1, "entry_points", "web route router.route('GET', '/orders/{order_id}')"),
            at(3, "external_io", "calls shop.repo:OrderRepository.get (database query via conn.execute(...).fetchone)"),
            at(3, "external_io", "calls shop.repo:OrderRepository.connection (database query via sqlite3.connect)"),
            at(4, "branches", "exits early when `row is None`"),
            at(6, "performance", "runs work concurrently (pool.map): latency is the slowest child"),
        ),
        callers=("shop.web:App.dispatch", "shop.cli:main", "shop.jobs:nightly"),
    )
    text = render_candidate(candidate).text
    assert text.splitlines()[:2] == ["### symbol: shop.web:get_order", "callers: App.dispatch, main (+1)"]
    assert '1|@router.route("GET", "/orders/{order_id}")  #> entry_points: web route\n' in text
    assert (
        "3|    row = service.orders.get(order_id)  #> external_io: calls OrderRepository.get, "
        "OrderRepository.connection (database query)\n"
    ) in text
    assert "4|    if row is None:  #> branches: exits early\n" in text
    assert "6|    jobs = pool.map(work, row.items)  #> performance: runs work concurrently\n" in text


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_every_registered_provider_is_built_and_named_everywhere(name: str, tmp_path: Path) -> None:
    """config_model.PROVIDERS is the one list: the factory builds each, the schema and the CLI accept each."""
    config = with_provider(name=name, cache=False)
    provider = create_provider(config)
    assert provider is not None and provider.name == name
    settings = getattr(config.provider, name)
    assert isinstance(settings, PROVIDERS[name].settings)
    assert provider.model == config.provider.model == getattr(settings, PROVIDERS[name].model_field)
    assert config.provider.engine == f"{name}:{provider.model}"
    assert isinstance(getattr(ProviderConfig(), name), PROVIDERS[name].settings)
    schema = json.loads((REPO / "config" / "config.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["provider"]["properties"]["name"]["enum"] == list(PROVIDER_NAMES)
    assert name in schema["properties"]["provider"]["properties"]
    done = subprocess.run(
        [sys.executable, "-m", "trace_advisor", "analyze", str(tmp_path), "--provider", name, "--model", "m-1", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TRACE_ADVISOR_CACHE_DIR": str(tmp_path / "cache")},
        check=False,
    )
    assert "invalid choice" not in done.stderr and "--model needs" not in done.stderr, done.stderr


def test_unknown_provider_names_the_known_ones() -> None:
    with pytest.raises(ProviderConfigError, match="provider.name must be local, bedrock, openai"):
        create_provider(with_provider(name="vertex"))

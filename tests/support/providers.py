"""Helpers for provider tests: providers wired to the fake servers with fast backoff and an isolated AWS setup."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from trace_advisor.advise.answer_cache import AnswerCache
from trace_advisor.advise.providers.base import RunOptions
from trace_advisor.advise.providers.bedrock import BedrockProvider
from trace_advisor.advise.providers.openai_compat import OpenAIProvider
from trace_advisor.config import default_config
from trace_advisor.config_model import BedrockConfig, OpenAIConfig

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "providers"
CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0"
LLAMA_PROFILE = "us.meta.llama3-2-3b-instruct-v1:0"


def isolate_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, credentials: bool = True) -> None:
    """No ~/.aws, no instance metadata; fake static credentials unless ``credentials`` is False."""
    empty = tmp_path / "aws-empty"
    empty.write_text("")
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    if credentials:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLETESTKEY00")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake-secret-for-tests")


def fast_runs(cache_dir: Path | None, batch_size: int, concurrency: int) -> RunOptions:
    """Run options for tests: millisecond backoff, a fixed jitter seed, the answer cache only when asked for."""
    return RunOptions(
        batch_size=batch_size,
        concurrency=concurrency,
        cache=AnswerCache(cache_dir) if cache_dir else None,
        backoff_base=0.01,
        backoff_max=0.05,
        seed=1,
    )


def bedrock(
    url: str,
    cache_dir: Path | None = None,
    *,
    model: str = CLAUDE,
    batch_size: int = 8,
    concurrency: int = 4,
    **settings: Any,
) -> BedrockProvider:
    config = BedrockConfig(model_id=model, region="us-east-1", endpoint_url=url, **settings)
    return BedrockProvider(
        config, priorities=default_config().priorities, **fast_runs(cache_dir, batch_size, concurrency)
    )


def openai(
    url: str,
    cache_dir: Path | None = None,
    *,
    model: str = "llama3.2",
    batch_size: int = 8,
    concurrency: int = 4,
    environ: dict[str, str] | None = None,
    **settings: Any,
) -> OpenAIProvider:
    config = dataclasses.replace(OpenAIConfig(), base_url=f"{url}/v1", model=model, **settings)
    return OpenAIProvider(
        config,
        priorities=default_config().priorities,
        environ=environ if environ is not None else {},
        **fast_runs(cache_dir, batch_size, concurrency),
    )


def free_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port

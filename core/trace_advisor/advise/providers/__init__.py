"""Builds the configured model provider (Bedrock or an OpenAI-compatible server); None means the local engine."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlparse

from trace_advisor.advise.answer_cache import AnswerCache
from trace_advisor.advise.provider import Provider
from trace_advisor.advise.providers.base import RunOptions
from trace_advisor.config_model import PROVIDER_NAMES, Config

__all__ = ["ProviderConfigError", "create_provider", "default_cache_dir"]


class ProviderConfigError(ValueError):
    """The provider settings cannot work; the message names the key to fix."""


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/trace-advisor/answers`` (``~/.cache/...`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trace-advisor" / "answers"


def create_provider(config: Config, *, cache_dir: Path | None = None) -> Provider | None:
    """The provider named by ``config.provider.name``, or None for ``local``. Raises ProviderConfigError.

    Nothing is contacted here: credentials and the endpoint are first used by the first request, and their
    failures come back as problems in the ProviderResult.
    """
    settings = config.provider
    if settings.name == "local":
        return None
    build = _BUILDERS.get(settings.name)
    if build is None:
        raise ProviderConfigError(f"provider.name must be {', '.join(PROVIDER_NAMES)} (got {settings.name!r})")
    _check_positive("provider.batch_size", settings.batch_size)
    _check_positive("provider.concurrency", settings.concurrency)
    cache = AnswerCache(cache_dir or default_cache_dir()) if settings.cache else None
    common: RunOptions = {"batch_size": settings.batch_size, "concurrency": settings.concurrency, "cache": cache}
    return build(config, common)


def _bedrock(config: Config, common: RunOptions) -> Provider:
    from trace_advisor.advise.providers.bedrock import BedrockProvider

    bedrock = config.provider.bedrock
    _check_model("provider.bedrock.model_id", bedrock.model_id)
    _check_common(
        "provider.bedrock", bedrock.temperature, bedrock.max_tokens, bedrock.timeout_seconds, bedrock.max_attempts
    )
    if bedrock.endpoint_url is not None:
        _check_url("provider.bedrock.endpoint_url", bedrock.endpoint_url)
    return BedrockProvider(bedrock, priorities=config.priorities, **common)


def _openai(config: Config, common: RunOptions) -> Provider:
    from trace_advisor.advise.providers.openai_compat import OpenAIProvider

    openai = config.provider.openai
    _check_model("provider.openai.model", openai.model)
    _check_url("provider.openai.base_url", openai.base_url)
    _check_common("provider.openai", openai.temperature, openai.max_tokens, openai.timeout_seconds, openai.max_attempts)
    if openai.api_key_env and not openai.api_key_env.replace("_", "").isalnum():
        raise ProviderConfigError(
            f"provider.openai.api_key_env must be the NAME of an environment variable (got {openai.api_key_env!r});"
            " put the key itself in that variable, never in a config file"
        )
    return OpenAIProvider(openai, priorities=config.priorities, **common)


# How each provider of config_model.PROVIDERS is checked and built (imported only when configured); a test checks
# that the two tables name the same providers.
_BUILDERS: Mapping[str, Callable[[Config, RunOptions], Provider]] = MappingProxyType(
    {"bedrock": _bedrock, "openai": _openai}
)


def _check_positive(key: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ProviderConfigError(f"{key} must be a whole number of at least 1 (got {value!r})")


def _check_model(key: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip() or any(ch.isspace() for ch in value):
        raise ProviderConfigError(f"{key} must be a model id without spaces (got {value!r})")


def _check_url(key: str, value: str) -> None:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ProviderConfigError(f"{key} must be an http:// or https:// URL (got {value!r})")


def _check_common(prefix: str, temperature: float, max_tokens: int, timeout: float, attempts: int) -> None:
    if not 0 <= temperature <= 2:
        raise ProviderConfigError(f"{prefix}.temperature must be between 0 and 2 (got {temperature!r})")
    _check_positive(f"{prefix}.max_tokens", max_tokens)
    _check_positive(f"{prefix}.max_attempts", attempts)
    if not timeout > 0:
        raise ProviderConfigError(f"{prefix}.timeout_seconds must be more than 0 (got {timeout!r})")

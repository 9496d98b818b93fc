"""Any OpenAI-compatible ``/v1/chat/completions`` endpoint (vLLM, Ollama, LM Studio, OpenAI) over the stdlib."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from typing import Unpack

from trace_advisor.advise.providers.base import (
    CallResult,
    ModelProvider,
    ProviderError,
    RunOptions,
    retry_after_seconds,
)
from trace_advisor.advise.providers.transport import HttpResponse, TransportError, post
from trace_advisor.config_model import OpenAIConfig, PriorityConfig

log = logging.getLogger(__name__)

MAX_ERROR_BODY = 2000


class OpenAIProvider(ModelProvider[OpenAIConfig]):
    """Posts chat completions; the API key comes from the environment variable named in the config."""

    name = "openai"

    def __init__(
        self,
        settings: OpenAIConfig,
        *,
        priorities: Mapping[str, PriorityConfig],
        environ: Mapping[str, str] | None = None,
        **options: Unpack[RunOptions],
    ) -> None:
        super().__init__(settings, model=settings.model, priorities=priorities, **options)
        self.url = settings.base_url.rstrip("/") + "/chat/completions"
        env = os.environ if environ is None else environ
        self._api_key = env.get(settings.api_key_env, "") if settings.api_key_env else ""

    @property
    def label(self) -> str:
        return f"openai-compatible model {self.model!r} at {self.settings.base_url}"

    def _send(self, system: str, user: str) -> CallResult:
        body = json.dumps(
            {
                "model": self.model,
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
                "temperature": self.settings.temperature,
                "max_tokens": self.settings.max_tokens,
                "stream": False,
            }
        ).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "trace-advisor"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        try:
            response = post(self.url, body, headers, deadline_seconds=self.settings.timeout_seconds)
        except TransportError as exc:
            raise self._transport_error(exc) from exc
        if response.status >= 400:
            raise self._http_error(response)
        return self._parse(response.body)

    def _parse(self, raw: bytes) -> CallResult:
        try:
            data = json.loads(raw)
            choice = data["choices"][0]
            content = choice["message"]["content"]
            if not isinstance(content, str):
                raise TypeError("content is not text")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ProviderError(
                f"the server returned a response that is not a chat completion ({exc!r})", kind="malformed"
            ) from exc
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        input_tokens, output_tokens = usage.get("prompt_tokens"), usage.get("completion_tokens")
        note = None
        if not isinstance(input_tokens, int) or not isinstance(output_tokens, int):
            input_tokens, output_tokens = 0, 0
            note = "the server reported no token usage (cost shown as 0)"
        finish = choice.get("finish_reason")
        if finish == "content_filter":
            note = "the answer was blocked (content_filter)"
        return CallResult(content, input_tokens, output_tokens, truncated=finish == "length", note=note)

    def _http_error(self, response: HttpResponse) -> ProviderError:
        detail = response.body[:MAX_ERROR_BODY].decode("utf-8", "replace")
        try:
            parsed = json.loads(detail)
            error = parsed.get("error") if isinstance(parsed, dict) else None
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                detail = error["message"]
            elif isinstance(error, str):
                detail = error
        except ValueError:
            pass  # keep the raw body
        detail = " ".join(str(detail).split())[:300] or response.reason
        status = response.status
        retry_after = retry_after_seconds(response.headers.get("retry-after"))
        if status == 429:
            return ProviderError(
                f"throttled by the server (429: {detail}); lower provider.concurrency",
                kind="throttled",
                retryable=True,
                retry_after=retry_after,
            )
        if status in (401, 403):
            key = self.settings.api_key_env
            hint = (
                f"check the key in the environment variable {key}"
                if self._api_key
                else f"set the environment variable {key} to your API key"
            )
            return ProviderError(
                f"the server refused the request ({status}: {detail}); {hint}", kind="auth", fatal=True
            )
        if status == 404 or (status == 400 and "model" in detail.lower()):
            return ProviderError(
                f"model {self.model!r} or endpoint not found ({status}: {detail}); check provider.openai.model and "
                f"provider.openai.base_url (it usually ends in /v1)",
                kind="model",
                fatal=True,
            )
        if status >= 500 or status == 408:
            return ProviderError(
                f"server error ({status}: {detail})", kind="server", retryable=True, retry_after=retry_after
            )
        return ProviderError(f"the server rejected the request ({status}: {detail})", kind="request")

    def _transport_error(self, exc: TransportError) -> ProviderError:
        if exc.kind == "timeout":
            return ProviderError(
                f"{exc}; raise provider.openai.timeout_seconds if the model is slow", kind="timeout", retryable=True
            )
        if exc.kind == "network":
            return ProviderError(f"{exc}; is the server running?", kind="network", retryable=True)
        return ProviderError(str(exc), kind="request", fatal=True)  # a redirect or an oversized answer

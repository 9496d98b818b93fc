"""Amazon Bedrock through the ``bedrock-runtime`` Converse API (Claude, Llama and every other Converse model).

The only module in core that imports boto3/botocore, and only when the first request is made. botocore's own
retries are switched off: the shared runner retries, so cancellation and Retry-After are honoured. botocore builds
and signs each request; :mod:`transport` sends it (``before-send`` hook), so the whole request has a deadline, the
answer a size cap, and redirects are never followed.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack

from trace_advisor.advise.providers.base import (
    CallResult,
    ModelProvider,
    ProviderError,
    RunOptions,
    retry_after_seconds,
)
from trace_advisor.advise.providers.transport import TransportError, post
from trace_advisor.config_model import BedrockConfig, PriorityConfig

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

log = logging.getLogger(__name__)

_THROTTLED = {"ThrottlingException", "TooManyRequestsException", "ServiceQuotaExceededException"}
_RETRYABLE = {
    "ServiceUnavailableException",
    "InternalServerException",
    "ModelNotReadyException",
    "ModelTimeoutException",
    "ModelErrorException",
}
_CREDENTIALS = {
    "ExpiredTokenException",
    "ExpiredToken",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "InvalidClientTokenId",
    "MissingAuthenticationTokenException",
}
_NO_CREDENTIALS = "no AWS credentials found: set AWS_PROFILE or run `aws configure`, or set provider.bedrock.profile"


class BedrockProvider(ModelProvider[BedrockConfig]):
    """Asks a Bedrock model through ``converse``; model ids and inference profile ids are both accepted."""

    name = "bedrock"

    def __init__(
        self, settings: BedrockConfig, *, priorities: Mapping[str, PriorityConfig], **options: Unpack[RunOptions]
    ) -> None:
        super().__init__(settings, model=settings.model_id, priorities=priorities, **options)
        self._client: BedrockRuntimeClient | None = None
        self._client_lock = threading.Lock()
        self._region: str | None = settings.region
        self._ca_bundle: str | None = None

    @property
    def label(self) -> str:
        region = f" in {self._region}" if self._region else ""
        return f"bedrock model {self.model!r}{region}"

    def _client_once(self) -> BedrockRuntimeClient:
        """Create the boto3 client on first use (clients are thread-safe; one serves every worker)."""
        with self._client_lock:
            if self._client is not None:
                return self._client
            import boto3
            import botocore.session
            from botocore.config import Config as BotoConfig
            from botocore.exceptions import BotoCoreError
            from botocore.httpsession import get_cert_path

            # AWS_REGION is the variable AWS documents (and our error message names); boto3 reads only
            # AWS_DEFAULT_REGION, so honour AWS_REGION first, as the AWS CLI v2 does.
            region_name = self.settings.region or os.environ.get("AWS_REGION") or None
            try:
                core_session = botocore.session.Session()
                session = boto3.Session(
                    botocore_session=core_session, profile_name=self.settings.profile, region_name=region_name
                )
                self._ca_bundle = core_session.get_config_variable("ca_bundle") or get_cert_path(True)
            except BotoCoreError as exc:  # ProfileNotFound and friends
                raise ProviderError(
                    f"AWS profile problem: {exc}; check provider.bedrock.profile or AWS_PROFILE",
                    kind="auth",
                    fatal=True,
                ) from exc
            region = session.region_name
            if not region:
                raise ProviderError(
                    "no AWS region: set provider.bedrock.region, AWS_REGION (or AWS_DEFAULT_REGION), "
                    "or a region in your AWS profile",
                    kind="model",
                    fatal=True,
                )
            self._region = region
            timeout = self.settings.timeout_seconds
            config = BotoConfig(
                retries={"total_max_attempts": 1, "mode": "standard"},
                connect_timeout=min(10.0, timeout),
                read_timeout=timeout,
                max_pool_connections=max(10, self.concurrency),
                user_agent_extra="trace-advisor",
            )
            client = session.client(
                "bedrock-runtime", region_name=region, endpoint_url=self.settings.endpoint_url, config=config
            )
            client.meta.events.register("before-send.bedrock-runtime.Converse", self._send_signed)
            self._client = client
            return client

    def _send_signed(self, request: Any, **_: Any) -> Any:
        """Send the request botocore built and signed, through the bounded transport (botocore's hook)."""
        from botocore.awsrequest import AWSResponse, HTTPHeaders

        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")
        headers = {
            name: value.decode("ascii") if isinstance(value, bytes) else str(value)
            for name, value in request.headers.items()
        }
        answer = post(
            request.url, data, headers, deadline_seconds=self.settings.timeout_seconds, ca_bundle=self._ca_bundle
        )
        return AWSResponse(request.url, answer.status, HTTPHeaders.from_dict(answer.headers), _Body(answer.body))

    def _send(self, system: str, user: str) -> CallResult:
        from botocore.exceptions import BotoCoreError, ClientError

        client = self._client_once()
        try:
            response = client.converse(
                modelId=self.model,
                messages=[{"role": "user", "content": [{"text": user}]}],
                system=[{"text": system}],
                inferenceConfig={"maxTokens": self.settings.max_tokens, "temperature": self.settings.temperature},
            )
        except ClientError as exc:
            raise self._client_error(exc) from exc
        except BotoCoreError as exc:
            raise self._botocore_error(exc) from exc
        except TransportError as exc:
            raise self._transport_error(exc) from exc
        return self._parse(dict(response))

    def _parse(self, response: Mapping[str, Any]) -> CallResult:
        # A 200 whose body is not JSON parses to {} without an exception: check every level.
        output = response.get("output")
        message = output.get("message") if isinstance(output, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            raise ProviderError("Bedrock returned a response without a message (malformed body)", kind="malformed")
        texts = [block.get("text") for block in content if isinstance(block, dict)]
        text = "".join(t for t in texts if isinstance(t, str))
        raw_usage = response.get("usage")
        usage: Mapping[str, Any] = raw_usage if isinstance(raw_usage, dict) else {}
        stop = response.get("stopReason")
        note = None
        if stop in ("guardrail_intervened", "content_filtered"):
            note = f"the answer was blocked ({stop})"
        return CallResult(
            text=text,
            input_tokens=_int(usage.get("inputTokens")),
            output_tokens=_int(usage.get("outputTokens")),
            truncated=stop == "max_tokens",
            note=note,
        )

    def _client_error(self, exc: Any) -> ProviderError:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        text = str(error.get("Message", "")) or str(exc)
        meta = exc.response.get("ResponseMetadata", {})
        status = int(meta.get("HTTPStatusCode", 0) or 0)
        headers = meta.get("HTTPHeaders", {}) or {}
        if code in _THROTTLED or status == 429:
            return ProviderError(
                f"throttled by Bedrock ({code}: {text}); lower provider.concurrency or request a higher quota",
                kind="throttled",
                retryable=True,
                retry_after=retry_after_seconds(headers.get("retry-after")),
            )
        if code in _CREDENTIALS:
            return ProviderError(
                f"AWS credentials rejected ({code}: {text}); refresh them (`aws sso login` / `aws configure`) "
                "or set provider.bedrock.profile",
                kind="auth",
                fatal=True,
            )
        if code == "AccessDeniedException" or status == 403:
            return ProviderError(
                f"access denied to {self.model!r} ({code}: {text}); enable access to this model in the Bedrock "
                "console for this region and allow bedrock:InvokeModel in your IAM policy",
                kind="auth",
                fatal=True,
            )
        if code == "ResourceNotFoundException" or (code == "ValidationException" and _about_model(text)):
            return ProviderError(
                f"Bedrock does not know model {self.model!r} here ({code}: {text}); check provider.bedrock.model_id "
                "(a model id or an inference profile id such as us.meta.llama3-2-3b-instruct-v1:0) and the region",
                kind="model",
                fatal=True,
            )
        if code in _RETRYABLE or status >= 500:
            return ProviderError(
                f"Bedrock server error ({status} {code}: {text})",
                kind="server",
                retryable=True,
                retry_after=retry_after_seconds(headers.get("retry-after")),
            )
        return ProviderError(f"Bedrock rejected the request ({status} {code}: {text})", kind="request")

    def _botocore_error(self, exc: Exception) -> ProviderError:
        from botocore import exceptions as boto_exc

        if isinstance(exc, boto_exc.NoCredentialsError):
            return ProviderError(_NO_CREDENTIALS, kind="auth", fatal=True)
        if isinstance(
            exc,
            boto_exc.PartialCredentialsError
            | boto_exc.CredentialRetrievalError
            | boto_exc.ProfileNotFound
            | boto_exc.TokenRetrievalError
            | boto_exc.SSOError,
        ):
            return ProviderError(f"AWS credentials problem: {exc}", kind="auth", fatal=True)
        if isinstance(exc, boto_exc.ReadTimeoutError | boto_exc.ConnectTimeoutError):
            return ProviderError(
                f"Bedrock did not answer in time ({exc}); raise provider.bedrock.timeout_seconds if this persists",
                kind="timeout",
                retryable=True,
            )
        if isinstance(exc, boto_exc.EndpointConnectionError | boto_exc.ConnectionClosedError):
            return ProviderError(f"cannot reach Bedrock: {exc}", kind="network", retryable=True)
        return ProviderError(f"Bedrock request failed: {exc}", kind="request")

    def _transport_error(self, exc: TransportError) -> ProviderError:
        if exc.kind == "timeout":
            return ProviderError(
                f"Bedrock did not answer in time ({exc}); raise provider.bedrock.timeout_seconds if this persists",
                kind="timeout",
                retryable=True,
            )
        if exc.kind == "network":
            return ProviderError(f"cannot reach Bedrock: {exc}", kind="network", retryable=True)
        return ProviderError(str(exc), kind="request", fatal=True)  # a redirect or an oversized answer


class _Body:
    """The raw body botocore reads through ``stream()`` (already read, within the deadline)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


def _about_model(message: str) -> bool:
    lowered = message.lower()
    return "model" in lowered and any(
        word in lowered
        for word in (
            "identifier",
            "invalid",
            "not found",
            "doesn't support",
            "does not support",
            "isn't supported",
            "not supported",
            "on-demand",
            "inference profile",
        )
    )


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

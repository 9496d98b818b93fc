"""A loopback Bedrock Runtime that speaks the Converse wire format (``POST /model/<url-encoded id>/converse``).

Real boto3 talks to it through ``endpoint_url``: requests are SigV4-signed, errors come back as status +
``x-amzn-ErrorType`` + ``{"__type", "message"}`` like the real service, and a 200 can carry any bytes.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from tests.support.fake_model import FakeModelServer, QuietHandler, Received, Reply, estimate_tokens

_PATH = re.compile(r"^/model/(?P<model>[^/]+)/converse$")


class _BedrockHandler(QuietHandler):
    def handle_post(self) -> None:
        body = self.read_json()
        match = _PATH.match(self.path)
        model = unquote(match.group("model")) if match else ""
        texts = [block.get("text", "") for block in body.get("system", []) if isinstance(block, dict)]
        for message in body.get("messages", []):
            texts += [block.get("text", "") for block in message.get("content", []) if isinstance(block, dict)]
        received = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, model, "\n".join(texts))
        reply = self.server.next_reply(received)
        self.server.pause(self.server.latency + reply.delay)
        if reply.close:
            self.drop()
            return
        if self.hostile(reply):
            return
        if match is None:
            self._error(404, "UnknownOperationException", "unknown operation")
            return
        auth = received.headers.get("authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 Credential=") or "x-amz-date" not in received.headers:
            self._error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
            return
        if reply.error_type:
            self._error(reply.status, reply.error_type, reply.message, reply.headers)
            return
        if self.server.known_models is not None and model not in self.server.known_models:
            self._error(400, "ValidationException", "The provided model identifier is invalid.")
            return
        if reply.raw_body is not None:
            self.send(reply.status, reply.raw_body, {"Content-Type": "application/json", **reply.headers})
            return
        text = reply.text if reply.text is not None else self.server.answer(received)
        tokens_in, tokens_out = reply.usage or (estimate_tokens(received.text), estimate_tokens(text))
        payload = {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": reply.stop_reason,
            "usage": {"inputTokens": tokens_in, "outputTokens": tokens_out, "totalTokens": tokens_in + tokens_out},
            "metrics": {"latencyMs": int((self.server.latency + reply.delay) * 1000)},
        }
        self.send(200, json.dumps(payload).encode(), {"Content-Type": "application/json", **reply.headers})

    def _error(self, status: int, error_type: str, message: str, headers: dict[str, str] | None = None) -> None:
        body = json.dumps({"__type": error_type, "message": message}).encode()
        self.send(status, body, {"Content-Type": "application/json", "x-amzn-ErrorType": error_type, **(headers or {})})


def fake_bedrock(*, latency: float = 0.0, known_models: set[str] | None = None) -> FakeModelServer:
    """A fake Bedrock Runtime (not started: use ``with fake_bedrock() as server:``)."""
    return FakeModelServer(_BedrockHandler, latency=latency, known_models=known_models)


__all__ = ["Reply", "fake_bedrock"]

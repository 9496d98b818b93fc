"""A loopback OpenAI-compatible server: ``POST /v1/chat/completions`` with the chat completion wire format."""

from __future__ import annotations

import json
import time

from tests.support.fake_model import FakeModelServer, QuietHandler, Received, Reply, estimate_tokens

_FINISH = {"end_turn": "stop", "max_tokens": "length", "content_filtered": "content_filter"}


class _OpenAIHandler(QuietHandler):
    def handle_post(self) -> None:
        body = self.read_json()
        messages = body.get("messages", [])
        text = "\n".join(str(m.get("content", "")) for m in messages if isinstance(m, dict))
        headers = {k.lower(): v for k, v in self.headers.items()}
        received = Received(self.path, headers, body, str(body.get("model", "")), text)
        reply = self.server.next_reply(received)
        self.server.pause(self.server.latency + reply.delay)
        if reply.close:
            self.drop()
            return
        if self.hostile(reply):
            return
        if self.path != "/v1/chat/completions":
            self._error(404, "not_found_error", f"no route for {self.path}")
            return
        api_key = getattr(self.server, "api_key", None)
        if api_key is not None and headers.get("authorization") != f"Bearer {api_key}":
            self._error(401, "invalid_request_error", "Incorrect API key provided")
            return
        if reply.error_type:
            self._error(reply.status, reply.error_type, reply.message, reply.headers)
            return
        if self.server.known_models is not None and received.model not in self.server.known_models:
            self._error(404, "not_found_error", f"model '{received.model}' not found")
            return
        if reply.raw_body is not None:
            self.send(reply.status, reply.raw_body, {"Content-Type": "application/json", **reply.headers})
            return
        answer = reply.text if reply.text is not None else self.server.answer(received)
        tokens_in, tokens_out = reply.usage or (estimate_tokens(received.text), estimate_tokens(answer))
        payload = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": received.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer},
                    "finish_reason": _FINISH.get(reply.stop_reason, reply.stop_reason),
                }
            ],
            "usage": {
                "prompt_tokens": tokens_in,
                "completion_tokens": tokens_out,
                "total_tokens": tokens_in + tokens_out,
            },
        }
        self.send(200, json.dumps(payload).encode(), {"Content-Type": "application/json", **reply.headers})

    def _error(self, status: int, error_type: str, message: str, headers: dict[str, str] | None = None) -> None:
        body = json.dumps({"error": {"message": message, "type": error_type, "code": None}}).encode()
        self.send(status, body, {"Content-Type": "application/json", **(headers or {})})


def fake_openai(
    *, latency: float = 0.0, api_key: str | None = None, known_models: set[str] | None = None
) -> FakeModelServer:
    """A fake OpenAI-compatible server (not started: use ``with fake_openai() as server:``)."""
    server = FakeModelServer(_OpenAIHandler, latency=latency, known_models=known_models)
    server.api_key = api_key  # type: ignore[attr-defined]
    return server


__all__ = ["Reply", "fake_openai"]

"""Model providers' SDKs are LLM API calls, through ``trace-advisor analyze`` as a subprocess
(tests/fixtures/model_sdks): Mistral's, Ollama's and Vertex AI's client operations are named as such in the evidence
(before, none was known: semantic-kernel's connectors around them, each traced by its maintainers, had no evidence of
I/O), and ``vertexai.init`` is no call of the model's API."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "model_sdks"


def test_model_provider_sdk_operations_are_llm_api_calls(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = run_cli("analyze", FIXTURE, "--format", "json", "-o", out, "--no-cache", "--min-confidence", "0.01")
    assert done.returncode == 0, done.stderr
    recs = json.loads(out.read_text(encoding="utf-8"))["recommendations"]
    evidence = {str(r["qualname"]): [str(e["reason"]) for e in r["evidence"]] for r in recs}
    for qualname, call in (
        ("MistralChat.complete", "mistralai.Mistral.chat.complete_async"),
        ("OllamaChat.complete", "ollama.AsyncClient.chat"),
        ("complete_with_vertex", "vertexai.generative_models.GenerativeModel.generate_content_async"),
    ):
        assert f"calls {call} (LLM API call)" in evidence.get(qualname, []), (qualname, evidence.get(qualname))
    assert "configure_vertex" not in evidence, evidence["configure_vertex"]
    # an SDK's module-level helper and its client's private configuration are no calls of the model (pydantic-ai's
    # schema transformers and providers' base_url read as LLM API calls); litellm's module-level completion is one
    assert not {"strict_schema", "cohere_base_url"} & set(evidence), evidence
    # nor are what an API error carries (``APIStatusError.body.get``) and a client copied with other options
    assert not {"status_of", "with_timeout"} & set(evidence), evidence
    assert "calls litellm.completion (LLM API call)" in evidence.get("summarize", []), evidence.get("summarize")

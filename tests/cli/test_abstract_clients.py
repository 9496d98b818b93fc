"""I/O behind abstractions (tests/fixtures/abstract_clients, issue #16), through ``trace-advisor analyze`` as a
subprocess: a call that resolves to an abstract method, or to a base-class method that workspace subclasses override,
does the I/O of those implementations, and the rationale names the implementation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "abstract_clients"


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each recommended function's evidence reasons, at any confidence."""
    out = tmp_path_factory.mktemp("abstract") / "report.json"
    done = run_cli("analyze", FIXTURE, "--format", "json", "-o", out, "--no-cache", "--min-confidence", "0.01")
    assert done.returncode == 0, done.stderr
    recs = json.loads(out.read_text(encoding="utf-8"))["recommendations"]
    return {str(r["qualname"]): [str(e["reason"]) for e in r["evidence"]] for r in recs}


def test_an_abstract_method_does_the_io_of_its_implementations(evidence: dict[str, list[str]]) -> None:
    """``@abstractmethod`` with ``...`` and a body that only raises ``NotImplementedError``: the nearest
    implementation doing I/O is named (OpenAI's SDK call itself, not Anthropic's HTTP call one call further down)."""
    assert evidence["Agent.run"] == [
        "calls agentkit.llm:LLMClient.complete (implemented by agentkit.providers:OpenAIClient.complete (one of 2): "
        "LLM API call via openai.AsyncOpenAI.chat.completions.create)"
    ]
    assert (
        "calls agentkit.memory:MemoryStore.save (implemented by agentkit.memory:RedisMemory.save: Redis via "
        "redis.Redis.set)" in evidence["Agent.remember"]
    )


def test_an_overridden_method_does_the_io_of_its_overrides(evidence: dict[str, list[str]]) -> None:
    """A concrete base method that only logs, overridden by a subclass that posts to Slack (and by one that does
    not)."""
    assert evidence["Agent.announce"] == [
        "calls agentkit.notify:Notifier.notify (implemented by agentkit.notify:SlackNotifier.notify (one of 2): "
        "external HTTP via requests.post)"
    ]


def test_an_abstract_runner_runs_what_it_is_handed(evidence: dict[str, list[str]]) -> None:
    """``executor.execute(self.tools.call, ...)`` resolves to the abstract ``Executor.execute``; its implementation
    awaits the task, so the call does the task's MCP request."""
    assert evidence["Agent.use_tool"] == [
        "calls agentkit.executor:Executor.execute (I/O through agentkit.tools:McpTools.call)"
    ]
    assert "calls mcp.client.session.ClientSession.call_tool (MCP request)" in evidence["McpTools.call"]


def test_no_io_where_no_implementation_does_any(evidence: dict[str, list[str]]) -> None:
    """An implementation without I/O, one only a test defines, and ``super().notify()`` (the base's logging, not the
    sibling's Slack post) give nothing."""
    for function in ("Agent.render", "Agent.summarise", "AuditedNotifier.notify"):
        assert function not in evidence, (function, evidence.get(function))

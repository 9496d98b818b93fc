"""Model-provider figures: calls, tokens per analysed file vs. sending whole files, rerun cost, batch wall time.

Runs analyze() with the Bedrock provider (real boto3) against the loopback fake Bedrock server of tests/support, with
the default configuration (candidates: functions whose local verdict a model can change; condensed listings);
tokens are the fake server's deterministic estimate (characters / 4) of each request, so the whole-file baseline
below uses the same estimate on the same prompt. Usage:  .venv/bin/python benchmarks/model_tokens.py [PACKAGE_DIR]
(default large package: the standard library's ``email``).
"""

from __future__ import annotations

import email
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from trace_advisor.advise.prompt import system_prompt  # noqa: E402
from trace_advisor.advise.provider import Candidate, ProviderResult  # noqa: E402
from trace_advisor.analysis import analyze  # noqa: E402
from trace_advisor.cancel import CancelToken  # noqa: E402
from trace_advisor.config import default_config  # noqa: E402
from trace_advisor.index import Index  # noqa: E402

from tests.support.bedrock_server import fake_bedrock  # noqa: E402
from tests.support.fake_model import estimate_tokens  # noqa: E402
from tests.support.providers import bedrock  # noqa: E402


class Recorder:
    """Wraps a provider to keep its last ProviderResult (per-file usage) and the candidates it was given."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = inner.name  # type: ignore[attr-defined]
        self.model = inner.model  # type: ignore[attr-defined]
        self.result = ProviderResult(())
        self.candidates: tuple[Candidate, ...] = ()

    def advise(self, candidates: tuple[Candidate, ...], cancel: CancelToken) -> ProviderResult:
        self.candidates = candidates
        self.result = self.inner.advise(candidates, cancel)  # type: ignore[attr-defined]
        return self.result


def whole_file_tokens(files: list[Path], system: str) -> int:
    """Input tokens if every analysed file were sent whole, numbered, one request per file, same system prompt."""
    total = 0
    for path in files:
        text = path.read_text("utf-8", errors="replace")
        numbered = "\n".join(f"{i:>4}| {line}" for i, line in enumerate(text.splitlines(), 1))
        user = f"Functions to review (whole file):\n\n### file: {path.name}\n{numbered}\n\n"
        user += "Answer with the JSON object only."
        total += estimate_tokens(system + "\n" + user)
    return total


def measure(label: str, root: Path) -> None:
    config = default_config()
    index = Index([root])
    index.build()
    with tempfile.TemporaryDirectory() as cache, fake_bedrock() as server:
        first = Recorder(bedrock(server.url, Path(cache), batch_size=config.provider.batch_size))
        result = analyze(index, config, provider=first)
        calls_first = len(server.requests)
        second = Recorder(bedrock(server.url, Path(cache), batch_size=config.provider.batch_size))
        rerun = analyze(index, config, provider=second)
    files = sorted({Path(c.file) for c in first.candidates})
    analysed = result.files_analysed
    usage = result.usage
    baseline = whole_file_tokens([Path(f) for f in index.files()], system_prompt(config.priorities))
    print(f"\n== {label}: {root}")
    functions = sum(1 for d in index.definitions() if d.kind in ("function", "method"))
    print(
        f"files analysed: {analysed}; files with candidates: {len(files)}; candidate functions: "
        f"{len(first.candidates)} of {functions} functions"
    )
    print(f"model calls: {calls_first} (batch_size {config.provider.batch_size})")
    print(
        f"tokens: {usage.input_tokens} in / {usage.output_tokens} out; per analysed file: "
        f"{usage.input_tokens / max(1, analysed):.0f} in / {usage.output_tokens / max(1, analysed):.0f} out; "
        f"estimated cost ${usage.cost_usd:.4f} ({first.model})"
    )
    by_file = result.usage_by_file  # what analyze() reports per file (the provider's split, passed on)
    assert by_file == first.result.usage_by_file
    if by_file:
        heaviest = max(by_file.items(), key=lambda kv: kv[1].input_tokens)
        print(
            f"heaviest file: {Path(heaviest[0]).relative_to(root)} {heaviest[1].input_tokens} in / "
            f"{heaviest[1].output_tokens} out"
        )
    print(
        f"whole files with the same prompt: {baseline} input tokens -> ratio "
        f"{usage.input_tokens / max(1, baseline):.3f} (goal <= 0.2)"
    )
    system = estimate_tokens(system_prompt(config.priorities))
    content = usage.input_tokens - calls_first * system
    whole_content = baseline - len(index.files()) * system
    print(
        f"without the {system}-token system prompt: {content} vs {whole_content} -> ratio "
        f"{content / max(1, whole_content):.3f}"
    )
    print(
        f"unchanged rerun: {rerun.usage.calls} calls, {rerun.usage.input_tokens + rerun.usage.output_tokens} "
        f"tokens (goal 0); answered from cache: {second.result.cached}"
    )


def wall_time(root: Path, latency: float = 2.0) -> None:
    config = default_config()
    index = Index([root])
    index.build()
    print(f"\n== batch wall time, {latency:g} s added per call ({root.name})")
    times = {}
    for concurrency in (1, 8):
        with fake_bedrock(latency=latency) as server:
            provider = bedrock(server.url, None, batch_size=config.provider.batch_size, concurrency=concurrency)
            started = time.monotonic()
            analyze(index, config, provider=provider)
            times[concurrency] = time.monotonic() - started
            print(
                f"concurrency {concurrency}: {times[concurrency]:.1f} s for {len(server.requests)} calls "
                f"(most in flight: {server.max_in_flight})"
            )
    print(f"speed-up 8 vs 1: {times[1] / times[8]:.1f}x")


def main() -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID="AKIDBENCHMARK000000", AWS_SECRET_ACCESS_KEY="x", AWS_EC2_METADATA_DISABLED="true"
    )
    large = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(email.__file__).parent
    measure("examples", REPO / "examples")
    measure("large package", large)
    wall_time(REPO / "examples")
    wall_time(large)


if __name__ == "__main__":
    main()

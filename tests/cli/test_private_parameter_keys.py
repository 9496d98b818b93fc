"""A parameter whose name starts with an underscore is recorded under the name without it: arq's
``enqueue_job(function, *args, _job_id=None, _queue_name=None, **kwargs)`` keeps its own names apart from the job's
keyword arguments, and its span should say ``messaging.destination.name`` and ``app.job_id``, not ``app._job_id``.
Through ``apply`` as a subprocess, then the instrumented code run under the OpenTelemetry SDK."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.cli import clean_env, run_cli

MODULE = """import urllib.request


def enqueue(url: str, *args: str, _job_id: str | None = None, _queue_name: str = "default", job_try: int = 1) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return len(response.read())
"""
RUN = """
import json, sys
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
sys.path.insert(0, sys.argv[1])
import jobs
jobs.enqueue(sys.argv[2], "a", _job_id="j-1", _queue_name="mail")
print(json.dumps([dict(s.attributes) for s in exporter.get_finished_spans()]))
"""


def test_leading_underscores_are_not_part_of_the_attribute_key(tmp_path: Path) -> None:
    (tmp_path / "jobs.py").write_text(MODULE)
    # urlopen's own instrumentation covers the call: the function is recommended, below the default threshold
    (tmp_path / "pyproject.toml").write_text("[tool.trace-advisor]\nmin_confidence = 0\n")
    done = run_cli("apply", tmp_path / "jobs.py", "--symbol", "jobs:enqueue", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    command = [sys.executable, "-c", RUN, str(tmp_path), (tmp_path / "jobs.py").as_uri()]
    ran = subprocess.run(command, capture_output=True, text=True, env=clean_env(), check=False)
    assert ran.returncode == 0, ran.stderr
    (attributes,) = json.loads(ran.stdout)
    assert attributes["messaging.destination.name"] == "mail"
    assert attributes["app.job_id"] == "j-1"
    assert attributes["app.job_try"] == 1
    assert not [key for key in attributes if key.startswith("app._")]

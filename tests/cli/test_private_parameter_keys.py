"""A parameter whose name starts with an underscore is recorded under the name without it: arq's
``enqueue_job(function, *args, _job_id=None, _queue_name=None, **kwargs)`` keeps its own names apart from the job's
keyword arguments, and its span should say ``messaging.destination.name`` and ``app.job_id``, not ``app._job_id``.
Through ``apply`` as a subprocess, then the instrumented code run under the OpenTelemetry SDK."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_apply import run_instrumented
from tests.support.cli import run_cli

MODULE = """import urllib.request


def enqueue(url: str, *args: str, _job_id: str | None = None, _queue_name: str = "default", job_try: int = 1) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return len(response.read())
"""


def test_leading_underscores_are_not_part_of_the_attribute_key(tmp_path: Path) -> None:
    (tmp_path / "jobs.py").write_text(MODULE)
    # urlopen's own instrumentation covers the call: the function is recommended, below the default threshold
    (tmp_path / "pyproject.toml").write_text("[tool.trace-advisor]\nmin_confidence = 0\n")
    done = run_cli("apply", tmp_path / "jobs.py", "--symbol", "jobs:enqueue", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    url = (tmp_path / "jobs.py").as_uri()
    (span,) = run_instrumented(tmp_path, f"import jobs; jobs.enqueue({url!r}, 'a', _job_id='j-1', _queue_name='mail')")
    attributes = span["attributes"]
    assert isinstance(attributes, dict)
    assert attributes["messaging.destination.name"] == "mail"
    assert attributes["app.job_id"] == "j-1"
    assert attributes["app.job_try"] == 1
    assert not [key for key in attributes if key.startswith("app._")]

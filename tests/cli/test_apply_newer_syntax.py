"""``trace-advisor apply`` as a subprocess on a project written for Python 3.14 (PEP 758 ``except A, B:``), while
trace-advisor runs on 3.11: the file is read as the analysis reads it (rewritten for the parser, positions kept),
the spans are added to the text as written, the project's syntax is left as it is, and a handler that gets a name
gets its parentheses back (``except A, B as exc`` is not Python)."""

from __future__ import annotations

from pathlib import Path

from trace_advisor.parsing import parse_as_written

from tests.support.cli import run_cli

LOADER = '''import logging

import requests

log = logging.getLogger(__name__)


def fetch_settings(url: str) -> dict | None:
    """The settings the config service has, or None when it cannot be reached."""
    try:
        response = requests.get(url, timeout=5)
        return response.json()
    except requests.Timeout, requests.ConnectionError:
        log.error("cannot reach %s", url)
        return None


def forget(cache: dict, key: str) -> None:
    try:
        del cache[key]
    except KeyError, TypeError:
        pass
'''


def test_spans_are_added_to_a_file_with_python_3_14_syntax(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    loader = tmp_path / "app" / "loader.py"
    loader.write_text(LOADER, encoding="utf-8")
    done = run_cli("apply", loader, "--symbol", "fetch_settings", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert 'span "fetch_settings" added' in done.stderr, done.stderr
    text = loader.read_text(encoding="utf-8")
    assert 'with tracer.start_as_current_span("fetch_settings") as span:' in text
    assert "except (requests.Timeout, requests.ConnectionError) as exc:" in text
    assert "span.record_exception(exc)" in text
    assert "    except KeyError, TypeError:\n        pass\n" in text  # the function not edited keeps its syntax
    parse_as_written(text)  # still Python 3.14, read the way the analysis reads it

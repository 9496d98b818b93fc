"""Report templates nobody reviewed cannot exhaust memory or time, read files beside their folder, or end in a
traceback: each hostile template is a ReportError naming the template file and line, quickly and in little memory."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from trace_advisor.config import default_config
from trace_advisor.datatypes import AnalysisResult
from trace_advisor.report import ReportError, render

from tests.core.test_report import load_result

HOSTILE = {
    "string-repeat": ("{{ 'a' * 10**10 }}", "longer than"),
    "list-repeat": ("{{ ([1] * 10**9)|length }}", "longer than"),
    "huge-power": ("{{ 10 ** 10000000 }}", "bits"),
    "nested-loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "loop iterations",
    ),
    "loop-over-string": ("{% set s = 'ab' * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}", "loop"),
    "doubling-concat": (
        "{% set ns = namespace(s='x' * 1000) %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s|length }}",
        "longer than",
    ),
    "center-filter": ("{{ 'a'|center(1000000000) }}", "argument larger"),
    "str-method": ("{{ 'a'.ljust(1000000000) }}", "argument larger"),
    "percent-width": ("{{ '%1000000000d' % 1 }}", "format width"),
    "format-width": ("{{ '{:>1000000000}'.format(1) }}", "format width"),
    "replace-blowup": ("{% set s = 'a' * 100000 %}{{ s.replace('a', s)|length }}", "replacement"),
    "replace-filter": ("{% set s = 'a' * 100000 %}{{ s|replace('a', s)|length }}", "replacement"),
    "huge-output": ("{% for i in range(100000) %}{{ 'x' * 4000000 }}{% endfor %}", "longer than"),
    "recursive-macro": ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "recursion"),
    "division-by-zero": ("{{ 1 / 0 }}", "ZeroDivisionError"),
    "type-error": ("{{ 'a' - 1 }}", "TypeError"),
    "sandbox-escape": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
}

TIME_ONLY = {"nested-loops", "loop-over-string", "recursive-macro"}


@pytest.fixture(scope="module")
def result(fixtures_dir: Path) -> AnalysisResult:
    return load_result(fixtures_dir / "reports" / "sample")


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_template_is_a_clear_error(name: str, result: AnalysisResult, tmp_path: Path) -> None:
    body, expected = HOSTILE[name]
    template = tmp_path / "evil.md.j2"
    template.write_text("# report\n" + body + "\n", encoding="utf-8")
    traced = name not in TIME_ONLY  # tracemalloc slows Python loops several times over
    if traced:
        tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ReportError) as caught:
            render(result, "md", config=default_config(), template=template)
    finally:
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert message.startswith(f"report template {template}:2: "), message
    assert expected in message, message
    assert elapsed < 15 and peak < 300 << 20, (elapsed, peak)


def test_error_in_an_included_template_names_that_file(result: AnalysisResult, tmp_path: Path) -> None:
    (tmp_path / "main.md.j2").write_text("# report\n{% include 'part.j2' %}\n", encoding="utf-8")
    (tmp_path / "part.j2").write_text("ok\nstill ok\n{{ 1 // 0 }}\n", encoding="utf-8")
    with pytest.raises(ReportError, match=rf"{tmp_path / 'part.j2'}:3: ZeroDivisionError"):
        render(result, "md", config=default_config(), template=tmp_path / "main.md.j2")


def test_includes_cannot_leave_the_template_folder(result: AnalysisResult, tmp_path: Path) -> None:
    """Neither ``..`` nor a symlink in the folder reads a file beside it (a private key, /proc/self/environ)."""
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY MATERIAL\n", encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "key.txt").symlink_to(secret)
    for include in ("../id_rsa", "key.txt", str(secret)):
        (folder / "main.md.j2").write_text(f"# report\n{{% include '{include}' %}}\n", encoding="utf-8")
        with pytest.raises(ReportError) as caught:
            render(result, "md", config=default_config(), template=folder / "main.md.j2")
        assert "PRIVATE KEY" not in str(caught.value)


def test_oversized_template_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.md.j2"
    big.write_text("x" * (2 << 20), encoding="utf-8")
    with pytest.raises(ReportError, match="larger than 1024 KiB"):
        render(AnalysisResult(recommendations=()), "md", config=default_config(), template=big)


def test_ordinary_loops_and_filters_still_work(result: AnalysisResult, tmp_path: Path) -> None:
    template = tmp_path / "ok.md.j2"
    template.write_text(
        "{% for r in recommendations %}{{ loop.index }}. {{ r.symbol|md_code }} {{ '%.2f' % r.confidence }}"
        "{{ ' ' ~ ('*' * 3) }}\n{% endfor %}{{ recommendations|map(attribute='symbol')|join(', ')|length > 0 }}\n",
        encoding="utf-8",
    )
    text = render(result, "md", config=default_config(), template=template)
    assert text.startswith("1. `") and text.rstrip().endswith("True")

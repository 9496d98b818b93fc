"""Span previews in reports stay fast and short on huge functions: folding is linear in the function's length (the
span engine says which lines it added), and a preview shows at most ``MAX_SHOWN`` lines. CLI subprocess."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from trace_advisor.report.preview import MAX_SHOWN


def analyze(path: Path, out: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_ADVISOR_")}
    command = [sys.executable, "-m", "trace_advisor", "analyze", str(path), "--format", "md", "-o", str(out)]
    started = time.perf_counter()
    done = subprocess.run([*command, "--no-cache"], capture_output=True, text=True, timeout=600, env=env, check=False)
    return done, time.perf_counter() - started


def code_blocks(markdown: str) -> list[list[str]]:
    return [block.splitlines() for block in re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)]


def test_a_20000_line_function_is_previewed_quickly_and_folded(tmp_path: Path) -> None:
    # repeated identical lines are the worst case of a diff-based fold (what the preview used before)
    body = "".join("    total += 1\n" for _ in range(20_000))
    source = (
        "import requests\n\n\ndef handler(order_id):\n    total = 0\n    try:\n"
        "        requests.get('https://example.com/orders', timeout=5)\n    except OSError:\n        pass\n"
        f"{body}    return total\n"
    )
    path = tmp_path / "generated.py"
    path.write_text(source)
    started = time.perf_counter()
    ast.parse(source)
    baseline = time.perf_counter() - started
    done, seconds = analyze(path, tmp_path / "report.md")
    assert done.returncode == 0, done.stderr
    (shown,) = code_blocks((tmp_path / "report.md").read_text("utf-8"))
    assert shown[:2] == ["def handler(order_id):", '    with tracer.start_as_current_span("handler") as span:']
    assert '        span.set_attribute("code.function.name", "generated.handler")' in shown[2:6]
    assert "        except OSError as exc:" in shown and "            span.record_exception(exc)" in shown
    # folded: the edit added nothing further down (the handler's ``pass`` gave way to the exception event)
    assert shown[-1] == "        # … 20000 unchanged lines"
    # the whole run (parse, analysis, span edit, report) within a generous multiple of parsing the file once
    assert seconds < max(60.0, 400 * baseline), (seconds, baseline)


def test_a_preview_shows_at_most_max_shown_lines(tmp_path: Path) -> None:
    handlers = "".join(f"    try:\n        step_{i}(order_id)\n    except OSError:\n        pass\n" for i in range(400))
    source = (
        "import requests\n\n\ndef handler(order_id):\n"
        "    requests.get('https://example.com/orders', timeout=5)\n"
        f"{handlers}"
    )
    path = tmp_path / "handlers.py"
    path.write_text(source)
    done, _ = analyze(path, tmp_path / "report.md")
    assert done.returncode == 0, done.stderr
    (shown,) = code_blocks((tmp_path / "report.md").read_text("utf-8"))
    assert len(shown) == MAX_SHOWN + 1
    assert re.fullmatch(r"\s*# … \d+ more lines \(preview cut at 80\)", shown[-1])

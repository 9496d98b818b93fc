"""What redaction catches and what it costs: the secret forms of the test suite, then over-redaction and speed on
real code.

Prints how many of the secret forms (``tests/support/secret_forms.py``) still leak an 8-character piece after
``redact``, then, for each folder given, how many replacements of each kind redaction makes in its ``.py`` files
(on code without secrets every one is over-redaction: read the printed lines) and its speed as a ratio to plain
``ast.parse`` of the same files.

    .venv/bin/python benchmarks/redaction.py                       # the forms, and the standard library
    .venv/bin/python benchmarks/redaction.py ~/src/shop --show 20  # a project of yours, 20 lines per kind
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import sysconfig
import time
from collections import Counter, defaultdict
from pathlib import Path

from trace_advisor.advise.redact import redact

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.secret_forms import secret_forms  # noqa: E402  (the repository's test support, not installed)

MARKER = re.compile(r"<redacted:(\w+)>")


def leaked_forms() -> list[str]:
    """Names of the forms of which an 8-character piece of the secret survives redaction."""
    leaked = []
    for form in secret_forms():
        text = redact(form.source()).text
        pieces = [line[i : i + 8] for line in form.secret.split("\n") for i in range(max(len(line) - 7, 1))]
        if any(piece in text and len(piece) >= 6 for piece in pieces):
            leaked.append(form.name)
    return leaked


def measure(folder: Path, show: int) -> None:
    counts: Counter[str] = Counter()
    samples: dict[str, list[str]] = defaultdict(list)
    files = lines = 0
    redact_s = parse_s = 0.0
    for path in sorted(folder.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        files += 1
        lines += text.count("\n")
        started = time.perf_counter()
        result = redact(text)
        redact_s += time.perf_counter() - started
        started = time.perf_counter()
        try:
            ast.parse(text)
        except (SyntaxError, ValueError):
            pass
        parse_s += time.perf_counter() - started
        counts.update(dict(result.counts))
        for number, (old, new) in enumerate(zip(text.splitlines(), result.text.splitlines(), strict=False), 1):
            if old != new:
                kind = MARKER.search(new)
                samples[kind.group(1) if kind else "?"].append(f"{path}:{number}: {old.strip()[:140]}")
    ratio = redact_s / parse_s if parse_s else float("nan")
    print(f"{folder}: {files} files, {lines} lines, {sum(counts.values())} replacements {dict(counts)}")
    print(f"  redact {redact_s:.2f} s = {ratio:.2f} x ast.parse of the same files")
    for kind, found in samples.items():
        for line in found[:show]:
            print(f"  [{kind}] {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=Path, help="folders of .py files (default: the standard library)")
    parser.add_argument("--show", type=int, default=5, help="replaced lines to print per kind")
    args = parser.parse_args()
    leaked = leaked_forms()
    print(f"secret forms: {len(secret_forms()) - len(leaked)}/{len(secret_forms())} redacted; leaked: {leaked}")
    for folder in args.folders or [Path(sysconfig.get_paths()["stdlib"])]:
        measure(folder, args.show)


if __name__ == "__main__":
    main()

"""The Python 3.13 for tests that need a Python >= 3.12: the one `.ci/python3.13` builds from Debian's source (`make
test` builds it first; a test run started by hand builds it on first use, which takes minutes once)."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

BUILD = Path(__file__).resolve().parents[2] / ".ci" / "python3.13"


@functools.cache
def python313() -> str:
    """The path of CPython 3.13 with pytest installed, built by ``.ci/python3.13`` if it is not there yet."""
    done = subprocess.run([str(BUILD)], capture_output=True, text=True, check=False, timeout=3600)
    if done.returncode != 0:
        raise AssertionError(f"no Python 3.13: {BUILD} failed:\n{done.stderr}")
    return done.stdout.strip()


def newer_python(probe: str = "import sys; sys.monitoring") -> str:
    """A Python >= 3.12 for which ``probe`` runs."""
    python = python313()
    found = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False, timeout=60)
    assert found.returncode == 0, f"{python} -c {probe!r} failed:\n{found.stderr}"
    return python

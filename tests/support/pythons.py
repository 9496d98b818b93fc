"""Find a newer Python on this machine (its image ships 3.12 and 3.13 under pyenv) for tests that compare with it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def newer_python(probe: str = "import sys; sys.monitoring") -> str:
    """A Python >= 3.12 on PATH or under pyenv for which ``probe`` runs."""
    candidates = [shutil.which(f"python3.{minor}") for minor in range(12, 16)]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.1[2-9]*/bin/python3"))
    for candidate in filter(None, candidates):
        found = subprocess.run([candidate, "-c", probe], capture_output=True, check=False)
        if found.returncode == 0:
            return candidate
    raise AssertionError("no Python >= 3.12 found (python3.12 on PATH or pyenv)")

"""Shared pytest fixtures: paths to the repository's fixture projects and examples."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# No test reads or writes the user's own config folder (user config.yaml, the trust store); server and CLI
# subprocesses inherit this too.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="ta-test-config-")

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return REPO / "examples"

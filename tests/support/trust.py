"""Trusting a fixture project's configuration file the way ``trace-advisor trust`` does."""

from __future__ import annotations

from pathlib import Path

from trace_advisor.config.loader import project_file_layer
from trace_advisor.config.trust import TrustStore, settings_digest


def trust_project(root: Path, config_file: Path | None = None) -> Path:
    """Trust the project file of ``root`` (or ``config_file``) in the test session's trust store; its path."""
    found = project_file_layer(root, config_file)
    assert found is not None, f"no project file in {root}"
    layer, file = found
    TrustStore().trust(file, settings_digest(layer.data))
    return file

"""Writing a small project for a test: relative path -> text."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def write_project(root: Path, files: Mapping[str, str]) -> Path:
    """``files`` (relative path -> text) written under ``root``, their folders made; ``root``."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root

"""How span code is written for one project: the ``spans`` settings plus what the project's own tools say."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from trace_advisor.config_model import Config, SpansConfig


@dataclass(frozen=True, slots=True)
class SpanStyle:
    """Everything the span engine needs to know about the project beyond the text it edits."""

    spans: SpansConfig = field(default_factory=SpansConfig)


DEFAULT_STYLE = SpanStyle()


def span_style(config: Config, project_root: Path | None = None) -> SpanStyle:
    """The style of span code for a project: its ``spans`` settings."""
    return SpanStyle(config.spans)

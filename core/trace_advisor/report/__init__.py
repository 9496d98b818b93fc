"""Reports of an analysis: JSON, Markdown (coded or from a Jinja2 template), SARIF 2.1.0 and a self-contained HTML
call-tree page; :func:`render` picks the formatter, :func:`write_report` writes the file atomically."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.atomic_text import atomic_text
from trace_advisor.client_errors import Graph as ClientErrorGraph
from trace_advisor.config_model import Config
from trace_advisor.datatypes import AnalysisResult
from trace_advisor.report.errors import ReportError
from trace_advisor.report.facts import ReportFacts, build_facts, checkout_root
from trace_advisor.report.html import CallTrees, render_html
from trace_advisor.report.json_report import render_json
from trace_advisor.report.markdown import render_markdown
from trace_advisor.report.sarif import render_sarif
from trace_advisor.report.templated import DEFAULT_TEMPLATE, render_template, validate_template

if TYPE_CHECKING:
    from trace_advisor.record.observed import ObservedGraph

FORMATS = ("json", "md", "sarif", "html")

__all__ = [
    "FORMATS",
    "CallTrees",
    "ReportError",
    "ReportFacts",
    "build_facts",
    "default_template",
    "render",
    "template_for",
    "validate_template",
    "write_report",
]


def render(
    result: AnalysisResult,
    fmt: str,
    *,
    graph: CallTrees | None = None,
    config: Config,
    template: Path | None = None,
    root: Path | None = None,
    generated_at: datetime | None = None,
    source: Callable[[str], str | None] | None = None,
    observed: ObservedGraph | None = None,
) -> str:
    """The report text. ``md`` uses ``template`` (or ``config.report.template``) when set, else the coded formatter.

    File paths are shown relative to ``root`` (default: for SARIF the git work tree that holds the files, else the
    working directory when it holds every file, else the files' common folder). ``generated_at`` adds a timestamp;
    without it the output is deterministic.
    ``source(file)`` gives the text that was analysed when it is not the file on disk (an editor's unsaved buffer,
    e.g. ``lambda f: index.source(Path(f))``); span previews are computed on it (None: read from disk).
    ``observed`` (a recording of the workspace's calls) adds its hot calls and observed edges to the HTML report.
    Raises :class:`ReportError` for an unknown format or a bad template.
    """
    if fmt not in FORMATS:
        raise ReportError(f"unknown report format {fmt!r} (expected one of {', '.join(FORMATS)})")
    chosen = template_for(config, template) if fmt == "md" else None
    if chosen is not None:
        validate_template(chosen)  # before any work
    if fmt == "sarif" and root is None:
        root = checkout_root(result)
    previews = fmt in ("md", "html")
    callees = graph if isinstance(graph, ClientErrorGraph) else None  # the span previews guard 4xx raised below
    facts = build_facts(
        result, config, root=root, generated_at=generated_at, source=source, previews=previews, graph=callees
    )
    if fmt == "json":
        return render_json(facts)
    if fmt == "sarif":
        return render_sarif(facts, {name: p.description for name, p in config.priorities.items()})
    if fmt == "html":
        return render_html(facts, graph, observed)
    if chosen is not None:
        return render_template(facts, chosen)
    return render_markdown(facts)


def template_for(config: Config, template: Path | None = None) -> Path | None:
    """The Markdown template to use: the explicit one, else ``config.report.template``, else None (coded)."""
    if template is not None:
        return template
    if config.report.template:
        return Path(config.report.template)
    return None


def default_template() -> Path:
    """The bundled template (config/templates/report.md.j2), a starting point for custom ones."""
    found = resources.files("trace_advisor").joinpath("resources").joinpath(DEFAULT_TEMPLATE)
    return Path(str(found))


def write_report(text: str, output: Path) -> None:
    """Write ``text`` to ``output`` atomically: a reader (or a Ctrl-C) never sees a half-written report."""
    with atomic_text(output) as handle:
        handle.write(text)

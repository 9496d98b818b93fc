"""Markdown from a user's Jinja2 template, rendered in a sandbox with the same facts as the coded formatter."""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from trace_advisor.report.errors import ReportError
from trace_advisor.report.facts import ReportFacts, all_recommendations, count_of, priority_title
from trace_advisor.report.md_escape import fence, md_code, md_prose, md_text

DEFAULT_TEMPLATE = "templates/report.md.j2"  # relative to the package resources (the config/ folder)


def _environment(folder: Path) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=False,  # Markdown, not HTML: the md_* filters escape
        undefined=jinja2.StrictUndefined,  # a typo in a template is an error, not an empty string
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        md_text=md_text,
        md_prose=md_prose,
        md_code=md_code,
        fence=fence,
        priority_title=priority_title,
        count_of=count_of,
    )
    return env


def validate_template(path: Path) -> None:
    """Check that ``path`` exists and is valid Jinja2; raise ReportError naming the file and line otherwise."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"report template {path}: cannot read: {exc}") from None
    try:
        _environment(path.parent).parse(source, name=path.name, filename=str(path))
    except jinja2.TemplateSyntaxError as exc:
        raise ReportError(f"report template {path}:{exc.lineno}: {exc.message}") from None


def render_template(facts: ReportFacts, path: Path) -> str:
    """Render ``path`` with the report facts; errors name the template file and line."""
    validate_template(path)
    env = _environment(path.parent)
    context = {
        "facts": facts,
        "groups": facts.groups,
        "recommendations": all_recommendations(facts),
        "usage": facts.usage,
        "problems": facts.problems,
    }
    try:
        text = env.get_template(path.name).render(context)
    except jinja2.TemplateError as exc:
        raise ReportError(f"report template {path}:{_template_line(exc, path)}: {exc}") from None
    return text.rstrip("\n") + "\n"  # one final newline, however the template ends


def _template_line(exc: BaseException, path: Path) -> str:
    """The template line of a render error, from the traceback Jinja2 rewrites to point into the template."""
    line = "?"
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == str(path):
            line = str(tb.tb_lineno)
        tb = tb.tb_next
    return line

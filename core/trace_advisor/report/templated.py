"""Markdown from a user's Jinja2 template, rendered in a limited sandbox with the same facts as the coded formatter.

Every error a template can cause — syntax, undefined names, exceptions while rendering, the sandbox's refusals and
limits (:mod:`template_limits`) — becomes a ReportError naming the template file and line.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from trace_advisor.report.errors import ReportError
from trace_advisor.report.facts import ReportFacts, about, all_recommendations, count_of, priority_title
from trace_advisor.report.markdown import span_cost, span_volume
from trace_advisor.report.md_escape import fence, md_code, md_prose, md_text
from trace_advisor.report.template_limits import MAX_TEMPLATE_BYTES, ConfinedLoader, LimitedSandbox

DEFAULT_TEMPLATE = "templates/report.md.j2"  # relative to the package resources (the config/ folder)


def _environment(folder: Path) -> LimitedSandbox:
    env = LimitedSandbox(
        loader=ConfinedLoader(folder),
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
        about=about,
        span_cost=span_cost,
        span_volume=span_volume,
    )
    env.wrap_filters()
    return env


def validate_template(path: Path) -> None:
    """Check that ``path`` exists and is valid Jinja2; raise ReportError naming the file and line otherwise."""
    try:
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise ReportError(f"report template {path}: larger than {MAX_TEMPLATE_BYTES >> 10} KiB")
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"report template {path}: cannot read: {exc}") from None
    try:
        _environment(path.parent).parse(source, name=path.name, filename=str(path))
    except jinja2.TemplateSyntaxError as exc:
        raise ReportError(f"report template {path}:{exc.lineno}: {exc.message}") from None
    except RecursionError:
        raise ReportError(f"report template {path}: nested too deeply to read") from None


def render_template(facts: ReportFacts, path: Path) -> str:
    """Render ``path`` with the report facts; every error names the template file and line."""
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
        text = env.render(env.get_template(path.name), context)
    except jinja2.TemplateSyntaxError as exc:  # in an included template
        raise ReportError(f"report template {exc.filename or path}:{exc.lineno}: {exc.message}") from None
    except (Exception, RecursionError, MemoryError) as exc:
        raise ReportError(f"report template {_template_line(exc, path)}: {_describe(exc)}") from None
    return text.rstrip("\n") + "\n"  # one final newline, however the template ends


def _describe(exc: BaseException) -> str:
    if isinstance(exc, jinja2.TemplateError):
        return str(exc.message if isinstance(exc, jinja2.TemplateNotFound) else exc)
    if isinstance(exc, RecursionError):
        return "recursion too deep (a macro calling itself?)"
    return f"{type(exc).__name__}: {exc}"


def _template_line(exc: BaseException, path: Path) -> str:
    """``file:line`` of a render error, from the traceback Jinja2 rewrites to point into the templates: the
    innermost frame in a template of this folder (an included one included)."""
    folder = path.parent.resolve()
    found = f"{path}:?"
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename == str(path) or Path(filename).parent.resolve() == folder or _inside(Path(filename), folder):
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def _inside(file: Path, folder: Path) -> bool:
    try:
        return file.is_absolute() and file.resolve().is_relative_to(folder)
    except OSError:
        return False

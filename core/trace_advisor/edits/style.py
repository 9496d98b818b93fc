"""How span code is written for one project: the ``spans`` settings plus what the project's own tools say."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.attribute_safety import AttributePolicy
from trace_advisor.config_model import Config, SpansConfig
from trace_advisor.edits.formatter import RangeFormatter, find_formatter
from trace_advisor.project_style import ProjectStyle, read_project_style

if TYPE_CHECKING:
    from trace_advisor.client_errors import Graph as ClientErrorGraph


@dataclass(frozen=True, slots=True)
class SpanStyle:
    """Everything the span engine needs to know about the project beyond the text it edits."""

    spans: SpansConfig = field(default_factory=SpansConfig)
    project: ProjectStyle = field(default_factory=ProjectStyle)  # line length, import sections
    # the project's ruff/black, laying out the lines a span's indent pushes out (apply and the editor's chosen fix)
    formatter: RangeFormatter | None = None

    @property
    def policy(self) -> AttributePolicy:
        """The sensitive-name rules: the built-in lists plus ``spans.sensitive_names``."""
        return AttributePolicy(self.spans.sensitive_names)


DEFAULT_STYLE = SpanStyle()


@dataclass(frozen=True, slots=True)
class SpanOrigin:
    """Where the edited text comes from, for the ``code.*`` attributes, and what the call graph knows about it."""

    module: str | None  # ``shop.orders``: ``code.function.name`` is ``shop.orders.OrderService.place``
    path: str | None  # ``code.file.path``: relative to the project root, ``/``-separated
    # qualname -> the web frameworks whose 4xx exceptions its workspace callees may raise (trace_advisor.client_errors)
    client_errors: Callable[[str], frozenset[str]] = lambda _qualname: frozenset()


def span_origin(file: Path, module: str | None, graph: ClientErrorGraph | None = None) -> SpanOrigin:
    """The origin of a file's text: ``module`` and the file's path relative to its project root (the folder with
    pyproject.toml, .trace-advisor.yaml or .git), so every checkout records the same ``code.file.path`` (without
    one, the path its module's import name gives); with the workspace's call graph, which of its functions may see a
    web framework's 4xx exception from their callees."""
    from trace_advisor.client_errors import client_errors_of
    from trace_advisor.config import find_project_root

    resolved = file.resolve()
    try:
        path = resolved.relative_to(find_project_root(resolved)).as_posix()
    except ValueError:
        path = resolved.name
    if "/" not in path and module is not None and "." in module:
        # no project folder above a package's module (an exported tree, a vendored copy): its import path is the
        # name that stays the same wherever the code is (``pkg/utils/broker.py``, not ``broker.py``)
        path = module.replace(".", "/") + ("/__init__.py" if resolved.name == "__init__.py" else ".py")
    return SpanOrigin(module, path, client_errors_of(graph, module))


def span_style(config: Config, project_root: Path | None = None, *, formatter: bool = False) -> SpanStyle:
    """The style of span code for a project: its ``spans`` settings and what its ruff/black/flake8/isort
    configuration says (line length, first-party packages); defaults without ``project_root``. ``formatter``: also
    find the project's formatter (for edits written into files, not for previews: it runs once per function)."""
    project = read_project_style(project_root)
    found = find_formatter(project_root, project.formatter, config.python) if formatter else None
    return SpanStyle(config.spans, project, found)


class ProjectStyles:
    """Span styles by project: a file is written in the style of its own project, the nearest folder at or above it
    with a pyproject.toml or .trace-advisor.yaml (else .git), where ruff and black read their configuration too (a
    repository's ``backend/`` with its own ruff target version and line length). Read once per project folder."""

    def __init__(self, config: Config, *, formatter: bool = False) -> None:
        self._config, self._formatter = config, formatter
        self._found: dict[Path, SpanStyle] = {}

    def __call__(self, path: Path) -> SpanStyle:
        from trace_advisor.config import find_project_root

        return self.of_root(find_project_root(path))

    def of_root(self, root: Path) -> SpanStyle:
        """The style of the project whose root folder is ``root``."""
        style = self._found.get(root)
        if style is None:
            style = self._found[root] = span_style(self._config, root, formatter=self._formatter)
        return style

    def read(self) -> tuple[SpanStyle, ...]:
        """The styles read so far, in the order their projects were first met."""
        return tuple(self._found.values())

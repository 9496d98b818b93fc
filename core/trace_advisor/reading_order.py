"""The order people read recommendations in (a report's "Start with", the CLI's strongest, the editor's strongest of
a file): the strongest first and, among equally strong ones (the same ``BAND`` of confidence as shown, two
decimals), the service before the commands run by hand (a CLI command or ``main``: an admin or maintenance run, not
traffic), then what they are about in :class:`~trace_advisor.datatypes.EvidenceKind`'s order: where work enters or
runs, then remote calls, then a cache, a database or files. A model answers 0.99 for many functions of a project; a
request handler or a job's run ranks before a one-line query wrapper of the same strength, whatever their paths, and
the payment flow before the ``db cleanup`` command."""

from __future__ import annotations

from pathlib import PurePath

from trace_advisor.datatypes import EvidenceKind, Recommendation
from trace_advisor.workspace import DEMO_GLOBS

# Folders and files that hold development scripts, maintainers' tooling (a release script under ``bin/``), examples
# and docs rather than the product: ranked after it (tracing a script is legitimate, not where to start; examples and
# docs are analysed only when named, see :data:`trace_advisor.workspace.DEMO_GLOBS`).
AUXILIARY_FOLDERS = frozenset(DEMO_GLOBS) | {"scripts", "script", "tools", "dev", "bin", "ci", "hack"}
AUXILIARY_FILES = frozenset({"setup.py", "noxfile.py", "tasks.py", "fabfile.py", "dodo.py", "conftest.py"})
BAND = 5  # hundredths of confidence: 0.95-0.99 is one band, 0.90-0.94 the next
_NO_KIND = len(EvidenceKind)


def band(confidence: float) -> int:
    """The band of a confidence as shown (0.9996 shows as 1.00 and is as strong as 0.99)."""
    return min(round(confidence * 100), 99) // BAND


def reading_key(rec: Recommendation) -> tuple[int, bool, int, float]:
    """Strongest band first, then the service before commands run by hand, then what it is about, then the exact
    confidence."""
    kind = rec.kind
    by_hand = any(e.kind is EvidenceKind.COMMAND for e in rec.evidence)
    return (-band(rec.confidence), by_hand, kind.rank if kind is not None else _NO_KIND, -rec.confidence)


def is_auxiliary(path: str) -> bool:
    """Whether a workspace-relative path is a development script, an example or docs rather than product code. The
    project files count at the top only: ``documents/tasks.py`` is a package's Celery tasks, not invoke's."""
    parts = PurePath(path).parts
    return (parts[-1] in AUXILIARY_FILES and len(parts) == 1) or any(p in AUXILIARY_FOLDERS for p in parts[:-1])


def auxiliary_module(module: str) -> bool:
    """:func:`is_auxiliary` for a module's dotted name (``examples.webhook_handler``)."""
    return is_auxiliary(module.replace(".", "/") + ".py")

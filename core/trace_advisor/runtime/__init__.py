"""Zero-edit instrumentation: trace the functions a traced-functions file lists (``trace-advisor export --format
otel-config``) with OpenTelemetry spans, at import time, without editing the source.

Three ways in, all reading the same file:

- ``python -m trace_advisor.runtime --config traced.json -- python app.py`` runs a command with the hook installed
  in every Python process it starts (through a ``sitecustomize`` on ``PYTHONPATH``);
- ``TRACE_ADVISOR_RUNTIME_CONFIG=traced.json opentelemetry-instrument python app.py``: the
  ``opentelemetry_instrumentor`` entry point installs it next to the other instrumentations;
- ``trace_advisor.runtime.install("traced.json")`` from your own ``sitecustomize`` or first module.

Only ``opentelemetry-api`` is needed; without an SDK configured a traced function costs one check per call. This
package imports nothing else of trace-advisor.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from trace_advisor.runtime.hook import TracingFinder, installed_finder
from trace_advisor.runtime.plan import FunctionPlan, PlanError, load

ENV_CONFIG = "TRACE_ADVISOR_RUNTIME_CONFIG"
LOG = logging.getLogger("trace_advisor.runtime")

__all__ = ["ENV_CONFIG", "FunctionPlan", "PlanError", "TracingFinder", "install", "install_from_env"]


def install(config: str | Path | tuple[FunctionPlan, ...]) -> TracingFinder:
    """Install the import hook for the functions of ``config`` (a traced-functions file, or plans); modules already
    imported are patched in place. Installing again returns the hook already installed. Raises PlanError."""
    found = installed_finder()
    if found is not None:
        return found
    plans = load(config) if isinstance(config, str | Path) else config
    finder = TracingFinder(plans)
    sys.meta_path.insert(0, finder)
    for name in finder.by_module:
        module = sys.modules.get(name)
        if module is not None:  # imported before the hook: decorators that registered it keep the original
            finder.patch_module(module)
    return finder


def install_from_env() -> TracingFinder | None:
    """Install from ``$TRACE_ADVISOR_RUNTIME_CONFIG`` when it is set; a bad file is logged, never raised (the
    application must start either way)."""
    path = os.environ.get(ENV_CONFIG)
    if not path:
        return None
    try:
        return install(path)
    except PlanError as exc:
        LOG.error("trace_advisor.runtime: %s; nothing is traced", exc)
    except ImportError as exc:  # opentelemetry-api missing in this interpreter
        LOG.error("trace_advisor.runtime: %s; nothing is traced (install opentelemetry-api)", exc)
    return None

"""Loads trace-advisor's configuration: bundled defaults, project file, environment and editor/CLI overrides.

``config/default.yaml`` holds every default, ``config/config.schema.json`` declares every key; the typed result is
:class:`trace_advisor.config_model.Config`.
"""

from __future__ import annotations

from trace_advisor.config.case import from_camel_case, to_camel_case
from trace_advisor.config.env import env_name
from trace_advisor.config.errors import ConfigError, ConfigIssue
from trace_advisor.config.loader import config_from_mapping, default_config, find_project_root, load_config
from trace_advisor.config.schema import ConfigSchema, load_schema_document

__all__ = [
    "ConfigError",
    "ConfigIssue",
    "ConfigSchema",
    "config_from_mapping",
    "default_config",
    "env_name",
    "find_project_root",
    "from_camel_case",
    "load_config",
    "load_schema_document",
    "to_camel_case",
]

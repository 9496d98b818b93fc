"""Finds, reads, layers and validates the configuration: the one place that defines precedence."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from trace_advisor.config.build import build_config, layer_issues
from trace_advisor.config.env import env_layer
from trace_advisor.config.errors import ConfigError
from trace_advisor.config.layers import Layer, mapping_layer, pyproject_layer, yaml_layer
from trace_advisor.config.schema import ConfigSchema
from trace_advisor.config.trust import (
    USER_CONFIG_FILE,
    TrustStore,
    restrict_untrusted,
    settings_digest,
    user_config_dir,
)
from trace_advisor.config_model import Config, IgnoredSetting
from trace_advisor.workspace import project_environment

PROJECT_FILE = ".trace-advisor.yaml"
PYPROJECT = "pyproject.toml"
DEFAULTS_RESOURCE = "resources/default.yaml"
MAX_CONFIG_BYTES = 1 << 20  # a configuration file is a few kilobytes; more is a mistake or an attack


def default_config() -> Config:
    """Every default from config/default.yaml."""
    schema = ConfigSchema()
    return build_config([_default_layer()], schema)


def config_from_mapping(data: Mapping[str, object], origin: str, *, base_dir: Path | None = None) -> Config:
    """Defaults overridden by ``data`` (editor settings, snake_case); errors are labelled with ``origin``.

    Relative paths in ``data`` resolve against ``base_dir`` (left as given when None).
    """
    return build_config([_default_layer(), mapping_layer(data, origin, base_dir)], ConfigSchema())


def load_config(
    project_root: Path | None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
    config_file: Path | None = None,
    overrides_origin: str = "overrides",
    trust: TrustStore | None = None,
) -> Config:
    """The effective configuration for a project.

    Precedence, lowest to highest (this function is the only place that defines it):
      1. config/default.yaml (bundled)
      2. the user's ``$XDG_CONFIG_HOME/trace-advisor/config.yaml`` (``~/.config/...``), when it exists
      3. the project file: ``config_file`` if given, else ``<project_root>/.trace-advisor.yaml`` or the
         ``[tool.trace-advisor]`` table of ``<project_root>/pyproject.toml`` (having both is an error); until the
         user trusts it (``trust``: the user's trust store), settings that reach outside the project are left out
         and listed in ``Config.ignored`` (see :mod:`trace_advisor.config.trust`)
      4. ``TRACE_ADVISOR_*`` environment variables (``env``; ``os.environ`` when None)
      5. ``overrides``: editor settings or command-line flags (dotted keys allowed; None means "not given")
    With ``python`` set nowhere and no ``$VIRTUAL_ENV``, the project's own ``.venv`` (or ``venv``) is the interpreter.
    Mappings merge key by key; lists and scalars replace. Relative paths resolve against the file that set them
    (environment and overrides: ``project_root``, else the working directory). Raises :class:`ConfigError`.
    """
    schema = ConfigSchema()
    here = project_root if project_root is not None else Path.cwd()
    layers = [_default_layer()]
    user = _user_layer()
    if user is not None:
        layers.append(user)
    ignored: tuple[IgnoredSetting, ...] = ()
    untrusted: str | None = None
    found = project_file_layer(project_root, config_file)
    if found is not None:
        project, file = found
        problems = layer_issues(project, schema)  # a mistake is an error, trusted or not
        if problems:
            raise ConfigError(problems)
        if not (trust or TrustStore()).is_trusted(file, settings_digest(project.data)):
            project, ignored = restrict_untrusted(project, confinement_root(file, project_root))
            untrusted = str(file.resolve()) if ignored else None
        layers.append(project)
    from_env = env_layer(os.environ if env is None else env, schema, here)
    if from_env is not None:
        layers.append(from_env)
    if overrides:
        layers.append(mapping_layer(overrides, overrides_origin, here))
    config = build_config(layers, schema)
    if config.python is None and project_root is not None:
        found_venv = project_environment(project_root, os.environ if env is None else env)
        config = dataclasses.replace(config, python=str(found_venv)) if found_venv is not None else config
    return dataclasses.replace(config, ignored=ignored, untrusted_file=untrusted) if ignored else config


# where a project without a pyproject.toml keeps its linters' settings, or says it is one (setup.py)
_LINT_FILES = ("setup.cfg", "tox.ini", ".flake8", "ruff.toml", ".ruff.toml", "setup.py")


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` with .trace-advisor.yaml or pyproject.toml, else with a linter's
    settings or a setup.py (a project without pyproject.toml: patroni's flake8 line length is in its tox.ini), else
    with .git, else ``start`` itself (its folder when it is a file)."""
    # os.path probes answer False inside a folder the user may not read (pathlib raises PermissionError there)
    start = start.resolve()
    if not os.path.isdir(start):
        start = start.parent
    chain = (start, *start.parents)
    for folder in chain:
        if os.path.isfile(folder / PROJECT_FILE) or os.path.isfile(folder / PYPROJECT):
            return folder
    for folder in chain:
        if any(os.path.isfile(folder / name) for name in _LINT_FILES):
            return folder
    for folder in chain:
        if os.path.exists(folder / ".git"):
            return folder
    return start


# ---- layers ----------------------------------------------------------------------------------------------------


def _default_layer() -> Layer:
    text = resources.files("trace_advisor").joinpath(DEFAULTS_RESOURCE).read_text(encoding="utf-8")
    layer = yaml_layer(text, "default.yaml", None)
    return Layer(layer.name, layer.data, None, {(): "default"}, "default")


def _user_layer() -> Layer | None:
    """The user's own config file: trusted like the environment, paths relative to its folder."""
    path = user_config_dir() / USER_CONFIG_FILE
    if not path.is_file():
        return None
    return yaml_layer(_read(path, str(path)), str(path), path.parent.resolve())


def confinement_root(file: Path, project_root: Path | None) -> Path:
    """The folder an untrusted file's paths must stay in: the project root when the file is inside it."""
    folder = file.resolve().parent
    if project_root is not None and folder.is_relative_to(project_root.resolve()):
        return project_root.resolve()
    return folder


def project_file_layer(project_root: Path | None, config_file: Path | None) -> tuple[Layer, Path] | None:
    """The project's configuration file as a layer, with the file's path; None when the project has none.
    ``config_file`` (``--config``) replaces the search; raises ConfigError for unreadable or invalid files."""
    if config_file is not None:
        path = config_file if config_file.is_absolute() or project_root is None else project_root / config_file
        display = _display(path, project_root)
        text = _read(path, display)
        if path.suffix == ".toml":
            layer = pyproject_layer(text, display, path.parent.resolve())
            if layer is None:
                raise ConfigError.single(display, "", "has no [tool.trace-advisor] table")
            return layer, path
        return yaml_layer(text, display, path.parent.resolve()), path
    if project_root is None:
        return None
    yaml_path, toml_path = project_root / PROJECT_FILE, project_root / PYPROJECT
    from_yaml = (
        yaml_layer(_read(yaml_path, PROJECT_FILE), PROJECT_FILE, project_root.resolve())
        if os.path.isfile(yaml_path)
        else None
    )
    from_toml = (
        pyproject_layer(_read(toml_path, PYPROJECT), PYPROJECT, project_root.resolve())
        if os.path.isfile(toml_path)
        else None
    )
    if from_yaml is not None and from_toml is not None:
        raise ConfigError.single(
            from_toml.fallback, "", f"both {PROJECT_FILE} and [tool.trace-advisor] configure trace-advisor; keep one"
        )
    if from_yaml is not None:
        return from_yaml, yaml_path
    return (from_toml, toml_path) if from_toml is not None else None


def _read(path: Path, display: str) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
        if len(data) > MAX_CONFIG_BYTES:
            raise ConfigError.single(display, "", f"refused: larger than {MAX_CONFIG_BYTES // 1024} KiB")
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError.single(display, "", f"cannot read: {exc}") from None


def _display(path: Path, project_root: Path | None) -> str:
    if project_root is not None:
        try:
            return str(path.resolve().relative_to(project_root.resolve()))
        except ValueError:
            pass
    return str(path)


def trust_project_file(root: Path, config_file: Path | None = None) -> Path | None:
    """Trust the project file of ``root`` (or ``config_file``) as it is now; its path, None when there is none."""
    found = project_file_layer(root, config_file)
    if found is None:
        return None
    layer, file = found
    TrustStore().trust(file, settings_digest(layer.data))
    return file.resolve()

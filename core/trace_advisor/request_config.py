"""The configuration of one request (a command line, an agent's tool call): the project's configuration with the
request's overrides, extra search paths and chosen priorities, checked before any work is done."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

from trace_advisor.config import ConfigError, load_config
from trace_advisor.config_model import Config


class RequestConfigError(ValueError):
    """The request's configuration cannot work; the message says what to fix."""


def load_request_config(
    project: Path,
    *,
    config_file: Path | None = None,
    overrides: Mapping[str, object] | None = None,
    search_paths: Sequence[Path] = (),
    ignore: Sequence[str] = (),
    origin: str,
) -> Config:
    """The configuration of ``project`` (or ``config_file``), then ``overrides`` (dotted keys; None values are "not
    given") labelled ``origin`` in messages, then ``search_paths`` searched after the configured ones and ``ignore``
    globs skipped in addition to the configured ones."""
    if config_file is not None and not config_file.is_file():
        raise RequestConfigError(f"config file not found: {config_file}")
    extra: list[str] = []
    for folder in search_paths:
        if not Path(folder).is_dir():
            raise RequestConfigError(f"search path is not a folder: {folder}")
        extra.append(str(Path(folder).resolve()))
    values = {key: value for key, value in (overrides or {}).items() if value is not None}
    try:
        config = load_config(project, overrides=values, config_file=config_file, overrides_origin=origin)
    except ConfigError as exc:
        raise RequestConfigError(str(exc)) from None
    if extra:
        config = dataclasses.replace(config, search_paths=tuple(dict.fromkeys([*config.search_paths, *extra])))
    if ignore:
        config = dataclasses.replace(config, ignore=tuple(dict.fromkeys([*config.ignore, *ignore])))
    return config


def only_priorities(config: Config, names: Sequence[str]) -> Config:
    """The configuration restricted to the priorities ``names`` (blank names ignored), in the order given."""
    wanted = [name.strip() for name in names if name.strip()]
    unknown = [name for name in wanted if name not in config.priorities]
    if unknown or not wanted:
        raise RequestConfigError(
            f"unknown priorities: {', '.join(unknown) or '(none given)'} (known: {', '.join(config.priorities)})"
        )
    return dataclasses.replace(config, priorities={p: config.priorities[p] for p in wanted})

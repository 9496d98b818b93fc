"""Workspace trust for project configuration: which settings a project file may set before its user trusts it.

A project's ``.trace-advisor.yaml`` (or ``[tool.trace-advisor]``) arrives with the code, from whoever wrote it.
Settings that reach outside the project or the machine — the model provider (where code and credentials go), the
interpreter, report and template paths and search paths outside the project — are honoured from it only after the
user runs ``trace-advisor trust``, which records the hash of the file's settings in the user's config folder
(``$XDG_CONFIG_HOME/trace-advisor/trusted.json``); any change to them needs trust again. Until then they are left
out, and :func:`untrusted_warning` says which and how to trust the file. User config, environment variables, editor
settings and command-line flags are the user's own and always apply.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from trace_advisor.config.layers import KeyPath, Layer
from trace_advisor.config_model import IgnoredSetting

TRUST_FILE = "trusted.json"
USER_CONFIG_FILE = "config.yaml"
# api_key_env values an untrusted project may name: variables meant for a model provider's key.
API_KEY_ENV = re.compile(r"^(?:[A-Z][A-Z0-9_]*_API_KEY|OPENAI_[A-Z0-9_]+)$")
API_KEY_ENV_DOC = "*_API_KEY or OPENAI_*"
# Keys that choose where code and credentials go; an untrusted project file cannot set them.
PROVIDER_KEYS: tuple[KeyPath, ...] = (
    ("provider", "name"),
    ("provider", "bedrock", "model_id"),
    ("provider", "bedrock", "region"),
    ("provider", "bedrock", "profile"),
    ("provider", "bedrock", "endpoint_url"),
    ("provider", "openai", "base_url"),
    ("provider", "openai", "model"),
)
REPORT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".json", ".sarif", ".html", ".htm"})
_VCS_FOLDERS = frozenset({".git", ".hg", ".svn"})


def user_config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/trace-advisor`` (``~/.config/trace-advisor`` when unset)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "trace-advisor"


def settings_digest(data: Mapping[str, object]) -> str:
    """The sha256 of a project file's settings as parsed (comments and unrelated pyproject tables do not count)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class TrustStore:
    """The user's record of trusted project files: path -> digest of the settings trusted."""

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder or user_config_dir()) / TRUST_FILE

    def entries(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, dict):
            return {}
        return {str(k): str(v.get("sha256")) for k, v in files.items() if isinstance(v, dict)}

    def is_trusted(self, file: Path, digest: str) -> bool:
        return self.entries().get(str(file.resolve())) == digest

    def trust(self, file: Path, digest: str) -> None:
        files = {name: {"sha256": value} for name, value in self.entries().items()}
        files[str(file.resolve())] = {"sha256": digest}
        self._write(files)

    def revoke(self, file: Path) -> bool:
        files = {name: {"sha256": value} for name, value in self.entries().items()}
        found = files.pop(str(file.resolve()), None) is not None
        if found:
            self._write(files)
        return found

    def _write(self, files: Mapping[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": 1, "files": dict(sorted(files.items()))}, indent=2) + "\n"
        fd, temp = tempfile.mkstemp(prefix=".trusted.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(temp, 0o600)
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise


def restrict_untrusted(layer: Layer, root: Path) -> tuple[Layer, tuple[IgnoredSetting, ...]]:
    """``layer`` without the settings an untrusted file may not set, and what was left out.

    ``root`` is the project folder that paths must stay inside (symlinks resolved).
    """
    data = _copy(layer.data)
    ignored: list[IgnoredSetting] = []

    def drop(path: KeyPath, value: object, reason: str) -> None:
        ignored.append(IgnoredSetting(".".join(path), layer.where(path), _shown(value), reason))

    for path in PROVIDER_KEYS:
        value = _pop(data, path)
        if value is not None:
            drop(path, value, "chooses where code and credentials are sent")
    key_env = ("provider", "openai", "api_key_env")
    value = _get(data, key_env)
    if isinstance(value, str) and not API_KEY_ENV.match(value):
        _pop(data, key_env)
        drop(key_env, value, f"names a variable that is not a model API key ({API_KEY_ENV_DOC})")
    python = data.get("python")
    if isinstance(python, str) and _outside(_interpreter_prefix(python, root, layer.base_dir), root, layer.base_dir):
        data.pop("python")
        drop(("python",), python, "an interpreter outside the project")
    for key, what in (("search_paths", "a folder outside the project"), ("traces", "files outside the project")):
        paths = data.get(key)
        if isinstance(paths, list):
            kept = [p for p in paths if not (isinstance(p, str) and _outside(p, root, layer.base_dir))]
            for outside in (p for p in paths if p not in kept):
                drop((key,), outside, what)
            data[key] = kept
    report = data.get("report")
    if isinstance(report, dict):
        template = report.get("template")
        if isinstance(template, str) and _outside(template, root, layer.base_dir):
            report.pop("template")
            drop(("report", "template"), template, "a file outside the project")
        output = report.get("output")
        if isinstance(output, str):
            problem = _bad_output(output, root, layer.base_dir)
            if problem:
                report.pop("output")
                drop(("report", "output"), output, problem)
    if not ignored:
        return layer, ()
    # Told in the file's order: both readers record key paths as they meet them, top to bottom.
    order = {where: rank for rank, where in enumerate(dict.fromkeys(layer.locations.values()))}
    ignored.sort(key=lambda item: order.get(item.where, len(order)))
    return Layer(layer.name, data, layer.base_dir, layer.locations, layer.fallback), tuple(ignored)


def untrusted_warning(file: str, ignored: tuple[IgnoredSetting, ...]) -> str:
    """The one warning shown for an untrusted project file: each ignored key, its value and how to trust it."""
    lines = [f"{Path(file).name} is not trusted, so these of its settings are ignored:"]
    lines += [f"  {item.where} {item.key} = {item.value} ({item.reason})" for item in ignored]
    lines.append(f"If you wrote or reviewed {file}, trust it with: trace-advisor trust {_quote_arg(file)}")
    return "\n".join(lines)


# ---- helpers ---------------------------------------------------------------------------------------------------


def _outside(value: str, root: Path, base: Path | None) -> bool:
    """Whether a path setting leaves ``root``: ``~``, absolute, ``..`` beyond it, or a symlink out of it."""
    if value.startswith("~") or os.path.isabs(value) or PurePosixPath(value.replace("\\", "/")).is_absolute():
        return True
    target = (base or root) / value
    try:
        return not target.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return True


def _interpreter_prefix(value: str, root: Path, base: Path | None) -> str:
    """The folder the ``python`` setting is read from: a virtualenv's folder as given, or the folder holding the
    interpreter (a venv's ``bin/python`` links to the base interpreter outside the project; only the site-packages
    beside the link are read, nothing is run)."""
    if os.path.isdir((base or root) / value):
        return value
    return os.path.dirname(value.rstrip("/")) or "."


def _bad_output(value: str, root: Path, base: Path | None) -> str | None:
    if _outside(value, root, base):
        return "a file outside the project"
    target = ((base or root) / value).resolve()
    inside = target.relative_to(root.resolve())
    if _VCS_FOLDERS & set(inside.parts):
        return "a file inside version control metadata"
    if target.suffix.lower() not in REPORT_SUFFIXES:
        return f"not a report file ({', '.join(sorted(REPORT_SUFFIXES))})"
    return None


def _get(data: Mapping[str, object], path: KeyPath) -> object:
    node: object = data
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _pop(data: dict[str, object], path: KeyPath) -> object:
    node: object = data
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    return node.pop(path[-1], None) if isinstance(node, dict) else None


def _copy(value: Mapping[str, object]) -> dict[str, object]:
    """A copy of a settings tree whose mappings and lists can be changed without touching the original."""
    return {
        key: _copy(item) if isinstance(item, Mapping) else list(item) if isinstance(item, list) else item
        for key, item in value.items()
    }


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _quote_arg(path: str) -> str:
    return path if re.fullmatch(r"[\w@%+=:,./-]+", path) else "'" + path.replace("'", "'\\''") + "'"

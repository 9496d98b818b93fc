"""A recording: the observed call edges of one recorded command, named with the static graph's symbol ids, on disk.

The recorder (:mod:`trace_advisor.record.recorder`) names code by file and ``co_qualname``; :func:`from_processes`
turns its per-process tables into symbol ids through the index (the same module names as the static graph), names a
lambda as the static graph's lambda node of the same enclosing scopes starting on the same line, folds
comprehensions and class bodies (and a lambda the index cannot tell apart) into the function or module that
contains them (as the static graph does), and sums the processes.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trace_advisor.datatypes import LOCALS, MODULE_QUALNAME, SymbolId
from trace_advisor.facts_cache import default_cache_dir

FORMAT = "trace-advisor-recording"
VERSION = 1
HANDOVERS = ("thread", "executor", "task")  # ``via`` values naming how work was handed to another thread or task
_COMPREHENSIONS = frozenset({"<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"})
_TRANSPARENT = _COMPREHENSIONS | {"<lambda>"}


class RecordingError(Exception):
    """A recording file that cannot be read (missing, not JSON, another format or version)."""


@dataclass(frozen=True, slots=True)
class ObservedCall:
    """Calls seen at run time from ``caller`` (None: entered from outside the workspace, e.g. by the test runner) to
    ``callee`` at the caller's ``line``: how many, and the seconds spent in the callee (recursion counted once)."""

    caller: SymbolId | None
    callee: SymbolId
    line: int | None
    count: int
    seconds: float
    external: bool = False  # the callee is outside the workspace (its first call out of the workspace)
    via: str | None = None  # a hand-over (thread, executor, task) or the library function the call went through

    def to_json(self) -> dict[str, object]:
        return {
            "caller": self.caller,
            "callee": self.callee,
            "line": self.line,
            "count": self.count,
            "seconds": round(self.seconds, 6),
            "external": self.external,
            "via": self.via,
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> ObservedCall:
        return ObservedCall(
            caller=data["caller"],
            callee=str(data["callee"]),
            line=data.get("line"),
            count=int(data["count"]),
            seconds=float(data["seconds"]),
            external=bool(data.get("external", False)),
            via=data.get("via"),
        )


@dataclass(frozen=True, slots=True)
class Recording:
    """What ``trace-advisor calls PATH --record -- COMMAND`` observed."""

    command: tuple[str, ...]
    root: str  # the workspace root the symbols are named for
    started: float  # epoch seconds
    seconds: float  # wall time of the command
    exit_code: int
    calls: tuple[ObservedCall, ...]
    python: str = ""
    backend: str = ""  # "monitoring" or "setprofile"
    processes: int = 0
    dropped: int = 0  # edges not kept because a process's table was full
    unnamed: int = 0  # recorded code in workspace files the index does not know (skipped)
    extra: Mapping[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "command": list(self.command),
            "root": self.root,
            "started": self.started,
            "seconds": round(self.seconds, 6),
            "exit_code": self.exit_code,
            "python": self.python,
            "backend": self.backend,
            "processes": self.processes,
            "dropped": self.dropped,
            "unnamed": self.unnamed,
            "calls": [call.to_json() for call in self.calls],
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Recording:
        if data.get("format") != FORMAT:
            raise RecordingError("not a trace-advisor recording")
        if data.get("version") != VERSION:
            raise RecordingError(f"recording format version {data.get('version')} (this trace-advisor reads {VERSION})")
        try:
            return Recording(
                command=tuple(data["command"]),
                root=str(data["root"]),
                started=float(data["started"]),
                seconds=float(data["seconds"]),
                exit_code=int(data["exit_code"]),
                calls=tuple(ObservedCall.from_json(c) for c in data["calls"]),
                python=str(data.get("python", "")),
                backend=str(data.get("backend", "")),
                processes=int(data.get("processes", 0)),
                dropped=int(data.get("dropped", 0)),
                unnamed=int(data.get("unnamed", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RecordingError(f"malformed recording: {exc!r}") from None


def default_path(root: Path) -> Path:
    """Where ``--record`` writes the recording of the workspace at ``root`` (and where readers look for it)."""
    import hashlib

    resolved = str(Path(root).resolve())
    digest = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:12]
    return default_cache_dir() / "recordings" / f"{Path(resolved).name or 'root'}-{digest}.json"


def load(path: Path) -> Recording:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RecordingError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise RecordingError(f"{path} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RecordingError(f"{path} is not a trace-advisor recording")
    return Recording.from_json(data)


def save(recording: Recording, path: Path) -> None:
    """Write atomically (temp file + rename), creating the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(recording.to_json(), out, indent=1)
            out.write("\n")
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# ---- from the recorder's per-process tables ---------------------------------------------------------------------

ModuleOf = Callable[[Path], str | None]  # a workspace file's module name (None: not a workspace file)
# (module, a lambda's ``co_qualname`` without comprehensions, the line it starts on) -> the qualname of the static
# graph's lambda node (``f.<locals>.<lambda2>``); None when no single one matches
LambdaOf = Callable[[str, str, int], str | None]


def from_processes(
    parts: Sequence[Mapping[str, Any]],
    module_of: ModuleOf,
    *,
    command: Sequence[str],
    root: Path,
    started: float,
    seconds: float,
    exit_code: int,
    lambda_of: LambdaOf | None = None,
) -> Recording:
    """Sum the per-process tables written by the recorder into one recording named with symbol ids."""
    totals: dict[tuple[SymbolId | None, SymbolId, int | None, str | None], list[float]] = {}
    external: dict[SymbolId, bool] = {}
    unnamed: set[tuple[str, str]] = set()
    dropped = 0
    pythons: set[str] = set()
    backends: set[str] = set()
    for part in parts:
        dropped += int(part.get("dropped", 0))
        pythons.add(str(part.get("python", "")))
        backends.add(str(part.get("backend", "")))
        codes = part.get("codes", ())
        names = [_name(code, module_of, unnamed, lambda_of) for code in codes]
        for caller_ref, callee_ref, line, via_ref, count, spent in part.get("edges", ()):
            callee = names[callee_ref] if isinstance(callee_ref, int) else (_c_name(str(callee_ref)), True)
            caller = names[caller_ref] if isinstance(caller_ref, int) else None
            if callee[0] is None or (caller_ref is not None and (caller is None or caller[0] is None)):
                continue  # code in a workspace file the index does not know
            if (
                caller is not None
                and caller[0] == callee[0]
                and isinstance(callee_ref, int)  # a C function is named, never a lambda
                and str(codes[callee_ref][1]).endswith("<lambda>")
            ):
                continue  # a lambda folded into the code calling it: no call of its own
            if caller is not None and caller[1]:
                continue  # an external caller can only come from an unknown file mapping: not an edge of ours
            via = names[via_ref][0] if isinstance(via_ref, int) else via_ref
            key = (caller[0] if caller else None, callee[0], int(line) if caller else None, via)
            row = totals.setdefault(key, [0, 0.0])
            row[0] += int(count)
            row[1] += float(spent)
            external[callee[0]] = callee[1]
    calls = tuple(
        ObservedCall(caller, callee, line, int(count), spent, external[callee], via)
        for (caller, callee, line, via), (count, spent) in sorted(totals.items(), key=_order)
        if count > 0 or spent > 0
    )
    return Recording(
        command=tuple(command),
        root=str(root),
        started=started,
        seconds=seconds,
        exit_code=exit_code,
        calls=calls,
        python=", ".join(sorted(p for p in pythons if p)),
        backend=", ".join(sorted(b for b in backends if b)),
        processes=len(parts),
        dropped=dropped,
        unnamed=len(unnamed),
    )


def _order(item: tuple[tuple[SymbolId | None, SymbolId, int | None, str | None], list[float]]) -> tuple[object, ...]:
    (caller, callee, line, via), _ = item
    return (caller or "", line or 0, callee, via or "")


def _name(
    code: Sequence[Any], module_of: ModuleOf, unnamed: set[tuple[str, str]], lambda_of: LambdaOf | None = None
) -> tuple[SymbolId | None, bool]:
    """(symbol id, external) of one recorded code entry ``[file, qualname, module, first line, label]``."""
    file, qualname, module, line, label = code
    if label == "c" or not file:
        return external_name(str(module), str(qualname)), True
    workspace_module = module_of(Path(file))
    if workspace_module is None:
        if not module or module == "__main__":
            unnamed.add((file, qualname))
            return None, True
        return external_name(str(module), enclosing(qualname, label == "class")), True
    if lambda_of is not None and str(qualname).endswith("<lambda>") and label != "class":
        plain = ".".join(part for part in str(qualname).split(".") if part not in _COMPREHENSIONS)
        found = lambda_of(workspace_module, plain, int(line))
        if found is not None:
            return f"{workspace_module}:{found}", False
    return f"{workspace_module}:{enclosing(qualname, label == 'class')}", False


# Where the standard library defines a function under another name than the one code imports it by.
_PUBLIC_MODULES = {"posixpath": "os.path", "ntpath": "os.path", "genericpath": "os.path"}
_PUBLIC_SYMBOLS = {"io:open": "builtins:open"}


def _c_name(key: str) -> SymbolId:
    """The recorder names C functions ``module:qualname`` as Python defines them."""
    module, _, qualname = key.partition(":")
    return external_name(module, qualname)


def external_name(module: str, qualname: str) -> SymbolId:
    """The import-path name the static graph uses for code outside the workspace: a C accelerator module's functions
    under the public module (``_io`` -> ``io``, ``_sqlite3`` -> ``sqlite3``), ``posixpath`` as ``os.path``."""
    public = _PUBLIC_MODULES.get(module)
    if public is None and module.startswith("_") and module[1:] in sys.stdlib_module_names:
        public = module[1:]
    symbol = f"{public or module}:{qualname}"
    return _PUBLIC_SYMBOLS.get(symbol, symbol)


def enclosing(qualname: str, is_class_body: bool = False) -> str:
    """The static graph's owner of code with this ``co_qualname``: lambdas, comprehensions and class bodies belong to
    the function that contains them (``f.<locals>.<lambda>`` -> ``f``), or to ``<module>`` (``K.<lambda>``)."""
    parts = qualname.split(".")
    if parts[-1] not in _TRANSPARENT and not is_class_body:
        return qualname
    while parts and (parts[-1] in _TRANSPARENT or is_class_body):
        is_class_body = False
        parts.pop()
        while parts and parts[-1] != LOCALS:  # climb out of comprehensions and class bodies up to a function's locals
            parts.pop()
        if parts:
            parts.pop()
    return ".".join(parts) or MODULE_QUALNAME


def hot(calls: Iterable[ObservedCall], limit: int = 20) -> list[ObservedCall]:
    """The workspace edges with the most cumulative time (then count), for reports."""
    edges = [c for c in calls if c.caller is not None]
    edges.sort(key=lambda c: (-c.seconds, -c.count, c.caller or "", c.callee))
    return edges[:limit]

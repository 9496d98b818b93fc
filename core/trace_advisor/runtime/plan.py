"""The traced-functions file (``trace-advisor export --format otel-config``): which functions get a span, its name,
and where each attribute's value comes from. Standard library only: the runtime reads it inside the user's app."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

FORMAT = "trace-advisor/otel-config"
VERSION = 1
Scalar = str | int | float | bool
_CONVERSIONS = ("none", "str")


class PlanError(Exception):
    """The file cannot be read or is not a traced-functions file; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class AttributePlan:
    """One span attribute: a constant ``value``, or the argument bound to ``parameter`` (``convert="str"``: passed
    through ``str()``; ``skip_none``: not set when the argument is None), exactly as the span edit writes it."""

    key: str
    parameter: str | None = None
    value: Scalar | None = None
    convert: str = "none"
    skip_none: bool = False

    def to_json(self) -> dict[str, object]:
        if self.parameter is None:
            return {"key": self.key, "value": self.value}
        data: dict[str, object] = {"key": self.key, "parameter": self.parameter}
        if self.convert != "none":
            data["convert"] = self.convert
        if self.skip_none:
            data["skip_none"] = True
        return data


@dataclass(frozen=True, slots=True)
class FunctionPlan:
    """One function to trace: ``module`` and ``qualname`` find it (``line``, its def line when exported, picks among
    defs sharing the qualname); ``info`` carries what the exporter knew (symbol, file, confidence...) for people."""

    module: str
    qualname: str
    span_name: str
    attributes: tuple[AttributePlan, ...] = ()
    line: int | None = None
    info: Mapping[str, object] | None = None

    @property
    def symbol(self) -> str:
        return f"{self.module}:{self.qualname}"

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "module": self.module,
            "qualname": self.qualname,
            "line": self.line,
            "span_name": self.span_name,
            "attributes": [a.to_json() for a in self.attributes],
        }
        data.update(self.info or {})
        return data


def to_text(functions: list[FunctionPlan]) -> str:
    """The file's text: one function per entry, in the order given."""
    data = {"format": FORMAT, "version": VERSION, "functions": [f.to_json() for f in functions]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def load(path: str | Path) -> tuple[FunctionPlan, ...]:
    """Read and check a traced-functions file; raises PlanError."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise PlanError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PlanError(f'{path}: not a traced-functions file (expected "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise PlanError(f"{path}: unsupported version {data.get('version')!r} (this runtime reads {VERSION})")
    entries = data.get("functions")
    if not isinstance(entries, list):
        raise PlanError(f'{path}: "functions" must be a list')
    return tuple(_function(entry, f"{path}: functions[{i}]") for i, entry in enumerate(entries))


def _function(entry: object, where: str) -> FunctionPlan:
    if not isinstance(entry, dict):
        raise PlanError(f"{where}: expected an object")
    module, qualname = entry.get("module"), entry.get("qualname")
    if not _dotted(module) or not isinstance(qualname, str) or not qualname:
        raise PlanError(f'{where}: "module" and "qualname" are required (a dotted module, a qualname)')
    span_name = entry.get("span_name", qualname)
    line = entry.get("line")
    if not isinstance(span_name, str) or not span_name or not (line is None or type(line) is int):
        raise PlanError(f'{where}: "span_name" must be a string and "line" a number')
    attributes = entry.get("attributes", [])
    if not isinstance(attributes, list):
        raise PlanError(f'{where}: "attributes" must be a list')
    known = {"module", "qualname", "span_name", "line", "attributes"}
    info = {k: v for k, v in entry.items() if k not in known}
    return FunctionPlan(
        module=str(module),
        qualname=qualname,
        span_name=span_name,
        attributes=tuple(_attribute(a, f"{where}.attributes[{i}]") for i, a in enumerate(attributes)),
        line=line,
        info=info,
    )


def _attribute(entry: object, where: str) -> AttributePlan:
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or not entry["key"]:
        raise PlanError(f'{where}: expected an object with a "key"')
    parameter = entry.get("parameter")
    if parameter is None:
        value = entry.get("value")
        if not isinstance(value, str | int | float | bool):
            raise PlanError(f'{where}: a constant attribute needs a string, number or boolean "value"')
        return AttributePlan(entry["key"], value=value)
    convert = entry.get("convert", "none")
    if not isinstance(parameter, str) or not parameter.isidentifier() or convert not in _CONVERSIONS:
        raise PlanError(f'{where}: "parameter" must be a parameter name and "convert" one of {_CONVERSIONS}')
    return AttributePlan(entry["key"], parameter=parameter, convert=convert, skip_none=bool(entry.get("skip_none")))


def _dotted(name: object) -> bool:
    return isinstance(name, str) and bool(name) and all(part.isidentifier() for part in name.split("."))

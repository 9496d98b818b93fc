"""What each signal's evidence is about (:class:`~trace_advisor.datatypes.EvidenceKind`): the kind of the client API
it is about, of the I/O a workspace callee does, or what its finding says (an entry point, a job's own work, a write
to a database...). Reports order equally strong recommendations by it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from trace_advisor.datatypes import EvidenceKind, Unit
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding, Signal

K = EvidenceKind
# the catalog's kinds of I/O (``Api.kind``, ``CalleeIO.kind``)
CATALOG_KINDS: Mapping[str, EvidenceKind] = MappingProxyType(
    {
        "genai": K.LLM,
        "http": K.HTTP,
        "rpc": K.RPC,
        "messaging": K.QUEUE,
        "cloud": K.CLOUD,
        "search": K.SEARCH,
        "subprocess": K.SUBPROCESS,
        "cache": K.CACHE,
        "db": K.DB,
        "file": K.FILE,
    }
)
_BY_FINDING: Mapping[Finding, EvidenceKind] = MappingProxyType(
    {
        Finding.ROUTE: K.ENTRY,
        Finding.CLI_COMMAND: K.COMMAND,
        Finding.MAIN: K.COMMAND,
        Finding.JOB: K.ENTRY,
        Finding.SERVERLESS: K.ENTRY,
        Finding.TASK_CONSUMER: K.ENTRY,
        Finding.MESSAGE_CONSUMER: K.ENTRY,
        Finding.RUNS_WORK: K.WORK,
        Finding.SUBMITS_WORK: K.WORK,
        Finding.CALLS_WORK: K.WORK,
        Finding.TASK: K.WORK,
        Finding.PUBLISHES: K.QUEUE,
        Finding.RECEIVES: K.QUEUE,
        Finding.REMOTE_WRITE: K.HTTP,
        Finding.SQL_WRITE: K.DB,
        Finding.DB_WRITE: K.DB,
        Finding.PERSISTS: K.DB,
        Finding.CACHE_WRITE: K.CACHE,
        Finding.FILE_WRITE: K.FILE,
        Finding.FILE_LOOP: K.FILE,
    }
)


def kind_of(ctx: FunctionContext, signal: Signal) -> EvidenceKind | None:
    """What ``signal`` is about: what its finding says it is (an entry point, a job's own work), else the kind of
    the client API it is about, else of the I/O of the workspace function it calls."""
    found = _BY_FINDING.get(signal.finding)
    if found is not None and found in (K.ENTRY, K.WORK, K.COMMAND):
        return found
    if signal.api is not None:
        return CATALOG_KINDS.get(signal.api.kind, found)
    if signal.delegated:
        io = ctx.callee_io.get(signal.evidence.detail)
        if io is not None:
            return CATALOG_KINDS.get(io.kind)
    return found


def with_kinds(ctx: FunctionContext, signals: list[Signal]) -> list[Signal]:
    """``signals`` with their evidence's kind set where a detector left it unset."""
    out: list[Signal] = []
    for signal in signals:
        kind = kind_of(ctx, signal) if signal.evidence.kind is None else None
        if kind is not None:
            signal = dataclasses.replace(signal, evidence=dataclasses.replace(signal.evidence, kind=kind))
        out.append(signal)
    return out


# a finding about an entry point -> the unit one call of it serves (the first found in this order wins)
_UNIT_BY_FINDING: tuple[tuple[Finding, Unit], ...] = (
    (Finding.ROUTE, Unit.REQUEST),
    (Finding.SERVERLESS, Unit.REQUEST),
    (Finding.TASK_CONSUMER, Unit.JOB),
    (Finding.JOB, Unit.JOB),
    (Finding.MESSAGE_CONSUMER, Unit.MESSAGE),
    (Finding.CLI_COMMAND, Unit.CLI_RUN),
    (Finding.CLI_GROUP, Unit.CLI_RUN),
    (Finding.MAIN, Unit.CLI_RUN),
)
_CLI_PACKAGES = frozenset({"click", "typer", "cloup", "asyncclick", "rich_click"})


def entry_unit(findings: Iterable[Finding], decorators: Iterable[str] = ()) -> Unit:
    """The unit one call of an entry point serves, from what the detectors found about it, or a decorator from a CLI
    package (``@click.option`` under ``@main.command()``, a group defined in the project) among the symbol ids its
    decorators resolve to; a call when none of these."""
    found = set(findings)
    unit = next((unit for finding, unit in _UNIT_BY_FINDING if finding in found), Unit.CALL)
    if unit is Unit.CALL and any(d.partition(".")[0].partition(":")[0] in _CLI_PACKAGES for d in decorators):
        return Unit.CLI_RUN
    return unit

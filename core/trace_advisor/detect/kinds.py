"""What each signal's evidence is about (:class:`~trace_advisor.datatypes.EvidenceKind`): the kind of the client API
it is about, of the I/O a workspace callee does, or what its finding says (an entry point, a job's own work, a write
to a database...). Reports order equally strong recommendations by it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from trace_advisor.datatypes import EvidenceKind
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

"""The one small interface every model provider implements, and the candidate functions it is given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from trace_advisor.cancel import CancelToken
from trace_advisor.datatypes import Evidence, Problem, Range, Recommendation, SymbolId, Usage


@dataclass(frozen=True, slots=True)
class Candidate:
    """A function chosen by the local detectors, with what a model needs to judge it (never the whole file)."""

    symbol: SymbolId
    file: str
    qualname: str
    range: Range
    code: str  # the function's source (redacted by the provider layer before sending)
    evidence: tuple[Evidence, ...] = ()
    callers: tuple[SymbolId, ...] = ()  # one level of call-graph context
    callees: tuple[SymbolId, ...] = ()
    local: Recommendation | None = None  # the local engine's recommendation, if it made one
    content_hash: str = ""  # sha256 of ``code``; part of the answer cache key


@dataclass(frozen=True, slots=True)
class ProviderResult:
    recommendations: tuple[Recommendation, ...]
    usage: Usage = field(default_factory=Usage)
    problems: tuple[Problem, ...] = ()  # what went wrong (throttled, malformed answer...), told to the user
    dropped: int = 0  # answers naming functions or lines that do not exist
    # Added by the providers (issue 6), optional: tokens per analysed file (a call's usage is split over its
    # functions by their share of the prompt; ``calls`` counts the calls a file took part in), and how many
    # functions were answered from the on-disk answer cache without a model call.
    usage_by_file: Mapping[str, Usage] = field(default_factory=dict)
    cached: int = 0


class Provider(Protocol):
    """A model provider. Implementations never raise for remote failures: they return problems instead."""

    name: str  # "bedrock" | "openai"
    model: str  # the model id

    def advise(self, candidates: tuple[Candidate, ...], cancel: CancelToken) -> ProviderResult: ...

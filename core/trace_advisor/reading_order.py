"""The order people read recommendations in (a report's "Start with", the CLI's strongest, the editor's strongest of
a file): the strongest first and, among equally strong ones (the same ``BAND`` of confidence as shown, two
decimals), the service before the commands run by hand (a CLI command or ``main``: an admin or maintenance run, not
traffic), then what they are about in :class:`~trace_advisor.datatypes.EvidenceKind`'s order: where work enters or
runs, then remote calls, then a cache, a database or files. A model answers 0.99 for many functions of a project; a
request handler or a job's run ranks before a one-line query wrapper of the same strength, whatever their paths, and
the payment flow before the ``db cleanup`` command."""

from __future__ import annotations

from trace_advisor.datatypes import EvidenceKind, Recommendation

BAND = 5  # hundredths of confidence: 0.95-0.99 is one band, 0.90-0.94 the next
_NO_KIND = len(EvidenceKind)


def band(confidence: float) -> int:
    """The band of a confidence as shown (0.9996 shows as 1.00 and is as strong as 0.99)."""
    return min(round(confidence * 100), 99) // BAND


def reading_key(rec: Recommendation) -> tuple[int, bool, int, float]:
    """Strongest band first, then the service before commands run by hand, then what it is about, then the exact
    confidence."""
    kind = rec.kind
    by_hand = any(e.kind is EvidenceKind.COMMAND for e in rec.evidence)
    return (-band(rec.confidence), by_hand, kind.rank if kind is not None else _NO_KIND, -rec.confidence)

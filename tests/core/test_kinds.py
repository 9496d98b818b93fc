"""What evidence is about (``Evidence.kind``, detect/kinds.py) and the reading order built on it (reading_order.py):
every kind of client API the catalog knows has one, and among equally strong recommendations an entry point, a job's
run and remote calls come before database and file wrappers, whatever their paths."""

from __future__ import annotations

from trace_advisor.datatypes import Capture, Evidence, EvidenceKind, Position, Range, Recommendation
from trace_advisor.detect.catalog import APIS
from trace_advisor.detect.kinds import CATALOG_KINDS
from trace_advisor.reading_order import band, reading_key

WHERE = Range(Position(1, 0), Position(2, 0))


def rec(name: str, confidence: float, *kinds: EvidenceKind | None) -> Recommendation:
    evidence = tuple(Evidence("external_io", "r", WHERE, "", kind) for kind in kinds)
    return Recommendation(
        f"m:{name}", f"{name}.py", name, WHERE, WHERE, "external_io", "r", confidence, Capture(), "", evidence=evidence
    )


def test_every_catalog_kind_is_an_evidence_kind() -> None:
    assert {api.kind for api in APIS} <= set(CATALOG_KINDS)
    assert CATALOG_KINDS["genai"] is EvidenceKind.LLM and CATALOG_KINDS["messaging"] is EvidenceKind.QUEUE


def test_a_recommendation_is_what_its_most_telling_evidence_is_about() -> None:
    assert rec("a", 0.9, EvidenceKind.DB, EvidenceKind.HTTP, None).kind is EvidenceKind.HTTP
    assert rec("b", 0.9, EvidenceKind.FILE, EvidenceKind.ENTRY).kind is EvidenceKind.ENTRY
    assert rec("c", 0.9, None).kind is None


def test_equally_strong_recommendations_are_read_entries_and_remote_calls_first() -> None:
    recs = [
        rec("a_files", 0.99, EvidenceKind.FILE),
        rec("b_query", 0.9998, EvidenceKind.DB),
        rec("c_nothing", 0.97),
        rec("d_llm", 0.96, EvidenceKind.LLM, EvidenceKind.DB),
        rec("e_job", 0.95, EvidenceKind.WORK),
        rec("f_weaker_route", 0.94, EvidenceKind.ENTRY),
    ]
    order = [r.qualname for r in sorted(recs, key=reading_key)]
    assert order == ["e_job", "d_llm", "b_query", "a_files", "c_nothing", "f_weaker_route"]
    assert band(0.9998) == band(0.95) != band(0.9449)

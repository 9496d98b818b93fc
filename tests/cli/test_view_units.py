"""A web framework's view class is no client class, through ``trace-advisor analyze`` as a subprocess
(tests/fixtures/view_units): the actions of a Django REST framework ``ModelViewSet`` that each reach the database
through a private helper are request handlers, spanned by the framework's instrumentation, and are not raised to the
cut as 'a client class, traced operation by operation'; a client class of the same shape still is."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "view_units"
CLIENT_CLASS = "a client class, traced operation by operation"


def test_a_view_class_is_no_client_class(tmp_path: Path) -> None:
    # a cut above what the rules give either class on its own: only the client-class convention reaches it
    recs = recommendations(FIXTURE, tmp_path, "--min-confidence", "0.9")
    assert {"LinkClient.activate", "LinkClient.deactivate", "LinkClient.remove"} <= set(recs), sorted(recs)
    assert CLIENT_CLASS in str(recs["LinkClient.activate"]["rationale"])
    assert not [name for name in recs if name.startswith("CardLinkView.")], sorted(recs)

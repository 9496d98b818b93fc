"""Reading a span back from the function the span engine wrote (what ``export --format otel-config`` lists)."""

from __future__ import annotations

from trace_advisor.export.spans import read_span
from trace_advisor.runtime.plan import AttributePlan


def test_with_block_attributes_become_attribute_sources() -> None:
    written = read_span(
        "    def place(self, order_id: str, note=None, items=()):\n"
        '        """Doc."""\n'
        '        with otel_tracer.start_as_current_span("Shop.place", attributes={"code.line.number": 3}) as s:\n'
        '            s.set_attribute("db.system.name", "sqlite")\n'
        '            s.set_attribute("app.order_id", order_id)\n'
        "            if note is not None:\n"
        '                s.set_attribute("app.note", str(note))\n'
        '            s.set_attribute("app.items", len(items))\n'
        '            s.set_attribute("app.after", 1)\n'
        "            return order_id\n"
    )
    assert written is not None and written.name == "Shop.place"
    assert written.attributes == (
        AttributePlan("code.line.number", value=3),
        AttributePlan("db.system.name", value="sqlite"),
        AttributePlan("app.order_id", parameter="order_id"),
        AttributePlan("app.note", parameter="note", convert="str", skip_none=True),
        AttributePlan("app.after", value=1),
    )
    assert written.notes == ("app.items = len(items) is computed in the function: not recorded by the runtime",)


def test_a_decorator_span_has_no_attributes_and_other_code_has_no_span() -> None:
    written = read_span('@app.route("/")\n@tracer.start_as_current_span("index")\ndef index():\n    return 1\n')
    assert written is not None and (written.name, written.attributes) == ("index", ())
    assert read_span("def index():\n    with open('f') as f:\n        return f.read()\n") is None
    assert read_span("def broken(:\n") is None

"""Model answers: JSON found inside prose and fences, validated strictly, checked against the functions sent."""

from __future__ import annotations

import json
import sys

import pytest
from trace_advisor.advise.answers import AnswerError, Expected, extract_json, parameters_of, parse_answer
from trace_advisor.config_model import PRIORITY_NAMES

PLACE = Expected("shop.orders:OrderService.place", 7, frozenset({"self", "order_id", "amount"}))
TOTAL = Expected("shop.orders:total", 2, frozenset({"amounts"}))


def entry(symbol: str = PLACE.symbol, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "symbol": symbol,
        "line": 1,
        "priority": "external_io",
        "confidence": 0.9,
        "rationale": "Calls the payment API.",
        "capture": {"parameters": ["order_id"], "return_value": False, "exceptions": True, "attributes": []},
    }
    data.update(changes)
    return data


def answer(*entries: dict[str, object]) -> str:
    return json.dumps({"recommendations": list(entries)})


@pytest.mark.parametrize(
    "wrap",
    [
        lambda s: s,
        lambda s: f"```json\n{s}\n```",
        lambda s: f"Here is my analysis:\n\n```\n{s}\n```\nLet me know if you need more.",
        lambda s: f"Sure! {s} Hope this helps.",
        lambda s: f"<|python_tag|>{s}<|eot_id|>",
    ],
)
def test_json_is_found_in_fences_and_prose(wrap: object) -> None:
    text = wrap(answer(entry()))  # type: ignore[operator]
    parsed = parse_answer(text, [PLACE], PRIORITY_NAMES)
    assert list(parsed.items) == [PLACE.symbol]
    assert parsed.items[PLACE.symbol].capture.parameters == ("order_id",)


def test_not_json_at_all_is_an_error() -> None:
    with pytest.raises(AnswerError, match="no JSON"):
        parse_answer("I think OrderService.place should have a span.", [PLACE], PRIORITY_NAMES)


def test_json_of_the_wrong_shape_is_an_error() -> None:
    with pytest.raises(AnswerError, match="expected shape"):
        parse_answer(json.dumps({"answer": "yes"}), [PLACE], PRIORITY_NAMES)


def test_a_bare_list_of_entries_is_accepted() -> None:
    parsed = parse_answer(json.dumps([entry()]), [PLACE], PRIORITY_NAMES)
    assert PLACE.symbol in parsed.items


@pytest.mark.parametrize(
    "bad",
    [
        {"line": "1"},
        {"line": True},
        {"priority": "vibes"},
        {"confidence": 1.5},
        {"confidence": "high"},
        {"rationale": ""},
        {"capture": {"parameters": "order_id"}},
        {"capture": {"return_value": "no"}},
        {"symbol": None},
    ],
)
def test_entries_of_the_wrong_shape_are_counted_as_invalid(bad: dict[str, object]) -> None:
    parsed = parse_answer(answer(entry(**bad), entry(TOTAL.symbol)), [PLACE, TOTAL], PRIORITY_NAMES)
    assert parsed.invalid == 1
    assert list(parsed.items) == [TOTAL.symbol]


def test_unknown_functions_and_lines_are_dropped_and_counted() -> None:
    text = answer(
        entry("shop.orders:OrderService.refund"),  # never sent
        entry(line=8),  # PLACE has 7 lines
        entry(line=0),
        entry(TOTAL.symbol, line=2),
    )
    parsed = parse_answer(text, [PLACE, TOTAL], PRIORITY_NAMES)
    assert parsed.dropped == 3
    assert list(parsed.items) == [TOTAL.symbol]


def test_invented_parameters_and_bad_attributes_are_removed_but_the_entry_kept() -> None:
    capture = {
        "parameters": ["order_id", "customer", "self"],
        "attributes": [
            {"key": "order.amount", "expression": "amount"},
            {"key": "bad key!", "expression": "amount"},
            {"key": "order.id", "expression": "order_id +"},
        ],
    }
    parsed = parse_answer(answer(entry(capture=capture)), [PLACE], PRIORITY_NAMES)
    item = parsed.items[PLACE.symbol]
    assert item.capture.parameters == ("order_id",)
    assert [(a.key, a.expression) for a in item.capture.attributes] == [("order.amount", "amount")]


def test_duplicate_entries_keep_the_most_confident() -> None:
    parsed = parse_answer(answer(entry(confidence=0.4), entry(confidence=0.7)), [PLACE], PRIORITY_NAMES)
    assert parsed.items[PLACE.symbol].confidence == 0.7


def test_a_truncated_answer_keeps_its_complete_entries() -> None:
    full = answer(entry(), entry(TOTAL.symbol))
    cut = full[: full.index(TOTAL.symbol) + 5]
    parsed = parse_answer(cut, [PLACE, TOTAL], PRIORITY_NAMES, truncated=True)
    assert parsed.salvaged
    assert list(parsed.items) == [PLACE.symbol]


def test_a_truncated_answer_with_nothing_complete_is_an_error() -> None:
    with pytest.raises(AnswerError, match="cut off"):
        parse_answer('{"recommendations": [{"symbol": "shop', [PLACE], PRIORITY_NAMES, truncated=True)


def test_extract_json_prefers_the_object_with_recommendations() -> None:
    text = 'Example: {"a": 1}. Answer: {"recommendations": []}'
    assert extract_json(text) == {"recommendations": []}


def test_parameters_of_methods_with_decorators() -> None:
    code = "    @retry(3)\n    async def fetch(self, url, *args, timeout=5, **kw):\n        return url\n"
    assert parameters_of(code) == frozenset({"self", "url", "args", "timeout", "kw"})
    assert parameters_of("def broken(:\n") is None


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, "{" * 100_000, '{"recommendations": ' + "[" * 50_000, "ok: " + "[0, " * 30_000, "x [" * 50_000],
)
def test_hostile_answers_are_answer_errors_and_fast(text: str) -> None:
    import time

    started = time.perf_counter()
    with pytest.raises(AnswerError):
        parse_answer(text, [], ["external_io"])
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("limit", [1_000, 20_000])
def test_an_answer_nested_deeper_than_entries_go_is_refused_whatever_the_recursion_limit(limit: int) -> None:
    """Brackets 200 deep are no answer: refused before Python's decoder (whose depth follows the recursion limit,
    which the resolver raises) reads them, also inside prose; an answer as deep as entries go is read."""
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        for deep in ('{"recommendations": ' + "[" * 200 + "]" * 200 + "}", "Here: " + "[" * 200 + "]" * 200):
            with pytest.raises(AnswerError, match="nested too deeply"):
                extract_json(deep)
        quoted = {"recommendations": [{"symbol": "m:f", "rationale": "[" * 200}]}
        assert extract_json(json.dumps(quoted)) == quoted  # brackets inside strings do not count
    finally:
        sys.setrecursionlimit(saved)

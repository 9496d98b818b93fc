"""Parses a model's answer: finds the JSON, validates each entry strictly and checks it against the candidates sent.

The answer shape is the one in :mod:`trace_advisor.advise.prompt` (validated in code: the model's answer is not a
report recommendation, so ``config/recommendations.schema.json`` does not apply to it). Entries naming a function
that was not sent, or a line outside that function, are dropped and counted.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from trace_advisor.advise.provider import Candidate
from trace_advisor.capture_expressions import CaptureExpressionError, check_capture_expression
from trace_advisor.datatypes import Attribute, Capture, Evidence, Range, Recommendation, Usage

_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)```", re.DOTALL)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ATTRIBUTE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$")
MAX_RATIONALE = 600
MAX_ATTRIBUTES = 12
MAX_SCAN_FAILURES = 100  # starting points tried in prose before giving up (each costs a pass over the text)
# An answer is a list of flat entries: deeper brackets are no answer, refused before Python's decoder recurses into
# them (how deep that goes depends on the process's recursion limit, which the resolver raises)
MAX_NESTING = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


class AnswerError(ValueError):
    """The answer as a whole is unusable (no JSON in it, or JSON of the wrong shape)."""


@dataclass(frozen=True, slots=True)
class AnswerItem:
    """One validated model verdict about one function; ``line`` is relative (1 = the function's first line)."""

    symbol: str
    line: int
    priority: str
    confidence: float
    rationale: str
    capture: Capture

    def to_json(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "line": self.line,
            "priority": self.priority,
            "confidence": self.confidence,
            "rationale": self.rationale,
            "capture": self.capture.to_json(),
        }


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    items: Mapping[str, AnswerItem] = field(default_factory=dict)  # by symbol
    invalid: int = 0  # entries of the wrong shape
    dropped: int = 0  # entries naming a function not sent or a line outside it
    salvaged: bool = False  # the JSON was cut off; complete entries before the cut were kept


@dataclass(frozen=True, slots=True)
class Expected:
    """What a valid entry may name: the function's symbol and how many lines were shown."""

    symbol: str
    line_count: int
    parameters: frozenset[str] | None  # None: unknown (code did not parse), any identifier accepted


def extract_json(text: str) -> object:
    """The JSON value in ``text``, tolerating code fences and prose around it. Raises AnswerError.

    Any answer is data from the network: nesting too deep for Python's decoder is an unusable answer (never a
    ``RecursionError``), and the scan for JSON inside prose tries a bounded number of starting points.
    """
    stripped = text.strip()
    if not stripped:
        raise AnswerError("the answer was empty")
    if _nesting(stripped) > MAX_NESTING:
        raise AnswerError("the answer's JSON is nested too deeply")
    value = _loads(stripped)
    if value is not _NOTHING:
        return value
    for block in _FENCE.findall(stripped):
        value = _loads(block.strip())
        if value is not _NOTHING:
            return value
    decoder = json.JSONDecoder()
    best: object = None
    failures = 0
    resume = 0  # starts inside a value already decoded are its members, not answers of their own
    for match in re.finditer(r"[{\[]", stripped):
        if match.start() < resume:
            continue
        try:
            value, resume = decoder.raw_decode(stripped, match.start())
        except RecursionError:
            raise AnswerError("the answer's JSON is nested too deeply") from None
        except ValueError:
            failures += 1
            if failures > MAX_SCAN_FAILURES:
                break
            continue
        if isinstance(value, dict) and "recommendations" in value:
            return value
        if best is None and isinstance(value, dict | list) and value:
            best = value
    if best is not None:
        return best
    raise AnswerError("the answer holds no JSON")


_NOTHING = object()


def _nesting(text: str) -> int:
    """How deeply brackets nest in ``text`` outside JSON strings (in prose around the JSON too)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def _loads(text: str) -> object:
    """``json.loads(text)``, or ``_NOTHING`` when it is not one JSON value. Raises AnswerError when nested too deep."""
    try:
        return json.loads(text)
    except RecursionError:
        raise AnswerError("the answer's JSON is nested too deeply") from None
    except ValueError:
        return _NOTHING


def salvage_entries(text: str) -> list[object]:
    """The complete entries of a ``"recommendations": [...]`` array that was cut off (answer hit max tokens)."""
    match = re.search(r'"recommendations"\s*:\s*\[', text)
    if match is None:
        return []
    decoder = json.JSONDecoder()
    entries: list[object] = []
    pos = match.end()
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] != "{":
            return entries
        try:
            value, pos = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError):
            return entries
        entries.append(value)


def parse_answer(
    text: str, expected: Sequence[Expected], priorities: Collection[str], *, truncated: bool = False
) -> ParsedAnswer:
    """Validate an answer against the functions sent. Raises AnswerError when nothing in it is usable."""
    # A cut-off answer is read entry by entry: a tolerant scan could mistake its first entry for the whole.
    entries = salvage_entries(text) if truncated else []
    salvaged = bool(entries)
    if not salvaged:
        try:
            entries = _entries(extract_json(text))
        except AnswerError:
            if truncated:
                raise AnswerError("the answer was cut off before any complete entry") from None
            raise
    by_symbol = {e.symbol: e for e in expected}
    items: dict[str, AnswerItem] = {}
    invalid = dropped = 0
    for entry in entries:
        try:
            item = _item(entry, priorities)
        except AnswerError:
            invalid += 1
            continue
        target = by_symbol.get(item.symbol)
        if target is None or not 1 <= item.line <= target.line_count:
            dropped += 1
            continue
        item = _checked_capture(item, target)
        previous = items.get(item.symbol)
        if previous is None or item.confidence > previous.confidence:
            items[item.symbol] = item
    return ParsedAnswer(items, invalid, dropped, salvaged)


def item_from_json(data: object, priorities: Collection[str]) -> AnswerItem:
    """Rebuild a cached entry (validated again: the cache is data from disk). Raises AnswerError."""
    return _item(data, priorities)


def parameters_of(code: str) -> frozenset[str] | None:
    """Parameter names of the function whose source is ``code``; None when it does not parse on its own."""
    lines = code.splitlines()
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    try:
        tree = ast.parse("\n".join(line[indent:] for line in lines))
    except (SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            return frozenset(a.arg for a in every if a is not None)
    return None


def _entries(data: object) -> list[object]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        entries = data.get("recommendations")
        if isinstance(entries, list):
            return entries
        if "symbol" in data:  # a single entry instead of the list
            return [data]
    raise AnswerError('the answer is JSON but not of the expected shape {"recommendations": [...]}')


def _item(entry: object, priorities: Collection[str]) -> AnswerItem:
    if not isinstance(entry, dict):
        raise AnswerError("entry is not an object")
    symbol = entry.get("symbol")
    line = entry.get("line")
    priority = entry.get("priority")
    confidence = entry.get("confidence")
    rationale = entry.get("rationale")
    if not isinstance(symbol, str) or not symbol:
        raise AnswerError("symbol must be a non-empty string")
    if isinstance(line, bool) or not isinstance(line, int):
        raise AnswerError("line must be an integer")
    if not isinstance(priority, str) or priority not in priorities:
        raise AnswerError("priority must be one of the configured priorities")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        raise AnswerError("confidence must be a number from 0 to 1")
    if not isinstance(rationale, str) or not rationale.strip():
        raise AnswerError("rationale must be a non-empty string")
    return AnswerItem(
        symbol=symbol,
        line=line,
        priority=priority,
        confidence=float(confidence),
        rationale=" ".join(rationale.split())[:MAX_RATIONALE],
        capture=_capture(entry.get("capture", {})),
    )


def _capture(data: object) -> Capture:
    if data is None:
        return Capture()
    if not isinstance(data, dict):
        raise AnswerError("capture must be an object")
    params = data.get("parameters", [])
    attrs = data.get("attributes", [])
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
        raise AnswerError("capture.parameters must be a list of names")
    if not isinstance(attrs, list):
        raise AnswerError("capture.attributes must be a list")
    flags = {}
    for key, default in (("return_value", False), ("timing", True), ("exceptions", True)):
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise AnswerError(f"capture.{key} must be a boolean")
        flags[key] = value
    attributes = []
    for attr in attrs[:MAX_ATTRIBUTES]:
        if not isinstance(attr, dict):
            raise AnswerError("capture.attributes entries must be objects")
        attr_key, expression = attr.get("key"), attr.get("expression")
        if not isinstance(attr_key, str) or not isinstance(expression, str):
            raise AnswerError("capture.attributes entries need string key and expression")
        if _ATTRIBUTE_KEY.match(attr_key) and _is_capture_expression(expression):
            attributes.append(Attribute(attr_key, expression.strip()))  # an unusable attribute is skipped, not fatal
    names = tuple(dict.fromkeys(p for p in params if _IDENTIFIER.match(p)))
    return Capture(names, flags["return_value"], flags["timing"], flags["exceptions"], tuple(attributes))


def _checked_capture(item: AnswerItem, target: Expected) -> AnswerItem:
    """Keep only parameters the function really has (a model may invent them), and attributes that read only
    them (``os.environ`` is a plain read too, but of a module)."""
    if target.parameters is None:
        return item
    kept = tuple(p for p in item.capture.parameters if p in target.parameters and p not in ("self", "cls"))
    readable = set(target.parameters)
    attributes = tuple(a for a in item.capture.attributes if check_capture_expression(a.expression).names <= readable)
    if kept == item.capture.parameters and attributes == item.capture.attributes:
        return item
    capture = Capture(kept, item.capture.return_value, item.capture.timing, item.capture.exceptions, attributes)
    return AnswerItem(item.symbol, item.line, item.priority, item.confidence, item.rationale, capture)


def _is_capture_expression(text: str) -> bool:
    """Model answers are data, never code: only plain reads of a value (see capture_expressions) are kept."""
    try:
        check_capture_expression(text)
    except CaptureExpressionError:
        return False
    return True


def to_recommendation(item: AnswerItem, candidate: Candidate, model: str, usage: Usage) -> Recommendation:
    """The model's verdict as a report recommendation (``source`` = the model id), keeping the local evidence."""
    first = candidate.range.start.line
    line = first + item.line - 1
    code_lines = candidate.code.splitlines()
    line_text = code_lines[item.line - 1] if item.line <= len(code_lines) else ""
    shift = _first_line_shift(candidate, item.line - 1, line_text)
    model_evidence = Evidence(
        priority=item.priority,
        reason=f"model: {item.rationale}",
        range=Range.of(line, shift + len(line_text) - len(line_text.lstrip()), line, shift + len(line_text)),
        detail=model,
    )
    return Recommendation(
        symbol=candidate.symbol,
        file=candidate.file,
        qualname=candidate.qualname,
        range=candidate.range,
        name_range=candidate.local.name_range if candidate.local else _name_range(candidate),
        priority=item.priority,
        rationale=item.rationale,
        confidence=item.confidence,
        capture=item.capture,
        code_block=candidate.code,
        source=model,
        evidence=(*candidate.evidence, model_evidence),
        usage=usage,
    )


def _name_range(candidate: Candidate) -> Range:
    """Where the function's name is (after decorators), for diagnostics; the first line when not found."""
    name = candidate.qualname.rsplit(".", 1)[-1]
    pattern = re.compile(rf"^\s*(?:async\s+)?(?:def|class)\s+({re.escape(name)})\b")
    for offset, text in enumerate(candidate.code.splitlines()):
        found = pattern.match(text)
        if found:
            line = candidate.range.start.line + offset
            shift = _first_line_shift(candidate, offset, text)
            return Range.of(line, shift + found.start(1), line, shift + found.end(1))
    start = candidate.range.start
    return Range(start, start)


def _first_line_shift(candidate: Candidate, offset: int, text: str) -> int:
    """Columns to add on the code's first line when the source was cut at the def's column (``ast`` segments)."""
    if offset == 0 and text[:1] not in (" ", "\t"):
        return candidate.range.start.column
    return 0

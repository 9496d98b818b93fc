"""What a spans figure is per: the :class:`~trace_advisor.datatypes.Unit` one call of an entry point serves (read from
the detectors' typed findings: a route serves a request, a task a job, a CLI command a run), and the loops that run
for the process's life (``while True`` or ``while not self._stop`` around a dequeue, a poll, an accept or a sleep),
each pass of which is a unit of its own (one job, one message, one poll) rather than a multiplier."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from trace_advisor.datatypes import Unit
from trace_advisor.detect.findings import Finding

# a finding about an entry point -> the unit one call of it serves (the first found in this order wins)
_BY_FINDING: tuple[tuple[Finding, Unit], ...] = (
    (Finding.ROUTE, Unit.REQUEST),
    (Finding.SERVERLESS, Unit.REQUEST),
    (Finding.TASK_CONSUMER, Unit.JOB),
    (Finding.JOB, Unit.JOB),
    (Finding.MESSAGE_CONSUMER, Unit.MESSAGE),
    (Finding.CLI_COMMAND, Unit.CLI_RUN),
    (Finding.CLI_GROUP, Unit.CLI_RUN),
    (Finding.MAIN, Unit.CLI_RUN),
)

# a header that says the loop runs until the process stops: ``while not self._stop_requested``, ``while self.running``
_STOP_FLAG = re.compile(r"stop|shut|exit|quit|clos|terminat|cancel|kill|done|finish", re.IGNORECASE)
_RUN_FLAG = re.compile(r"run|alive|active|serv|listen|keep|forever|live|enabled|open", re.IGNORECASE)
# the call a pass waits in, by what it says each pass brings (the first kind found in a loop's body names its unit)
_WAITS: tuple[tuple[re.Pattern[str], Unit], ...] = (
    (re.compile(r"^(accept|handle_request|get_request)$"), Unit.REQUEST),
    (re.compile(r"dequeue|^(claim|reserve|fetch|get|next|pop|take)_?(job|task)s?$"), Unit.JOB),
    (
        re.compile(
            r"^(recv|receive|consume|poll|read_messages?|get_messages?|fetch_messages?|next_message|b[lr]pop|brpoplpush"
            r"|blmove|xread|xreadgroup|receive_messages?|get_message)$|^(receive|consume|poll)_"
        ),
        Unit.MESSAGE,
    ),
    (re.compile(r"^(sleep|wait|wait_for|select|join)$"), Unit.POLL),
)
_QUEUE_RECEIVER = re.compile(r"(^|[._])(q|queue|inbox|jobs|tasks|work_queue|\w*_queue)$", re.IGNORECASE)
_JOB_WORDS = re.compile(r"job|task", re.IGNORECASE)
_MESSAGE_WORDS = re.compile(r"message|msg|event|record", re.IGNORECASE)


_CLI_PACKAGES = frozenset({"click", "typer", "cloup", "asyncclick", "rich_click"})


def entry_unit(findings: Iterable[Finding], decorators: Iterable[str] = ()) -> Unit:
    """The unit one call of an entry point serves, from what the detectors found about it, or a decorator from a CLI
    package (``@click.option`` under ``@main.command()``, a group defined in the project) among the symbol ids its
    decorators resolve to; a call when none of these."""
    found = set(findings)
    unit = next((unit for finding, unit in _BY_FINDING if finding in found), Unit.CALL)
    if unit is Unit.CALL and any(d.partition(".")[0].partition(":")[0] in _CLI_PACKAGES for d in decorators):
        return Unit.CLI_RUN
    return unit


def lifetime_unit(node: ast.While) -> Unit | None:
    """The unit one pass of a ``while`` loop that runs for the process's life serves, or None when it is not one.
    Such a loop has a header that never turns false by itself (``while True``, ``while 1``) or a stop or run flag
    (``while not self._stop_requested``, ``while self.running``, ``while not stop.is_set()``), and its body (outside
    nested functions and loops) waits for its next unit: a dequeue (a job), a receive or poll (a message), an accept
    (a request), or a sleep or wait between passes (a poll). Retry loops and loops that leave after one pass are
    told apart before (:func:`trace_advisor.cost.loop_of`)."""
    if not _endless(node.test):
        return None
    found = [unit for unit in (_waits_for(call) for call in _own_calls(node.body)) if unit is not None]
    return min(found, key=_WAIT_ORDER.index) if found else None


_WAIT_ORDER = [unit for _, unit in _WAITS]


def _endless(test: ast.expr) -> bool:
    if isinstance(test, ast.Constant):
        return bool(test.value) and test.value is not Ellipsis
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    flag = test.operand if isinstance(test, ast.UnaryOp) and negated else test
    if isinstance(flag, ast.Call) and isinstance(flag.func, ast.Attribute) and flag.func.attr == "is_set":
        flag = flag.func.value  # ``not self._stop.is_set()``: the event's name
    if not isinstance(flag, ast.Name | ast.Attribute):
        return False
    name = flag.id if isinstance(flag, ast.Name) else flag.attr
    return bool((_STOP_FLAG if negated else _RUN_FLAG).search(name))


_NOT_THIS_BODY = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.AsyncFor, ast.While)


def _own_calls(body: list[ast.stmt]) -> Iterator[ast.Call]:
    """The calls of a loop body, not in nested functions, classes or loops (a nested loop's wait is its own)."""
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, _NOT_THIS_BODY):
            continue
        if isinstance(node, ast.Call):
            yield node
        todo.extend(ast.iter_child_nodes(node))


def _waits_for(call: ast.Call) -> Unit | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name in {"get", "get_nowait"} and isinstance(func, ast.Attribute):  # ``queue.get()``, not ``dict.get(key)``
        receiver = ast.unparse(func.value)
        blocking = any(k.arg in {"block", "timeout"} for k in call.keywords)
        if not (blocking or _QUEUE_RECEIVER.search(receiver)):
            return None
        return Unit.JOB if _JOB_WORDS.search(receiver) else Unit.MESSAGE
    for pattern, unit in _WAITS:
        if pattern.search(name):
            if unit is Unit.MESSAGE and _JOB_WORDS.search(name):
                return Unit.JOB  # ``receive_job``
            return Unit.MESSAGE if unit is Unit.JOB and _MESSAGE_WORDS.search(name) else unit  # ``dequeue_message``
    return None

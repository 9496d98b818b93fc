"""What a spans figure is per, read from the code's shape (what one call of an entry point serves is read from the
detectors' findings: :func:`trace_advisor.detect.kinds.entry_unit`): the loops that run for
the process's life (``while True`` or ``while not self._stop`` around a dequeue, a poll, an accept or a sleep; ``async
for _ in poll(delay)`` over a ticker, ``async for message in consumer``), each pass of which is a unit of its own (one
job, one message, one poll) rather than a multiplier, and the branches that run on a timer (``if
self.should_run_maintenance_tasks:``), each run of which is one too."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from trace_advisor.datatypes import Unit

# a header that says the loop runs until the process stops: ``while not self._stop_requested``, ``while self.running``
_STOP_FLAG = re.compile(r"stop|shut|exit|quit|clos|terminat|cancel|kill|done|finish", re.IGNORECASE)
_RUN_FLAG = re.compile(r"run|alive|active|serv|listen|keep|forever|live|enabled|open|connected", re.IGNORECASE)
# the call a pass waits in, by what it says each pass brings (the first kind found in a loop's body names its unit)
_WAITS: tuple[tuple[re.Pattern[str], Unit], ...] = (
    (re.compile(r"^(accept|handle_request|get_request|input)$"), Unit.REQUEST),  # ``input()``: a REPL's next command
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


def lifetime_unit(node: ast.While) -> Unit | None:
    """The unit one pass of a ``while`` loop that runs for the process's life serves, or None when it is not one.
    Such a loop has a header that never turns false by itself (``while True``, ``while 1``) or a stop or run flag
    (``while not self._stop_requested``, ``while self.running``, ``while not stop.is_set()``), and its body (outside
    nested functions and loops) waits for its next unit: a dequeue (a job), a receive (a message), an accept (a
    request); or it sleeps or waits between passes, or polls (a message: ``consumer.poll(1.0)``), and leaves only
    when asked to stop (a ``break`` or ``return`` under a test that says stop, shutdown, burst or a maximum): a
    ``while True`` that sleeps until a query is ``Complete`` is no unit of work but part of one. Retry loops and loops
    that leave after one pass are told apart before (:func:`trace_advisor.cost.loop_of`)."""
    if not _endless(node.test):
        return None
    waits = [(call, unit) for call, unit in ((c, _waits_for(c)) for c in _own_calls(node.body)) if unit is not None]
    strong = [unit for call, unit in waits if unit is not Unit.POLL and not _polls(call)]
    if strong:
        return min(strong, key=_WAIT_ORDER.index)
    if not waits:
        return Unit.POLL if _never_leaves(node) else None
    if not _leaves_only_when_told(node):
        return None
    return min((unit for _, unit in waits), key=_WAIT_ORDER.index)


def _never_leaves(loop: ast.While) -> bool:
    """``while True:`` with no ``break``, ``return`` or ``yield`` anywhere in it (a nested loop's ``break`` is its
    own): only a failure or the process's end stops it, so each pass is one unit, however it waits (freqtrade's
    ``Worker.run`` calls ``self._worker()``, which sleeps out the rest of its throttling interval)."""
    if not (isinstance(loop.test, ast.Constant) and loop.test.value is True):
        return False
    pending: list[tuple[ast.AST, bool]] = [(stmt, False) for stmt in loop.body]
    while pending:
        node, nested = pending.pop()
        if isinstance(node, ast.Return | ast.Yield | ast.YieldFrom) or (isinstance(node, ast.Break) and not nested):
            return False
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        inner = nested or isinstance(node, ast.While | ast.For | ast.AsyncFor)
        pending.extend((child, inner) for child in ast.iter_child_nodes(node))
    return True


_WAIT_ORDER = [unit for _, unit in _WAITS]
# a test under which leaving a loop means the process was asked to stop (or runs in a mode that ends: burst, a maximum)
_TOLD_TO_STOP = re.compile(r"stop|shut|exit|quit|terminat|cancel|kill|burst|max_|signal|interrupt", re.IGNORECASE)


# what a ``for`` iterates when it runs for the process's life: a ticker's call (``poll(self.poll_delay_s)``, arq's
# shape: an async generator that sleeps between ticks) or a consumer of messages (``async for msg in consumer``)
_TICKER = re.compile(r"^(poll|polls|ticks?|ticker|interval|every|itertimer)$", re.IGNORECASE)  # mode's itertimer
_CONSUMER = re.compile(r"(^|_)(consumer|subscriber|subscription|receiver|listener)$", re.IGNORECASE)


def lifetime_iteration(node: ast.For | ast.AsyncFor) -> Unit | None:
    """The unit one pass of a ``for`` or ``async for`` that runs for the process's life serves, or None when it is
    not one: a loop over a ticker's ticks (``async for _ in poll(self.poll_delay_s):``, a poll) or over a consumer's
    messages (``async for message in self.consumer:``, a message) that leaves only when asked to stop (a ``break`` or
    ``return`` under a test naming stop, burst or a maximum). A loop over ticks that leaves once what it waits for is
    there is no unit but a wait (:func:`ticks_until_done`)."""
    kind = _iterates(node.iter)
    return kind if kind is not None and _leaves_only_when_told(node) else None


def ticks_until_done(node: ast.For | ast.AsyncFor) -> bool:
    """A loop over a ticker's ticks that leaves when what it waits for is there (``async for _ in poll(0.5): if
    done: return result``): part of one unit, one pass in the common case, like :func:`waits_for_a_condition`."""
    return _iterates(node.iter) is Unit.POLL and not _leaves_only_when_told(node)


def _iterates(iterable: ast.expr) -> Unit | None:
    """What each item of a loop's iterable is when it comes for the process's life: a tick (a poll) or a message."""
    if isinstance(iterable, ast.Call):
        name = called_name(iterable.func)
        return Unit.POLL if _TICKER.match(name) else None
    if isinstance(iterable, ast.Attribute | ast.Name):
        name = iterable.attr if isinstance(iterable, ast.Attribute) else iterable.id
        return Unit.MESSAGE if _CONSUMER.search(name) else None
    return None


def _polls(call: ast.Call) -> bool:
    """``poll(...)``: a consumer's wait for messages, or a process's ``proc.poll()`` checked until it ends."""
    return called_name(call.func) == "poll"


def _leaves_only_when_told(loop: ast.While | ast.For | ast.AsyncFor) -> bool:
    """Whether every ``break`` or ``return`` of the loop (not in a nested loop or definition, nor an ``except``
    handler: a failure ends any loop) is under an ``if`` whose test says the process was asked to stop."""

    def visit(node: ast.AST, told: bool) -> bool:
        if isinstance(node, ast.Break | ast.Return):
            return told
        if isinstance(node, (*_NOT_THIS_BODY, ast.ExceptHandler)):
            return True
        if isinstance(node, ast.If):
            inside = told or bool(_TOLD_TO_STOP.search(ast.unparse(node.test)))
            return all(visit(s, inside) for s in node.body) and all(visit(s, told) for s in node.orelse)
        return all(visit(child, told) for child in ast.iter_child_nodes(node))

    return all(visit(stmt, False) for stmt in loop.body)


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
    name = called_name(func).lstrip("_")  # ``await self._receive_json()``: a private helper around the receive
    if name == "join" and joins_strings(call):
        return None
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


# a test that says a branch runs on a timer: ``should_run_maintenance_tasks``, ``is_due()``, ``time_to_flush``
_TIMER_NAME = re.compile(r"should_run|(^|_)is_due|(^|_)due(_|$)|time_to_|periodic", re.IGNORECASE)
_CLOCK = re.compile(r"time|now|monotonic|clock", re.IGNORECASE)


def runs_on_a_timer(test: ast.expr) -> bool:
    """Whether an ``if`` test says its branch runs once in a while, on a timer, rather than each time: a name that
    says so (``if self.should_run_maintenance_tasks:``, ``if job.is_due():``) or a comparison of the time elapsed
    since something (``if time.monotonic() - self._last_flush > self.interval:``)."""
    for node in ast.walk(test):
        if isinstance(node, ast.Name | ast.Attribute) and not _enum_member(node):
            if _TIMER_NAME.search(node.id if isinstance(node, ast.Name) else node.attr):
                return True
        elif isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if isinstance(side, ast.BinOp) and isinstance(side.op, ast.Sub) and _reads_clock(side.left):
                    return True
    return False


def joins_strings(call: ast.Call) -> bool:
    """``"\\n".join(lines)``, ``os.path.join(a, b)``, ``sep.join(p.name for p in parts)``: a string's or a path's
    join takes the items; a thread's, process's or queue's takes nothing or one timeout (``proc.join(1)``,
    ``t.join(timeout)``, ``t.join(self.grace)``)."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Constant) and isinstance(func.value.value, str):
        return True
    if len(call.args) > 1:
        return True
    return any(
        not isinstance(a, ast.Name | ast.Attribute)
        and not (isinstance(a, ast.Constant) and type(a.value) in (int, float))
        for a in call.args
    )


def _enum_member(node: ast.Name | ast.Attribute) -> bool:
    """``SubscriptionStatus.past_due``: a value of a class's (an enum's), which says nothing about time."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id[:1].isupper()


def _reads_clock(node: ast.expr) -> bool:
    """``time.monotonic()``, ``now()``, ``datetime.now(tz)``, ``now`` (a local holding the time)."""
    target = node.func if isinstance(node, ast.Call) else node
    name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
    return bool(name) and bool(_CLOCK.fullmatch(name) or _CLOCK.match(name) and isinstance(node, ast.Call))


def waits_for_a_condition(node: ast.While) -> bool:
    """Whether a ``while`` sleeps or waits until a condition it asks for changes (``while not self._stop_requested and
    is_suspended(conn): time.sleep(1)``, ``while proc.poll() is None: time.sleep(0.1)``, ``while time.monotonic() <
    deadline: ...``): a header that calls something or compares (not a flag, not a collection being emptied) and a
    body that sleeps or waits. Its body runs only while the condition holds: none in the common case, one pass in the
    estimate."""
    if _endless(node.test) or not any(isinstance(n, ast.Call | ast.Compare) for n in ast.walk(node.test)):
        return False
    return any(_waits_for(call) is Unit.POLL for call in _own_calls(node.body))


def called_name(func: ast.expr) -> str:
    """The last name of what a call calls (``f`` of ``f()``, ``run`` of ``loop.run()``), "" for anything else."""
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""

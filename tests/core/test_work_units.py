"""Which ``while`` loops run for the process's life, and what one pass of each serves; what one call of an entry point
serves, from the detectors' findings."""

from __future__ import annotations

import ast
import textwrap

import pytest
from trace_advisor.cost import loop_of
from trace_advisor.datatypes import Unit
from trace_advisor.detect.findings import Finding
from trace_advisor.detect.kinds import entry_unit
from trace_advisor.work_units import lifetime_unit, runs_on_a_timer, waits_for_a_condition


def _loop(source: str) -> ast.While:
    [loop] = [n for n in ast.walk(ast.parse(textwrap.dedent(source))) if isinstance(n, ast.While)][:1]
    return loop


@pytest.mark.parametrize(
    ("source", "unit"),
    [
        # rq's BaseWorker.work: leaves on request, takes a job per pass
        (
            """
            while True:
                if self._stop_requested:
                    break
                result = self.dequeue_job_and_maintain_ttl(timeout)
                self.execute_job(*result)
            """,
            Unit.JOB,
        ),
        ("while not self._stop.is_set():\n    message = consumer.poll(1.0)\n    handle(message)", Unit.MESSAGE),
        ("while self.running:\n    connection, _ = sock.accept()\n    serve(connection)", Unit.REQUEST),
        ("while True:\n    self.check_workers()\n    time.sleep(1)", Unit.POLL),
        ("while True:\n    item = q.get()\n    process(item)\n    q.task_done()", Unit.MESSAGE),
        ("while not shutdown:\n    job = self.jobs.get(timeout=1)\n    run(job)", Unit.JOB),
        ("while not self.closed:\n    await asyncio.sleep(self.interval)\n    await self.flush()", Unit.POLL),
        # not for the process's life: a reader that stops at the end of its input, a walk, a loop over a flag's data
        ("while True:\n    chunk = handle.read(8192)\n    if not chunk:\n        break\n    out.write(chunk)", None),
        ("while node:\n    visit(node)\n    node = node.next", None),
        ("while pending:\n    task = pending.pop()\n    time.sleep(0.1)", None),
        # a dict's get is no wait
        ("while True:\n    config = options.get('x')\n    if use(config):\n        break", None),
        # a ``while True`` nothing but a failure leaves runs for the process's life, however it waits: freqtrade's
        # Worker.run, whose ``_worker`` sleeps out its throttling interval (a nested loop's break is its own)
        (
            """
            while True:
                state = self._worker(old_state=state)
                if state == State.RELOAD_CONFIG:
                    self._reconfigure()
            """,
            Unit.POLL,
        ),
        ("while True:\n    for item in batch:\n        if item:\n            break\n    flush()", Unit.POLL),
        ("while True:\n    yield next_id()", None),  # a generator's items
        # a string's or a path's join is no wait (mcp-agent's chat REPL read "per poll" for "\\n\\n".join(...))
        # a REPL waits for its next command: one request per pass
        ("while True:\n    inp = input()\n    if inp == 'q':\n        break\n    show('\\n'.join(log))", Unit.REQUEST),
        ("while True:\n    lines.append(read())\n    if done():\n        break\n    show('\\n'.join(lines))", None),
        ("while True:\n    line = read()\n    if not line:\n        break\n    save(os.path.join(a, line))", None),
        ("while not self._stop.is_set():\n    worker.join(timeout)\n    restart(worker)", Unit.POLL),
        ("while self.running:\n    self.tick()", None),  # a flag: it ends when told, and waits for nothing here
        # rq's WorkerPool.start: sleeps between checks, leaves only once stopped or in burst mode
        (
            """
            while True:
                if self.status == self.Status.STOPPED:
                    if self.all_workers_have_stopped():
                        break
                    time.sleep(1)
                    continue
                self.check_workers()
                if burst and self.number_of_active_workers == 0:
                    break
                time.sleep(1)
            """,
            Unit.POLL,
        ),
        # part of one unit of work: sleeps until a query completes, until a process ends, or runs once without interval
        (
            """
            while True:
                result = client.get_query_results(queryId=query_id)
                if result["status"] == "Complete":
                    break
                time.sleep(1)
            """,
            None,
        ),
        ("while True:\n    if proc.poll() is not None:\n        break\n    time.sleep(0.1)", None),
        ("while True:\n    func()\n    if interval:\n        time.sleep(interval)\n    else:\n        break", None),
    ],
)
def test_lifetime_loops_and_their_unit(source: str, unit: Unit | None) -> None:
    assert lifetime_unit(_loop(source)) == unit


def test_a_retry_loop_stays_one_pass_and_a_worker_loop_is_a_unit() -> None:
    retry = _loop("while True:\n    try:\n        return self.send()\n    except IOError:\n        time.sleep(1)")
    assert loop_of(retry, {}).kind == "retry"
    worker = loop_of(_loop("while not self._stop_requested:\n    job = queue.dequeue()\n    run(job)"), {})
    assert (worker.kind, worker.unit, worker.count(), worker.count(passes=1.0)) == ("lifetime", Unit.JOB, 0.0, 1.0)


@pytest.mark.parametrize(
    ("findings", "decorators", "unit"),
    [
        ([Finding.ROUTE], [], Unit.REQUEST),
        ([Finding.SERVERLESS], [], Unit.REQUEST),
        ([Finding.TASK_CONSUMER, Finding.OPERATION], [], Unit.JOB),
        ([Finding.MESSAGE_CONSUMER], [], Unit.MESSAGE),
        ([Finding.MAIN], [], Unit.CLI_RUN),
        ([Finding.OPERATION], ["click.decorators:option"], Unit.CLI_RUN),  # ``@main.command()`` on a project group
        ([Finding.OPERATION], ["functools:wraps"], Unit.CALL),
        ([], [], Unit.CALL),
    ],
)
def test_entry_points_serve_the_unit_their_findings_say(
    findings: list[Finding], decorators: list[str], unit: Unit
) -> None:
    assert entry_unit(findings, decorators) is unit


@pytest.mark.parametrize(
    ("source", "waits"),
    [
        ("while not self._stop_requested and is_suspended(self.connection):\n    time.sleep(1)", True),
        ("while proc.poll() is None:\n    time.sleep(0.1)", True),
        ("while time.monotonic() < deadline:\n    if ready():\n        break\n    time.sleep(0.5)", True),
        ("while pending:\n    task = pending.pop()\n    time.sleep(0.1)", False),  # a collection emptied: its items
        ("while not is_ready():\n    check()", False),  # no wait: a busy loop over something else
    ],
)
def test_a_loop_that_waits_for_a_condition_counts_one_pass(source: str, waits: bool) -> None:
    loop = _loop(source)
    assert waits_for_a_condition(loop) is waits
    assert (loop_of(loop, {}).kind == "retry") is waits


@pytest.mark.parametrize(
    ("test", "timer"),
    [
        ("self.should_run_maintenance_tasks", True),  # rq's BaseWorker.work
        ("job.is_due()", True),
        ("time.monotonic() - self._last_flush > self.interval", True),
        ("now() - last_run >= period", True),
        ("self.interval", False),
        ("len(batch) - sent > 0", False),
        ("user.last_login", False),
        ("queue.acquire_maintenance_lock()", False),  # a lock won, not a timer (it runs inside the timed branch)
        # polar's backoffice: a status compared with an enum's ``past_due`` says nothing about time
        ("(subscription.status, form.status) == (SubscriptionStatus.past_due, Form.canceled)", False),
    ],
)
def test_branches_that_run_on_a_timer(test: str, timer: bool) -> None:
    assert runs_on_a_timer(ast.parse(test, mode="eval").body) is timer

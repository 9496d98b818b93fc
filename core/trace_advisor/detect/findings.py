"""The typed vocabulary between detectors and their readers: what a :class:`Signal` found, and about which API.

Detectors emit signals; the local scorer and the capture planner read their fields (never the human wording).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from trace_advisor.datatypes import Evidence
from trace_advisor.detect.apis import ApiMatch


class Finding(enum.Enum):
    """What one signal is about; every member belongs to one priority (the comment names it)."""

    CLIENT_CALL = "client-call"  # external_io: calls a client library API (``Signal.api``)
    CALLS_IO_FUNCTION = "calls-io-function"  # external_io: calls a workspace function that does I/O
    PUBLISHES = "publishes"  # message_bus: sends messages (``Signal.api``)
    RECEIVES = "receives"  # message_bus: receives messages (``Signal.api``)
    TASK_CONSUMER = "task-consumer"  # message_bus: a task a worker runs per message
    MESSAGE_CONSUMER = "message-consumer"  # message_bus: a consumer callback
    RETRIES = "retries"  # exceptions: a handler inside a retry loop
    SKIPS = "skips"  # exceptions: a handler that skips failing items
    SWALLOWS = "swallows"  # exceptions: a handler that handles and does not re-raise
    TRANSLATES = "translates"  # exceptions: raises another error from a handler
    RERAISES = "reraises"  # exceptions: a handler that re-raises
    RAISES = "raises"  # exceptions: raises an error outside any handler
    CACHE_BRANCH = "cache-branch"  # branches: cache hit/miss
    IO_BRANCH = "io-branch"  # branches: decides whether external calls happen
    FEATURE_FLAG = "feature-flag"  # branches
    EARLY_EXIT = "early-exit"  # branches
    CLI_GROUP = "cli-group"  # entry_points: a CLI group (only dispatches)
    CLI_COMMAND = "cli-command"  # entry_points
    MAIN = "main"  # entry_points: ``main()`` or what the ``__main__`` guard calls
    ROUTE = "route"  # entry_points: web routes and views
    JOB = "job"  # entry_points: scheduled or event-driven jobs, and functions handed to a job queue by value
    SERVERLESS = "serverless"  # entry_points: an AWS Lambda handler
    OPERATION = "operation"  # entry_points: a public function orchestrating several calls
    RUNS_WORK = "runs-work"  # entry_points: runs the callable stored on a job with its stored arguments
    SUBMITS_WORK = "submits-work"  # entry_points: hands a callable and its arguments on, to run later
    CALLS_WORK = "calls-work"  # entry_points: calls the workspace function where a job's own work runs
    TASK = "task"  # entry_points: started as a task of its own with its input (``create_task(self._process(message))``)
    SQL_WRITE = "sql-write"  # state_changes: a literal SQL write (``Signal.sql``)
    DB_WRITE = "db-write"  # state_changes: an ORM or client write call
    CACHE_WRITE = "cache-write"  # state_changes
    REMOTE_WRITE = "remote-write"  # state_changes: an HTTP POST/PUT/PATCH/DELETE
    FILE_WRITE = "file-write"  # state_changes
    PERSISTS = "persists"  # state_changes: ``obj.save()`` outside loops
    SHARED_STATE = "shared-state"  # state_changes: ``global``/``nonlocal``
    IO_LOOP = "io-loop"  # performance: a client call inside a loop
    CALLS_IO_FUNCTION_IN_LOOP = "calls-io-function-in-loop"  # performance: a workspace I/O function in a loop
    FILE_LOOP = "file-loop"  # performance: file operations inside a loop
    NESTED_LOOPS = "nested-loops"  # performance
    POLLING = "polling"  # performance: ``while True`` with a sleep
    HEAVY_COMPUTE = "heavy-compute"  # performance
    CONCURRENT = "concurrent"  # performance: runs work concurrently
    RECURSION = "recursion"  # performance
    HOT_PATH = "hot-path"  # performance: a recording saw many calls or much cumulative time in it
    HOT_CALLEE = "hot-callee"  # performance: the nearest caller of a hot function no recommended span measures
    CONTEXT_GAP = "context-gap"  # context_propagation: work handed off without the current context
    FAN_OUT = "fan-out"  # async_boundaries: concurrent tasks
    AWAITS_IO = "awaits-io"  # async_boundaries: awaits a client call
    ASYNC_STREAM = "async-stream"  # async_boundaries: ``async for``
    ASYNC_RESOURCE = "async-resource"  # async_boundaries: ``async with``
    AWAITS = "awaits"  # async_boundaries: several suspension points


# Findings about a workspace callee that does the I/O (``evidence.detail`` is its symbol id).
DELEGATED = frozenset({Finding.CALLS_IO_FUNCTION, Finding.CALLS_IO_FUNCTION_IN_LOOP})


@dataclass(frozen=True, slots=True)
class SqlWrite:
    """A literal SQL statement that changes data or the schema (``ddl``): its verb (``INSERT``, ``CREATE``) and table
    (None when not named, or when the schema object is not a table or an index on one)."""

    verb: str
    table: str | None
    ddl: bool = False


@dataclass(frozen=True, slots=True)
class Signal:
    """A detector's finding: the evidence shown to people, how strong it is (0-1) and what it is about."""

    evidence: Evidence
    strength: float
    finding: Finding
    api: ApiMatch | None = None  # the client API call the finding is about
    instrumentation: str | None = None  # the OTel auto-instrumentation package that traces what this is about
    sql: SqlWrite | None = None

    @property
    def delegated(self) -> bool:
        """The finding is about a workspace function that does I/O, not about this function's own calls."""
        return self.finding in DELEGATED

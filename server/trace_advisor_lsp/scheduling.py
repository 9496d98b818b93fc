"""When work runs: per-URI debouncing, background tasks, the single engine thread, the model pool and request
cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from trace_advisor.cancel import CancelToken

T = TypeVar("T")
LOG = logging.getLogger(__name__)


class Debouncer:
    """Runs the latest job per key after a quiet period; a newer schedule for the same key replaces the older one."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def schedule(self, key: str, delay_s: float, job: Callable[[], Awaitable[object]]) -> None:
        self.cancel(key)
        self._tasks[key] = asyncio.ensure_future(self._run(key, delay_s, job))

    def cancel(self, key: str) -> None:
        task = self._tasks.pop(key, None)
        if task is not None and not task.done():
            task.cancel()

    def cancel_all(self) -> None:
        for key in list(self._tasks):
            self.cancel(key)

    def pending(self) -> int:
        return sum(1 for task in self._tasks.values() if not task.done())

    async def _run(self, key: str, delay_s: float, job: Callable[[], Awaitable[object]]) -> None:
        try:
            if delay_s > 0:
                await asyncio.sleep(delay_s)
            await job()
        except asyncio.CancelledError:
            pass
        except Exception:  # a failing job must not kill the server; it is logged to the client
            LOG.exception("background job for %s failed", key)
        finally:
            if self._tasks.get(key) is asyncio.current_task():
                del self._tasks[key]


class Pace:
    """How long to wait before refreshing a document after an edit, learnt from how long its refreshes take: no
    wait when they are fast, or when the edits come further apart than a refresh takes (it will be done before the
    next key); otherwise the user types faster than a slow file can be refreshed, and a refresh waits for a pause in
    typing (as long as one takes, at most ``max_wait``) instead of being started and cancelled on every key."""

    def __init__(self, fast: float = 0.1, max_wait: float = 0.5) -> None:
        self.fast, self.max_wait = fast, max_wait
        self._took: dict[str, float] = {}  # each document's last refresh (seconds); 0 until its second one
        self._edited: dict[str, float] = {}  # when each document was last edited (time.monotonic())

    def edited(self, key: str, now: float | None = None) -> float:
        """The wait before refreshing ``key`` after an edit made ``now``."""
        now = time.monotonic() if now is None else now
        gap, self._edited[key] = now - self._edited.get(key, float("-inf")), now
        return 0.0 if gap > self.took(key) else self.wait(key)

    def wait(self, key: str) -> float:
        """The wait before refreshing ``key`` when edits may be coming fast."""
        took = self.took(key)
        return 0.0 if took < self.fast else min(took, self.max_wait)

    def took(self, key: str) -> float:
        return self._took.get(key, 0.0)

    def refreshed(self, key: str, took: float) -> None:
        # a document's first refresh analyses all of it: what typing costs is known from the second one on
        self._took[key] = took if key in self._took else 0.0

    def forget(self, key: str) -> None:
        self._took.pop(key, None)
        self._edited.pop(key, None)


class Tasks:
    """Background tasks the server keeps a reference to until they are done (a failure is logged, never raised)."""

    def __init__(self) -> None:
        self._running: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._running.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            LOG.error("background task failed", exc_info=task.exception())

    def cancel_all(self) -> None:
        for task in list(self._running):
            task.cancel()


class Engine:
    """Owns the threads: the engine thread does the work on the indexes (refreshes, analyses, edits); the query
    thread answers editor requests (call hierarchy, lenses, code actions) beside it, so a request never waits for a
    whole-file analysis (the index locks each of its calls); a small pool runs slow, index-free work (model calls,
    workspace indexing into a fresh index). Background reading of a folder gives way to requests (see
    :meth:`give_way`): the threads share one interpreter lock, and the user waits for the request."""

    def __init__(self) -> None:
        self._engine = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="trace-advisor-engine", initializer=self._engine_started
        )
        self._query = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trace-advisor-query")
        self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="trace-advisor-bg")
        self._queries = 0  # requests submitted to the query thread and not finished (or cancelled) yet
        self._no_queries = threading.Condition()
        self._engine_thread: int | None = None
        self._jobs = 0  # jobs submitted to the engine thread and not finished (or cancelled) yet
        self.held = 0  # of which work in slices counted as one job (``holding``)
        self._jobs_lock = threading.Lock()
        # when the engine thread last ran out of work (time.monotonic()) and the CPU time it had used then
        self.idle_since, self.idle_cpu = time.monotonic(), 0.0

    def _engine_started(self) -> None:
        self._engine_thread = threading.get_ident()

    async def run(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the engine thread (work that changes the index, or analyses it)."""
        with self._jobs_lock:
            self._jobs += 1
        try:
            future = self._engine.submit(fn)
        except BaseException:
            self._job_done()
            raise
        future.add_done_callback(self._job_done)  # also when cancelled before it ran
        return await asyncio.wrap_future(future)

    def _job_done(self, _: Future[Any] | None = None) -> None:
        with self._jobs_lock:
            self._jobs -= 1
            if self._jobs == 0:
                self.idle_since, self.idle_cpu = time.monotonic(), self.cpu_s()

    @property
    def busy(self) -> int:
        """Jobs queued on or running in the engine thread (and work it does in slices, while :meth:`holding`)."""
        return self._jobs

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Count work the engine thread does as a series of jobs as one job while it lasts (``busy``: a test or a
        benchmark waiting for the engine to be idle waits for all of it, not for a gap between two slices)."""
        with self._jobs_lock:
            self._jobs += 1
            self.held += 1
        try:
            yield
        finally:
            with self._jobs_lock:
                self.held -= 1
            self._job_done()

    def cpu_s(self) -> float:
        """CPU seconds the engine thread has used so far (0 before its first job, or without per-thread clocks)."""
        if self._engine_thread is None:
            return 0.0
        try:
            return time.clock_gettime(time.pthread_getcpuclockid(self._engine_thread))
        except (AttributeError, OSError):
            return 0.0

    async def query(self, fn: Callable[[], T]) -> T:
        """Run a request's ``fn`` on the query thread (reads, and the open document's current text going in)."""
        with self._no_queries:
            self._queries += 1
        try:
            future = self._query.submit(fn)
        except BaseException:
            self._query_done()
            raise
        future.add_done_callback(self._query_done)  # also when cancelled before it ran
        return await asyncio.wrap_future(future)

    def _query_done(self, _: Future[Any] | None = None) -> None:
        with self._no_queries:
            self._queries -= 1
            if self._queries == 0:
                self._no_queries.notify_all()

    def give_way(self, limit_s: float = 2.0) -> float:
        """Called by background work between two steps (a folder's files being read, a refresh's functions): wait
        while requests are being answered, at most ``limit_s`` (a slow request delays that work, it never stops
        it). How long it waited (seconds)."""
        with self._no_queries:
            if self._queries == 0:
                return 0.0
            started = time.monotonic()
            self._no_queries.wait_for(lambda: self._queries == 0, limit_s)
            return time.monotonic() - started

    async def run_background(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the background pool (must not touch an index the engine thread uses)."""
        return await asyncio.get_running_loop().run_in_executor(self._background, fn)

    def shutdown(self) -> None:
        self._engine.shutdown(wait=False, cancel_futures=True)
        self._query.shutdown(wait=False, cancel_futures=True)
        self._background.shutdown(wait=False, cancel_futures=True)


class GivingWay(CancelToken):
    """A refresh's token: each check first gives way to requests being answered (:meth:`Engine.give_way`); the
    user is waiting for those (the first call hierarchy after opening a file comes while its first refresh runs),
    and the threads share one interpreter lock. ``waited`` is how long it gave way (not the refresh's own time)."""

    __slots__ = ("_engine", "waited")

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        self.waited = 0.0

    def check(self) -> None:
        self.waited += self._engine.give_way()
        super().check()


class Cancellations:
    """Cancel tokens of running work, by request id ($/cancelRequest) and by document (a newer save wins)."""

    def __init__(self) -> None:
        self._by_request: dict[int | str, CancelToken] = {}
        self._by_key: dict[str, CancelToken] = {}

    def for_request(self, msg_id: int | str | None) -> CancelToken:
        token = CancelToken()
        if msg_id is not None:
            self._by_request[msg_id] = token
        return token

    def release_request(self, msg_id: int | str | None) -> None:
        if msg_id is not None:
            self._by_request.pop(msg_id, None)

    def cancel_request(self, msg_id: int | str) -> bool:
        token = self._by_request.pop(msg_id, None)
        if token is None:
            return False
        token.cancel()
        return True

    def replace(self, key: str, token: CancelToken) -> None:
        """Register ``token`` as the running job for ``key``, cancelling the job it replaces."""
        previous = self._by_key.get(key)
        if previous is not None:
            previous.cancel()
        self._by_key[key] = token

    def cancel(self, key: str) -> None:
        token = self._by_key.pop(key, None)
        if token is not None:
            token.cancel()

    def finish(self, key: str, token: CancelToken) -> None:
        if self._by_key.get(key) is token:
            del self._by_key[key]

    def cancel_all(self) -> None:
        for token in [*self._by_request.values(), *self._by_key.values()]:
            token.cancel()
        self._by_request.clear()
        self._by_key.clear()

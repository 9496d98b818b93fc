"""Parsing many files' facts in worker processes, so that a cold index of a large workspace uses every core.

The index reads each file and looks up its content hash in the facts cache itself; the files missing from the cache
are parsed here. When they are many (:data:`MIN_BYTES` of source) and the machine has two cores or more that other
processes leave idle, worker processes parse them: each decodes, parses and extracts a chunk of files at a time,
writes their cache entries and sends back the encoded facts (what a cache hit gives: the index decodes them when a
module is first needed) or the syntax problem. The results are handed over in the files' order, whichever worker
finishes first, so the index takes in the same facts in the same order as when it parses each file itself.

A worker is a new interpreter (``python -c``, importing only the parser), started with ``subprocess``: never a
``fork`` of this process (the language server runs the index in a thread, and a forked copy of a threaded process
can inherit a held lock), and not ``multiprocessing``'s ``spawn``, which runs the parent's main script again in each
worker (an API user's script without a ``__main__`` guard would run in every worker). One thread per worker feeds it
chunks over its pipes. A small workspace, or a warm cache, starts no worker, unless the number of processes is asked
for (``trace-advisor calls --workers N``, else ``$TRACE_ADVISOR_WORKERS``, for every command and the language
server): then N processes parse whatever is missing (1: this process only). Cancelling kills the workers at once. A
worker that dies (killed, out of memory) or fails loses nothing: its chunk is parsed here, the other workers go on;
a file whose parse raises in a worker is parsed here (as without workers) while that worker goes on with its chunk.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable
from itertools import chain
from pathlib import Path
from typing import IO, TypeVar

from trace_advisor.cancel import CancelToken
from trace_advisor.datatypes import SyntaxProblem
from trace_advisor.facts import codec
from trace_advisor.facts_cache import FactsCache
from trace_advisor.gcpause import gc_paused
from trace_advisor.parsing import parse_bytes

log = logging.getLogger(__name__)

ENV_WORKERS = "TRACE_ADVISOR_WORKERS"  # the number of parsing processes, when no command-line option says it
MIN_FILES = 32  # fewer files to read: no pool is considered (the reading itself stays in this process)
MIN_BYTES = 1_500_000  # less source missing from the cache: parsed here (workers' start-up costs more than it saves)
MAX_WORKERS = 8
_LOAD_SAMPLES = 3  # how busy the machine is: the runnable tasks counted this many times (see _busy)
# small chunks (the standard library: about 120): the workers finish together, and the first is parsed early
_CHUNK_BYTES = 256_000
_POLL_S = 0.05  # how often a wait for a worker's chunk looks at the cancel token
_JOIN_S = 10.0  # a worker whose input ended exits at once; never wait longer than this for one
_HEADER = struct.Struct("<Q")  # each message: its length, then a pickle

Miss = tuple[Path, bytes, str]  # a file to parse: its path, content and content hash
# its encoded facts, else its syntax problem, else why the worker could not parse it (an exception: parsed here)
_Result = tuple[bytes | None, SyntaxProblem | None, str | None]
_FAILED = None  # a chunk whose worker died or failed: parsed here


def core_count() -> int:
    """The cores this process may run on (at most :data:`MAX_WORKERS`)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(cores, MAX_WORKERS)


def worker_count() -> int:
    """The processes worth parsing in (this one included): one per core other processes leave idle now, 1 at least.
    On a machine whose cores are all busy a worker only shares them, and adds its start-up and the facts' trip over
    the pipes (a cold ``calls`` of the standard library on two cores other jobs kept busy, load average 5-7: a median
    5.3x ast.parse's wall time with a worker, 4.8x without)."""
    cores = core_count()
    return max(1, min(cores, 1 + int(cores - _busy()))) if cores > 1 else 1


def _busy() -> float:
    """How many other processes are running or waiting for a core now: the kernel's count of runnable tasks (Linux's
    ``/proc/loadavg``, a few samples 10 ms apart, this process taken off), else the one-minute load average."""
    samples: list[int] = []
    for _ in range(_LOAD_SAMPLES):
        try:
            with open("/proc/loadavg", encoding="ascii") as handle:
                samples.append(int(handle.read().split()[3].partition("/")[0]) - 1)
        except (OSError, ValueError, IndexError):
            break
        time.sleep(0.01)
    if samples:
        return max(0.0, sum(samples) / len(samples))
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # not on Unix
        return 0.0


def requested_workers(workers: int | None = None) -> int | None:
    """The number of parsing processes asked for: ``workers`` (a command-line option), else
    ``$TRACE_ADVISOR_WORKERS``; None (or ``auto``, ``0``, an unreadable value: logged) leaves it to
    :func:`worker_count` and the workspace's size."""
    if workers is not None:
        return workers if workers > 0 else None
    text = os.environ.get(ENV_WORKERS, "").strip()
    if text in ("", "0", "auto"):
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        log.warning("%s=%r is not a number of processes (1 or more, or auto): ignored", ENV_WORKERS, text)
        return None
    return value


T = TypeVar("T")


def parse_all(
    parse: Callable[[Path, bytes, str], T],
    take: Callable[[Miss, bytes | None, SyntaxProblem | None], T],
    cache: FactsCache,
    misses: Iterable[Miss],
    cancel: CancelToken,
    workers: int | None = None,
) -> Generator[T, None, None]:
    """What ``parse`` gives for each file, in order: in worker processes when they are worth it (or ``workers``
    processes were asked for: :func:`requested_workers`), each worker's result (its encoded facts, else its syntax
    problem) handed to ``take`` as it arrives, while the workers parse on (the reader decodes it then: decoding when
    first needed, after the workers are done, added that time to the wait).

    ``misses`` is read to its end before the first result is given: the caller reads and hashes the files as it
    gives them, and once they are enough for a pool its workers parse the first chunks while the rest is read."""
    asked = requested_workers(workers)
    count = core_count() if asked is None else asked
    source = iter(misses)
    pending: list[Miss] = []
    size = 0
    if count >= 2:
        for miss in source:
            pending.append(miss)
            size += len(miss[1])
            if len(pending) >= 2 and (asked is not None or size >= MIN_BYTES):
                break
        else:
            count = 1  # too little is missing from the cache: parsed here
        if asked is None and count >= 2:
            count = worker_count()  # asked only now: how busy the machine is when the pool would start
    if count < 2:
        pending.extend(source)
        for miss in pending:
            yield parse(*miss)
        return
    chunks: list[list[Miss]] = []
    pool = _Pool(cache)
    parsed_here: dict[int, list[T]] = {}  # chunks this process took while waiting for a worker's

    def parse_here(chunk: list[Miss]) -> list[T]:
        found = []
        for miss in chunk:
            cancel.check()
            found.append(parse(*miss))
        return found

    try:
        pool.start(count - 1)  # this process is the last worker, once every file is read
        for chunk in _chunks(chain(pending, source)):  # the workers start on the first chunks while the rest is read
            chunks.append(chunk)
            pool.add([(str(path), data, key) for path, data, key in chunk])
        pool.close()
        for number, chunk in enumerate(chunks):
            found = parsed_here.pop(number, None)
            while found is None and not pool.ready(number):  # rather than wait, parse the next chunk no one took
                taken = pool.take()
                if taken is None:
                    break
                if taken == number:
                    found = parse_here(chunk)
                else:
                    parsed_here[taken] = parse_here(chunks[taken])
            if found is None:
                results = pool.result(number, cancel)
                if results is _FAILED:
                    found = parse_here(chunk)
                else:
                    found = [_taken(parse, take, miss, result) for miss, result in zip(chunk, results, strict=True)]
            yield from found
    finally:
        pool.stop()


def _taken(
    parse: Callable[[Path, bytes, str], T],
    take: Callable[[Miss, bytes | None, SyntaxProblem | None], T],
    miss: Miss,
    result: _Result,
) -> T:
    """A worker's result for one file; a file it could not parse (an exception, which would have ended the worker
    and lost it for the rest of the build: it goes on with its chunk) is parsed here, as without workers."""
    raw, syntax, failure = result
    if failure is None:
        return take(miss, raw, syntax)
    log.warning("a facts worker could not parse %s (%s); parsing it here", miss[0], failure)
    return parse(*miss)


def _chunks(misses: Iterable[Miss]) -> Generator[list[Miss], None, None]:
    """Consecutive files, about :data:`_CHUNK_BYTES` each, each given as soon as it is complete."""
    chunk: list[Miss] = []
    size = 0
    for miss in misses:
        chunk.append(miss)
        size += len(miss[1])
        if size >= _CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


class _Pool:
    """Worker processes, each fed chunks in turn by a thread of this process as they are added; results kept by chunk
    number."""

    def __init__(self, cache: FactsCache) -> None:
        self._cache = cache
        self._chunks: list[list[tuple[str, bytes, str]]] = []
        self._closed = False  # every chunk added
        self._results: dict[int, list[_Result] | None] = {}
        self._next = 0  # the first chunk no worker took yet
        self._live = 0  # workers still taking chunks
        self._stopping = False
        self._changed = threading.Condition()
        self._processes: list[subprocess.Popen[bytes]] = []
        self._threads: list[threading.Thread] = []
        self._failures = 0

    def start(self, workers: int) -> None:
        for _ in range(workers):
            try:
                process = subprocess.Popen(
                    [sys.executable, "-c", _WORKER_CODE, str(Path(__file__).resolve().parents[1])],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                )
            except OSError as exc:
                log.warning("cannot start a facts worker process (%s); parsing here", exc)
                break
            self._processes.append(process)
            with self._changed:
                self._live += 1
            thread = threading.Thread(target=self._feed, args=(process,), name="facts-worker", daemon=True)
            thread.start()
            self._threads.append(thread)

    def add(self, chunk: list[tuple[str, bytes, str]]) -> None:
        """One more chunk for the next worker free (chunks are numbered in the order they are added)."""
        with self._changed:
            self._chunks.append(chunk)
            self._changed.notify_all()

    def close(self) -> None:
        """No more chunks: a worker finding none left ends."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def ready(self, number: int) -> bool:
        """Whether chunk ``number``'s results (or its worker's failure) are in."""
        with self._changed:
            return number in self._results

    def take(self) -> int | None:
        """The next chunk no worker took, taken by the index's own process (once every chunk is added); None when every
        chunk is taken."""
        with self._changed:
            if not self._closed or self._next >= len(self._chunks):
                return None
            self._next += 1
            return self._next - 1

    def result(self, number: int, cancel: CancelToken) -> list[_Result] | None:
        """The results of chunk ``number`` once a worker sent them; None: parse it here (its worker failed, or none
        is left to take it)."""
        with self._changed:
            while number not in self._results and (self._live > 0 or number < self._next):
                self._changed.wait(_POLL_S)
                if cancel.cancelled:
                    break
            found = self._results.pop(number, _FAILED)
        cancel.check()
        return found

    def stop(self) -> None:
        """Stop the workers still running (a cancel, an exception); each thread ends its worker's input and waits for
        it to exit (its CPU time is then the index process's children's, as ``time`` and ``getrusage`` count it)."""
        with self._changed:
            self._stopping = True
            done = self._closed and len(self._results) == 0 and self._next >= len(self._chunks)
            self._changed.notify_all()  # a thread waiting for a chunk ends
        if not done:
            for process in self._processes:
                process.kill()
        for thread in self._threads:  # each ends its worker's input and waits for it: no process outlives the build
            thread.join(_JOIN_S)

    def _feed(self, process: subprocess.Popen[bytes]) -> None:
        """One worker's thread: take the next chunk, send it, wait for its results; until none is left."""
        number = -1
        try:
            assert process.stdin is not None and process.stdout is not None
            _send(process.stdin, self._cache)
            while True:
                with self._changed:
                    while not self._stopping and not self._closed and self._next >= len(self._chunks):
                        self._changed.wait()  # the next chunk is being read
                    if self._stopping or self._next >= len(self._chunks):
                        break
                    number, self._next = self._next, self._next + 1
                _send(process.stdin, self._chunks[number])
                results = _receive(process.stdout)
                if not isinstance(results, list) or len(results) != len(self._chunks[number]):
                    raise EOFError("the worker sent no results")
                with self._changed:
                    self._results[number] = results
                    self._changed.notify_all()
                number = -1
        except Exception as exc:  # noqa: BLE001 - a dead or failing worker: its chunk is parsed by the index itself
            if not self._stopping:
                log.warning("a facts worker failed (%s: %s); its files are parsed here", type(exc).__name__, exc)
            process.kill()
        finally:
            with self._changed:
                if number >= 0:
                    self._results[number] = _FAILED
                self._live -= 1
                self._changed.notify_all()
            for stream in (process.stdin, process.stdout):  # the end of its input ends the worker
                if stream is not None:
                    try:
                        stream.close()
                    except OSError:
                        pass
            process.wait()


def _send(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> object:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the worker's output ended")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the worker's output ended")
    return pickle.loads(data)  # noqa: S301 - our own worker process, over its private pipe


# ---- in the worker processes -----------------------------------------------------------------------------------
# the worker's program: the folder holding ``trace_advisor`` is importable (a checkout run from its folder too)
_WORKER_CODE = (
    "import sys\n"
    "sys.path.insert(0, sys.argv[1]) if sys.argv[1] not in sys.path else None\n"
    "from trace_advisor.facts_pool import serve\n"
    "serve()\n"
)


def serve() -> None:
    """A worker's loop: the facts cache, then chunks of ``(file, content, content hash)`` until the input ends; for
    each chunk the list of results, in order."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        cache = _receive(stdin)
    except EOFError:
        return
    assert isinstance(cache, FactsCache)
    while True:
        try:
            files = _receive(stdin)
        except EOFError:
            return
        _send(stdout, _parse_chunk(cache, files))  # type: ignore[arg-type]


def _parse_chunk(cache: FactsCache, files: list[tuple[str, bytes, str]]) -> list[_Result]:
    """Parse each file as ``FactsReader.parse`` does; write the cache entries; the encoded facts or the problem (or
    the exception that stopped its parse: the index parses that file itself)."""
    results: list[_Result] = []
    with gc_paused():
        for file, data, key in files:
            try:
                parsed = parse_bytes(data, file)
                if parsed.facts is None:
                    results.append((None, parsed.problem, None))
                    continue
                raw = codec.encode(parsed.facts)
            except Exception as exc:  # noqa: BLE001 - this file only: the index parses it (and fails as it would)
                results.append((None, None, f"{type(exc).__name__}: {exc}"[:200]))
                continue
            cache.put_raw(key, raw)
            results.append((raw, None, None))
    return results

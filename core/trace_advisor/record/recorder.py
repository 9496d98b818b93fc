"""The recorder that runs inside the user's process: an edge table of the calls that really happen.

This module is copied next to a generated ``sitecustomize.py`` and imported by the user's interpreter, so it uses the
standard library only and never imports ``trace_advisor``. It keeps, per process, one row per (caller, callee, line,
via) with a call count and the cumulative seconds spent in the callee: memory grows with the number of distinct edges,
never with the length of the run. Callers and callees are functions under the workspace roots; a call from them into
code outside the roots (the standard library, site-packages, C functions) is recorded as their first call outside.

Callers are found by walking the frame stack down to the nearest frame under the roots, so callbacks that pass
through library code (plugin registries, framework dispatch, ``getattr``, decorators' wrappers) are attributed to the
workspace function that made them. Work handed to a thread, an executor or an asyncio task is attributed to the
function that handed it over (``via`` says how). Generators and coroutines count one call per instance (their first
start) and the time spent running between resumptions. Time is not counted twice for recursive calls.

Python >= 3.12 uses ``sys.monitoring`` (events outside the roots are disabled where they occur); 3.11 uses
``sys.setprofile`` and ``threading.setprofile``. The table is written as JSON at exit, every few seconds while the
process runs (so a process killed or ended with ``os._exit`` keeps what it recorded), and after ``fork`` each child
writes its own file.
"""

from __future__ import annotations

import atexit
import dis
import json
import os
import sys
import threading
import time
import types
from typing import Any

ENV_DIR = "TRACE_ADVISOR_RECORD_DIR"  # where each process writes edges-<pid>.json
ENV_ROOTS = "TRACE_ADVISOR_RECORD_ROOTS"  # os.pathsep-separated workspace roots
ENV_MAX_EDGES = "TRACE_ADVISOR_RECORD_MAX_EDGES"
ENV_BACKEND = "TRACE_ADVISOR_RECORD_BACKEND"  # "monitoring" | "setprofile" (default: the best available)
ENV_FLUSH = "TRACE_ADVISOR_RECORD_FLUSH_SECONDS"  # how often a running process rewrites its table
FORMAT = "trace-advisor-process-edges"
DEFAULT_MAX_EDGES = 200_000
FLUSH_SECONDS = 5.0

OUTSIDE, INSIDE, TRANSPARENT = 0, 1, 2
# code objects whose calls are not edges of their own: their calls belong to the enclosing function
_TRANSPARENT_NAMES = frozenset({"<lambda>", "<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"})
_CO_OPTIMIZED = 0x1
_SUSPENDABLE = 0x20 | 0x80 | 0x100 | 0x200  # generator, coroutine, iterable coroutine, async generator
_RESUME = dis.opmap["RESUME"] if "RESUME" in dis.opmap else -1
_YIELD = dis.opmap.get("YIELD_VALUE", -1)
# library functions that hand work to another thread or task: (module, qualname) -> what the hand-over is called
_HANDOVER_STARTS = {
    ("threading", "Thread.start"): "thread",
    ("concurrent.futures.thread", "_WorkItem.__init__"): "executor",
}
_MACHINERY = frozenset(
    {"importlib._bootstrap", "importlib._bootstrap_external", "_frozen_importlib", "_frozen_importlib_external"}
)
_HANDOVER_RUNS = {("concurrent.futures.thread", "_WorkItem.run")}
_TASK_FACTORIES = {("asyncio.base_events", "BaseEventLoop.create_task")}

Caller = tuple[Any, int, Any]  # (caller code or None, line, via: code, hand-over name or None)


class _Table:
    """The edge table of one process and what it needs to name code objects when it is written out."""

    def __init__(self, roots: list[str], out_dir: str, max_edges: int, backend: str) -> None:
        self.roots = tuple(os.path.join(os.path.normcase(os.path.abspath(r)), "") for r in roots)
        excluded = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.abspath(__file__))}
        self.excluded = tuple(os.path.join(os.path.normcase(os.path.abspath(p)), "") for p in excluded if p)
        self.cwd = os.getcwd()
        self.out_dir = out_dir
        self.max_edges = max_edges
        self.backend = backend
        self.kinds: dict[Any, int] = {}  # code object -> OUTSIDE / INSIDE / TRANSPARENT
        self.names: dict[Any, tuple[str, str, str, int, str]] = {}  # code -> (file, qualname, module, line, kind)
        self.hooks: dict[Any, str] = {}  # code of a hand-over function -> what it does
        self.silent: set[Any] = set()  # import machinery: walked through, never recorded as a call out
        self.edges: dict[tuple[Any, Any, int, Any], list[float]] = {}  # -> [count, seconds]
        self.dropped = 0
        self.handed: dict[int, Caller] = {}  # id(thread / work item) -> who handed it over
        self.tasks: dict[int, tuple[Any, Caller]] = {}  # id(coroutine frame) -> (its code, who made it a task)
        self.suspended: dict[int, list[float]] = {}  # id(frame) of a suspended generator -> its edge's row
        self.started = time.time()
        self.pid = os.getpid()
        self.version = 0  # bumped by every new edge, so unchanged tables are not rewritten
        self.written = -1
        self.lock = threading.Lock()

    # ---- naming ---------------------------------------------------------------------------------------------
    def classify(self, code: Any, module_globals: dict[str, Any]) -> int:
        filename = code.co_filename
        real = filename.startswith("<") or os.path.isabs(filename)  # "<frozen ...>", "<string>" stay as they are
        path = os.path.normcase(filename if real else os.path.join(self.cwd, filename))
        module = str(module_globals.get("__name__", ""))
        qualname = getattr(code, "co_qualname", code.co_name)
        inside = path.startswith(self.roots) and not path.startswith(self.excluded) and _is_source(path)
        if not inside:
            kind = OUTSIDE
            hook = _HANDOVER_STARTS.get((module, qualname))
            if hook is not None:
                self.hooks[code] = hook
            elif (module, qualname) in _HANDOVER_RUNS:
                self.hooks[code] = "run"
            elif (module, qualname) in _TASK_FACTORIES:
                self.hooks[code] = "task"
            if module in _MACHINERY:
                self.silent.add(code)
        elif code.co_name in _TRANSPARENT_NAMES:
            kind = TRANSPARENT
        elif not code.co_flags & _CO_OPTIMIZED and code.co_name != "<module>":
            kind = TRANSPARENT  # a class body: its calls belong to the enclosing scope
        else:
            kind = INSIDE
        label = "class" if kind == TRANSPARENT and code.co_name not in _TRANSPARENT_NAMES else "code"
        self.names[code] = (path, qualname, module, code.co_firstlineno, label)
        self.kinds[code] = kind
        return kind

    def row(self, key: tuple[Any, Any, int, Any]) -> list[float] | None:
        found = self.edges.get(key)
        if found is None:
            if len(self.edges) >= self.max_edges:
                self.dropped += 1
                return None
            found = self.edges[key] = [0, 0.0]
            self.version += 1
        return found

    # ---- callers --------------------------------------------------------------------------------------------
    def caller_of(self, back: Any, origin: Caller | None) -> Caller:
        """The nearest frame under the roots below ``back`` (inclusive), the line it is at, and what the call went
        through: None for a direct call, the first library function passed, or a hand-over (thread, task...)."""
        kinds = self.kinds
        via = None
        while back is not None:
            code = back.f_code
            kind = kinds.get(code)
            if kind is None:
                kind = self.classify(code, back.f_globals)
            if kind:
                return code, back.f_lineno, via
            if via is None:
                via = code
            back = back.f_back
        if origin is not None:
            return origin
        return None, 0, via

    def start_of(self, frame: Any, code: Any, origin: Caller | None) -> Caller:
        """Who called ``frame`` (a workspace function starting): a module body is run by an import; a coroutine
        started by a task is attributed to the code that created the task; otherwise :meth:`caller_of`."""
        if code.co_name == "<module>":
            return None, 0, "import"
        if code.co_flags & _SUSPENDABLE:
            task = self.tasks.pop(id(frame), None)
            if task is not None and task[0] is code:
                return task[1]
        return self.caller_of(frame.f_back, origin)

    def hand_over(self, frame: Any, what: str, state: _ThreadState) -> None:
        """At the start of a library function that hands work over: remember who handed it, for where it runs."""
        local = frame.f_locals
        if what == "run":  # a pool thread starts a work item: its calls belong to who submitted it
            handed = self.handed.pop(id(local.get("self")), None)
            if handed is not None:
                state.origin = handed
            return
        caller = self.caller_of(frame.f_back, state.origin)
        if caller[0] is None:
            return
        if what == "task":
            inner = getattr(local.get("coro"), "cr_frame", None)
            if inner is not None:
                self._bound(self.tasks)
                self.tasks[id(inner)] = (inner.f_code, (caller[0], caller[1], "task"))
            return
        target = local.get("self")
        if target is not None:
            self._bound(self.handed)
            self.handed[id(target)] = (caller[0], caller[1], what)

    def suspend(self, frame: Any, row: list[float]) -> None:
        """A generator or coroutine of ours yielded: its next resumption adds time to the same row."""
        if len(self.suspended) > 100_000:  # generators abandoned while suspended
            self.suspended.clear()
        self.suspended[id(frame)] = row

    @staticmethod
    def _bound(table: dict[int, Any]) -> None:
        if len(table) > 100_000:  # hand-overs that never ran (cancelled tasks): forget them all at once
            table.clear()

    # ---- output ---------------------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            edges = list(self.edges.items())
            names = dict(self.names)
        index: dict[Any, int] = {}
        codes: list[list[Any]] = []

        def ref(item: Any) -> Any:
            if item is None:
                return None
            if isinstance(item, str):
                return item
            found = index.get(item)
            if found is None:
                file, qualname, module, line, label = names.get(item) or _name_of_callable(item)
                found = index[item] = len(codes)
                codes.append([file, qualname, module, line, label])
            return found

        rows = [[ref(c), ref(e), line, ref(v), int(n), round(s, 9)] for (c, e, line, v), (n, s) in edges]
        return {
            "format": FORMAT,
            "version": 1,
            "pid": self.pid,
            "python": ".".join(map(str, sys.version_info[:3])),
            "backend": self.backend,
            "argv": list(sys.argv),
            "started": self.started,
            "seconds": time.time() - self.started,
            "dropped": self.dropped,
            "codes": codes,
            "edges": rows,
        }

    def write(self, final: bool = False) -> None:
        if self.version == self.written and not final:
            return
        version = self.version
        try:
            data = self.snapshot()
            path = os.path.join(self.out_dir, f"edges-{self.pid}.json")
            temp = f"{path}.{threading.get_ident()}.tmp"
            with open(temp, "w", encoding="utf-8") as out:
                json.dump(data, out, separators=(",", ":"))
            os.replace(temp, path)
            self.written = version
        except Exception as exc:  # noqa: BLE001 - the user's program must never fail because of the recorder
            sys.stderr.write(f"trace-advisor recorder: could not write the call table: {exc}\n")


def _is_source(path: str) -> bool:
    return path.endswith((".py", ".pyw")) and "site-packages" not in path and "dist-packages" not in path


def _name_of_callable(func: Any) -> tuple[str, str, str, int, str]:
    """A C function's or out-of-roots callable's import-path name: ``time:sleep``, ``builtins:list.append``."""
    qualname = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or type(func).__qualname__
    module = getattr(func, "__module__", None)
    if module is None and hasattr(func, "__objclass__"):  # a method descriptor: ``list.append``
        module = func.__objclass__.__module__
    if module is None:
        owner = getattr(func, "__self__", None)
        if isinstance(owner, types.ModuleType):
            module = owner.__name__
        elif owner is not None:
            module = type(owner).__module__
    return ("", str(qualname), str(module or "builtins"), 0, "c")


class _ThreadState:
    """Per-thread timing state (both backends): what is running, what is active (recursion), who started the thread."""

    def __init__(self, origin: Caller | None) -> None:
        self.origin = origin  # who started this thread (for code that runs with nothing of ours below it)
        self.active: dict[Any, int] = {}  # code -> activations on this thread's stack
        self.running: dict[Any, tuple[list[float] | None, Any, float]] = {}  # frame -> (row, code, start or -1)
        self.calling: dict[Any, tuple[list[float], float]] = {}  # caller frame -> (row, start) of a C call
        self.pending: dict[Any, tuple[list[float], float]] = {}  # caller frame -> library call being timed

    def run(self, frame: Any, code: Any, row: list[float] | None) -> None:
        """``frame`` of ``code`` starts or resumes; its time counts unless ``code`` is already active (recursion)."""
        depth = self.active.get(code, 0)
        self.active[code] = depth + 1
        self.running[frame] = (row, code, -1.0 if depth else time.perf_counter())

    def stop(self, frame: Any) -> list[float] | None:
        """``frame`` returns, yields or unwinds: its time is added to its row, which is returned."""
        entry = self.running.pop(frame, None)
        if entry is None:
            return None
        row, code, started = entry
        if row is not None and started >= 0:
            row[1] += time.perf_counter() - started
        depth = self.active.get(code, 1) - 1
        if depth:
            self.active[code] = depth
        else:
            self.active.pop(code, None)
        return row


def _resumed(frame: Any, code: Any) -> bool:
    """A generator or coroutine frame continuing after a yield or await (RESUME's argument is 0 only at its start)."""
    if not code.co_flags & _SUSPENDABLE:
        return False
    raw = code.co_code
    return bool(raw[frame.f_lasti] == _RESUME and raw[frame.f_lasti + 1] != 0)


def _yielded(frame: Any, code: Any) -> bool:
    return bool(code.co_flags & _SUSPENDABLE) and code.co_code[frame.f_lasti] == _YIELD


def _profile_hook(table: _Table, state: _ThreadState) -> Any:
    """The ``sys.setprofile`` hook of one thread (Python 3.11), a closure over local names: it runs on every call,
    return and C call of the process, so each attribute lookup saved counts."""
    kinds_get = table.kinds.get
    classify = table.classify
    start_of = table.start_of
    row_of = table.row
    hooks_get = table.hooks.get
    silent = table.silent
    running, calling = state.running, state.calling
    run, stop = state.run, state.stop
    perf = time.perf_counter

    def hook(frame: Any, event: str, arg: Any) -> None:
        code = frame.f_code
        kind = kinds_get(code)
        if kind is None:
            kind = classify(code, frame.f_globals)
        if event == "call":
            if kind == INSIDE:
                if _resumed(frame, code):
                    run(frame, code, table.suspended.pop(id(frame), None))
                    return
                caller, line, via = start_of(frame, code, state.origin)
            elif kind == OUTSIDE:
                hook_kind = hooks_get(code)
                if hook_kind is not None:
                    table.hand_over(frame, hook_kind, state)
                back = frame.f_back
                if back is None or code in silent or _resumed(frame, code):
                    return
                back_kind = kinds_get(back.f_code)
                if back_kind is None:
                    back_kind = classify(back.f_code, back.f_globals)
                if not back_kind:
                    return
                caller, line, via = back.f_code, back.f_lineno, None  # a first call out of the workspace
            else:
                return  # lambdas, comprehensions, class bodies: their calls belong to the enclosing function
            row = row_of((caller, code, line, via))
            if row is not None:
                row[0] += 1
            run(frame, code, row)
        elif event == "return":
            if running:
                row = stop(frame)
                if row is not None and kind == INSIDE and _yielded(frame, code):
                    table.suspend(frame, row)
        elif event == "c_call":
            if kind:
                row = row_of((code, _c_key(arg), frame.f_lineno, None))
                if row is not None:
                    row[0] += 1
                    calling[frame] = (row, perf())
        elif calling:  # c_return, c_exception
            started = calling.pop(frame, None)
            if started is not None:
                started[0][1] += perf() - started[1]

    return hook


def _c_key(func: Any) -> str:
    _, qualname, module, _, _ = _name_of_callable(func)
    return f"{module}:{qualname}"


class _Monitoring:
    """``sys.monitoring`` (Python >= 3.12). PY_START is global and disabled, location by location, where code outside
    the roots starts; returns, yields, resumptions and calls are enabled per code object, only for workspace code
    and for the library functions it calls (to time them)."""

    def __init__(self, table: _Table) -> None:
        self.table = table
        self.local = threading.local()
        self.mon: Any = sys.monitoring  # type: ignore[attr-defined,unused-ignore]
        events = self.mon.events
        self.events = events
        calls = events.CALL | events.C_RETURN | events.C_RAISE  # C_RETURN and C_RAISE come only with CALL
        self.inside_events = events.PY_RESUME | events.PY_RETURN | events.PY_YIELD | calls
        self.transparent_events = calls
        self.timed_events = events.PY_RETURN | events.PY_YIELD
        self.timed: set[Any] = set()  # library code objects whose returns are monitored
        self.tool = self._tool_id()

    def _tool_id(self) -> int:
        mon = self.mon
        for tool in (mon.PROFILER_ID, 3, 4, 5):
            if mon.get_tool(tool) is None:
                mon.use_tool_id(tool, "trace-advisor")
                return int(tool)
        raise RuntimeError("no free sys.monitoring tool id")

    def start(self) -> None:
        mon, events = self.mon, self.events
        callbacks = {
            events.PY_START: self.py_start,
            events.PY_RESUME: self.py_resume,
            events.PY_RETURN: self.py_return,
            events.PY_YIELD: self.py_return,
            events.PY_UNWIND: self.py_unwind,
            events.CALL: self.call,
            events.C_RETURN: self.c_return,
            events.C_RAISE: self.c_return,
        }
        for event, callback in callbacks.items():
            mon.register_callback(self.tool, event, callback)
        mon.set_events(self.tool, events.PY_START | events.PY_UNWIND)

    def stop(self) -> None:
        self.mon.set_events(self.tool, 0)
        for code in list(self.table.kinds):
            self.mon.set_local_events(self.tool, code, 0)
        self.mon.free_tool_id(self.tool)

    def _state(self) -> _ThreadState:
        state: _ThreadState | None = getattr(self.local, "state", None)
        if state is None:
            state = self.local.state = _ThreadState(_thread_origin(self.table))
        return state

    def _kind(self, code: Any, module_globals: dict[str, Any]) -> int:
        kind = self.table.kinds.get(code)
        if kind is None:
            kind = self.table.classify(code, module_globals)
            if kind:
                local = self.inside_events if kind == INSIDE else self.transparent_events
                self.mon.set_local_events(self.tool, code, local)
        return kind

    def py_start(self, code: Any, offset: int) -> Any:
        frame = sys._getframe(1)
        kind = self._kind(code, frame.f_globals)
        if kind == INSIDE:
            table, state = self.table, self._state()
            caller, line, via = table.start_of(frame, code, state.origin)
            row = table.row((caller, code, line, via))
            if row is not None:
                row[0] += 1
            state.run(frame, code, row)
            return None
        if kind == OUTSIDE:
            hook = self.table.hooks.get(code)
            if hook is not None:
                self.table.hand_over(frame, hook, self._state())
                return None
        return self.mon.DISABLE

    def py_resume(self, code: Any, offset: int) -> Any:
        if self.table.kinds.get(code) == INSIDE:
            frame = sys._getframe(1)
            self._state().run(frame, code, self.table.suspended.pop(id(frame), None))
        return None

    def py_return(self, code: Any, offset: int, value: Any) -> Any:
        frame = sys._getframe(1)
        self._stop(code, frame, offset, suspended=self.table.kinds.get(code) == INSIDE and _yielded(frame, code))
        return None

    def py_unwind(self, code: Any, offset: int, exc: BaseException) -> None:
        if code in self.timed or self.table.kinds.get(code) == INSIDE:
            self._stop(code, sys._getframe(1), offset, suspended=False)

    def _stop(self, code: Any, frame: Any, offset: int, suspended: bool) -> None:
        state = self._state()
        if code in self.timed:
            back = frame.f_back
            pending = state.pending.pop(back, None) if back is not None else None
            if pending is not None:
                pending[0][1] += time.perf_counter() - pending[1]
            return
        row = state.stop(frame)
        if suspended and row is not None:
            self.table.suspend(frame, row)

    def call(self, code: Any, offset: int, func: Any, arg0: Any) -> Any:
        frame = sys._getframe(1)
        table = self.table
        if isinstance(func, _BUILTIN_CALLABLES):
            row = table.row((code, _c_key(func), frame.f_lineno, None))
            if row is not None:
                row[0] += 1
                self._state().calling[frame] = (row, time.perf_counter())
            return None
        if isinstance(func, type):
            func = getattr(func, "__init__", None)  # a class call runs its __init__ (as with setprofile)
        target = getattr(func, "__code__", None)
        if target is None:
            return None
        kind = table.kinds.get(target)
        if kind is None:
            kind = self._kind(target, getattr(func, "__globals__", {}))
        if kind or target in table.silent:
            return None  # workspace code (recorded where it starts) or the import machinery
        row = table.row((code, target, frame.f_lineno, None))
        if row is not None:
            row[0] += 1
            if target not in self.timed:
                self.timed.add(target)
                self.mon.set_local_events(self.tool, target, self.timed_events)
            self._state().pending[frame] = (row, time.perf_counter())
        return None

    def c_return(self, code: Any, offset: int, func: Any, arg0: Any) -> Any:
        started = self._state().calling.pop(sys._getframe(1), None)
        if started is not None:
            started[0][1] += time.perf_counter() - started[1]
        return None


_BUILTIN_CALLABLES = (types.BuiltinFunctionType, types.MethodDescriptorType, types.ClassMethodDescriptorType)


def _thread_origin(table: _Table) -> Caller | None:
    """Who started the current thread (``Thread.start`` was called from workspace code), if anyone."""
    handed = table.handed.pop(id(threading.current_thread()), None)
    return handed


class _Session:
    """What ``install`` sets up in one process: the table, the hooks, the writer thread, fork and exit handling."""

    def __init__(self, roots: list[str], out_dir: str, max_edges: int, backend: str, flush: float) -> None:
        self.table = _Table(roots, out_dir, max_edges, backend)
        self.flush = flush
        self.monitoring: _Monitoring | None = None
        self.stopped = threading.Event()

    def start(self) -> None:
        if self.table.backend == "monitoring":
            self.monitoring = _Monitoring(self.table)
            self.monitoring.start()
        else:
            threading.setprofile(self._thread_hook)
            sys.setprofile(_profile_hook(self.table, _ThreadState(None)))
        self._start_writer()
        atexit.register(self.finish)
        os.register_at_fork(after_in_child=self._forked)

    def _thread_hook(self, frame: Any, event: str, arg: Any) -> None:
        """The first profile event of a new thread: install that thread's own hook, then handle the event."""
        hook = _profile_hook(self.table, _ThreadState(_thread_origin(self.table)))
        sys.setprofile(hook)
        hook(frame, event, arg)

    def _start_writer(self) -> None:
        thread = threading.Thread(target=self._write_periodically, name="trace-advisor-recorder", daemon=True)
        thread.start()

    def _write_periodically(self) -> None:
        if self.monitoring is None:
            sys.setprofile(None)  # this thread is ours: not recorded
        while not self.stopped.wait(self.flush):
            self.table.write()

    def _forked(self) -> None:
        """In a forked child: a fresh table (the parent writes its own) and a new writer thread."""
        table = self.table
        table.edges = {}
        table.pid = os.getpid()
        table.dropped = 0
        table.version, table.written = 0, -1
        table.lock = threading.Lock()
        table.started = time.time()
        self.stopped = threading.Event()
        self._start_writer()

    def finish(self) -> None:
        self.stopped.set()
        if self.monitoring is not None:
            self.monitoring.stop()
        else:
            sys.setprofile(None)
            threading.setprofile(None)
        self.table.write(final=True)


def install_from_environment() -> bool:
    """Start recording when the runner's environment variables are set (called by the generated sitecustomize)."""
    out_dir = os.environ.get(ENV_DIR)
    roots = [r for r in os.environ.get(ENV_ROOTS, "").split(os.pathsep) if r]
    if not out_dir or not roots:
        return False
    backend = os.environ.get(ENV_BACKEND) or ("monitoring" if sys.version_info >= (3, 12) else "setprofile")
    if backend == "monitoring" and sys.version_info < (3, 12):
        backend = "setprofile"
    _Session(
        roots, out_dir, _number(ENV_MAX_EDGES, DEFAULT_MAX_EDGES), backend, _number(ENV_FLUSH, FLUSH_SECONDS)
    ).start()
    return True


def _number(name: str, default: float) -> Any:
    try:
        value = type(default)(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default

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

Caller = tuple[Any, int, Any]  # (caller code or None, its instruction offset, via: code, hand-over or None)
# builtins worth an edge of their own (the others, len, isinstance, str and list methods..., are not recorded)
_RECORDED_BUILTINS = frozenset({"print", "input", "open", "exec", "eval", "__import__"})


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
        self.overflow = [0, 0.0]  # where calls go once the table is full (never written out)
        self.c_names: dict[Any, str | None] = {}  # C callable (or its type and name) -> its name, None: not recorded
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

    def row(self, key: tuple[Any, Any, int, Any]) -> list[float]:
        """The table row of ``key`` (callers look it up first: this adds it)."""
        found = self.edges.get(key)
        if found is None:
            if len(self.edges) >= self.max_edges:
                self.dropped += 1
                return self.overflow
            found = self.edges[key] = [0, 0.0]
            self.version += 1
        return found

    def c_name(self, func: Any) -> str | None:
        """``module:qualname`` of a C callable, or None for the builtins that are not recorded."""
        owner = getattr(func, "__self__", None)
        key = func if owner is None or type(owner) is types.ModuleType else (type(owner), func.__name__)
        try:
            return self.c_names[key]
        except KeyError:
            pass
        _, qualname, module, _, _ = _name_of_callable(func)
        name = None if module == "builtins" and qualname not in _RECORDED_BUILTINS else f"{module}:{qualname}"
        self.c_names[key] = name
        return name

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
                return code, back.f_lasti, via
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

        lines: dict[Any, list[int | None]] = {}

        def line_at(code: Any, offset: int) -> int:
            if code is None or isinstance(code, str):
                return 0
            found = lines.get(code)
            if found is None:
                found = lines[code] = [position[0] for position in code.co_positions()]
            at = offset // 2  # one position per 2-byte code unit
            return (found[at] if 0 <= at < len(found) else None) or int(code.co_firstlineno)

        rows = [
            [ref(c), ref(e), line_at(c, offset), ref(v), int(n), round(s, 9)] for (c, e, offset, v), (n, s) in edges
        ]
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
        self.running: dict[Any, tuple[list[float], Any, float]] = {}  # frame -> (row, code, start or -1)
        self.calling: list[tuple[Any, int, list[float], float]] = []  # C calls: (code, offset, row, start)
        self.pending: dict[Any, tuple[list[float], float]] = {}  # caller frame -> library call being timed

    def run(self, frame: Any, code: Any, row: list[float]) -> None:
        """``frame`` of ``code`` starts or resumes; its time counts unless ``code`` is already active (recursion)."""
        active = self.active
        depth = active.get(code, 0)
        active[code] = depth + 1
        self.running[frame] = (row, code, -1.0 if depth else _perf())

    def stop(self, frame: Any) -> list[float] | None:
        """``frame`` returns, yields or unwinds: its time is added to its row, which is returned."""
        entry = self.running.pop(frame, None)
        if entry is None:
            return None
        row, code, started = entry
        if started >= 0:
            row[1] += _perf() - started
        active = self.active
        depth = active[code] - 1
        if depth:
            active[code] = depth
        else:
            del active[code]
        return row

    def c_return(self, code: Any, offset: int) -> None:
        calling = self.calling
        if calling:
            top = calling[-1]
            if top[0] is code and top[1] == offset:
                calling.pop()
                top[2][1] += _perf() - top[3]


_perf = time.perf_counter


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
    edges_get = table.edges.get
    new_row = table.row
    hooks_get = table.hooks.get
    c_name = table.c_name
    silent = table.silent
    running, calling = state.running, state.calling
    run, stop = state.run, state.stop
    perf = _perf

    def hook(frame: Any, event: str, arg: Any) -> None:
        code = frame.f_code
        kind = kinds_get(code)
        if kind is None:
            kind = classify(code, frame.f_globals)
        if event == "call":
            if kind == INSIDE:
                flags = code.co_flags
                back = frame.f_back
                if flags & _SUSPENDABLE or not flags & _CO_OPTIMIZED:  # generators, coroutines, module bodies
                    if _resumed(frame, code):
                        run(frame, code, table.suspended.pop(id(frame), table.overflow))
                        return
                    caller = start_of(frame, code, state.origin)
                    key = (caller[0], code, caller[1], caller[2])
                elif back is not None and kinds_get(back.f_code):
                    key = (back.f_code, code, back.f_lasti, None)
                else:
                    caller = table.caller_of(back, state.origin)
                    key = (caller[0], code, caller[1], caller[2])
            elif kind == OUTSIDE:
                hook_kind = hooks_get(code)
                if hook_kind is not None:
                    table.hand_over(frame, hook_kind, state)
                back = frame.f_back
                if back is None or code in silent or (code.co_flags & _SUSPENDABLE and _resumed(frame, code)):
                    return
                back_kind = kinds_get(back.f_code)
                if back_kind is None:
                    back_kind = classify(back.f_code, back.f_globals)
                if not back_kind:
                    return
                key = (back.f_code, code, back.f_lasti, None)  # a first call out of the workspace
            else:
                return  # lambdas, comprehensions, class bodies: their calls belong to the enclosing function
            row = edges_get(key)
            if row is None:
                row = new_row(key)
            row[0] += 1
            run(frame, code, row)
        elif event == "return":
            if running:
                row = stop(frame)
                if row is not None and kind == INSIDE and code.co_flags & _SUSPENDABLE and _yielded(frame, code):
                    table.suspend(frame, row)
        elif event == "c_call":
            if kind:
                name = c_name(arg)
                if name is not None:
                    offset = frame.f_lasti
                    key = (code, name, offset, None)
                    row = edges_get(key)
                    if row is None:
                        row = new_row(key)
                    row[0] += 1
                    calling.append((code, offset, row, perf()))
        elif calling:  # c_return, c_exception
            state.c_return(code, frame.f_lasti)

    return hook


_BUILTIN_CALLABLES = (types.BuiltinFunctionType, types.MethodDescriptorType, types.ClassMethodDescriptorType)


class _Monitoring:
    """``sys.monitoring`` (Python >= 3.12). PY_START is global and disabled, location by location, where code outside
    the roots starts; returns, yields, resumptions and calls are enabled per code object, only for workspace code
    and for the library functions it calls (to time them). A call site whose callee is workspace code (recorded
    where it starts) or a builtin that is not recorded is disabled after its first call."""

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
            events.PY_START: self._py_start(),
            events.PY_RESUME: self.py_resume,
            events.PY_RETURN: self._py_return(),
            events.PY_YIELD: self.py_yield,
            events.PY_UNWIND: self.py_unwind,
            events.CALL: self._call(),
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
        try:
            state: _ThreadState = self.local.state
        except AttributeError:
            state = self.local.state = _ThreadState(_thread_origin(self.table))
        return state

    def _classify(self, code: Any, module_globals: dict[str, Any]) -> int:
        kind = self.table.classify(code, module_globals)
        if kind:
            local = self.inside_events if kind == INSIDE else self.transparent_events
            self.mon.set_local_events(self.tool, code, local)
        return kind

    def _py_start(self) -> Any:
        table, local, state_of = self.table, self.local, self._state
        kinds_get, edges_get, new_row = table.kinds.get, table.edges.get, table.row
        disable, getframe = self.mon.DISABLE, sys._getframe

        def py_start(code: Any, offset: int) -> Any:
            kind = kinds_get(code)
            if kind != INSIDE:
                if kind is None:
                    kind = self._classify(code, getframe(1).f_globals)
                if kind != INSIDE:
                    hook = table.hooks.get(code) if kind == OUTSIDE else None
                    if hook is None:
                        return disable
                    table.hand_over(getframe(1), hook, state_of())
                    return None
            frame = getframe(1)
            try:
                state = local.state
            except AttributeError:
                state = state_of()
            back = frame.f_back
            flags = code.co_flags
            if flags & _SUSPENDABLE or not flags & _CO_OPTIMIZED:  # generators, coroutines, module bodies
                caller = table.start_of(frame, code, state.origin)
                key = (caller[0], code, caller[1], caller[2])
            elif back is not None and kinds_get(back.f_code):
                key = (back.f_code, code, back.f_lasti, None)
            else:
                caller = table.caller_of(back, state.origin)
                key = (caller[0], code, caller[1], caller[2])
            row = edges_get(key)
            if row is None:
                row = new_row(key)
            row[0] += 1
            state.run(frame, code, row)
            return None

        return py_start

    def py_resume(self, code: Any, offset: int) -> Any:
        if self.table.kinds.get(code) == INSIDE:
            frame = sys._getframe(1)
            self._state().run(frame, code, self.table.suspended.pop(id(frame), self.table.overflow))
        return None

    def _py_return(self) -> Any:
        local, state_of, timed, getframe = self.local, self._state, self.timed, sys._getframe

        def py_return(code: Any, offset: int, value: Any) -> Any:
            try:
                state = local.state
            except AttributeError:
                state = state_of()
            frame = getframe(1)
            if state.stop(frame) is None and code in timed:
                self._library_returned(state, frame)
            return None

        return py_return

    def py_yield(self, code: Any, offset: int, value: Any) -> Any:
        frame = sys._getframe(1)
        state = self._state()
        row = state.stop(frame)
        if row is not None:
            self.table.suspend(frame, row)
        elif code in self.timed:
            self._library_returned(state, frame)
        return None

    def py_unwind(self, code: Any, offset: int, exc: BaseException) -> None:
        if code in self.timed or self.table.kinds.get(code) == INSIDE:  # cannot be disabled: exceptions only
            frame = sys._getframe(1)
            state = self._state()
            if state.stop(frame) is None and code in self.timed:
                self._library_returned(state, frame)

    @staticmethod
    def _library_returned(state: _ThreadState, frame: Any) -> None:
        back = frame.f_back
        pending = state.pending.pop(back, None) if back is not None else None
        if pending is not None:
            pending[0][1] += _perf() - pending[1]

    def _call(self) -> Any:
        table, local, state_of = self.table, self.local, self._state
        kinds_get, edges_get, new_row, c_name = table.kinds.get, table.edges.get, table.row, table.c_name
        disable, getframe = self.mon.DISABLE, sys._getframe
        builtin_types = _BUILTIN_CALLABLES

        def call(code: Any, offset: int, func: Any, arg0: Any) -> Any:
            if type(func) in builtin_types:
                name = c_name(func)
                if name is None:
                    return disable  # len, isinstance, str methods...: not recorded
                key = (code, name, offset, None)
                row = edges_get(key)
                if row is None:
                    row = new_row(key)
                row[0] += 1
                try:
                    state = local.state
                except AttributeError:
                    state = state_of()
                state.calling.append((code, offset, row, _perf()))
                return None
            if isinstance(func, type):
                func = getattr(func, "__init__", None)  # a class call runs its __init__ (as with setprofile)
            target = getattr(func, "__code__", None)
            if target is None:
                return None
            kind = kinds_get(target)
            if kind is None:
                kind = self._classify(target, getattr(func, "__globals__", {}))
            if kind or target in table.silent:
                return disable  # workspace code (recorded where it starts) or the import machinery
            key = (code, target, offset, None)
            row = edges_get(key)
            if row is None:
                row = new_row(key)
            row[0] += 1
            if target not in self.timed:
                self.timed.add(target)
                self.mon.set_local_events(self.tool, target, self.timed_events)
            state_of().pending[getframe(1)] = (row, _perf())
            return None

        return call

    def c_return(self, code: Any, offset: int, func: Any, arg0: Any) -> Any:
        try:
            state: _ThreadState = self.local.state
        except AttributeError:
            return None
        state.c_return(code, offset)
        return None


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

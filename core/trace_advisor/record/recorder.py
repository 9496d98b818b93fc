"""The recorder that runs inside the user's process: an edge table of the calls that really happen.

This module is copied next to a generated ``sitecustomize.py`` and imported by the user's interpreter, so it uses the
standard library only and never imports ``trace_advisor``. It keeps, per process, one row per (caller, callee, call
site, via) with a call count and the cumulative seconds spent in the callee: memory grows with the number of distinct
edges, never with the length of the run. Callers and callees are functions under the workspace roots; a call from them
into code outside the roots (the standard library, site-packages, C functions other than trivial builtins) is
recorded as their first call outside.

Callers are found by walking the frame stack down to the nearest frame under the roots, so callbacks that pass
through library code (plugin registries, framework dispatch, ``getattr``, decorators' wrappers) are attributed to the
workspace function that made them. Work handed to a thread, an executor or an asyncio task is attributed to the
function that handed it over (``via`` says how). Generators and coroutines count one call per instance (their first
start).

Calls are counted exactly, as they start: ``sys.monitoring`` on Python >= 3.12 (events are disabled where code
outside the roots runs, and at call sites whose callee is workspace code), ``sys.setprofile`` and
``threading.setprofile`` on 3.11. Time is sampled: every couple of milliseconds a thread of the recorder looks at
every thread's stack and adds the time since its last look to each edge on it (once per edge, so recursion is not
counted twice; a suspended generator is on no stack). Cumulative times are therefore exact for hot edges and
statistical for edges that take less than a sampling period in all. No event fires when a function returns, which
is most of what keeps the overhead down.

The table is written as JSON at exit, every few seconds while the process runs (so a process killed or ended with
``os._exit`` keeps what it recorded), and after ``fork`` each child writes its own file.
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
import weakref
from typing import Any

ENV_DIR = "TRACE_ADVISOR_RECORD_DIR"  # where each process writes edges-<pid>.json
ENV_ROOTS = "TRACE_ADVISOR_RECORD_ROOTS"  # os.pathsep-separated workspace roots
ENV_MAX_EDGES = "TRACE_ADVISOR_RECORD_MAX_EDGES"
ENV_BACKEND = "TRACE_ADVISOR_RECORD_BACKEND"  # "monitoring" | "setprofile" (default: the best available)
ENV_FLUSH = "TRACE_ADVISOR_RECORD_FLUSH_SECONDS"  # how often a running process rewrites its table
ENV_SAMPLE = "TRACE_ADVISOR_RECORD_SAMPLE_SECONDS"  # how often stacks are sampled for time
FORMAT = "trace-advisor-process-edges"
DEFAULT_MAX_EDGES = 200_000
FLUSH_SECONDS = 5.0
SAMPLE_SECONDS = 0.002

OUTSIDE, INSIDE, TRANSPARENT = 0, 1, 2
# code objects whose calls are not edges of their own: their calls belong to the enclosing function (a lambda is a
# node of the static graph: its code is named with the line it starts on, ``recording.py`` finds which lambda)
_TRANSPARENT_NAMES = frozenset({"<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"})
_CO_OPTIMIZED = 0x1
_SUSPENDABLE = 0x20 | 0x80 | 0x100 | 0x200  # generator, coroutine, iterable coroutine, async generator
_PLAIN_MASK = _SUSPENDABLE | _CO_OPTIMIZED  # flags & _PLAIN_MASK == _CO_OPTIMIZED: a plain function
_RESUME = dis.opmap["RESUME"] if "RESUME" in dis.opmap else -1
# PEP 695 (Python 3.12+): type parameters are made in a hidden function, ``<generic parameters of f>``, run where the
# definition is; a ``type`` alias's value and a type parameter's bound, constraints and default are functions run
# lazily, when something reads them. None of them is a function of the static graph: their calls belong to the
# scope that holds them. The lazy ones are named after the alias or parameter, so they are found by how their
# holder hands them to the interpreter: straight into one of these intrinsics.
_GENERIC_SCOPE = "<generic parameters of "
_INTRINSICS = {dis.opmap[op] for op in ("CALL_INTRINSIC_1", "CALL_INTRINSIC_2") if op in dis.opmap}
_LAZY_INTRINSICS = frozenset(
    {
        "INTRINSIC_TYPEALIAS",
        "INTRINSIC_TYPEVAR_WITH_BOUND",
        "INTRINSIC_TYPEVAR_WITH_CONSTRAINTS",
        "INTRINSIC_SET_TYPEPARAM_DEFAULT",
    }
)
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

Caller = tuple[int | None, int, int | str | None]
EdgeKey = tuple[
    int | None, int | str, int, int | str | None
]  # (caller, callee, offset, via): see _Table.edges  # (id(caller code) or None, its offset, via: id(code), hand-over)
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
        # Code objects are known by id(): hashing one hashes its bytecode and constants (microseconds for a long
        # function on 3.12), which made most of the overhead. Every code object looked at is kept alive in
        # ``codes``, so its id is never reused by another.
        self.codes: dict[int, Any] = {}  # id(code) -> code
        self.kinds: dict[int, int] = {}  # id(code) -> OUTSIDE / INSIDE / TRANSPARENT
        self.names: dict[int, tuple[str, str, str, int, str]] = {}  # id(code) -> (file, qualname, module, line, kind)
        self.hooks: dict[int, str] = {}  # id(code) of a hand-over function -> what it does
        self.silent: set[int] = set()  # ids of the import machinery: walked through, never recorded as a call out
        self.lazy_scopes: set[int] = set()  # ids of PEP 695 lazily evaluated scopes found in workspace code
        # (id(caller code) or None, id(callee code) or a C function's name, offset, via) -> [count, seconds]; via
        # is None, id(code) of the library function the call went through, or a hand-over ("thread", "task"...)
        self.edges: dict[EdgeKey, list[float]] = {}
        self.overflow = [0, 0.0]  # where calls go once the table is full (never written out)
        self.c_names: dict[Any, str | None] = {}  # C callable (or its type and name) -> its name, None: not recorded
        self.c_sites: dict[tuple[Any, int], list[float]] = {}  # (id(code), offset) of a C call -> its row (sampling)
        self.started_rows: dict[int, list[float]] = {}  # id(frame) of a generator or coroutine -> its row
        self.dropped = 0
        self.handed: dict[int, Caller] = {}  # id(thread / work item) -> who handed it over
        self.tasks: dict[int, tuple[int, Caller]] = {}  # id(coroutine frame) -> (id(its code), who made it a task)
        self.origins: weakref.WeakKeyDictionary[threading.Thread, Caller | None] = weakref.WeakKeyDictionary()
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
        key = id(code)
        self.codes[key] = code
        inside = path.startswith(self.roots) and not path.startswith(self.excluded) and _is_source(path)
        if not inside:
            kind = OUTSIDE
            hook = _HANDOVER_STARTS.get((module, qualname))
            if hook is not None:
                self.hooks[key] = hook
            elif (module, qualname) in _HANDOVER_RUNS:
                self.hooks[key] = "run"
            elif (module, qualname) in _TASK_FACTORIES:
                self.hooks[key] = "task"
            if module in _MACHINERY:
                self.silent.add(key)
        elif code.co_name in _TRANSPARENT_NAMES or code.co_name.startswith(_GENERIC_SCOPE) or key in self.lazy_scopes:
            kind = TRANSPARENT
        elif not code.co_flags & _CO_OPTIMIZED and code.co_name != "<module>":
            kind = TRANSPARENT  # a class body: its calls belong to the enclosing scope
        else:
            kind = INSIDE
        if kind != OUTSIDE and _INTRINSICS:
            for scope in _lazy_scopes(code):
                self.codes[id(scope)] = scope  # kept alive: its id stays its own
                self.lazy_scopes.add(id(scope))
        label = "class" if kind == TRANSPARENT and code.co_name not in _TRANSPARENT_NAMES else "code"
        self.names[key] = (path, qualname, module, code.co_firstlineno, label)
        self.kinds[key] = kind
        return kind

    def kind_of(self, frame: Any) -> int:
        kind = self.kinds.get(id(frame.f_code))
        return self.classify(frame.f_code, frame.f_globals) if kind is None else kind

    def row(self, key: tuple[Any, Any, int, Any]) -> list[float]:
        """The table row of ``key`` (callers look it up first: this adds it)."""
        found = self.edges.get(key)
        if found is None:
            if len(self.edges) >= self.max_edges:
                self.dropped += 1
                return self.overflow
            found = self.edges[key] = [0, 0.0]
            if isinstance(key[1], str):  # a C function: the sampler finds it by its call site
                self.c_sites[key[0], key[2]] = found
            self.version += 1
        return found

    def c_name(self, func: Any) -> str | None:
        """``module:qualname`` of a C callable, or None for the builtins that are not recorded."""
        owner = getattr(func, "__self__", None)
        key = func if owner is None or type(owner) is types.ModuleType else (type(owner), func.__name__)
        try:
            return self.c_names[key]
        except (KeyError, TypeError):
            pass
        _, qualname, module, _, _ = _name_of_callable(func)
        name = None if module == "builtins" and qualname not in _RECORDED_BUILTINS else f"{module}:{qualname}"
        try:
            self.c_names[key] = name
        except TypeError:  # an unhashable callable
            pass
        return name

    # ---- callers --------------------------------------------------------------------------------------------
    def origin(self) -> Caller | None:
        """Who started the current thread (``Thread.start`` called from workspace code), or who submitted the
        work item a pool thread is running."""
        thread = threading.current_thread()
        try:
            return self.origins[thread]
        except KeyError:
            found = self.origins[thread] = self.handed.pop(id(thread), None)
            return found

    def caller_of(self, back: Any) -> Caller:
        """The nearest frame under the roots below ``back`` (inclusive), its instruction offset, and what the call
        went through: None for a direct call, the first library function passed, or a hand-over (thread, task...)."""
        via = None
        while back is not None:
            if self.kind_of(back):
                return id(back.f_code), back.f_lasti, via
            if via is None:
                via = id(back.f_code)
            back = back.f_back
        origin = self.origin()
        return origin if origin is not None else (None, 0, via)

    def start(self, frame: Any, code: Any) -> list[float]:
        """Count a workspace function starting in ``frame``; returns its row."""
        flags = code.co_flags
        callee = id(code)
        if not flags & _CO_OPTIMIZED:  # a module body, run by an import
            key: tuple[Any, Any, int, Any] = (None, callee, 0, "import")
        elif flags & _SUSPENDABLE:
            task = self.tasks.pop(id(frame), None)
            if task is not None and task[0] == callee:
                caller = task[1]  # a coroutine started by a task: who created the task
            else:
                caller = self.caller_of(frame.f_back)
            key = (caller[0], callee, caller[1], caller[2])
        else:
            back = frame.f_back
            if back is not None and self.kind_of(back):
                key = (id(back.f_code), callee, back.f_lasti, None)
            else:
                caller = self.caller_of(back)
                key = (caller[0], callee, caller[1], caller[2])
        row = self.edges.get(key)
        if row is None:
            row = self.row(key)
        row[0] += 1
        if flags & _SUSPENDABLE:  # the sampler finds a resumed generator's row by its frame
            if len(self.started_rows) > 100_000:  # generators abandoned before they finished
                self.started_rows.clear()
            self.started_rows[id(frame)] = row
        return row

    def hand_over(self, frame: Any, what: str) -> None:
        """At the start of a library function that hands work over: remember who handed it, for where it runs."""
        local = frame.f_locals
        if what == "run":  # a pool thread starts a work item: its calls belong to who submitted it
            handed = self.handed.pop(id(local.get("self")), None)
            if handed is not None:
                self.origins[threading.current_thread()] = handed
            return
        caller = self.caller_of(frame.f_back)
        if caller[0] is None:
            return
        if what == "task":
            inner = getattr(local.get("coro"), "cr_frame", None)
            if inner is not None:
                self._bound(self.tasks)
                self.tasks[id(inner)] = (id(inner.f_code), (caller[0], caller[1], "task"))
            return
        target = local.get("self")
        if target is not None:
            self._bound(self.handed)
            self.handed[id(target)] = (caller[0], caller[1], what)

    @staticmethod
    def _bound(table: dict[int, Any]) -> None:
        if len(table) > 100_000:  # hand-overs that never ran (cancelled tasks): forget them all at once
            table.clear()

    # ---- time -----------------------------------------------------------------------------------------------
    def sample(self, elapsed: float, skip: int) -> None:
        """Add ``elapsed`` seconds to every edge on every thread's stack (but thread ``skip``'s): each workspace
        function's edge (found as when it started), the first call out above it, and the C call the innermost
        workspace frame is in. An edge on a stack twice (recursion) gets the time once."""
        threads = {t.ident: t for t in threading.enumerate()}
        edges, kinds = self.edges, self.kinds
        for ident, top in sys._current_frames().items():
            if ident == skip:
                continue
            stack = []
            frame: Any = top
            while frame is not None:
                stack.append(frame)
                frame = frame.f_back
            thread = threads.get(ident)
            origin = self.origins.get(thread) if thread is not None else None
            seen: set[int] = set()
            below: Any = None  # the nearest workspace frame below the current one
            previous: Any = None  # the frame directly below the current one
            previous_kind = OUTSIDE
            for frame in reversed(stack):
                code = frame.f_code
                callee = id(code)
                kind = kinds.get(callee, OUTSIDE)
                row = None
                if kind == INSIDE:
                    flags = code.co_flags
                    if not flags & _CO_OPTIMIZED:
                        row = edges.get((None, callee, 0, "import"))
                    elif flags & _SUSPENDABLE:
                        row = self.started_rows.get(id(frame))
                    elif previous_kind:
                        row = edges.get((id(previous.f_code), callee, previous.f_lasti, None))
                    else:
                        via = id(previous.f_code) if previous is not None else None
                        if below is not None:
                            row = edges.get((id(below.f_code), callee, below.f_lasti, via))
                        elif origin is not None:
                            row = edges.get((origin[0], callee, origin[1], origin[2]))
                        else:
                            row = edges.get((None, callee, 0, via))
                elif kind == OUTSIDE and previous_kind:  # a first call out of the workspace
                    row = edges.get((id(previous.f_code), callee, previous.f_lasti, None))
                if row is not None and id(row) not in seen:
                    seen.add(id(row))
                    row[1] += elapsed
                if kind:
                    below = frame
                previous, previous_kind = frame, kind
            if previous_kind:  # the innermost frame is ours: it may be waiting for a C function
                row = self.c_sites.get((id(previous.f_code), previous.f_lasti))
                if row is not None and id(row) not in seen:
                    row[1] += elapsed

    # ---- output ---------------------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            edges = list(self.edges.items())
            names = dict(self.names)
            code_of = dict(self.codes)
        index: dict[Any, int] = {}
        codes: list[list[Any]] = []

        def ref(item: Any) -> Any:
            if item is None:
                return None
            if isinstance(item, str):
                return item
            found = index.get(item)
            if found is None:
                file, qualname, module, line, label = names.get(item, ("", "<unknown>", "", 0, "code"))
                found = index[item] = len(codes)
                codes.append([file, qualname, module, line, label])
            return found

        lines: dict[Any, list[int | None]] = {}

        def line_at(key: Any, offset: int) -> int:
            code = code_of.get(key) if isinstance(key, int) else None
            if code is None:
                return 0
            found = lines.get(key)
            if found is None:
                found = lines[key] = [position[0] for position in code.co_positions()]
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


def _lazy_scopes(code: Any) -> list[Any]:
    """The code objects ``code`` turns into a lazily evaluated ``type`` alias value or type parameter bound,
    constraints or default (PEP 695): made into a function that goes straight into one of ``_LAZY_INTRINSICS``."""
    if not any(type(const) is types.CodeType for const in code.co_consts):
        return []
    if not _INTRINSICS.intersection(code.co_code[::2]):
        return []
    found, pending = [], None
    for instruction in dis.get_instructions(code):
        if instruction.opname == "LOAD_CONST" and type(instruction.argval) is types.CodeType:
            pending = instruction.argval
        elif instruction.opname in ("MAKE_FUNCTION", "SET_FUNCTION_ATTRIBUTE", "BUILD_TUPLE"):
            continue  # still making the function (and the alias's arguments)
        else:
            if pending is not None and instruction.argrepr in _LAZY_INTRINSICS:
                found.append(pending)
            pending = None
    return found


def _is_source(path: str) -> bool:
    return path.endswith((".py", ".pyw")) and "site-packages" not in path and "dist-packages" not in path


_C_METHODS = (types.MethodDescriptorType, types.WrapperDescriptorType, types.ClassMethodDescriptorType)


def _name_of_callable(func: Any) -> tuple[str, str, str, int, str]:
    """A C function's or out-of-roots callable's import-path name: ``time:sleep``, ``builtins:list.append``."""
    owner = getattr(func, "__self__", None)
    if isinstance(func, types.BuiltinMethodType) and not isinstance(owner, types.ModuleType | type | None):
        # CPython names a bound C method by its object's class (``super().write`` in a subclass of ``io.StringIO``
        # is ``Buffer.write``): the class that defines it in C names it, as the static graph does
        name = func.__name__
        for cls in type(owner).__mro__:
            if isinstance(cls.__dict__.get(name), _C_METHODS):
                return ("", f"{cls.__qualname__}.{name}", str(cls.__module__), 0, "c")
    qualname = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or type(func).__qualname__
    module = getattr(func, "__module__", None)
    if module is None and hasattr(func, "__objclass__"):  # a method descriptor: ``list.append``
        module = func.__objclass__.__module__
    if module is None:
        if isinstance(owner, types.ModuleType):
            module = owner.__name__
        elif owner is not None:
            module = type(owner).__module__
    return ("", str(qualname), str(module or "builtins"), 0, "c")


def _resumed(frame: Any, code: Any) -> bool:
    """A generator or coroutine frame continuing after a yield or await (RESUME's argument is 0 only at its start)."""
    raw = code.co_code
    return bool(raw[frame.f_lasti] == _RESUME and raw[frame.f_lasti + 1] != 0)


def _profile_hook(table: _Table) -> Any:
    """The ``sys.setprofile`` hook (Python 3.11), a closure over local names: it runs on every call, return and C
    call of the process, so each attribute lookup saved counts. Returns are not looked at: time is sampled."""
    kinds_get = table.kinds.get
    classify = table.classify
    start = table.start
    edges_get = table.edges.get
    new_row = table.row
    hooks_get = table.hooks.get
    c_name, c_names = table.c_name, table.c_names
    silent = table.silent

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            callee = id(code)
            kind = kinds_get(callee)
            if kind is None:
                kind = classify(code, frame.f_globals)
            if kind == INSIDE:
                back = frame.f_back
                if code.co_flags & _PLAIN_MASK == _CO_OPTIMIZED and back is not None and kinds_get(id(back.f_code)):
                    key: EdgeKey = (id(back.f_code), callee, back.f_lasti, None)  # the common case, inline
                    row = edges_get(key)
                    if row is None:
                        row = new_row(key)
                    row[0] += 1
                elif not (code.co_flags & _SUSPENDABLE and _resumed(frame, code)):
                    start(frame, code)
            elif kind == OUTSIDE:
                hook_kind = hooks_get(callee)
                if hook_kind is not None:
                    table.hand_over(frame, hook_kind)
                back = frame.f_back
                if back is None or callee in silent or (code.co_flags & _SUSPENDABLE and _resumed(frame, code)):
                    return
                caller = id(back.f_code)
                back_kind = kinds_get(caller)
                if back_kind is None:
                    back_kind = classify(back.f_code, back.f_globals)
                if back_kind:  # a first call out of the workspace
                    key = (caller, callee, back.f_lasti, None)
                    row = edges_get(key)
                    if row is None:
                        row = new_row(key)
                    row[0] += 1
        elif event == "c_call":
            code = frame.f_code
            kind = kinds_get(id(code))
            if kind is None:
                kind = classify(code, frame.f_globals)
            if kind:
                try:
                    name = c_names[arg]
                except (KeyError, TypeError):
                    name = c_name(arg)
                if name is not None:
                    key = (id(code), name, frame.f_lasti, None)
                    row = edges_get(key)
                    if row is None:
                        row = new_row(key)
                    row[0] += 1

    return hook


_BUILTIN_CALLABLES = (types.BuiltinFunctionType, types.MethodDescriptorType, types.ClassMethodDescriptorType)


class _Monitoring:
    """``sys.monitoring`` (Python >= 3.12): PY_START is global and disabled, location by location, where code outside
    the roots starts; CALL is enabled per code object for workspace code, and disabled at call sites whose callee is
    workspace code (counted where it starts) or a builtin that is not recorded."""

    def __init__(self, table: _Table) -> None:
        self.table = table
        self.mon: Any = sys.monitoring  # type: ignore[attr-defined,unused-ignore]
        self.tool = self._tool_id()

    def _tool_id(self) -> int:
        mon = self.mon
        for tool in (mon.PROFILER_ID, 3, 4, 5):
            if mon.get_tool(tool) is None:
                mon.use_tool_id(tool, "trace-advisor")
                return int(tool)
        raise RuntimeError("no free sys.monitoring tool id")

    def start(self) -> None:
        mon, events = self.mon, self.mon.events
        mon.register_callback(self.tool, events.PY_START, self._py_start())
        mon.register_callback(self.tool, events.CALL, self._call())
        mon.set_events(self.tool, events.PY_START)

    def stop(self) -> None:
        self.mon.set_events(self.tool, 0)
        for key, kind in list(self.table.kinds.items()):
            if kind:
                self.mon.set_local_events(self.tool, self.table.codes[key], 0)
        self.mon.free_tool_id(self.tool)

    def _classify(self, code: Any, module_globals: dict[str, Any]) -> int:
        kind = self.table.classify(code, module_globals)
        if kind:
            self.mon.set_local_events(self.tool, code, self.mon.events.CALL)
        return kind

    def _py_start(self) -> Any:
        table, kinds_get, start = self.table, self.table.kinds.get, self.table.start
        edges_get, new_row = table.edges.get, table.row
        disable, getframe = self.mon.DISABLE, sys._getframe

        def py_start(code: Any, offset: int) -> Any:
            callee = id(code)
            kind = kinds_get(callee)
            if kind == INSIDE:
                frame = getframe(1)
                back = frame.f_back
                # the common case, inline: a plain function called directly by workspace code
                if code.co_flags & _PLAIN_MASK == _CO_OPTIMIZED and back is not None and kinds_get(id(back.f_code)):
                    key = (id(back.f_code), callee, back.f_lasti, None)
                    row = edges_get(key)
                    if row is None:
                        row = new_row(key)
                    row[0] += 1
                else:
                    start(frame, code)
                return None
            if kind is None:
                frame = getframe(1)
                kind = self._classify(code, frame.f_globals)
                if kind == INSIDE:
                    start(frame, code)
                    return None
            if kind == OUTSIDE:
                hook = table.hooks.get(callee)
                if hook is not None:
                    table.hand_over(getframe(1), hook)
                    return None
            return disable

        return py_start

    def _call(self) -> Any:
        table = self.table
        kinds_get, edges_get, new_row, c_name = table.kinds.get, table.edges.get, table.row, table.c_name
        c_names = table.c_names
        disable = self.mon.DISABLE
        builtin_types = _BUILTIN_CALLABLES

        def call(code: Any, offset: int, func: Any, arg0: Any) -> Any:
            if type(func) in builtin_types:
                try:
                    name = c_names[func]
                except (KeyError, TypeError):
                    name = c_name(func)
                if name is None:
                    return disable  # len, isinstance, str methods...: not recorded
                key: EdgeKey = (id(code), name, offset, None)
            else:
                if isinstance(func, type):
                    func = getattr(func, "__init__", None)  # a class call runs its __init__ (as with setprofile)
                    if not hasattr(func, "__code__"):
                        return disable  # dict(), a C extension's type, a class without __init__: not recorded
                target = getattr(func, "__code__", None)
                if target is None:
                    return None
                callee = id(target)
                kind = kinds_get(callee)
                if kind is None:
                    kind = self._classify(target, getattr(func, "__globals__", {}))
                if kind or callee in table.silent:
                    return disable  # workspace code (counted where it starts) or the import machinery
                key = (id(code), callee, offset, None)
            row = edges_get(key)
            if row is None:
                row = new_row(key)
            row[0] += 1
            return None

        return call


class _Session:
    """What ``install`` sets up in one process: the table, the hooks, the sampling and writing thread, fork and exit
    handling."""

    def __init__(
        self, roots: list[str], out_dir: str, max_edges: int, backend: str, flush: float, sample: float
    ) -> None:
        self.table = _Table(roots, out_dir, max_edges, backend)
        self.flush = flush
        self.period = sample
        self.monitoring: _Monitoring | None = None
        self.stopped = threading.Event()

    def start(self) -> None:
        if self.table.backend == "monitoring":
            self.monitoring = _Monitoring(self.table)
            self.monitoring.start()
        else:
            hook = _profile_hook(self.table)
            threading.setprofile(hook)
            sys.setprofile(hook)
        self._start_sampler()
        atexit.register(self.finish)
        os.register_at_fork(after_in_child=self._forked)

    def _start_sampler(self) -> None:
        thread = threading.Thread(target=self._sample, name="trace-advisor-recorder", daemon=True)
        thread.start()

    def _sample(self) -> None:
        if self.monitoring is None:
            sys.setprofile(None)  # this thread is ours: not recorded
        me = threading.get_ident()
        last = written = time.perf_counter()
        while not self.stopped.wait(self.period):
            now = time.perf_counter()
            try:
                self.table.sample(now - last, me)
            except Exception as exc:  # noqa: BLE001 - never let the recorder break the user's program
                sys.stderr.write(f"trace-advisor recorder: sampling stopped: {exc!r}\n")
                return
            last = now
            if now - written >= self.flush:
                self.table.write()
                written = now

    def _forked(self) -> None:
        """In a forked child: a fresh table (the parent writes its own) and a new sampling thread."""
        table = self.table
        table.edges = {}
        table.c_sites = {}
        table.started_rows = {}
        table.pid = os.getpid()
        table.dropped = 0
        table.version, table.written = 0, -1
        table.lock = threading.Lock()
        table.started = time.time()
        self.stopped = threading.Event()
        self._start_sampler()

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
    max_edges = _number(ENV_MAX_EDGES, DEFAULT_MAX_EDGES)
    flush, sample = _number(ENV_FLUSH, FLUSH_SECONDS), _number(ENV_SAMPLE, SAMPLE_SECONDS)
    _Session(roots, out_dir, max_edges, backend, flush, sample).start()
    return True


def _number(name: str, default: float) -> Any:
    try:
        value = type(default)(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default

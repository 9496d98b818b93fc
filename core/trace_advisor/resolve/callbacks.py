"""Library functions that call a function they are given (``sorted(key=f)``, ``Thread(target=f)``, ``pool.submit(f)``):
which argument, by the real signatures. The call graph gets an edge from the caller to that function, marked with
the library function it goes through (``CallEdge.via``)."""

from __future__ import annotations

from trace_advisor.datatypes import SymbolId

# callee -> (position, keyword) of the argument it calls; None where the signature has no such form
_EXECUTORS = tuple(f"concurrent.futures:{name}" for name in ("Executor", "ThreadPoolExecutor", "ProcessPoolExecutor"))
_LOOP = "asyncio:AbstractEventLoop"

CALLED_ARGUMENT: dict[SymbolId, tuple[int | None, str | None]] = {
    "builtins:sorted": (None, "key"),
    "builtins:min": (None, "key"),
    "builtins:max": (None, "key"),
    "builtins:list.sort": (None, "key"),
    "builtins:map": (0, None),
    "builtins:filter": (0, None),
    "functools:reduce": (0, None),
    "functools:partial": (0, None),
    "threading:Thread": (1, "target"),
    "threading:Timer": (1, "function"),
    "multiprocessing:Process": (1, "target"),
    **{f"{executor}.submit": (0, None) for executor in _EXECUTORS},
    **{f"{executor}.map": (0, "fn") for executor in _EXECUTORS},
    "asyncio:to_thread": (0, None),
    f"{_LOOP}.run_in_executor": (1, None),
    f"{_LOOP}.call_soon": (0, None),
    f"{_LOOP}.call_soon_threadsafe": (0, None),
    f"{_LOOP}.call_later": (1, None),
    f"{_LOOP}.call_at": (1, None),
    "atexit:register": (0, None),
    "signal:signal": (1, None),
    "contextvars:Context.run": (0, None),
}


def called_argument(callee: SymbolId) -> tuple[int | None, str | None] | None:
    """Which argument ``callee`` calls (position, keyword), when it is a library function that calls one."""
    found = CALLED_ARGUMENT.get(callee)
    if found is None:
        module, _, qualname = callee.partition(":")
        root = module.partition(".")[0]
        if root != module:  # ``asyncio.events:AbstractEventLoop.call_soon`` is ``asyncio:...``
            found = CALLED_ARGUMENT.get(f"{root}:{qualname}")
    return found

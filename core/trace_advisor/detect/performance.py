"""Performance-critical code: I/O inside loops (N+1), nested loops over collections, polling and heavy compute."""

from __future__ import annotations

import ast

from trace_advisor.datatypes import Evidence
from trace_advisor.detect.apis import dotted_forms
from trace_advisor.detect.context import CallInfo, FunctionContext
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.detect.names import expr_text

PRIORITY = "performance"
_HEAVY_ROOTS = (
    "numpy.",
    "pandas.",
    "torch.",
    "tensorflow.",
    "sklearn.",
    "scipy.",
    "cv2.",
    "PIL.",
    "polars.",
    "transformers.",
    "jax.",
)
_HEAVY_METHODS = frozenset(
    {
        "predict",
        "fit",
        "train",
        "generate",
        "forward",
        "inference",
        "encode",
        "embed",
        "transform",
        "compress",
        "decompress",
        "render",
        "resize",
        "sort_values",
        "groupby",
        "merge",
        "to_csv",
        "read_csv",
        "read_parquet",
    }
)
# a heavy library's accessors and conversions: they read what is already computed (``df.dtypes.items()``)
_CHEAP_ACCESSORS = frozenset(
    {"items", "keys", "values", "get", "head", "tail", "tolist", "to_list", "to_dict", "copy", "item", "reshape"}
    # ...its types and scalars (``np.dtype("int64")``, ``np.float64(x)``), views of a buffer (``np.frombuffer``)
    | {"dtype", "iinfo", "finfo", "frombuffer", "float16", "float32", "float64", "int8", "int16", "int32", "int64"}
    | {"uint8", "uint16", "uint32", "uint64", "bool_", "str_", "datetime64", "timedelta64", "Timestamp", "Timedelta"}
)
_CONCURRENT = frozenset({"gather", "as_completed", "wait", "map", "submit", "starmap", "imap", "imap_unordered"})
# where those names start or await several pieces of work at once (the builtin ``map`` is a plain loop)
_CONCURRENCY_ROOTS = ("asyncio.", "concurrent.futures.", "multiprocessing.", "trio.", "anyio.", "gevent.", "joblib.")
_LISTING = frozenset({"glob", "rglob", "iterdir", "listdir", "scandir", "walk", "exists", "is_file", "is_dir"})
_MODEL_WORDS = (
    "model",
    "encoder",
    "pipeline",
    "pipe",
    "clf",
    "classifier",
    "estimator",
    "net",
    "tokenizer",
    "llm",
    "embedder",
    "predictor",
    "regressor",
    "detector",
)
_LOOP_TYPES = (ast.For, ast.AsyncFor, ast.While)


def _cheap(method: str) -> bool:
    """A heavy library's call that computes nothing worth a span: an accessor, a type or scalar, or a type or value
    test (``np.isnan``, ``np.issubdtype``, ``pd.isna``, ``pd.notnull``)."""
    return method in _CHEAP_ACCESSORS or method.startswith(("is", "notna", "notnull"))


def _model_like(text: str) -> bool:
    return text.rsplit(".", 1)[0].lower().endswith(_MODEL_WORDS)


def detect(ctx: FunctionContext) -> list[Signal]:
    signals: list[Signal] = []
    io_loops = [c for c in ctx.calls if c.api is not None and ctx.loop_depth(c.node) > 0 and c.api.kind != "file"]
    file_loops = [c for c in ctx.calls if c.api is not None and ctx.loop_depth(c.node) > 0 and c.api.kind == "file"]
    file_loops = [c for c in file_loops if c.api is not None and c.api.method not in _LISTING]
    if file_loops and not io_loops:
        c = file_loops[0]
        assert c.api is not None
        signals.append(
            Signal(
                Evidence(PRIORITY, f"file operations in a loop ({c.api.shown})", c.range, c.api.target),
                0.5,
                Finding.FILE_LOOP,
            )
        )
    if io_loops:
        first = io_loops[0]
        assert first.api is not None
        targets = sorted({c.api.target for c in io_loops if c.api is not None})
        reason = f"{first.api.called} ({first.api.label}) inside a loop"
        if len(targets) > 1:
            reason += f" (and {len(targets) - 1} more)"
        evidence = Evidence(PRIORITY, reason, first.range, first.api.target)
        signals.append(Signal(evidence, 0.85, Finding.IO_LOOP))
    delegated = [
        (c, callee)
        for c in ctx.calls
        if ctx.loop_depth(c.node) > 0
        for callee in c.workspace_callees
        if callee in ctx.callee_io
    ]
    if delegated and not io_loops:
        c, callee = delegated[0]
        signals.append(
            Signal(
                Evidence(PRIORITY, f"calls {c.named(callee)} (does I/O) inside a loop", c.range, callee),
                0.6,
                Finding.CALLS_IO_FUNCTION_IN_LOOP,
            )
        )
    nested = [n for n in ctx.nodes if isinstance(n, _LOOP_TYPES) and ctx.loop_depth(n) >= 1]
    if nested:
        deepest = max(ctx.loop_depth(n) for n in nested)
        node = nested[0]
        strength = 0.5 if deepest == 1 else 0.7
        signals.append(
            Signal(
                Evidence(PRIORITY, f"nested loops ({deepest + 1} levels)", ctx.range_of(node), "nested"),
                strength,
                Finding.NESTED_LOOPS,
            )
        )
    for loop in ctx.nodes:
        if isinstance(loop, ast.While) and isinstance(loop.test, ast.Constant) and loop.test.value is True:
            if any(isinstance(n, ast.Call) and expr_text(n.func).endswith("sleep") for n in ast.walk(loop)):
                signals.append(
                    Signal(
                        Evidence(PRIORITY, "polling loop with sleep", ctx.range_of(loop), "poll"),
                        0.6,
                        Finding.POLLING,
                    )
                )
                break
    heavy = [
        c
        for c in ctx.calls
        if not _cheap(c.text.rsplit(".", 1)[-1])
        and (
            any(name.startswith(_HEAVY_ROOTS) for callee in c.callees for name in dotted_forms(callee))
            or (
                c.text.rsplit(".", 1)[-1] in _HEAVY_METHODS
                and _model_like(c.text)
                and not c.workspace_callees  # our own ``llm.generate``: what it does is found inside it
            )
        )
    ]
    if heavy:
        c = heavy[0]
        signals.append(
            Signal(Evidence(PRIORITY, f"heavy computation ({c.text})", c.range, c.text), 0.5, Finding.HEAVY_COMPUTE)
        )
    fan_out = [c for c in ctx.calls if _runs_concurrently(c)]
    if fan_out:
        c = fan_out[0]
        signals.append(
            Signal(
                Evidence(PRIORITY, f"runs work concurrently ({c.text}): latency is the slowest child", c.range, c.text),
                0.55,
                Finding.CONCURRENT,
            )
        )
    # by what the call resolves to: a name the function imports locally (``from .backdoor import main`` in a
    # ``main``) is no recursion, nor handing itself on (``functools.partial(retry, ...)`` in a decorator factory)
    if any(edge.callee == ctx.symbol and not edge.via for c in ctx.calls for edge in c.site.edges):
        signals.append(
            Signal(Evidence(PRIORITY, "recursive", ctx.range_of(ctx.node), "recursion"), 0.35, Finding.RECURSION)
        )
    return signals


def _runs_concurrently(call: CallInfo) -> bool:
    """A call that runs several pieces of work at once: a concurrency API by what the call resolves to; a call that
    does not resolve only as a pool-like receiver's method (``pool.map``), never an ``x.wait()`` (events, processes
    and conditions wait too)."""
    method = call.text.rsplit(".", 1)[-1]
    if method not in _CONCURRENT:
        return False
    if call.callees:
        return any(name.startswith(_CONCURRENCY_ROOTS) for callee in call.callees for name in dotted_forms(callee))
    return "." in call.text and method != "wait"

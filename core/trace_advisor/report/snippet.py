"""The span code a report suggests for a recommendation, and where it goes, in the shape the quick-fix writes."""

from __future__ import annotations

import io
import json
import textwrap
import tokenize

from trace_advisor.model import MODULE_QUALNAME, Recommendation

IMPORTS = "from opentelemetry import trace\n\ntracer = trace.get_tracer(__name__)\n"


def uses_block(rec: Recommendation) -> bool:
    """Attributes or a swallowed exception need a ``with ... as span`` block; otherwise a decorator is enough."""
    swallowed = any(e.priority == "exceptions" for e in rec.evidence) and rec.capture.exceptions
    return bool(rec.capture.attributes or rec.capture.parameters or swallowed) or _is_module(rec)


def placement(rec: Recommendation) -> str:
    """Where the span goes, in words."""
    call = f'tracer.start_as_current_span("{rec.span_name}")'
    if _is_module(rec):
        return (
            f"Wrap the module-level code (lines {rec.range.start.line}-{rec.range.end.line}) in `with {call} as span:`."
        )
    name = rec.qualname.rsplit(".", 1)[-1]
    if not uses_block(rec):
        return f"Decorate `def {name}` (line {rec.range.start.line}) with `@{call}`: the span covers every call."
    return (
        f"Wrap the body of `{name}` (lines {rec.range.start.line}-{rec.range.end.line}) in `with {call} as span:` "
        "and set the captured attributes first."
    )


def span_snippet(rec: Recommendation) -> str:
    """Python source of the suggested span, with the one-time import and module tracer."""
    call = f'tracer.start_as_current_span("{rec.span_name}")'
    signature = _signature(rec.code_block)
    if not uses_block(rec) and signature:
        return f"{IMPORTS}\n\n@{call}\n{signature}\n    ...\n"
    lines = [f"with {call} as span:"]
    keys = {a.expression: a.key for a in rec.capture.attributes}
    lines += [f"    span.set_attribute({json.dumps(a.key)}, {a.expression})" for a in rec.capture.attributes]
    lines += [f"    span.set_attribute({json.dumps(p)}, {p})" for p in rec.capture.parameters if p not in keys]
    if rec.capture.return_value:
        lines.append('    # before returning: span.set_attribute("result", <value>)')
    lines.append("    ...  # the existing body")
    if rec.capture.exceptions and any(e.priority == "exceptions" for e in rec.evidence):
        lines += [
            "    # where an exception is caught and not re-raised:",
            "    #     span.record_exception(exc)",
            "    #     span.set_status(trace.Status(trace.StatusCode.ERROR, str(exc)))",
        ]
    body = "\n".join(lines)
    if signature and not _is_module(rec):
        body = f"{signature}\n" + textwrap.indent(body, "    ")
    return f"{IMPORTS}\n\n{body}\n"


def _is_module(rec: Recommendation) -> bool:
    return rec.qualname.endswith(MODULE_QUALNAME)


def _signature(code: str) -> str:
    """The ``def`` line(s) of a function's source up to the colon, dedented, without decorators or body."""
    source = textwrap.dedent(code)
    lines = source.splitlines(keepends=True)
    depth = 0
    start: tuple[int, int] | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if start is None:
                if token.type == tokenize.NAME and token.string in {"def", "async"} and depth == 0:
                    start = token.start
                elif token.type == tokenize.OP and token.string == "@":
                    continue
                continue
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
            elif token.type == tokenize.OP and token.string == ":" and depth == 0:
                (first_line, first_col), (last_line, last_col) = start, token.end
                text = "".join(lines[first_line - 1 : last_line])
                cut = sum(len(line) for line in lines[first_line - 1 : last_line - 1]) + last_col
                return text[first_col:cut]
    except (tokenize.TokenError, SyntaxError):
        return ""
    return ""

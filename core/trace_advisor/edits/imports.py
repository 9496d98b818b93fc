"""Reuse or add ``from opentelemetry import trace`` and the module tracer, placed after the module's leading imports."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass

from trace_advisor.edits.existing import ModuleBinding, module_tracers, status_imports, trace_imports
from trace_advisor.edits.source import SourceText
from trace_advisor.model import Position, Range, TextEdit

_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")


@dataclass(frozen=True, slots=True)
class ModuleSetup:
    """The names span code uses in this module, and the one edit (if any) that binds them."""

    trace: str  # expression for the opentelemetry.trace module
    tracer: str  # module-level tracer variable
    status: tuple[str, str] | None  # (Status, StatusCode) expressions; None: use ``{trace}.Status``
    tracer_statement: int | None  # index in module.body of an existing tracer; None: added by ``edit``
    edit: TextEdit | None


def fresh_name(preferred: str, taken: set[str]) -> str:
    """``preferred`` or ``otel_<preferred>`` or ``otel_<preferred>_2``... whichever no code mentions."""
    if preferred not in taken:
        return preferred
    base = preferred if preferred.startswith("otel_") else f"otel_{preferred}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _import_like(stmt: ast.stmt) -> bool:
    """Imports, and blocks made only of imports (``try: import x`` / ``if TYPE_CHECKING:``), and ``__all__``-style
    dunder assignments: the module's header that new imports go after."""
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return True
    if isinstance(stmt, ast.Assign):
        return all(isinstance(t, ast.Name) and t.id.startswith("__") and t.id.endswith("__") for t in stmt.targets)
    if isinstance(stmt, ast.If | ast.Try):
        inner = [n for n in ast.walk(stmt) if isinstance(n, ast.stmt) and n is not stmt]
        allowed = (ast.Import, ast.ImportFrom, ast.Pass, ast.Assign, ast.If, ast.Try, ast.Expr)
        return any(isinstance(n, ast.Import | ast.ImportFrom) for n in inner) and all(
            isinstance(n, allowed) for n in inner
        )
    return False


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _usable(binding: ModuleBinding, counts: Counter[str], before: int) -> bool:
    """A binding can be reused when nothing else in the module binds its name and it runs before ``before``."""
    return counts[binding.name] == 1 and binding.statement < before


def _insertion(module: ast.Module, source: SourceText) -> tuple[int, str]:
    """Line where new module-level statements go and what kind of neighbour precedes them."""
    body = module.body
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    header_end = index
    while header_end < len(body) and _import_like(body[header_end]):
        header_end += 1
    last = header_end - 1
    # statements sharing the last header line after a ``;`` must stay with it
    while last >= 0 and last + 1 < len(body) and body[last + 1].lineno == body[last].end_lineno:
        last += 1
    if last >= 0:
        end_line = body[last].end_lineno or body[last].lineno
        return end_line + 1, "imports" if header_end > index else "docstring"
    if not body:
        return len(source.lines), "nothing"
    # no header: go above the first statement (its decorators included) and the comments attached to it, below
    # shebang/coding lines
    line = min([d.lineno for d in getattr(body[0], "decorator_list", [])] + [body[0].lineno])
    while line > 1:
        above = source.line(line - 1)
        if not above.lstrip().startswith("#"):
            break
        if line - 1 <= 2 and (above.startswith("#!") or _CODING.match(above)):
            break
        line -= 1
    return line, "first_statement"


def plan_module(
    module: ast.Module,
    source: SourceText,
    counts: Counter[str],
    mentioned: set[str],
    function_statement: int,
    *,
    need_status: bool,
) -> ModuleSetup:
    """Decide which trace module/tracer names to use for a function in ``module.body[function_statement]``."""
    eol = source.eol
    trace_binding = next((b for b in trace_imports(module) if _usable(b, counts, function_statement)), None)
    tracer_binding = next((b for b in module_tracers(module) if counts[b.name] == 1), None)
    status_bindings = status_imports(module)
    status: tuple[str, str] | None = None
    if status_bindings and all(_usable(b, counts, len(module.body)) for b in status_bindings):
        status = (status_bindings[0].expression, status_bindings[1].expression)

    need_trace_module = tracer_binding is None or (need_status and status is None)
    lines: list[str] = []
    trace_expr = trace_binding.expression if trace_binding else ""
    if need_trace_module and trace_binding is None:
        trace_expr = fresh_name("trace", mentioned)
        alias = "" if trace_expr == "trace" else f" as {trace_expr}"
        lines.append(f"from opentelemetry import trace{alias}")
    tracer_name = tracer_binding.name if tracer_binding else fresh_name("tracer", mentioned | {trace_expr})
    if tracer_binding is None:
        if lines:
            lines.append("")
        lines.append(f"{tracer_name} = {trace_expr}.get_tracer(__name__)")
    if not lines:
        return ModuleSetup(trace_expr, tracer_name, status, tracer_binding.statement if tracer_binding else None, None)

    line, neighbour = _insertion(module, source)
    if trace_binding is not None and not lines[0].startswith("from "):
        # only the tracer is new: it goes right after the import it uses when that comes after the header
        import_stmt = module.body[trace_binding.statement]
        line = max(line, (import_stmt.end_lineno or import_stmt.lineno) + 1)
        neighbour = "imports"
    if neighbour == "imports" and not lines[0].startswith("from "):
        lines.insert(0, "")  # blank line between the imports and the tracer
    elif neighbour == "docstring":
        lines.insert(0, "")
    elif neighbour == "first_statement":
        lines.append("")
        first = module.body[0]
        if isinstance(first, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) or first.lineno != line:
            lines.append("")
    text = eol.join(lines) + eol
    position = Position(line, 0)
    if neighbour == "nothing" or line > len(source.lines):
        # the file's last line has no newline: start a new line
        last = len(source.lines)
        position = Position(last, len(source.line(last)))
        text = eol + text
    edit = TextEdit(Range(position, position), text)
    return ModuleSetup(trace_expr, tracer_name, status, tracer_binding.statement if tracer_binding else None, edit)

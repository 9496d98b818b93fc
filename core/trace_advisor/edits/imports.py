"""Reuse or add ``from opentelemetry import trace`` and the module tracer, placed after the module's leading imports."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass

from trace_advisor.datatypes import Position, Range, TextEdit
from trace_advisor.edits.existing import ModuleBinding, module_tracers, status_imports, trace_imports
from trace_advisor.edits.layout import measured
from trace_advisor.edits.source import SourceText
from trace_advisor.project_style import ProjectStyle

_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")


@dataclass(frozen=True, slots=True)
class ModuleSetup:
    """The names span code uses in this module, and the one edit (if any) that binds them."""

    trace: str  # expression for the opentelemetry.trace module
    tracer: str  # module-level tracer variable
    status: tuple[str, str] | None  # (Status, StatusCode) expressions; None: use ``{trace}.Status``
    tracer_statement: int | None  # index in module.body of an existing tracer; None: added by ``edits``
    edits: tuple[TextEdit, ...]  # the import and the tracer, in text order (one edit when they are adjacent)


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
        return _imports_only(stmt) == "imports"
    return False


def _imports_only(
    stmt: ast.If | ast.Try, fallbacks: tuple[type[ast.stmt], ...] = (ast.Pass, ast.Assign, ast.Expr)
) -> str:
    """``imports`` for a block of imports with at most ``fallbacks`` beside them (``except ImportError: x = None``),
    ``none`` for one without an import, ``code`` else."""
    found = "none"
    for child in [
        *stmt.body,
        *stmt.orelse,
        *getattr(stmt, "finalbody", []),
        *(s for handler in getattr(stmt, "handlers", []) for s in handler.body),
    ]:
        if isinstance(child, ast.Import | ast.ImportFrom):
            found = "imports"
        elif isinstance(child, ast.If | ast.Try):
            inner = _imports_only(child, fallbacks)
            if inner == "code":
                return "code"
            if inner == "imports":
                found = "imports"
        elif not isinstance(child, fallbacks):
            return "code"
    return found


# what linters (E402) still count as the import header beside imports in try/if blocks: fallback definitions too
_E402_FALLBACKS = (
    ast.Pass,
    ast.Assign,
    ast.AnnAssign,
    ast.Expr,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Raise,
)


def _in_e402_header(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.If | ast.Try):
        return _imports_only(stmt, _E402_FALLBACKS) == "imports"
    return _import_like(stmt)


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
    # ``try: import x / except ImportError: def x(): ...`` then more imports: code there would make those imports
    # E402 ("not at top of file"), so new statements go after the last of them
    lenient = header_end
    while lenient < len(body) and _in_e402_header(body[lenient]):
        lenient += 1
    later = [i for i in range(header_end, lenient) if isinstance(body[i], ast.Import | ast.ImportFrom)]
    if later:
        header_end = later[-1] + 1
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


def _first_block(module: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The first run of consecutive top-level import statements of the module's header (what isort/ruff sort as one
    block); empty when the header has none or a statement there shares a line with another (``import a; b()``)."""
    body = module.body
    start = 1 if body and _is_docstring(body[0]) else 0
    block: list[ast.Import | ast.ImportFrom] = []
    for stmt in body[start:]:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            block.append(stmt)
        elif block or not _import_like(stmt):
            break
    lines = [s.lineno for s in block] + [s.end_lineno or s.lineno for s in block]
    if len(set(s.lineno for s in block)) != len(block) or any(
        other.lineno in lines for other in body if other not in block
    ):
        return []
    return block


def _sort_key(stmt: ast.Import | ast.ImportFrom, style: ProjectStyle) -> tuple[int, int, str, tuple[int, str, str]]:
    """(section, kind, module, member) in isort's and ruff's default order: within a section ``import x`` lines come
    before ``from x import y`` lines unless force-sort-within-sections; modules compare case-insensitively; with
    force-single-line, the lines of one module by their member."""
    if isinstance(stmt, ast.Import):
        name, level, kind = stmt.names[0].name, 0, 0
    else:
        name, level, kind = stmt.module or "", stmt.level, 1
    member = member_key(stmt.names[0].name) if style.force_single_line and kind else _NO_MEMBER
    return style.section(name, level), 0 if style.force_sort_within_sections else kind, name.lower(), member


_NO_MEMBER = (0, "", "")


def member_key(name: str) -> tuple[int, str, str]:
    """A ``from`` import's member in ruff's and isort's order: constants, classes, the rest, case-insensitively."""
    return _member_type(name), name.lower(), name


def import_statement_edit(
    module: ast.Module, source: SourceText, style: ProjectStyle, line: str, imported: str
) -> TextEdit | None:
    """``line`` (``from opentelemetry import trace``, ``import contextvars``), which imports module ``imported``,
    inserted where isort/ruff would put it in the module's first import block: among the imports of its section in
    order, or as a new section with blank lines around it. None when the module has no such block."""
    block = _first_block(module)
    if not block:
        return None
    eol = source.eol
    kind = 0 if style.force_sort_within_sections or not line.startswith("from ") else 1
    single = style.force_single_line and line.startswith("from ")
    member = member_key(line.partition(" import ")[2].partition(" as ")[0]) if single else _NO_MEMBER
    ours = (style.section(imported), kind, imported.lower(), member)
    # isort's ``lines-between-types``: blank lines between a section's ``import x`` lines and its ``from`` lines
    between = eol * style.lines_between_types if not style.force_sort_within_sections else ""

    def after(prev: ast.Import | ast.ImportFrom) -> str:
        """Blank lines our line needs above it, right after ``prev``."""
        prev_key = _sort_key(prev, style)
        return between if prev_key[0] == ours[0] and prev_key[1] == 0 and kind == 1 else ""

    for index, stmt in enumerate(block):
        key = _sort_key(stmt, style)
        if key <= ours:
            continue
        prev = block[index - 1] if index else None
        floor = (prev.end_lineno or prev.lineno) if prev else 0
        same_section_before = prev is not None and _sort_key(prev, style)[0] == ours[0]
        if prev is not None and same_section_before and (key[0] != ours[0] or (between and key[1] > kind)):
            # ends our section, or our ``import x`` ends the section's ``import`` lines (before the blank lines)
            return TextEdit(Range(Position(floor + 1, 0), Position(floor + 1, 0)), after(prev) + line + eol)
        at = stmt.lineno
        while at - 1 > floor and source.line(at - 1).lstrip().startswith("#"):
            at -= 1  # comments right above an import belong to it
        if key[0] == ours[0]:
            text = line + eol + (between if key[1] > kind else "")
        else:  # a new section before a later one: blank lines on both sides
            text = line + eol + eol
            if index and source.line(at - 1).strip():
                text = eol + text
        return TextEdit(Range(Position(at, 0), Position(at, 0)), text)
    last = block[-1]
    end = last.end_lineno or last.lineno
    text = after(last) + line + eol if _sort_key(last, style)[0] == ours[0] else eol + line + eol
    if end >= len(source.lines):
        return TextEdit(Range(Position(end, len(source.line(end))), Position(end, len(source.line(end)))), eol + text)
    return TextEdit(Range(Position(end + 1, 0), Position(end + 1, 0)), text)


def extend_from_import(
    module: ast.Module, source: SourceText, imported: str, names: list[str], width: int, *, vertical: bool = True
) -> TextEdit | None:
    """``names`` added to the module's top-level ``from <imported> import ...`` (members in ruff's and isort's order:
    constants, classes, then the rest, case-insensitively), so the module keeps one import of ``imported``: on one
    line when it fits in ``width`` columns, else (``vertical``) in parentheses one member per line with a trailing
    comma, as ruff and isort's black profile wrap it. None when it has no such statement, or one with a comment
    where the members would move."""
    for stmt in module.body:
        if not (
            isinstance(stmt, ast.ImportFrom)
            and stmt.module == imported
            and not stmt.level
            and all(a.name != "*" for a in stmt.names)
        ):
            continue
        added = [name.partition(" as ") for name in names]  # "HTTPException as StarletteHTTPException"
        members = [(a.name, a.asname) for a in stmt.names] + [(name, alias or None) for name, _, alias in added]
        members.sort(key=lambda m: (member_key(m[0]), m[1] or ""))
        spelled = [f"{n} as {a}" if a else n for n, a in members]
        first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
        start = source.char_column(first, stmt.col_offset)
        end = source.char_column(last, stmt.end_col_offset or 0)
        after = source.line(last)[end:]
        if start or any("#" in source.line(n) for n in range(first, last)):
            return None
        rendered = f"from {imported} import " + ", ".join(spelled)
        if measured(rendered + after) > width:
            if after.strip() or not vertical:
                return None  # a comment after it: where it would go in the wrapped form is the formatter's call
            eol = source.eol
            rendered = f"from {imported} import ({eol}" + "".join(f"    {m},{eol}" for m in spelled) + ")"
        return TextEdit(Range(Position(first, start), Position(last, end)), rendered)
    return None


def _member_type(name: str) -> int:
    """ruff's member kinds for ``order-by-type``: CONSTANT 0, Class 1, variable 2."""
    if len(name) > 1 and name.isupper():
        return 0
    return 1 if name[:1].isupper() else 2


def declares_all(module: ast.Module) -> bool:
    """The module assigns ``__all__`` at top level."""
    return any(
        isinstance(target, ast.Name) and target.id == "__all__"
        for stmt in module.body
        if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign)
        for target in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
    )


def plan_module(
    module: ast.Module,
    source: SourceText,
    counts: Counter[str],
    mentioned: set[str],
    function_statement: int,
    *,
    need_status: bool,
    style: ProjectStyle,
) -> ModuleSetup:
    """Decide which trace module/tracer names to use for a function in ``module.body[function_statement]``, and
    the edits that add the missing import (in its isort/ruff section) and tracer (after the module's imports)."""
    eol = source.eol
    trace_binding = next((b for b in trace_imports(module) if _usable(b, counts, function_statement)), None)
    tracer_binding = next((b for b in module_tracers(module) if counts[b.name] == 1), None)
    status_bindings = status_imports(module)
    status: tuple[str, str] | None = None
    if status_bindings and all(_usable(b, counts, len(module.body)) for b in status_bindings):
        status = (status_bindings[0].expression, status_bindings[1].expression)
    existing = tracer_binding.statement if tracer_binding else None

    need_trace_module = tracer_binding is None or (need_status and status is None)
    lines: list[str] = []
    trace_expr = trace_binding.expression if trace_binding else ""
    import_edit: TextEdit | None = None
    # a module that declares ``__all__`` states its public names: the ones added here stay private (tests that
    # compare ``vars(module)`` with ``__all__`` keep passing; ``dir()`` and completions show nothing new)
    prefix = "_" if declares_all(module) else ""
    if need_trace_module and trace_binding is None:
        trace_expr = fresh_name(f"{prefix}trace", mentioned)
        alias = "" if trace_expr == "trace" else f" as {trace_expr}"
        import_line = f"from opentelemetry import trace{alias}"
        import_edit = import_statement_edit(module, source, style, import_line, "opentelemetry")
        if import_edit is None:
            lines.append(import_line)
    tracer_name = tracer_binding.name if tracer_binding else fresh_name(f"{prefix}tracer", mentioned | {trace_expr})
    if tracer_binding is None:
        if lines:
            lines.append("")
        lines.append(f"{tracer_name} = {trace_expr}.get_tracer(__name__)")
    if not lines:
        edits = (import_edit,) if import_edit is not None else ()
        return ModuleSetup(trace_expr, tracer_name, status, existing, edits)

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
    at_end = neighbour == "nothing" or line > len(source.lines)
    if at_end:  # the file's last line has no newline: start a new line
        last = len(source.lines)
        position = Position(last, len(source.line(last)))
    if import_edit is not None and import_edit.range.start == position:  # one place: the import, then the tracer
        return ModuleSetup(
            trace_expr, tracer_name, status, existing, (TextEdit(import_edit.range, import_edit.new_text + text),)
        )
    edit = TextEdit(Range(position, position), eol + text if at_end else text)
    return ModuleSetup(
        trace_expr, tracer_name, status, existing, (edit,) if import_edit is None else (import_edit, edit)
    )

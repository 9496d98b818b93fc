"""Decide how a function gets its span (decorator or ``with`` block), build the edits and verify them."""

from __future__ import annotations

import ast
import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from trace_advisor.config_model import SpanForm
from trace_advisor.datatypes import MODULE_QUALNAME, Capture, Position, Range, TextEdit, span_name
from trace_advisor.edits.body import BodyEditError, indent_unit, with_edit
from trace_advisor.edits.capture import CodeLocation, attribute_code
from trace_advisor.edits.complexity import complexity
from trace_advisor.edits.decorator import decorator_edit
from trace_advisor.edits.existing import (
    ABSTRACT,
    decorator_tails,
    has_span,
    is_generator,
    is_stub,
    mentioned_names,
    reads_locals,
    scan_names,
    yields_to_consumer,
)
from trace_advisor.edits.formatter import formatted_edit
from trace_advisor.edits.handlers import handler_plans, raises_stop_iteration
from trace_advisor.edits.imports import (
    extend_from_import,
    fresh_name,
    import_statement_edit,
    member_key,
    plan_module,
)
from trace_advisor.edits.layout import Statement, WithItems, measured, requote
from trace_advisor.edits.locate import ClassSite, FunctionSite, def_lines, iter_definitions
from trace_advisor.edits.renumber import renumber_edits
from trace_advisor.edits.source import SourceText
from trace_advisor.edits.style import DEFAULT_STYLE, SpanOrigin, SpanStyle
from trace_advisor.edits.verify import edited_function, same_tree, same_with_block, same_with_decorator
from trace_advisor.edits.web_errors import (
    STATUS_HELPER,
    ClientErrorTest,
    StatusHelper,
    client_error_test,
    status_helper_lines,
)
from trace_advisor.parsing import parse_as_written
from trace_advisor.project_style import ProjectStyle


@dataclass(frozen=True, slots=True)
class EditResult:
    """The edits that add a span, or none and a ``message`` saying why (already traced, missing, not parseable...)."""

    edits: tuple[TextEdit, ...]
    message: str | None = None
    form: SpanForm | None = None  # how the span was added
    already_traced: bool = False  # nothing to do: the function already starts a span (not a failure)
    notes: tuple[str, ...] = ()  # what was asked for but not done (e.g. a capture that is not a parameter)
    span_name: str | None = None
    # first and last line of the def (decorators included) in the text the edits apply to; None without edits
    function_lines: tuple[int, int] | None = None
    setup_edits: int = 0  # the first ``setup_edits`` edits add the import and the tracer; then the function's edit,
    # then edits moving other functions' ``code.line.number`` literals (edits/renumber.py)
    # lines of the function as edited that the edits inserted or changed (0 = its first line), for previews
    added_lines: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the function has a span after applying ``edits`` (added now or already there)."""
        return bool(self.edits) or self.already_traced


class SpanEditor:
    """Span edits for the functions of one module text; parses the text once for many functions."""

    def __init__(
        self,
        text: str,
        module: ast.Module | None = None,
        *,
        style: SpanStyle = DEFAULT_STYLE,
        origin: SpanOrigin | None = None,
    ) -> None:
        """``module``: the already parsed ``ast`` of exactly ``text`` (saves a parse); parsed here when None.
        ``origin``: the module and file the text is, for the ``code.*`` attributes."""
        self.source = SourceText(text)
        self.style = style
        self.origin = origin or SpanOrigin(None, None)
        self.error: str | None = None
        self.module: ast.Module | None = module
        if module is not None:
            return
        try:
            self.module = parse_as_written(text)  # a project's Python 3.12-3.14 syntax is kept as it is
        except SyntaxError as error:
            where = f"line {error.lineno}: " if error.lineno else ""
            self.error = f"the file does not parse ({where}{error.msg}); fix it and try again"
        except (RecursionError, MemoryError):
            self.error = "the file is too deeply nested for Python's parser"
        except ValueError as error:  # e.g. null bytes
            self.error = f"the file does not parse ({error}); fix it and try again"

    @cached_property
    def _names(self) -> tuple[Counter[str], set[str]]:
        assert self.module is not None
        return scan_names(self.module)

    @cached_property
    def _project_style(self) -> ProjectStyle:
        """The project's import sections, with the edited module's own top-level package first-party (ruff's and
        isort's same-package detection)."""
        project = self.style.project
        if not project.quote_set and self.module is not None:
            project = dataclasses.replace(project, quote=_written_quote(self.module, self.source))
        if self.origin.module is None:
            return project
        top = self.origin.module.partition(".")[0]
        return dataclasses.replace(project, first_party=project.first_party | {top})

    @cached_property
    def _unit(self) -> str:
        assert self.module is not None
        return indent_unit(self.module, self.source)

    @cached_property
    def _definitions(self) -> tuple[FunctionSite | ClassSite, ...]:
        return tuple(iter_definitions(self.module)) if self.module is not None else ()

    def sites(self, qualname: str) -> list[FunctionSite]:
        """The defs named ``qualname`` in source order."""
        return [d for d in self._definitions if isinstance(d, FunctionSite) and d.qualname == qualname]

    def edits(
        self, qualname: str, capture: Capture | None = None, *, line: int | None = None, name: str | None = None
    ) -> EditResult:
        """Edits adding a span to the function ``qualname`` (the one spanning ``line`` when several share it), named
        ``name`` (default: ``Class.method``; the analysis gives names unique in the workspace)."""
        name = name or span_name(qualname)
        site = self._target(qualname, line, name)
        if isinstance(site, EditResult):
            return site
        try:
            return self._build(site, name, capture)
        except (BodyEditError, ValueError, SyntaxError, RecursionError) as error:
            return EditResult((), f"could not add a span to {qualname} safely: {error}")
        except Exception as error:  # a bug here must cost one quick-fix, never the editor session
            return EditResult((), f"could not add a span to {qualname}: internal error {type(error).__name__}: {error}")

    def offers(self, qualname: str, *, line: int | None = None) -> bool:
        """Whether :meth:`edits` would try to build a span for ``qualname`` (none of its refusals applies), without
        building it: for actions listed on every cursor move whose edit is made when the user picks one."""
        return not isinstance(self._target(qualname, line, span_name(qualname)), EditResult)

    def _target(self, qualname: str, line: int | None, name: str) -> FunctionSite | EditResult:
        """The def a span goes on, or why none does (a refusal, with nothing edited)."""
        if self.module is None:
            return EditResult((), self.error)
        if qualname == MODULE_QUALNAME:
            return EditResult((), "module-level code cannot get a span from a quick-fix; wrap it in a function")
        sites = self.sites(qualname)
        if not sites:
            if any(isinstance(d, ClassSite) and d.qualname == qualname for d in self._definitions):
                return EditResult((), f"{qualname} is a class: add spans to its methods")
            return EditResult((), f"no function {qualname} in this file (renamed or removed?)")
        site = _choose(sites, line)
        if site is None:
            return EditResult((), f"no function {qualname} at line {line}")
        node = site.node
        if has_span(node):
            return EditResult((), f"{qualname} already starts a span", already_traced=True, span_name=name)
        tails = decorator_tails(node)
        if "overload" in tails:
            return EditResult((), f"{qualname} is a typing.overload stub: the implementation gets the span")
        if tails & ABSTRACT:
            return EditResult((), f"{qualname} is abstract: add spans to the implementations")
        if is_stub(node):
            return EditResult((), f"{qualname} has no code to trace (its body is only a docstring, pass or ...)")
        if raises_stop_iteration(node):
            return EditResult(
                (),
                f"{qualname} ends iteration by raising StopIteration: a span would record every normal end as an"
                " error (trace the code that drives the iteration instead)",
            )
        return site

    def _build(self, site: FunctionSite, name: str, capture: Capture | None) -> EditResult:
        assert self.module is not None
        node = site.node
        local_names = mentioned_names(node)
        span_var = fresh_name("span", local_names)  # a new local of this function: only its own names can clash
        is_method = site.in_class and "staticmethod" not in decorator_tails(node)
        notes: tuple[str, ...] = ()
        if capture is not None and reads_locals(node):
            capture = None
            notes += ("the function reads locals(): a plain span, so no new local name appears in them",)
        events = self.style.spans.swallowed_exceptions == "event"
        # a generator's span is not made current (it would stay current in the consumer across each yield): its
        # body runs in a try whose handler fails the span, so closing the generator early is not an error
        generator = yields_to_consumer(node)
        handlers = (
            handler_plans(node, local_names | {span_var}, events=events)
            if capture is not None and capture.exceptions
            else []
        )
        # a web framework's 4xx exception (raised here or by a workspace function it calls) is the client's error:
        # the span sets ERROR itself for any other one
        client = client_error_test(self.module, node, *self._names, self.origin.client_errors(site.qualname))
        setup = plan_module(
            self.module,
            self.source,
            self._names[0],
            self._names[1],
            site.top_statement,
            need_status=generator or client is not None or any(plan.fails for plan in handlers),
            style=self._project_style,
        )
        head = list(setup.edits)
        if client is not None:
            with_imports = self._imports(client, head)
            if with_imports is None:
                notes += (
                    "the web framework's exception classes could not be imported here: a 4xx exception leaving the"
                    " span sets ERROR",
                )
                client = None
            else:
                head = with_imports
        helper: str | None = None  # the module's status helper class the span enters (web_errors.py)
        if client is not None and not generator and setup.trace:
            placed = self._status_helper(client, setup.trace, setup.status, site)
            if placed is not None:
                helper, helper_edit = placed
                head = _with_edit(head, helper_edit)
        attributes = None
        # the ``if`` checks the span may add before recording parameters without taking the function past the
        # project's max-complexity (C901); the exception handler a generator's or web handler's span adds counts too
        guarded = generator or (client is not None and helper is None)  # the span gets an ``except`` handler
        checks = None
        limit = self._project_style.max_complexity
        if limit is not None and (before := complexity(node)) <= limit:
            checks = max(0, limit - before - guarded)
        if capture is not None:
            header_lines = sum(len(SourceText(e.new_text).lines) - 1 for e in head)
            function = _qualified(self.origin.module, span_name(site.qualname))
            location = CodeLocation(function, node.lineno + header_lines, self.origin.path)
            attributes = attribute_code(
                node,
                capture,
                span_var,
                is_method=is_method,
                policy=self.style.policy,
                location=location,
                checks=checks,
            )
        tracer_ready = setup.tracer_statement is None or setup.tracer_statement < site.top_statement
        use_with = (
            self.style.spans.form == "with"
            or is_generator(node)
            or client is not None
            or bool(attributes and attributes.lines)
            or bool(handlers)
            or not tracer_ready
        )
        notes += attributes.notes if attributes else ()
        if "wraps" in decorator_tails(node):
            notes += (f'a functools.wraps wrapper: every function it wraps shares the span name "{name}"',)
        first_line, last_line = def_lines(node)
        if use_with:
            lines = list(attributes.lines) if attributes else []
            uses_span = bool(lines or handlers) or guarded or helper is not None
            target = f" as {span_var}" if uses_span else ""
            quiet: tuple[str, ...]
            if generator:
                quiet = ("record_exception=False", "set_status_on_exception=False")
                opener = Statement(f"with {setup.tracer}.start_span", (_quote(name), *quiet), f"{target}:")
            elif client is not None:  # the exception is still recorded as it leaves the span; the status is ours
                quiet = ("set_status_on_exception=False",)
                call, args = f"with {setup.tracer}.start_as_current_span", (_quote(name), *quiet)
                if helper:
                    parenthesize = self._project_style.parenthesized_with
                    opener = WithItems(call, args, target, (f"{helper}({span_var})",), parenthesize)
                else:
                    opener = Statement(call, args, f"{target}:")
            else:
                opener = Statement(f"with {setup.tracer}.start_as_current_span", (_quote(name),), f"{target}:")
            status_class, code_class = setup.status or (f"{setup.trace}.Status", f"{setup.trace}.StatusCode")
            status = Statement(status_class, (f"{code_class}.ERROR", "str({name})"))
            handler_lines = [
                Statement(f"{span_var}.record_exception", ("{name}",)),
                Statement(f"{span_var}.set_status", (status,)),
            ]
            guard = None
            if guarded:
                error = fresh_name("error", local_names | {span_var} | {plan.name for plan in handlers})
                record, fail = (stmt.replace("{name}", error) for stmt in handler_lines)
                steps = [(0, record)] if generator else []
                if client is None:
                    steps.append((0, fail))
                else:  # ERROR unless a web framework answers with a 4xx (as trace_advisor.runtime decides)
                    if not generator:  # the description ``start_as_current_span`` writes
                        described = (f"{code_class}.ERROR", f'f"{{type({error}).__name__}}: {{{error}}}"')
                        fail = Statement(f"{span_var}.set_status", (Statement(status_class, described),))
                    steps.append((0, client.statement(error)))
                    steps.append((1, fail))
                guard = (f"except Exception as {error}:", [*steps, (0, Statement("raise"))])
            width = self.style.project.line_length
            commas = self.style.project.trailing_commas
            made = with_edit(
                self.source, node, self._unit, opener, lines, handlers, handler_lines, width, guard, commas=commas
            )
            edit = _requoted(made.edit, made.added, self._project_style.quote)
            in_edit = made.added
            if self.style.formatter is not None:  # the lines the indent pushed out, as the project's formatter has them
                span = (first_line, last_line)
                unit = self._unit if commas else None
                laid = formatted_edit(self.style.formatter, self.source, self.origin.path, edit, span, in_edit, unit)
                if laid is not None:
                    edit, in_edit = laid
            shift = edit.range.start.line - first_line  # the edit's first line, counted in the function
            added = tuple(shift + line for line in in_edit)
            new = edited_function(self.source, first_line, last_line, edit)
            notes += _overlong(node, edit, width, self.source)
            statements = attributes.statements if attributes else 0
            if not same_with_block(node, new, statements, handlers, guarded=guarded, helper=helper):
                raise BodyEditError("the rewritten body would not be the original body inside the span")
            form: SpanForm = "with"
        else:
            project = self.style.project
            unit = self._unit
            edit = decorator_edit(
                self.source, node, setup.tracer, name, unit, project.line_length, commas=project.trailing_commas
            )
            edit = _requoted(edit, range(edit.new_text.count("\n") + 1), self._project_style.quote)
            added = (node.lineno - first_line,)  # the decorator line, inserted above the def
            new = edited_function(self.source, first_line, last_line, edit)
            if not same_with_decorator(node, new):
                raise BodyEditError("the decorated function would differ from the original")
            form = "decorator"
        edits: list[TextEdit] = []
        for setup_edit in head:
            if setup_edit.range.start.line > first_line:
                raise BodyEditError("the tracer would be defined after the function")
            edits.append(setup_edit)
        setup_edits = len(edits)
        edits.append(edit)
        edits.extend(renumber_edits(self.module, self.source, edits))
        return EditResult(
            tuple(edits),
            None,
            form,
            notes=notes,
            span_name=name,
            function_lines=(first_line, last_line),
            setup_edits=setup_edits,
            added_lines=added,
        )

    def _status_helper(
        self, client: ClientErrorTest, trace: str, status: tuple[str, str] | None, site: FunctionSite
    ) -> tuple[str, TextEdit | None] | None:
        """The module's status helper class for ``client`` (web_errors.py) and the edit adding it above the
        top-level statement holding the function, or None edit when the module has it already; None when a class
        of that name differs or the name means something else here (the span then gets the inline guard)."""
        assert self.module is not None
        status_class, code_class = status or (f"{trace}.Status", f"{trace}.StatusCode")
        width = self.style.project.line_length
        project = self.style.project
        made = StatusHelper(status_class, code_class, trace, self._unit, width, project.pylint, project.trailing_commas)
        quote = self._project_style.quote
        lines = [requote(line, quote) for line in status_helper_lines(client, STATUS_HELPER, made)]
        wanted = ast.parse("\n".join(lines)).body[0]
        for statement in self.module.body:
            if isinstance(statement, ast.ClassDef) and statement.name == STATUS_HELPER:
                return (STATUS_HELPER, None) if same_tree(statement, wanted) else None
        if STATUS_HELPER in self._names[1]:
            return None
        top = self.module.body[site.top_statement]
        line = min([d.lineno for d in getattr(top, "decorator_list", [])] + [top.lineno])
        while line > 1 and self.source.line(line - 1).lstrip().startswith("#"):  # comments that belong to it
            line -= 1
        blank = 0
        while blank < 2 and line - blank > 1 and not self.source.line(line - blank - 1).strip():
            blank += 1
        eol = self.source.eol
        above = eol * (2 - blank) if line > 1 else ""
        text = above + eol.join(lines) + eol * 3
        return STATUS_HELPER, TextEdit(Range(Position(line, 0), Position(line, 0)), text)

    def _imports(self, client: ClientErrorTest, head: list[TextEdit]) -> list[TextEdit] | None:
        """``head`` (the import and tracer edits) with the imports ``client`` needs, each where isort/ruff put it;
        an import landing where another edit inserts text joins it in import order. None: one cannot be placed."""
        assert self.module is not None
        edits = list(head)
        style = self._project_style
        for module, names in client.imports:
            width = style.line_length
            extended = (
                None
                if style.force_single_line
                else extend_from_import(
                    self.module, self.source, module, list(names), width, vertical=style.vertical_imports
                )
            )
            if extended is not None:
                edits.append(extended)
                continue
            # force-single-line: one ``from module import name`` line per name, in the members' order
            lines = (
                [f"from {module} import {name}" for name in sorted(names, key=member_key)]
                if style.force_single_line
                else [f"from {module} import {', '.join(names)}"]
            )
            for line in lines:
                found = import_statement_edit(self.module, self.source, style, line, module)
                if found is None:
                    return None
                same = next((i for i, e in enumerate(edits) if e.range == found.range), None)
                if same is None:
                    edits.append(found)
                else:
                    edits[same] = TextEdit(found.range, _join_imports(edits[same].new_text, found.new_text, module))
        return sorted(edits, key=lambda e: (e.range.start, e.range.end))


def _with_edit(head: list[TextEdit], edit: TextEdit | None) -> list[TextEdit]:
    """``head`` with ``edit`` (an insertion) added in text order; one inserting at the same place goes after."""
    if edit is None:
        return head
    same = next((i for i, e in enumerate(head) if e.range == edit.range), None)
    if same is not None:
        joined = TextEdit(edit.range, head[same].new_text + edit.new_text)
        return [*head[:same], joined, *head[same + 1 :]]
    return sorted([*head, edit], key=lambda e: (e.range.start, e.range.end))


def _join_imports(text: str, import_text: str, module: str) -> str:
    """Two insertions at one place: ``import_text`` (one import line, maybe with blank lines) goes among the leading
    import lines of ``text`` in module order (isort's within a section; ``text`` already has the blank lines around
    the section), else before it."""
    lines = text.splitlines(keepends=True)
    at = 0
    while at < len(lines) and not lines[at].strip():  # a new section's blank line above it stays above it
        at += 1
    while at < len(lines) and lines[at].startswith(("from ", "import ")):
        imported = lines[at].split()[1]
        if imported.lower() > module.lower():
            break
        at += 1
    if not any(line.startswith(("from ", "import ")) for line in lines):
        return import_text + text
    added = "".join(line for line in import_text.splitlines(keepends=True) if line.strip())
    return "".join(lines[:at]) + added + "".join(lines[at:])


def _overlong(
    node: ast.FunctionDef | ast.AsyncFunctionDef, edit: TextEdit, width: int, source: SourceText
) -> tuple[str, ...]:
    """A note when the ``with`` block indents existing lines of the body past the project's line length (lines that
    are one word, such as a long span name on its own line, are exempt from line-length checks)."""
    lines = range(edit.range.start.line, edit.range.end.line + 1)
    before = sum(_too_long(source.line(n), width) for n in lines)
    after = sum(_too_long(line, width) for line in SourceText(edit.new_text).lines)
    if after <= before:
        return ()
    return (
        f"{after - before} line(s) of {node.name} indented by the span are now longer than the project's line length"
        f" ({width}): reformat the function (ruff format / black)",
    )


def _too_long(line: str, width: int) -> bool:
    return measured(line) > width and " " in line.strip()


def _qualified(module: str | None, name: str) -> str:
    """``code.function.name``: the function's fully qualified name (``shop.orders.OrderService.place``)."""
    return f"{module}.{name}" if module else name


def _requoted(edit: TextEdit, lines: Iterable[int], quote: str) -> TextEdit:
    """``edit`` with the strings of the lines it wrote (``lines`` of its new text) in the project's quote."""
    if quote == '"':
        return edit
    text = edit.new_text.splitlines(keepends=True)
    for number in lines:
        if 0 <= number < len(text):
            text[number] = requote(text[number], quote)
    return TextEdit(edit.range, "".join(text))


def _written_quote(module: ast.Module, source: SourceText, sample: int = 200) -> str:
    """The quote the file's own one-line strings are written in, read from up to ``sample`` of them: ``'`` when
    single quotes are at least twice as many (and three or more), else ``"`` (nameko writes ``'routing_key'``
    without any tool asking for it: a span name in double quotes would be the odd one out)."""
    single = double = 0
    for node in ast.walk(module):
        if type(node) is not ast.Constant or type(node.value) is not str or node.end_lineno != node.lineno:
            continue
        text = source.line(node.lineno)[source.char_column(node.lineno, node.col_offset) :].lstrip("rRbBuUfF")
        if text[:3] in ('"""', "'''"):
            continue
        single += text[:1] == "'"
        double += text[:1] == '"'
        if single + double >= sample:
            break
    return "'" if single >= 3 and single >= 2 * double else '"'


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _choose(sites: list[FunctionSite], line: int | None) -> FunctionSite | None:
    if line is None:
        real = [s for s in sites if "overload" not in decorator_tails(s.node)]
        return (real or sites)[0]
    for site in sites:
        first, last = def_lines(site.node)
        if first <= line <= last:
            return site
    return None


def span_edits(
    text: str,
    qualname: str,
    capture: Capture | None = None,
    *,
    line: int | None = None,
    style: SpanStyle = DEFAULT_STYLE,
) -> EditResult:
    """Minimal edits that add a span to function ``qualname`` of ``text`` (see :class:`SpanEditor`).

    ``capture=None`` asks for a plain span (a ``with`` block; the decorator when ``style`` asks for it); a
    ``Capture`` records its parameters/attributes and reports handled exceptions on the span as the OpenTelemetry
    error rules say (:mod:`trace_advisor.edits.handlers`).
    """
    return SpanEditor(text, style=style).edits(qualname, capture, line=line)

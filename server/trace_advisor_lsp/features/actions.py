"""Code actions: "Add span" and "Add span with attributes" per recommendation, the span linter's quick-fixes, the
same two for the function under the cursor, and "Add spans to all recommended functions in this file"; every edit
comes from the span engine or the linter, pinned to the document version. A client that resolves edits gets the span
actions without theirs (asked for on every cursor move): the edit is made when one is picked (codeAction/resolve),
against the document as it is then, laid out with the project's formatter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from trace_advisor.datatypes import Capture, Recommendation, split_symbol
from trace_advisor.edits.style import SpanOrigin, SpanStyle
from trace_advisor.span_names import SpanNames

from trace_advisor_lsp import convert, lint, spans
from trace_advisor_lsp.convert import SOURCE, Converter
from trace_advisor_lsp.server import TraceAdvisorServer

ADD_ALL_TITLE = "Add spans to all recommended functions in this file"
QUICKFIX, REFACTOR, SOURCE_ADD_SPANS = "quickfix", "refactor.rewrite", "source.addSpans"
FUNCTION_KINDS = ("function", "method")


async def code_action(ls: TraceAdvisorServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    """Actions for the range: quick-fixes for our diagnostics, the refactor under the cursor, the file-wide one."""
    uri = params.text_document.uri
    target = await ls.documents.ready(uri, progress=params.work_done_token)
    doc = ls.documents.document(uri)
    if target is None or doc is None:
        return None
    project, path, index = target.project, target.path, target.index
    conv, text, version = ls.documents.converter(project), doc.source, doc.version
    findings, style, origin = project.findings_for(path), project.span_style(path=path), target.span_origin()
    only = None if params.context.only is None else [str(getattr(k, "value", k)) for k in params.context.only]
    lazy, current = resolves_edits(ls), ls.documents.current_texts(target.project, target.index)

    def wanted(kind: str) -> bool:
        return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)

    def job() -> list[types.CodeAction]:
        current()
        actions: list[types.CodeAction] = []
        fixed: set[str] = set()  # functions with quick-fixes here: the refactor pair would repeat them
        editor = None  # parsed once for the checks of the lazy actions

        def span_action(
            title: str, kind: str, symbol: str, capture: Capture | None, line: int, name: str, **extra: Any
        ) -> types.CodeAction | None:
            """The action adding a span to one function: with a client that resolves edits, only offered (the
            function is there and can get a span) and its edit made when picked, with the project's formatter;
            else with its edit."""
            nonlocal editor
            qualname = split_symbol(symbol)[1]
            if lazy:
                if editor is None:
                    from trace_advisor.edits import SpanEditor

                    editor = SpanEditor(text, style=style, origin=origin)
                if not editor.offers(qualname, line=line):
                    return None
                data = {"uri": uri, "symbol": symbol, "line": line, "capture": capture is not None, "name": name}
                return convert.code_action(title, kind, None, **extra, data={**data, "version": version})
            edits, _ = spans.function_edits(text, qualname, capture, line, style, origin, name)
            return (
                convert.code_action(title, kind, conv.workspace_edit(path, edits, version), **extra) if edits else None
            )

        if wanted(QUICKFIX):
            actions.extend(lint.quick_fixes(conv, project, path, text, version, params.context.diagnostics))
            for diagnostic in params.context.diagnostics:
                rec = findings.recommendation(*convert.diagnostic_target(diagnostic)) if ours(diagnostic) else None
                if rec is None:
                    continue
                line, name = rec.range.start.line, rec.span_name
                for capture, title in ((rec.capture, f"Add span \u201c{name}\u201d with attributes"), (None, None)):
                    label = title or f"Add span \u201c{name}\u201d"
                    preferred = capture is not None
                    fix = span_action(
                        label, QUICKFIX, rec.symbol, capture, line, name, diagnostics=[diagnostic], preferred=preferred
                    )
                    if fix is not None:
                        actions.append(fix)
                        fixed.add(rec.symbol)
        if wanted(REFACTOR):
            cursor = conv.to_core(path, params.range.start)
            definition = index.definition_at(Path(path), cursor)
            if definition is not None and definition.kind in FUNCTION_KINDS and definition.symbol not in fixed:
                rec = findings.recommendation(definition.symbol, cursor.line)
                name = rec.span_name if rec else index.extension(SpanNames).name(index, definition.symbol)
                # with attributes: the recommendation's, else only where the code is and its exception paths
                choices = ((rec.capture if rec else Capture(), " with attributes"), (None, ""))
                for capture, suffix in choices:
                    title = f"Add span{suffix} to this function (\u201c{name}\u201d)"
                    action = span_action(title, REFACTOR, definition.symbol, capture, cursor.line, name)
                    if action is not None:
                        actions.append(action)
        if wanted(SOURCE_ADD_SPANS) and findings.visible:
            if lazy:  # every recommended function is edited: computed only when the user picks it
                actions.append(convert.code_action(ADD_ALL_TITLE, SOURCE_ADD_SPANS, None, data={"uri": uri}))
            else:
                actions.extend(file_action(conv, path, text, version, list(findings.visible), style, origin))
        return actions

    return await ls.engine.query(job) or None


async def code_action_resolve(ls: TraceAdvisorServer, action: types.CodeAction) -> types.CodeAction:
    """The edit of an action listed without one (a client that resolves edits), against the document as it is now
    and laid out with the project's formatter: "Add spans to all recommended functions", or a span on one function
    (``data``: its symbol, def line, with or without attributes, span name)."""
    data = action.data if isinstance(action.data, dict) else {}
    uri = str(data.get("uri", ""))
    target = await ls.documents.ready(uri) if action.edit is None else None
    doc = ls.documents.document(uri)
    if target is None or doc is None:
        return action
    project, path, origin = target.project, target.path, target.span_origin()
    conv, text, version = ls.documents.converter(project), doc.source, doc.version
    findings = project.findings_for(path)
    symbol, line = data.get("symbol"), data.get("line")
    if isinstance(symbol, str) and isinstance(line, int):
        name = str(data.get("name") or "") or None
        rec = findings.recommendation(symbol, line)
        capture = (rec.capture if rec else Capture()) if data.get("capture") else None

        def edit() -> types.WorkspaceEdit:
            style = project.span_style(formatter=True, path=path)
            qualname = split_symbol(symbol)[1]
            edits, _ = spans.function_edits(text, qualname, capture, line, style, origin, name)
            return conv.workspace_edit(path, edits, version)

        action.edit = await ls.engine.query(edit)
        return action
    recommended = list(findings.visible)

    def file_edit() -> list[types.CodeAction]:
        style = project.span_style(formatter=True)
        return file_action(conv, path, text, version, recommended, style, origin)

    resolved = await ls.engine.query(file_edit)
    action.edit = resolved[0].edit if resolved else types.WorkspaceEdit(document_changes=[])
    return action


def file_action(
    conv: Converter,
    path: str,
    text: str,
    version: int | None,
    recommended: list[Recommendation],
    style: SpanStyle,
    origin: SpanOrigin,
) -> list[types.CodeAction]:
    all_edits, changed = spans.file_edits(text, recommended, style, origin)
    if not changed:
        return []
    return [convert.code_action(ADD_ALL_TITLE, SOURCE_ADD_SPANS, conv.workspace_edit(path, all_edits, version))]


def resolves_edits(ls: TraceAdvisorServer) -> bool:
    """Whether the client can fill in an action's edit later (codeAction/resolve)."""
    document = ls.client_capabilities.text_document
    support = document.code_action.resolve_support if document and document.code_action else None
    return support is not None and "edit" in support.properties


def ours(diagnostic: types.Diagnostic) -> bool:
    """One of our recommendations (linter findings carry ``data.lint`` instead of a symbol)."""
    return diagnostic.source == SOURCE and isinstance(diagnostic.data, dict) and "symbol" in diagnostic.data


def register(server: TraceAdvisorServer) -> None:
    kinds = [types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite, types.CodeActionKind.Source]
    options = types.CodeActionOptions(code_action_kinds=kinds, resolve_provider=True)
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)(code_action)
    server.feature(types.CODE_ACTION_RESOLVE)(code_action_resolve)

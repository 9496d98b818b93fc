"""Code actions: a quick-fix per diagnostic, "Add span to this function" and "Add spans to all recommended
functions in this file"; every edit comes from the span engine, pinned to the document version."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from trace_advisor.edits.style import SpanStyle
from trace_advisor.model import Recommendation, span_name, split_symbol

from trace_advisor_lsp import convert, spans
from trace_advisor_lsp.convert import SOURCE, Converter
from trace_advisor_lsp.server import TraceAdvisorServer

ADD_ALL_TITLE = "Add spans to all recommended functions in this file"
QUICKFIX, REFACTOR, SOURCE_ADD_SPANS = "quickfix", "refactor.rewrite", "source.addSpans"
FUNCTION_KINDS = ("function", "method")


async def code_action(ls: TraceAdvisorServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    """Actions for the range: quick-fixes for our diagnostics, the refactor under the cursor, the file-wide one."""
    uri = params.text_document.uri
    target = await ls.documents.ready(uri)
    doc = ls.workspace.text_documents.get(uri)
    if target is None or doc is None:
        return None
    project, path, index = target.project, target.path, target.index
    conv, text, version = ls.documents.converter(project), doc.source, doc.version
    findings, style = project.findings_for(path), project.span_style()
    only = None if params.context.only is None else [str(getattr(k, "value", k)) for k in params.context.only]
    lazy, current = resolves_edits(ls), ls.documents.current_texts(target.project, target.index)

    def wanted(kind: str) -> bool:
        return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)

    def job() -> list[types.CodeAction]:
        current()
        actions: list[types.CodeAction] = []
        if wanted(QUICKFIX):
            for diagnostic in params.context.diagnostics:
                rec = findings.recommendation(*convert.diagnostic_target(diagnostic)) if ours(diagnostic) else None
                edits, _ = (
                    spans.function_edits(text, rec.qualname, rec.capture, rec.range.start.line, style)
                    if rec
                    else ((), None)
                )
                if rec is not None and edits:
                    edit = conv.workspace_edit(path, edits, version)
                    title = f"Add span \u201c{rec.span_name}\u201d"
                    actions.append(convert.code_action(title, QUICKFIX, edit, [diagnostic], True))
        if wanted(REFACTOR):
            cursor = conv.to_core(path, params.range.start)
            definition = index.definition_at(Path(path), cursor)
            if definition is not None and definition.kind in FUNCTION_KINDS:
                qualname = split_symbol(definition.symbol)[1]
                rec = findings.recommendation(definition.symbol, cursor.line)
                edits, _ = spans.function_edits(text, qualname, rec.capture if rec else None, cursor.line, style)
                if edits:
                    title = f"Add span to this function (\u201c{span_name(qualname)}\u201d)"
                    edit = conv.workspace_edit(path, edits, version)
                    actions.append(convert.code_action(title, REFACTOR, edit))
        if wanted(SOURCE_ADD_SPANS) and findings.visible:
            if lazy:  # every recommended function is edited: computed only when the user picks it
                actions.append(convert.code_action(ADD_ALL_TITLE, SOURCE_ADD_SPANS, None, data={"uri": uri}))
            else:
                actions.extend(file_action(conv, path, text, version, list(findings.visible), style))
        return actions

    return await ls.engine.query(job) or None


async def code_action_resolve(ls: TraceAdvisorServer, action: types.CodeAction) -> types.CodeAction:
    """The edit of "Add spans to all recommended functions", against the document as it is now."""
    data = action.data if isinstance(action.data, dict) else {}
    uri = str(data.get("uri", ""))
    target = await ls.documents.ready(uri) if action.edit is None else None
    doc = ls.workspace.text_documents.get(uri)
    if target is None or doc is None:
        return action
    conv, text, version = ls.documents.converter(target.project), doc.source, doc.version
    recommended = list(target.project.findings_for(target.path).visible)
    style = target.project.span_style()
    resolved = await ls.engine.query(lambda: file_action(conv, target.path, text, version, recommended, style))
    action.edit = resolved[0].edit if resolved else types.WorkspaceEdit(document_changes=[])
    return action


def file_action(
    conv: Converter,
    path: str,
    text: str,
    version: int | None,
    recommended: list[Recommendation],
    style: SpanStyle,
) -> list[types.CodeAction]:
    all_edits, changed = spans.file_edits(text, recommended, style)
    if not changed:
        return []
    return [convert.code_action(ADD_ALL_TITLE, SOURCE_ADD_SPANS, conv.workspace_edit(path, all_edits, version))]


def resolves_edits(ls: TraceAdvisorServer) -> bool:
    """Whether the client can fill in an action's edit later (codeAction/resolve)."""
    document = ls.client_capabilities.text_document
    support = document.code_action.resolve_support if document and document.code_action else None
    return support is not None and "edit" in support.properties


def ours(diagnostic: types.Diagnostic) -> bool:
    return diagnostic.source == SOURCE and isinstance(diagnostic.data, dict)


def register(server: TraceAdvisorServer) -> None:
    kinds = [types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite, types.CodeActionKind.Source]
    options = types.CodeActionOptions(code_action_kinds=kinds, resolve_provider=True)
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)(code_action)
    server.feature(types.CODE_ACTION_RESOLVE)(code_action_resolve)

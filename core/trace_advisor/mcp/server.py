"""The agent server's protocol layer (with :mod:`transport`, the only modules that import the MCP SDK): lists the
tools and the report resources, checks arguments against each tool's schema, runs the service in a worker thread
(cancellable, with progress notifications) and serves over stdio."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlsplit

import anyio
import anyio.from_thread
import anyio.to_thread
import mcp_types as types
from jsonschema import Draft202012Validator
from mcp.server import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from mcp_types.jsonrpc import INVALID_PARAMS

from trace_advisor import __version__
from trace_advisor.cancel import CancelToken
from trace_advisor.mcp.service import AdvisorService, Progress
from trace_advisor.mcp.tools import TOOLS, TOOLS_BY_NAME, ToolSpec
from trace_advisor.mcp.transport import stdio_transport
from trace_advisor.mcp.workspaces import RequestError, ServerOptions, Workspace
from trace_advisor.report import FORMATS

log = logging.getLogger("trace_advisor.mcp")
T = TypeVar("T")
Context = ServerRequestContext[Any, Any]

SCHEME = "trace-advisor"
MIME_TYPES = {"json": "application/json", "md": "text/markdown", "sarif": "application/sarif+json", "html": "text/html"}
FORMAT_TITLES = {"json": "JSON", "md": "Markdown", "sarif": "SARIF 2.1.0", "html": "HTML call-tree page"}

INSTRUCTIONS = """\
trace-advisor tells where OpenTelemetry spans belong in this Python code, why, and inserts the span code.
Workspace roots (paths outside them are refused): {roots}
- recommend(paths): where spans belong, with priority, confidence, rationale and what to capture.
- preview_span(symbol) shows the exact diff; apply_span(symbols) writes it (refusing a file changed since its
  preview). The span code is verified: it parses, changes no behaviour and records no secrets.
- coverage(paths): which functions that deserve a span have one, against the project's baseline.
- callers / callees / call_tree: the static call graph, to see how a function is reached and what it reaches.
- Every answer reflects the files as they are on disk at the time of the call.
Resources: the full report of each root as JSON, Markdown, SARIF and HTML.
Nothing leaves the machine unless the project configures a model provider."""


def build_server(service: AdvisorService) -> Server[Any]:
    """An MCP server answering from ``service``."""
    validators = {tool.name: Draft202012Validator(tool.input_schema) for tool in TOOLS}

    async def list_tools(ctx: Context, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[_tool(spec) for spec in TOOLS])

    async def call_tool(ctx: Context, params: types.CallToolRequestParams) -> types.CallToolResult:
        spec = TOOLS_BY_NAME.get(params.name)
        if spec is None:
            return _error(f"unknown tool {params.name!r} (tools: {', '.join(TOOLS_BY_NAME)})")
        arguments = dict(params.arguments or {})
        problems = sorted(validators[spec.name].iter_errors(arguments), key=lambda e: list(e.absolute_path))
        if problems:
            return _error("invalid arguments: " + "; ".join(_problem_text(p) for p in problems))
        try:
            answer = await _in_thread(ctx, lambda cancel, progress: spec.run(service, arguments, cancel, progress))
        except RequestError as exc:
            return _error(str(exc))
        except Exception as exc:  # noqa: BLE001 - the server answers every call; the traceback goes to the log
            log.exception("tool %s failed", spec.name)
            return _error(f"internal error in trace-advisor ({type(exc).__name__}: {exc}); details are in its log")
        text = json.dumps(answer, indent=2, ensure_ascii=False)
        content: list[types.ContentBlock] = [types.TextContent(type="text", text=text)]
        # An untrusted project file's held-back settings (its provider, say): the agent relays it to the user, who
        # alone decides to trust the file; the structured answer stays the CLI's JSON.
        for notice in service.take_notices():
            log.warning("%s", notice)
            content.append(types.TextContent(type="text", text=_warning(notice)))
        return types.CallToolResult(content=content, structured_content=answer)

    async def list_resources(ctx: Context, params: types.PaginatedRequestParams | None) -> types.ListResourcesResult:
        return types.ListResourcesResult(
            resources=[_resource(workspace, fmt) for workspace in service.workspaces.all for fmt in FORMATS]
        )

    async def read_resource(ctx: Context, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        uri = str(params.uri)
        workspace, fmt = _parse_resource(service, uri)
        try:
            text = await _in_thread(ctx, lambda cancel, progress: service.report(workspace, fmt, cancel=cancel))
        except RequestError as exc:
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None
        contents: list[types.TextResourceContents | types.BlobResourceContents] = [
            types.TextResourceContents(uri=uri, mime_type=MIME_TYPES[fmt], text=text)
        ]
        # The report itself stays what the CLI writes; held-back settings travel beside it, as with the tools.
        for notice in service.take_notices():
            log.warning("%s", notice)
            contents.append(types.TextResourceContents(uri=uri, mime_type="text/plain", text=_warning(notice)))
        return types.ReadResourceResult(contents=contents)

    roots = ", ".join(str(w.root) for w in service.workspaces.all)
    return Server(
        "trace-advisor",
        version=__version__,
        title="trace-advisor",
        instructions=INSTRUCTIONS.format(roots=roots),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
    )


def serve(options: ServerOptions) -> None:
    """Serve over stdin/stdout until the client closes them; the workspaces are indexed in the background first."""
    service = AdvisorService(options)
    server = build_server(service)

    async def main() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_warm, service)
            async with stdio_transport() as (read_stream, write_stream):
                await server.run(read_stream, write_stream, server.create_initialization_options())
            tasks.cancel_scope.cancel()

    anyio.run(main)


async def _warm(service: AdvisorService) -> None:
    cancel = CancelToken()
    try:
        await anyio.to_thread.run_sync(service.warm, cancel, abandon_on_cancel=True)
    except anyio.get_cancelled_exc_class():
        cancel.cancel()
        raise


async def _in_thread(ctx: Context, work: Callable[[CancelToken, Progress], T]) -> T:
    """Run ``work`` in a worker thread; a cancelled request cancels its token (the work stops at its next check)."""
    cancel = CancelToken()
    progress = _Reporter(ctx)
    try:
        return await anyio.to_thread.run_sync(lambda: work(cancel, progress), abandon_on_cancel=True)
    except anyio.get_cancelled_exc_class():
        cancel.cancel()
        raise


class _Reporter:
    """Progress of one request as ``notifications/progress`` (sent only when the client asked for progress), at most
    once per percent."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if percent == self._last:
            return
        self._last = percent
        try:
            anyio.from_thread.run(self._ctx.session.report_progress, done, total, f"analysed {done} of {total} files")
        except Exception:  # noqa: BLE001 - progress is best effort (the request may be gone)
            log.debug("progress not sent", exc_info=True)


def _tool(spec: ToolSpec) -> types.Tool:
    annotations = types.ToolAnnotations(
        title=spec.title,
        read_only_hint=spec.read_only,
        destructive_hint=False,
        idempotent_hint=True,
        open_world_hint=spec.open_world,
    )
    return types.Tool(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        input_schema=spec.input_schema,
        output_schema=spec.output_schema,
        annotations=annotations,
    )


def _warning(notice: str) -> str:
    return f"trace-advisor: warning: {notice}"


def _resource(workspace: Workspace, fmt: str) -> types.Resource:
    return types.Resource(
        name=f"report.{fmt}",
        title=f"trace-advisor report ({FORMAT_TITLES[fmt]}) of {workspace.root}",
        uri=f"{SCHEME}://{quote(workspace.name, safe='')}/report.{fmt}",
        description=f"`trace-advisor analyze {workspace.root} --format {fmt}`: every recommendation of the workspace "
        "(computed when read).",
        mime_type=MIME_TYPES[fmt],
    )


def _parse_resource(service: AdvisorService, uri: str) -> tuple[Workspace, str]:
    parts = urlsplit(uri)
    workspace = service.workspaces.named(unquote(parts.netloc)) if parts.scheme == SCHEME else None
    fmt = parts.path.removeprefix("/report.") if parts.path.startswith("/report.") else ""
    if workspace is None or fmt not in FORMATS:
        known = ", ".join(_resource(w, f).uri for w in service.workspaces.all for f in FORMATS)
        raise MCPError(code=INVALID_PARAMS, message=f"unknown resource {uri} (resources: {known})")
    return workspace, fmt


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=message)], is_error=True)


def _problem_text(problem: Any) -> str:
    where = ".".join(str(part) for part in problem.absolute_path)
    return f"{where}: {problem.message}" if where else str(problem.message)

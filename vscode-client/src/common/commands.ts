/** Registers the extension's commands; the analysis ones call the server's `workspace/executeCommand`. */

import * as vscode from "vscode";

import {
  CATEGORY,
  type CommandId,
  parseCallHierarchyArgs,
  reportPath,
  SERVER_COMMANDS,
  summarizeAnalyses,
  summaryMessage,
  SHOW_CALL_HIERARCHY,
} from "../logic/commands";
import {
  type IgnoredSetting,
  OPEN_FILE_ACTION,
  TRUST_ACTION,
  trustDetail,
  type UntrustedConfig,
  untrustedMessage,
} from "../logic/trust";
import type { Log } from "./log";
import type { ReportView } from "./report";
import type { ServerManager } from "./server";
import type { Settings } from "./settings";

export interface CommandContext {
  server: ServerManager;
  settings: Settings;
  log: Log;
  report: ReportView;
}

/** Registers every command of `COMMANDS`; the Record type makes a missing handler a compile error. */
export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const handlers: Record<CommandId, (...args: unknown[]) => Promise<unknown> | unknown> = {
    "traceAdvisor.analyzeFile": () => analyzeFile(ctx),
    "traceAdvisor.analyzeWorkspace": () => analyzeWorkspace(ctx),
    "traceAdvisor.showReport": () => showReport(ctx),
    "traceAdvisor.addSpansInFile": () => addSpansInFile(ctx),
    "traceAdvisor.restartServer": () => ctx.server.restart(),
    "traceAdvisor.showLog": () => ctx.log.show(),
    "traceAdvisor.trustProjectConfig": () => trustProjectConfig(ctx),
    [SHOW_CALL_HIERARCHY]: (...args) => showCallHierarchy(args),
  };
  return Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}

function activePythonUri(): vscode.Uri | undefined {
  const document = vscode.window.activeTextEditor?.document;
  if (document === undefined || document.languageId !== "python" || document.uri.scheme !== "file") {
    void vscode.window.showWarningMessage(`${CATEGORY}: open a Python file first.`);
    return undefined;
  }
  return document.uri;
}

/**
 * The warning for a project configuration file the server holds settings of back: its "Trust…" button leads to the
 * same confirmation as the Trust Project Configuration command, "Open File" shows the file.
 */
export async function offerTrust(ctx: CommandContext, info: UntrustedConfig): Promise<void> {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(info.folderUri));
  const message = untrustedMessage(info, folder?.name ?? vscode.Uri.parse(info.folderUri).fsPath);
  ctx.log.warn(`${message} ${info.settings.map((setting) => `${setting.where} ${setting.key}`).join("; ")}`);
  const pick = await vscode.window.showWarningMessage(message, TRUST_ACTION, OPEN_FILE_ACTION);
  if (pick === TRUST_ACTION) {
    await trustProjectConfig(ctx, folder, info.settings);
  } else if (pick === OPEN_FILE_ACTION) {
    await vscode.window.showTextDocument(vscode.Uri.file(info.file));
  }
}

/**
 * Trusts the trace-advisor configuration of a workspace folder after the user confirms it in a modal dialog: the
 * server records the file's hash (as `trace-advisor trust` does) and applies the settings it was holding back.
 */
async function trustProjectConfig(
  ctx: CommandContext,
  chosen?: vscode.WorkspaceFolder,
  settings?: readonly IgnoredSetting[],
): Promise<unknown> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const folder =
    chosen ??
    (folders.length <= 1
      ? folders[0]
      : await vscode.window.showWorkspaceFolderPick({ placeHolder: "Trust the trace-advisor configuration of..." }));
  if (folder === undefined) {
    return undefined;
  }
  const detail =
    settings !== undefined
      ? trustDetail(settings)
      : "Its .trace-advisor.yaml (or [tool.trace-advisor] in pyproject.toml) can choose the model endpoint your code " +
        "and API key are sent to, and paths outside the folder. Trust it only if you wrote or reviewed it; any change " +
        "to its settings needs trust again.";
  const choice = await vscode.window.showWarningMessage(
    `Trust the trace-advisor configuration of ${folder.name}?`,
    { modal: true, detail },
    "Trust",
  );
  if (choice !== "Trust") {
    return undefined;
  }
  const answer = await withServer(ctx, `Trusting the configuration of ${folder.name}`, (token) =>
    runServer(ctx, SERVER_COMMANDS.trust, [folder.uri.toString()], token),
  );
  ctx.log.info(`trusted the project configuration of ${folder.name}: ${JSON.stringify(answer)}`);
  return answer;
}

async function analyzeFile(ctx: CommandContext): Promise<unknown> {
  const uri = activePythonUri();
  if (uri === undefined) {
    return undefined;
  }
  const name = vscode.workspace.asRelativePath(uri);
  const answer = await withServer(ctx, `Analyzing ${name}`, (token) =>
    runServer(ctx, SERVER_COMMANDS.analyzeFile, [uri.toString()], token),
  );
  if (answer !== undefined && answer !== null) {
    void vscode.window.showInformationMessage(`${CATEGORY}: ${summaryMessage(summarizeAnalyses([answer]))}`);
  }
  return answer;
}

/** Folders never worth analysing, whatever the project's ignore globs say (the server applies those too). */
const ALWAYS_SKIPPED = "**/{.git,.venv,venv,.tox,.nox,node_modules,__pycache__,build,dist,site-packages}/**";

/**
 * Analyses every Python file of the workspace with the configured engine: the server's own batch command when it
 * offers one, else one `trace-advisor.analyzeFile` per file, with progress and cancellation.
 */
async function analyzeWorkspace(ctx: CommandContext): Promise<unknown> {
  if (ctx.server.offers(SERVER_COMMANDS.analyzeWorkspace)) {
    return withServer(ctx, "Analyzing the workspace", (token) =>
      runServer(ctx, SERVER_COMMANDS.analyzeWorkspace, [], token),
    );
  }
  const files = await vscode.workspace.findFiles("**/*.py", ALWAYS_SKIPPED);
  files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const answers = await withServer(ctx, "Analyzing the workspace", async (token, progress) => {
    const collected: unknown[] = [];
    for (const [index, file] of files.entries()) {
      if (token.isCancellationRequested) {
        break;
      }
      progress.report({
        message: `${index + 1}/${files.length} ${vscode.workspace.asRelativePath(file)}`,
        increment: 100 / Math.max(files.length, 1),
      });
      collected.push(await runServer(ctx, SERVER_COMMANDS.analyzeFile, [file.toString()], token));
    }
    return collected;
  });
  if (answers !== undefined) {
    void vscode.window.showInformationMessage(`${CATEGORY}: ${summaryMessage(summarizeAnalyses(answers))}`);
  }
  return answers;
}

async function addSpansInFile(ctx: CommandContext): Promise<unknown> {
  const uri = activePythonUri();
  if (uri === undefined) {
    return undefined;
  }
  return withServer(ctx, `Adding spans to ${vscode.workspace.asRelativePath(uri)}`, (token) =>
    runServer(ctx, SERVER_COMMANDS.addSpansInFile, [uri.toString()], token),
  );
}

async function showReport(ctx: CommandContext): Promise<string | undefined> {
  const result = await withServer(ctx, "Writing the call-tree report", (token) =>
    runServer(ctx, SERVER_COMMANDS.showReport, [], token),
  );
  if (result === undefined) {
    return undefined;
  }
  const location = reportPath(result);
  if (location === undefined) {
    ctx.log.error(`${SERVER_COMMANDS.showReport} returned no report path: ${JSON.stringify(result)}`);
    void vscode.window.showErrorMessage(`${CATEGORY}: the server returned no report path.`);
    return undefined;
  }
  const shown = await ctx.report.show(location, ctx.settings.client().reportViewer);
  return shown.fsPath;
}

/** The code lens command: puts the cursor on the function and opens the call hierarchy view there. */
async function showCallHierarchy(args: unknown[]): Promise<void> {
  const { uri, position, direction } = parseCallHierarchyArgs(args);
  const at = new vscode.Position(position.line, position.character);
  await vscode.window.showTextDocument(vscode.Uri.parse(uri), { selection: new vscode.Range(at, at) });
  const available = await vscode.commands.getCommands(true);
  if (available.includes("references-view.showCallHierarchy")) {
    // The built-in references view (VS Code 1.5x+) shows the hierarchy at the cursor in its side bar tree.
    await vscode.commands.executeCommand("references-view.showCallHierarchy");
    await vscode.commands.executeCommand(
      direction === "incoming" ? "references-view.showIncomingCalls" : "references-view.showOutgoingCalls",
    );
  } else {
    await vscode.commands.executeCommand("editor.showCallHierarchy");
  }
}

/** Runs a server command with a cancellable progress notification; reports failures and returns undefined. */
async function withServer<T>(
  ctx: CommandContext,
  title: string,
  work: (token: vscode.CancellationToken, progress: vscode.Progress<{ message?: string; increment?: number }>) => Promise<T>,
): Promise<T | undefined> {
  let cancelled = false;
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${CATEGORY}: ${title}…`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => {
          cancelled = true;
        });
        return work(token, progress);
      },
    );
  } catch (error) {
    if (cancelled) {
      ctx.log.info(`${title}: cancelled`);
      return undefined;
    }
    const message = error instanceof Error ? error.message : String(error);
    ctx.log.error(`${title}: ${message}`);
    void vscode.window.showErrorMessage(`${CATEGORY}: ${title} failed: ${message}`, "Show Log").then((pick) => {
      if (pick === "Show Log") {
        ctx.log.show();
      }
    });
    return undefined;
  }
}

function runServer(
  ctx: CommandContext,
  command: string,
  args: unknown[],
  token: vscode.CancellationToken,
): Promise<unknown> {
  return ctx.server.executeCommand(command, args, token);
}

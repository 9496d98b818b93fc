/**
 * An end-to-end self-test that runs only when TRACE_ADVISOR_SELF_TEST names an output file: it drives the real
 * language features through VS Code's command API and writes what it saw as JSON for the e2e test to assert.
 */

import * as fs from "node:fs/promises";
import * as path from "node:path";

import * as vscode from "vscode";

import { SERVER_COMMANDS, SHOW_CALL_HIERARCHY, SHOW_OBSERVED } from "../logic/commands";
import type { ServerStatus } from "../logic/status";
import type { Log } from "./log";
import type { ServerManager } from "./server";
import type { StatusBar } from "./status";

const WAIT_MS = 90_000;

type Json = unknown;

export function runSelfTestIfRequested(server: ServerManager, status: StatusBar, log: Log): void {
  const output = process.env.TRACE_ADVISOR_SELF_TEST;
  const file = process.env.TRACE_ADVISOR_SELF_TEST_FILE ?? "";
  const scenario = process.env.TRACE_ADVISOR_SELF_TEST_SCENARIO ?? "features";
  if (!output || (!file && scenario !== "failures")) {
    return;
  }
  const spansFile = process.env.TRACE_ADVISOR_SELF_TEST_SPANS_FILE;
  const result: Record<string, Json> = { ok: false, steps: [] };
  const step = (name: string): void => {
    (result.steps as string[]).push(`${new Date().toISOString()} ${name}`);
    log.info(`self-test: ${name}`);
  };
  const write = (): Promise<void> => fs.writeFile(output, JSON.stringify(result, null, 2));
  void (async () => {
    try {
      if (scenario === "failures") {
        await failureSelfTest(status, result, step);
      } else if (scenario === "model") {
        await modelSelfTest(status, file, result, step);
      } else if (scenario === "trust") {
        await trustSelfTest(status, result, step);
      } else if (scenario === "observed") {
        await observedSelfTest(status, file, result, step);
      } else {
        await selfTest(server, status, file, spansFile, result, step);
      }
      result.ok = true;
    } catch (error) {
      result.error = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
      log.error(`self-test failed: ${String(result.error)}`);
    }
    await write();
  })();
}

async function selfTest(
  server: ServerManager,
  status: StatusBar,
  relativeFile: string,
  spansFile: string | undefined,
  result: Record<string, Json>,
  step: (name: string) => void,
): Promise<void> {
  const folder = firstFolder();
  step("waiting for the server");
  const client = await waitFor("the server to start", () => server.running);
  const capabilities = client.initializeResult?.capabilities;
  result.serverCommands = capabilities?.executeCommandProvider?.commands ?? [];
  const ready = await waitFor("the server's ready status", () => readyStatus(status)).catch(() => undefined);
  result.readyStatus = ready ?? null;

  const uri = vscode.Uri.joinPath(folder.uri, relativeFile);
  step(`opening ${relativeFile}`);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, vscode.ViewColumn.One);

  step("waiting for diagnostics");
  const diagnostics = await waitFor("diagnostics", () => {
    const found = vscode.languages.getDiagnostics(uri);
    return found.length > 0 ? found : undefined;
  });
  result.diagnostics = diagnostics.map((d) => ({
    message: d.message,
    source: d.source ?? null,
    code: typeof d.code === "object" ? String(d.code.value) : (d.code ?? null),
    severity: vscode.DiagnosticSeverity[d.severity],
    range: rangeJson(d.range),
  }));

  step("collecting code lenses");
  const lenses = await waitFor("code lenses", async () => {
    const found = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri, 100);
    return found && found.length > 0 && found.every((lens) => lens.command !== undefined) ? found : undefined;
  });
  result.lenses = lenses.map((lens) => ({
    title: lens.command?.title ?? null,
    command: lens.command?.command ?? null,
    arguments: (lens.command?.arguments ?? []) as Json,
    range: rangeJson(lens.range),
  }));

  // The hierarchy lens of the first flagged function (the one the quick-fix below edits), else the first one.
  const flaggedLine = diagnostics[0].range.start.line;
  const hierarchyLenses = lenses.filter((lens) => lens.command?.command === SHOW_CALL_HIERARCHY);
  const hierarchyLens = hierarchyLenses.find((lens) => lens.range.start.line === flaggedLine) ?? hierarchyLenses[0];
  if (hierarchyLens !== undefined) {
    step("following a call hierarchy lens");
    const args = hierarchyLens.command?.arguments ?? [];
    await vscode.commands.executeCommand(SHOW_CALL_HIERARCHY, ...args);
    const editor = vscode.window.activeTextEditor;
    result.lensCommand = {
      arguments: args as Json,
      activeUri: editor?.document.uri.toString() ?? null,
      cursor: editor ? [editor.selection.active.line, editor.selection.active.character] : null,
    };
    const position = args[1] as { line: number; character: number };
    step("preparing the call hierarchy");
    const items = await vscode.commands.executeCommand<vscode.CallHierarchyItem[]>(
      "vscode.prepareCallHierarchy",
      uri,
      new vscode.Position(position.line, position.character),
    );
    const outgoing =
      items && items.length > 0
        ? await vscode.commands.executeCommand<vscode.CallHierarchyOutgoingCall[]>("vscode.provideOutgoingCalls", items[0])
        : [];
    result.callHierarchy = {
      items: (items ?? []).map((item) => ({ name: item.name, detail: item.detail ?? null, range: rangeJson(item.range) })),
      outgoing: (outgoing ?? []).map((call) => ({
        name: call.to.name,
        detail: call.to.detail ?? null,
        uri: call.to.uri.toString(),
        fromRanges: call.fromRanges.map(rangeJson),
      })),
    };
  }

  step("applying the first quick-fix");
  await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
  result.quickFix = await applyFirstQuickFix(document, diagnostics);

  step("changing traceAdvisor.minConfidence live");
  // The server's messages carry "confidence NN%"; only recommendations at or above the setting may stay. The cut is
  // just above the weakest recommendation shown, so it hides that one and keeps the others whatever the scorer.
  const confidences = (): number[] =>
    vscode.languages.getDiagnostics(uri).map((d) => Number(/confidence (\d+)%/.exec(d.message)?.[1] ?? Number.NaN));
  const cut = Math.min(...confidences()) + 1;
  const config = vscode.workspace.getConfiguration("traceAdvisor");
  await config.update("minConfidence", cut / 100, vscode.ConfigurationTarget.Global);
  const stricter = await waitFor(`diagnostics to follow minConfidence ${cut / 100}`, () => {
    const now = confidences();
    return now.length > 0 && now.every((value) => value >= cut) ? now : undefined;
  }).catch(() => undefined);
  await config.update("minConfidence", undefined, vscode.ConfigurationTarget.Global);
  const restored = await waitFor("diagnostics after resetting minConfidence", () => {
    const now = confidences();
    return now.some((value) => value < cut) ? now : undefined;
  }).catch(() => undefined);
  result.liveSettings = { cut, stricter: stricter ?? null, restored: restored ?? null };

  step("opening the report");
  const reportFile = await vscode.commands.executeCommand<string | undefined>("traceAdvisor.showReport");
  result.report = {
    path: reportFile ?? null,
    size: reportFile ? (await fs.stat(reportFile)).size : null,
    server: SERVER_COMMANDS.showReport,
  };

  if (spansFile) {
    step(`adding spans to every recommended function of ${spansFile}`);
    const spansUri = vscode.Uri.joinPath(folder.uri, spansFile);
    const spansDocument = await vscode.workspace.openTextDocument(spansUri);
    await vscode.window.showTextDocument(spansDocument, vscode.ViewColumn.One);
    // As a user would: run the command once the file's recommendations are shown.
    await waitFor("diagnostics of the spans file", () => (vscode.languages.getDiagnostics(spansUri).length > 0 ? true : undefined));
    const before = spansDocument.getText();
    const answer = await vscode.commands.executeCommand<unknown>("traceAdvisor.addSpansInFile");
    await waitFor("the spans edit", () => (spansDocument.getText() !== before ? true : undefined)).catch(() => undefined);
    await spansDocument.save();
    result.addSpans = { file: spansFile, answer: answer as Json, changed: spansDocument.getText() !== before };
  }

  step("restarting the server");
  await vscode.commands.executeCommand("traceAdvisor.restartServer");
  const restarted = await waitFor("the restarted server", () => server.running);
  const readyAgain = await waitFor("the restarted server's ready status", () => readyStatus(status)).catch(() => undefined);
  result.restart = { newClient: restarted !== client, ready: readyAgain !== undefined };

  step("showing the file with its lenses for the screenshot");
  await vscode.commands.executeCommand("workbench.action.closeSidebar");
  await vscode.commands.executeCommand("workbench.action.closePanel");
  await vscode.commands.executeCommand("workbench.action.closeAuxiliaryBar");
  const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
  await vscode.commands.executeCommand("workbench.action.closeEditorsInOtherGroups");
  const after = (await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri, 100)) ?? [];
  result.lensesAfterFix = after.map((lens) => lens.command?.title ?? null);
  // Scroll so the first function that still has an "Add span" lens sits near the top of the screenshot.
  const shown = after.find((lens) => lens.command?.title.startsWith("Add span")) ?? after[0];
  if (shown !== undefined) {
    const line = Math.max(shown.range.start.line - 4, 0);
    editor.selection = new vscode.Selection(shown.range.start, shown.range.start);
    editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.AtTop);
  }
  const bar = status.state;
  result.status = typeof bar === "string" ? bar : (bar as unknown as Json);
  await new Promise((resolve) => setTimeout(resolve, 2500)); // let the editor draw the lenses
  step(`done (${path.basename(relativeFile)})`);
}

/**
 * The unhappy paths: started with an interpreter whose server crashes, the extension must back off between
 * restarts (not loop); switched to an interpreter that lacks the server, it must say so and stop trying.
 */
async function failureSelfTest(status: StatusBar, result: Record<string, Json>, step: (name: string) => void): Promise<void> {
  step("watching restarts of a crashing server for 8 s");
  const transitions: string[] = [];
  const deadline = Date.now() + 8000;
  while (Date.now() < deadline) {
    const state = status.state;
    const entry = `${typeof state === "string" ? state : state.state}|${status.stateDetail ?? ""}`;
    if (transitions[transitions.length - 1] !== entry) {
      transitions.push(entry);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  result.crashTransitions = transitions;

  const bare = process.env.TRACE_ADVISOR_SELF_TEST_BARE_PYTHON;
  if (!bare) {
    throw new Error("TRACE_ADVISOR_SELF_TEST_BARE_PYTHON is not set");
  }
  step(`switching to ${bare} with importStrategy fromEnvironment`);
  const config = vscode.workspace.getConfiguration("traceAdvisor");
  await config.update("importStrategy", "fromEnvironment", vscode.ConfigurationTarget.Global);
  await config.update("interpreter", [bare], vscode.ConfigurationTarget.Global);
  result.setupFailure = await waitFor("the missing-server message", () => {
    const detail = status.stateDetail ?? "";
    return status.state === "failed" && detail.includes(bare) && detail.includes("does not have") ? detail : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 1500)); // let the notification render for the screenshot
  step("done (failures)");
}

/** With a model provider configured: analyse one file and the workspace, and watch the session's cost. */
async function modelSelfTest(
  status: StatusBar,
  relativeFile: string,
  result: Record<string, Json>,
  step: (name: string) => void,
): Promise<void> {
  const folder = firstFolder();
  step("waiting for the server's ready status");
  await waitFor("the ready status", () => readyStatus(status));
  const uri = vscode.Uri.joinPath(folder.uri, relativeFile);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
  await waitFor("diagnostics", () => (vscode.languages.getDiagnostics(uri).length > 0 ? true : undefined));
  step(`analysing ${relativeFile} with the model`);
  result.analyzeFile = (await vscode.commands.executeCommand<Json>("traceAdvisor.analyzeFile")) ?? null;
  step("analysing the workspace");
  const answers = (await vscode.commands.executeCommand<unknown[]>("traceAdvisor.analyzeWorkspace")) ?? [];
  result.analyzeWorkspace = answers.map((answer) => {
    const record = (answer ?? {}) as { engine?: string; recommendations?: { source?: string }[]; usage?: Json };
    return { engine: record.engine ?? null, sources: (record.recommendations ?? []).map((r) => r.source ?? null), usage: record.usage ?? null };
  });
  result.pythonFiles = (await vscode.workspace.findFiles("**/*.py")).length;
  // The model was asked about some functions of the workspace (the server asks only where it can change the
  // local verdict): the status bar must show that session's tokens and cost.
  result.status = await waitFor("the model's usage in the status bar", () => {
    const state = status.state;
    return typeof state !== "string" && state.usage.inputTokens > 0 ? (state as unknown as Json) : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  step("done (model)");
}

/**
 * An untrusted project configuration: the server starts on the local engine and the warning with its Trust button
 * is up; the e2e script clicks "Trust…" and "Trust" in the page and checks what changed. The notification list is
 * opened so that a toast hidden by its timeout can still be clicked.
 */
async function trustSelfTest(status: StatusBar, result: Record<string, Json>, step: (name: string) => void): Promise<void> {
  step("waiting for the server's ready status");
  const ready = await waitFor("the ready status", () => readyStatus(status));
  result.engineBefore = ready.engine;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await vscode.commands.executeCommand("notifications.showList");
  step("done (trust: the page clicks next)");
}

/**
 * The observed lenses of a file whose functions ran under the SDK (the traces setting names their spans): collected
 * through VS Code's code-lens provider; the page then clicks one in the editor and reads the message it shows.
 */
async function observedSelfTest(
  status: StatusBar,
  relativeFile: string,
  result: Record<string, Json>,
  step: (name: string) => void,
): Promise<void> {
  const folder = firstFolder();
  step("waiting for the server's ready status");
  await waitFor("the ready status", () => readyStatus(status));
  const uri = vscode.Uri.joinPath(folder.uri, relativeFile);
  step(`opening ${relativeFile}`);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
  step("waiting for the observed lenses");
  const observed = await waitFor("observed lenses", async () => {
    const found = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri, 100);
    const lenses = (found ?? []).filter((lens) => lens.command?.command === SHOW_OBSERVED);
    return lenses.length > 0 ? lenses : undefined;
  });
  result.observedLenses = observed.map((lens) => ({
    title: lens.command?.title ?? null,
    arguments: (lens.command?.arguments ?? []) as Json,
    line: lens.range.start.line,
  }));
  step("done (observed: the page clicks a lens next)");
}

async function applyFirstQuickFix(document: vscode.TextDocument, diagnostics: vscode.Diagnostic[]): Promise<Json> {
  for (const diagnostic of diagnostics) {
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      "vscode.executeCodeActionProvider",
      document.uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
      // the server lists span fixes without their edit (made on codeAction/resolve, as when a user picks one):
      // have VS Code resolve them, as its lightbulb does
      10,
    );
    const action = (actions ?? []).find(
      (candidate): candidate is vscode.CodeAction => "kind" in candidate && candidate.edit !== undefined,
    );
    if (action === undefined || action.edit === undefined) {
      continue;
    }
    const before = document.getText();
    const applied = await vscode.workspace.applyEdit(action.edit);
    if (action.command) {
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    }
    const saved = await document.save();
    return {
      title: action.title,
      kind: action.kind?.value ?? null,
      isPreferred: action.isPreferred ?? null,
      diagnostic: { message: diagnostic.message, range: rangeJson(diagnostic.range) },
      applied,
      saved,
      changed: document.getText() !== before,
      textAfter: document.getText(),
    };
  }
  throw new Error("no diagnostic offered a quick-fix with an edit");
}

/** The server's status once it says ready, else undefined: a probe for waitFor. */
function readyStatus(status: StatusBar): ServerStatus | undefined {
  const state = status.state;
  return typeof state !== "string" && state.state === "ready" ? state : undefined;
}

/** The first workspace folder, which every self-test opens its files in. */
function firstFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) {
    throw new Error("no workspace folder is open");
  }
  return folder;
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${WAIT_MS / 1000} s waiting for ${what}`);
}

function rangeJson(range: vscode.Range): number[] {
  return [range.start.line, range.start.character, range.end.line, range.end.character];
}

/** Activates the Trace Advisor extension: wires log, settings, interpreter, server, status bar and commands. */

import * as vscode from "vscode";

import { offerTrust, registerCommands } from "./common/commands";
import { Log } from "./common/log";
import { PythonInterpreters } from "./common/python";
import { ReportView } from "./common/report";
import { runSelfTestIfRequested } from "./common/selftest";
import { ServerManager } from "./common/server";
import { Settings } from "./common/settings";
import { StatusBar } from "./common/status";

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = new Log();
  const settings = new Settings(context.extension.packageJSON);
  const python = new PythonInterpreters((message) => log.warn(message));
  const status = new StatusBar("traceAdvisor.showLog");
  const report = new ReportView();
  const running = new ServerManager(context.extensionPath, log, settings, python, status);
  const commandContext = { server: running, settings, log, report };
  context.subscriptions.push(
    log,
    status,
    report,
    running,
    ...registerCommands(commandContext),
    running.onUntrustedConfig((info) => void offerTrust(commandContext, info)),
    settings.onDidChange(
      () => void running.restart(),
      () => void running.pushSettings(),
    ),
  );
  const interpreterWatch = await python.onDidChange(() => void running.restart());
  if (interpreterWatch !== undefined) {
    context.subscriptions.push(interpreterWatch);
  }
  runSelfTestIfRequested(running, status, log);
  await running.restart();
}

/** Nothing to do: disposing `context.subscriptions` stops the server (shutdown + exit) and frees the UI. */
export function deactivate(): void {}

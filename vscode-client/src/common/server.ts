/** Starts, restarts (with backoff) and stops the `trace-advisor-lsp` language client. */

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import * as vscode from "vscode";
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  ResponseError,
  RevealOutputChannelOn,
  type ServerOptions,
  type StaticFeature,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import { RestartPolicy } from "../logic/backoff";
import {
  type LaunchFailure,
  type LaunchPlan,
  type Probe,
  parseProbe,
  planLaunch,
  PROBE_SCRIPT,
  serverEnv,
} from "../logic/launch";
import { SECTION, subTree } from "../logic/settings";
import { STATUS_NOTIFICATION } from "../logic/status";
import {
  parseUntrustedConfig,
  UNTRUSTED_CONFIG_CAPABILITY,
  UNTRUSTED_CONFIG_NOTIFICATION,
  type UntrustedConfig,
} from "../logic/trust";
import type { Log } from "./log";
import type { PythonInterpreters } from "./python";
import type { Settings } from "./settings";
import type { StatusBar } from "./status";

const PROBE_TIMEOUT_MS = 20_000;

export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly policy = new RestartPolicy();
  private generation = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly startedEmitter = new vscode.EventEmitter<LanguageClient>();
  /** Fires each time a server process finished initializing. */
  readonly onDidStart = this.startedEmitter.event;
  private readonly untrustedEmitter = new vscode.EventEmitter<UntrustedConfig>();
  /** Fires when the server ignores settings of a project configuration file until the user trusts it. */
  readonly onUntrustedConfig = this.untrustedEmitter.event;

  constructor(
    private readonly extensionPath: string,
    private readonly log: Log,
    private readonly settings: Settings,
    private readonly python: PythonInterpreters,
    private readonly status: StatusBar,
  ) {}

  /** The running client, or undefined while the server is starting, stopped or failed. */
  get running(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  /** (Re)starts the server now, forgetting earlier crashes: the user asked for it or changed its settings. */
  async restart(): Promise<void> {
    this.policy.reset();
    await this.launch();
  }

  /** True when the running server lists `command` in its executeCommandProvider capability. */
  offers(command: string): boolean {
    return this.running?.initializeResult?.capabilities.executeCommandProvider?.commands.includes(command) ?? false;
  }

  /** Sends the current settings to the running server (`workspace/didChangeConfiguration`). */
  async pushSettings(): Promise<void> {
    const client = this.running;
    if (client !== undefined) {
      await client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [SECTION]: this.settings.server(this.scope()) },
      });
    }
  }

  /** Runs one of the server's `workspace/executeCommand` commands. */
  async executeCommand(command: string, args: unknown[], token?: vscode.CancellationToken): Promise<unknown> {
    const client = this.running;
    if (client === undefined) {
      throw new Error("the Trace Advisor server is not running (see the log: Trace Advisor: Show Server Log)");
    }
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }, token);
  }

  async stop(): Promise<void> {
    this.generation += 1;
    clearTimeout(this.restartTimer);
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      try {
        await client.dispose(5000);
      } catch (error) {
        this.log.warn(`Stopping the server: ${String(error)}`);
      }
    }
  }

  private async launch(): Promise<void> {
    await this.stop();
    const generation = this.generation;
    this.status.setClientState("starting");
    const plan = await this.plan();
    if (generation !== this.generation) {
      return; // a newer start superseded this one while probing
    }
    if ("kind" in plan) {
      this.failSetup(plan);
      return;
    }
    this.log.info(`Starting ${plan.command} ${plan.args.join(" ")} (${plan.summary})`);
    const client = this.createClient(plan, generation);
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.onExit(generation, `the server did not start: ${String(error)}`);
      return;
    }
    if (generation === this.generation) {
      this.startedEmitter.fire(client);
    }
  }

  private async plan(): Promise<LaunchPlan | LaunchFailure | { kind: "no-python"; message: string }> {
    const scope = this.scope();
    const clientSettings = this.settings.client(scope);
    const choice = await this.python.choose(scope, clientSettings.interpreter);
    if (choice === undefined) {
      return {
        kind: "no-python",
        message:
          "Trace Advisor found no Python interpreter: install Python 3.11 or newer, select one with the Python " +
          "extension, or set traceAdvisor.interpreter.",
      };
    }
    this.log.info(`Interpreter from ${choice.source}: ${choice.command.join(" ")}`);
    let probeOutput: string;
    try {
      probeOutput = await run(choice.command, PROBE_SCRIPT, serverEnv(process.env, undefined));
    } catch (error) {
      return {
        kind: "no-python",
        message: `Trace Advisor could not run the interpreter ${choice.command.join(" ")}: ${String(error)}`,
      };
    }
    let probe: Probe;
    try {
      probe = parseProbe(probeOutput);
    } catch (error) {
      return { kind: "no-python", message: `Trace Advisor could not inspect ${choice.command.join(" ")}: ${String(error)}` };
    }
    const bundled = path.join(this.extensionPath, "bundled", "libs");
    return planLaunch({
      interpreter: choice.command,
      probe,
      strategy: clientSettings.importStrategy,
      bundledLibs: fs.existsSync(path.join(bundled, "trace_advisor_lsp")) ? bundled : undefined,
      baseEnv: process.env,
    });
  }

  private createClient(plan: LaunchPlan, generation: number): LanguageClient {
    const serverOptions: ServerOptions = {
      command: plan.command,
      args: plan.args,
      transport: TransportKind.stdio, // vscode-languageclient appends --stdio
      options: { env: plan.env, cwd: this.scope()?.fsPath },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file", language: "python" }],
      outputChannel: this.log.channel,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: this.settings.server(this.scope()),
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.py,.trace-advisor.yaml,pyproject.toml}"),
      },
      // A server that dies during initialize is handled by onExit (backoff); without this handler the client
      // would also pop up the raw JSON-RPC error ("Pending response rejected ...").
      initializationFailedHandler: (error) => {
        this.log.error(`The server failed to initialize: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => {
          this.onExit(generation, "the server process exited");
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const answers = await next(params, token);
            if (answers instanceof ResponseError || !Array.isArray(answers)) {
              return answers;
            }
            return params.items.map((item, index) => this.configurationItem(item, answers[index]));
          },
        },
      },
    };
    const client = new LanguageClient(SECTION, "Trace Advisor", serverOptions, clientOptions);
    client.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
      if (generation === this.generation) {
        this.status.onServerStatus(params);
      }
    });
    client.registerFeature(UNTRUSTED_CONFIG_FEATURE);
    client.onNotification(UNTRUSTED_CONFIG_NOTIFICATION, (params: unknown) => {
      const info = parseUntrustedConfig(params);
      if (info !== undefined && generation === this.generation) {
        this.untrustedEmitter.fire(info);
      }
    });
    return client;
  }

  /** Answers `workspace/configuration` for our section with the explicit settings tree (see settings.ts). */
  private configurationItem(item: { section?: string; scopeUri?: string }, fallback: unknown): unknown {
    const section = item.section ?? "";
    if (section !== SECTION && !section.startsWith(`${SECTION}.`)) {
      return fallback;
    }
    const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : this.scope();
    return subTree(this.settings.server(scope), section.slice(SECTION.length + 1)) ?? null;
  }

  private onExit(generation: number, reason: string): void {
    if (generation !== this.generation) {
      return; // an old client we stopped on purpose, or this exit was already handled
    }
    this.generation += 1;
    const decision = this.policy.onExit(Date.now());
    if (decision.restart) {
      const seconds = Math.round(decision.delayMs / 1000);
      this.log.warn(`Trace Advisor: ${reason}; restarting in ${seconds} s (attempt ${decision.attempt}).`);
      this.status.setClientState("failed", `The server exited; restarting in ${seconds} s.`);
      if (decision.attempt === 1) {
        void vscode.window.showWarningMessage(`Trace Advisor: ${reason}; restarting it.`, "Show Log").then((pick) => {
          if (pick === "Show Log") {
            this.log.show();
          }
        });
      }
      const scheduled = this.generation;
      this.restartTimer = setTimeout(() => {
        if (scheduled === this.generation) {
          void this.launch();
        }
      }, decision.delayMs);
      return;
    }
    const message = `Trace Advisor: the server exited ${decision.exits} times in a few minutes and was not restarted again.`;
    this.log.error(`${message} Last reason: ${reason}.`);
    this.status.setClientState("failed", "The server keeps exiting; use Trace Advisor: Restart Server.");
    void vscode.window.showErrorMessage(message, "Show Log", "Restart Server").then((pick) => {
      if (pick === "Show Log") {
        this.log.show();
      } else if (pick === "Restart Server") {
        void this.restart();
      }
    });
  }

  private failSetup(failure: { kind: string; message: string }): void {
    this.log.error(failure.message);
    this.status.setClientState("failed", failure.message);
    const actions = ["Show Log", "Open Settings"];
    if (vscode.extensions.getExtension("ms-python.python") !== undefined) {
      actions.unshift("Select Interpreter");
    }
    void vscode.window.showErrorMessage(failure.message, ...actions).then((pick) => {
      if (pick === "Show Log") {
        this.log.show();
      } else if (pick === "Open Settings") {
        void vscode.commands.executeCommand("workbench.action.openSettings", `@ext:trace-advisor.trace-advisor`);
      } else if (pick === "Select Interpreter") {
        void vscode.commands.executeCommand("python.setInterpreter");
      }
    });
  }

  /** The folder the server runs in and whose settings it gets: the first workspace folder. */
  private scope(): vscode.Uri | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri;
  }

  dispose(): void {
    void this.stop();
    this.startedEmitter.dispose();
    this.untrustedEmitter.dispose();
  }
}

/** Tells the server this client shows the untrusted-configuration warning itself, with a Trust button. */
const UNTRUSTED_CONFIG_FEATURE: StaticFeature = {
  fillClientCapabilities(capabilities) {
    const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
    const ours = (experimental.traceAdvisor ?? {}) as Record<string, unknown>;
    capabilities.experimental = { ...experimental, traceAdvisor: { ...ours, [UNTRUSTED_CONFIG_CAPABILITY]: true } };
  },
  initialize() {},
  getState: () => ({ kind: "static" }),
  clear() {},
};

/** Runs `interpreter -c script` with a timeout and returns its stdout. */
function run(interpreter: readonly string[], script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      interpreter[0],
      [...interpreter.slice(1), "-c", script],
      { env, timeout: PROBE_TIMEOUT_MS, windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          // Not error.message: it repeats the whole probe script.
          const code = (error as NodeJS.ErrnoException).code;
          const why =
            code === "ENOENT"
              ? "no such file"
              : error.killed
                ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
                : `exit code ${String(code ?? error.signal)}`;
          reject(new Error(`${why}${stderr.trim() ? `: ${stderr.trim().split("\n").slice(-3).join(" ")}` : ""}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

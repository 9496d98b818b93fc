/** The status bar item: indexing progress, the engine in use and this session's model token cost. */

import * as vscode from "vscode";

import { type ClientState, parseStatus, type ServerStatus, SessionUsage, statusView } from "../logic/status";

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly usage = new SessionUsage();
  private last: ServerStatus | ClientState = "starting";
  private detail: string | undefined;

  constructor(showLogCommand: string) {
    this.item = vscode.window.createStatusBarItem("traceAdvisor.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = "Trace Advisor";
    this.item.command = showLogCommand;
    this.render();
    this.item.show();
  }

  /** Handles a `trace-advisor/status` notification; malformed params are ignored. */
  onServerStatus(params: unknown): void {
    const status = parseStatus(params);
    if (status === undefined) {
      return;
    }
    this.usage.update(status.usage);
    this.last = status;
    this.detail = undefined;
    this.render();
  }

  setClientState(state: ClientState, detail?: string): void {
    if (state === "starting") {
      this.usage.serverRestarted();
    }
    this.last = state;
    this.detail = detail;
    this.render();
  }

  /** The extra line shown with a client state ("restarting in 2 s", why the server cannot start). */
  get stateDetail(): string | undefined {
    return this.detail;
  }

  /** The most recent state shown, for the self-test and for commands that wait for the server. */
  get state(): ServerStatus | ClientState {
    return this.last;
  }

  private render(): void {
    const view = statusView(this.last, this.usage.total(), this.detail);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.isError ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** Shows the HTML call-tree report written by the server, in a webview panel or the default browser. */

import * as fs from "node:fs/promises";
import * as path from "node:path";

import * as vscode from "vscode";

import type { ReportViewer } from "./settings";

export class ReportView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  /** Opens the report at `location` (a path or a file URI); returns the file's URI. */
  async show(location: string, viewer: ReportViewer): Promise<vscode.Uri> {
    const uri = /^file:\/\//.test(location) ? vscode.Uri.parse(location) : vscode.Uri.file(location);
    if (viewer === "browser") {
      const opened = await vscode.env.openExternal(uri);
      if (!opened) {
        throw new Error(`could not open ${uri.fsPath} in the browser`);
      }
      return uri;
    }
    const html = await fs.readFile(uri.fsPath, "utf8");
    const folder = vscode.Uri.file(path.dirname(uri.fsPath));
    if (this.panel === undefined) {
      this.panel = vscode.window.createWebviewPanel(
        "traceAdvisor.report",
        "Trace Advisor: Call Tree",
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        // The report is self-contained and interactive (expand/collapse, filters): it needs its own scripts.
        { enableScripts: true, enableFindWidget: true, retainContextWhenHidden: true, localResourceRoots: [folder] },
      );
      this.panel.onDidDispose(() => {
        this.panel = undefined;
      });
    } else {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    }
    this.panel.webview.html = html;
    return uri;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

/** Reads the extension's settings: what starts the server (client-only) and the tree sent to the server. */

import * as vscode from "vscode";

import type { ImportStrategy } from "../logic/launch";
import {
  buildServerSettings,
  CLIENT_ONLY_SETTINGS,
  contributedKeys,
  isServerSetting,
  SECTION,
  type SettingsTree,
} from "../logic/settings";

export type ReportViewer = "webview" | "browser";

export interface ClientSettings {
  interpreter: string[];
  importStrategy: ImportStrategy;
  reportViewer: ReportViewer;
}

export class Settings {
  /** Every setting key (relative to the section) the manifest contributes: the one list of server settings. */
  private readonly keys: readonly string[];

  constructor(packageJson: { contributes?: { configuration?: { properties?: Record<string, unknown> } } }) {
    this.keys = contributedKeys(packageJson.contributes?.configuration?.properties ?? {});
  }

  client(scope?: vscode.ConfigurationScope): ClientSettings {
    const config = vscode.workspace.getConfiguration(SECTION, scope);
    const interpreter = config.get<unknown>("interpreter");
    return {
      interpreter: Array.isArray(interpreter) ? interpreter.filter((part): part is string => typeof part === "string") : [],
      importStrategy: oneOf(config.get("importStrategy"), ["auto", "fromEnvironment", "useBundled"], "auto"),
      reportViewer: oneOf(config.get("reportViewer"), ["webview", "browser"], "webview"),
    };
  }

  /** The settings the user set explicitly, as the server's camelCase tree (see buildServerSettings). */
  server(scope?: vscode.ConfigurationScope | null): SettingsTree {
    const config = vscode.workspace.getConfiguration(SECTION, scope);
    return buildServerSettings(this.keys, (key) => config.inspect(key));
  }

  /** Calls `onClient` when a setting that changes how the server starts changed, else `onServer`. */
  onDidChange(onClient: () => void, onServer: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      const clientChanged = CLIENT_ONLY_SETTINGS.filter((key) => key !== "reportViewer" && key !== "trace.server").some(
        (key) => event.affectsConfiguration(`${SECTION}.${key}`),
      );
      if (clientChanged) {
        onClient();
      } else if (this.keys.filter(isServerSetting).some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
        onServer();
      }
    });
  }
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** Maps the extension's `traceAdvisor.*` settings to the server's camelCase settings tree (no `vscode` import). */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type SettingsTree = { [key: string]: Json };

/** The configuration section every setting of the extension lives under. */
export const SECTION = "traceAdvisor";

/**
 * Settings read by the extension itself and never sent to the server: how to start the server, how to show the
 * report, and vscode-languageclient's protocol trace.
 */
export const CLIENT_ONLY_SETTINGS: readonly string[] = ["interpreter", "importStrategy", "reportViewer", "trace.server"];

/** The subset of `WorkspaceConfiguration.inspect()` this module reads. */
export interface SettingInspection {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, next: string) => next.toUpperCase());
}

export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (upper) => `_${upper.toLowerCase()}`);
}

/** The value the user set explicitly, most specific scope first; undefined when only the default applies. */
export function explicitValue(inspection: SettingInspection | undefined): unknown {
  if (inspection === undefined) {
    return undefined;
  }
  const scopes = [
    inspection.workspaceFolderLanguageValue,
    inspection.workspaceFolderValue,
    inspection.workspaceLanguageValue,
    inspection.workspaceValue,
    inspection.globalLanguageValue,
    inspection.globalValue,
  ];
  return scopes.find((value) => value !== undefined);
}

/** True for keys (relative to the section) that configure the server rather than the extension. */
export function isServerSetting(key: string): boolean {
  return !CLIENT_ONLY_SETTINGS.includes(key);
}

/**
 * Builds the server's settings tree from the settings the user set explicitly.
 *
 * Values left at their default are omitted on purpose: the server layers editor settings over the project's
 * `.trace-advisor.yaml` and environment, so sending defaults would silently override the project's own config.
 */
export function buildServerSettings(
  keys: readonly string[],
  inspect: (key: string) => SettingInspection | undefined,
): SettingsTree {
  const tree: SettingsTree = {};
  for (const key of [...keys].sort()) {
    if (!isServerSetting(key)) {
      continue;
    }
    const value = explicitValue(inspect(key));
    if (value !== undefined) {
      setPath(tree, key.split("."), toJson(value));
    }
  }
  return tree;
}

/** The part of a tree below a dotted path (`provider.bedrock`), or undefined when absent. */
export function subTree(tree: SettingsTree, dottedPath: string): Json | undefined {
  let node: Json | undefined = tree;
  for (const part of dottedPath.split(".").filter(Boolean)) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) {
      return undefined;
    }
    node = node[part];
  }
  return node;
}

/** The keys relative to the section of every setting contributed in a manifest. */
export function contributedKeys(properties: Record<string, unknown>): string[] {
  const prefix = `${SECTION}.`;
  return Object.keys(properties)
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length));
}

function setPath(tree: SettingsTree, path: string[], value: Json): void {
  let node = tree;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (next === undefined || next === null || typeof next !== "object" || Array.isArray(next)) {
      node[part] = {};
    }
    node = node[part] as SettingsTree;
  }
  node[path[path.length - 1]] = value;
}

function toJson(value: unknown): Json {
  // Settings come from JSON files already; a round trip drops anything that is not JSON (functions, undefined).
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

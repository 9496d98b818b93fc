/**
 * The server's `trace-advisor/untrustedConfig` notification (no `vscode`): a project configuration file whose
 * settings the server ignores until the user trusts it, and the words the extension shows for it.
 */

export const UNTRUSTED_CONFIG_NOTIFICATION = "trace-advisor/untrustedConfig";
/**
 * `capabilities.experimental.traceAdvisor` key the extension sets so the server sends that notification instead of a
 * plain `window/showMessage` (clients without it, such as Neovim, get the message).
 */
export const UNTRUSTED_CONFIG_CAPABILITY = "untrustedConfigNotification";
export const TRUST_ACTION = "Trust…";
export const OPEN_FILE_ACTION = "Open File";

export interface IgnoredSetting {
  key: string;
  where: string;
  value: string;
  reason: string;
}

export interface UntrustedConfig {
  folderUri: string;
  file: string;
  settings: IgnoredSetting[];
}

/** Validates the notification's params; undefined for anything malformed (a notification never throws). */
export function parseUntrustedConfig(params: unknown): UntrustedConfig | undefined {
  if (params === null || typeof params !== "object") {
    return undefined;
  }
  const record = params as Record<string, unknown>;
  if (typeof record.folderUri !== "string" || typeof record.file !== "string" || !Array.isArray(record.settings)) {
    return undefined;
  }
  const settings: IgnoredSetting[] = [];
  for (const item of record.settings) {
    const entry = (item ?? {}) as Record<string, unknown>;
    if (typeof entry.key === "string") {
      settings.push({ key: entry.key, where: text(entry.where), value: text(entry.value), reason: text(entry.reason) });
    }
  }
  return settings.length > 0 ? { folderUri: record.folderUri, file: record.file, settings } : undefined;
}

/** The warning: which file, in which folder, and the keys it holds back (the detail is in the confirmation). */
export function untrustedMessage(info: UntrustedConfig, folderName: string): string {
  const keys = [...new Set(info.settings.map((setting) => setting.key))];
  const shown = keys.length > 4 ? `${keys.slice(0, 4).join(", ")} and ${keys.length - 4} more` : keys.join(", ");
  return (
    `Trace Advisor: ${basename(info.file)} in ${folderName} is not trusted, so it ignores ${shown}. ` +
    "Trust it only if you wrote or reviewed it."
  );
}

/** The confirmation dialog's detail: every held-back setting with its value and why it needs trust. */
export function trustDetail(settings: readonly IgnoredSetting[]): string {
  const lines = settings.map((setting) => `${setting.key} = ${setting.value} (${setting.reason})`);
  return (
    "Trusting it applies these settings:\n" +
    lines.join("\n") +
    "\n\nA project's configuration can choose the model endpoint your code and API key are sent to, and paths " +
    "outside the folder. Any change to its settings needs trust again."
  );
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

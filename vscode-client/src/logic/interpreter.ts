/** Chooses the Python interpreter that runs the server: setting, then the Python extension, then PATH. */

import * as path from "node:path";

export type InterpreterSource = "setting" | "python-extension" | "path";

export interface InterpreterChoice {
  /** The executable and any arguments before `-m trace_advisor_lsp`. */
  command: string[];
  source: InterpreterSource;
}

export interface InterpreterInputs {
  /** `traceAdvisor.interpreter`: executable plus optional arguments; empty when unset. */
  setting: readonly string[];
  /** The interpreter selected in the Python extension, when it is installed and has one. */
  pythonExtension: readonly string[] | undefined;
  /** Resolves a bare command name on PATH to an absolute path, or undefined. */
  findOnPath: (name: string) => string | undefined;
  workspaceFolder: string | undefined;
  home: string;
}

/** Names tried on PATH when nothing else chose an interpreter, in order. */
export const PATH_CANDIDATES: readonly string[] =
  process.platform === "win32" ? ["python", "py"] : ["python3", "python"];

export function chooseInterpreter(inputs: InterpreterInputs): InterpreterChoice | undefined {
  const fromSetting = inputs.setting.map((part) => part.trim()).filter((part) => part.length > 0);
  if (fromSetting.length > 0) {
    const [executable, ...args] = fromSetting;
    return { command: [expandPath(executable, inputs.workspaceFolder, inputs.home), ...args], source: "setting" };
  }
  if (inputs.pythonExtension !== undefined && inputs.pythonExtension.length > 0) {
    return { command: [...inputs.pythonExtension], source: "python-extension" };
  }
  for (const name of PATH_CANDIDATES) {
    const found = inputs.findOnPath(name);
    if (found !== undefined) {
      return { command: [found], source: "path" };
    }
  }
  return undefined;
}

/** Expands `${workspaceFolder}`, `~` and workspace-relative paths in the interpreter setting. */
export function expandPath(value: string, workspaceFolder: string | undefined, home: string): string {
  let expanded = value;
  if (workspaceFolder !== undefined) {
    expanded = expanded.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  if (expanded === "~" || expanded.startsWith("~/")) {
    expanded = path.join(home, expanded.slice(1));
  }
  const looksLikePath = expanded.includes("/") || expanded.includes("\\");
  if (looksLikePath && !path.isAbsolute(expanded) && workspaceFolder !== undefined) {
    expanded = path.resolve(workspaceFolder, expanded);
  }
  return expanded;
}

/** Looks a command up on a PATH string with an injected existence check (so tests need no real files). */
export function findOnPath(
  name: string,
  pathVariable: string | undefined,
  isExecutable: (candidate: string) => boolean,
  extensions: readonly string[] = process.platform === "win32" ? [".exe", ".cmd", ""] : [""],
): string | undefined {
  for (const dir of (pathVariable ?? "").split(path.delimiter)) {
    if (dir === "") {
      continue;
    }
    for (const extension of extensions) {
      const candidate = path.join(dir, name + extension);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

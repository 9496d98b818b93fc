/** Plans the server's command line and environment from the interpreter, its probe and the import strategy. */

import * as path from "node:path";

export type ImportStrategy = "auto" | "fromEnvironment" | "useBundled";

export const SERVER_MODULE = "trace_advisor_lsp";
export const MIN_PYTHON: readonly [number, number] = [3, 11];

/** Modules the server needs; checked with find_spec, so nothing is imported or executed. */
export const REQUIRED_MODULES: readonly string[] = [SERVER_MODULE, "trace_advisor", "pygls", "lsprotocol", "yaml", "jinja2"];

/** Python source run with `-c` to learn the interpreter's version and which required modules it lacks. */
export const PROBE_SCRIPT = [
  "import importlib.util, json, sys",
  `mods = ${JSON.stringify(REQUIRED_MODULES)}`,
  "missing = [m for m in mods if importlib.util.find_spec(m) is None]",
  "print(json.dumps({'version': list(sys.version_info[:3]), 'executable': sys.executable, 'missing': missing}))",
].join("\n");

export interface Probe {
  version: [number, number, number];
  executable: string;
  missing: string[];
}

export interface LaunchPlan {
  command: string;
  args: string[];
  env: Record<string, string>;
  usesBundled: boolean;
  /** One line for the log: which interpreter and where the libraries come from. */
  summary: string;
}

export type LaunchFailureKind = "old-python" | "missing-server" | "no-bundle";

export interface LaunchFailure {
  kind: LaunchFailureKind;
  message: string;
}

/** Reads the probe's JSON line; throws with the raw output when it is not what the probe prints. */
export function parseProbe(stdout: string): Probe {
  const line = stdout.trim().split(/\r?\n/).pop() ?? "";
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    throw new Error(`unexpected output from the interpreter probe: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  const record = data as { version?: unknown; executable?: unknown; missing?: unknown };
  const version = record.version;
  if (
    !Array.isArray(version) ||
    version.length !== 3 ||
    !version.every((part) => typeof part === "number") ||
    typeof record.executable !== "string" ||
    !Array.isArray(record.missing) ||
    !record.missing.every((name) => typeof name === "string")
  ) {
    throw new Error(`unexpected output from the interpreter probe: ${JSON.stringify(line.slice(0, 200))}`);
  }
  return {
    version: version as [number, number, number],
    executable: record.executable,
    missing: record.missing as string[],
  };
}

export interface PlanInputs {
  interpreter: readonly string[];
  probe: Probe;
  strategy: ImportStrategy;
  /** Absolute path of `bundled/libs` when the extension ships it, else undefined. */
  bundledLibs: string | undefined;
  /** The environment the extension host runs with. */
  baseEnv: Readonly<Record<string, string | undefined>>;
}

export function planLaunch(inputs: PlanInputs): LaunchPlan | LaunchFailure {
  const { interpreter, probe, strategy, bundledLibs } = inputs;
  const version = probe.version.join(".");
  if (probe.version[0] < MIN_PYTHON[0] || (probe.version[0] === MIN_PYTHON[0] && probe.version[1] < MIN_PYTHON[1])) {
    return {
      kind: "old-python",
      message:
        `Trace Advisor needs Python ${MIN_PYTHON.join(".")} or newer, but ${probe.executable} is Python ${version}. ` +
        "Select another interpreter or set traceAdvisor.interpreter.",
    };
  }
  const envHasServer = probe.missing.length === 0;
  let usesBundled: boolean;
  if (strategy === "fromEnvironment") {
    if (!envHasServer) {
      return {
        kind: "missing-server",
        message:
          `The interpreter ${probe.executable} does not have the Trace Advisor server (missing: ` +
          `${probe.missing.join(", ")}). Install it with "${probe.executable} -m pip install trace-advisor", ` +
          'or set traceAdvisor.importStrategy to "useBundled" or "auto".',
      };
    }
    usesBundled = false;
  } else if (strategy === "useBundled" || !envHasServer) {
    if (bundledLibs === undefined) {
      return {
        kind: "no-bundle",
        message:
          strategy === "useBundled"
            ? "This build of the extension has no bundled server libraries (bundled/libs). " +
              'Set traceAdvisor.importStrategy to "fromEnvironment" and install trace-advisor in your environment.'
            : `The interpreter ${probe.executable} does not have the Trace Advisor server (missing: ` +
              `${probe.missing.join(", ")}) and this build of the extension bundles no server libraries. ` +
              `Install it with "${probe.executable} -m pip install trace-advisor".`,
      };
    }
    usesBundled = true;
  } else {
    usesBundled = false;
  }
  return {
    command: interpreter[0],
    args: [...interpreter.slice(1), "-m", SERVER_MODULE],
    env: serverEnv(inputs.baseEnv, usesBundled ? bundledLibs : undefined),
    usesBundled,
    summary:
      `Python ${version} at ${probe.executable}, server libraries ` +
      (usesBundled ? `bundled with the extension (${bundledLibs})` : "from that environment"),
  };
}

/**
 * The server's environment: unbuffered UTF-8 stdio, no current directory on sys.path (the workspace is user code
 * and is never imported), and the bundled libraries first on sys.path when they are used.
 */
export function serverEnv(
  baseEnv: Readonly<Record<string, string | undefined>>,
  bundledLibs: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(baseEnv)) {
    if (value !== undefined) {
      env[key] = value;
    }
  }
  env.PYTHONUNBUFFERED = "1";
  env.PYTHONIOENCODING = "utf-8";
  env.PYTHONSAFEPATH = "1";
  if (bundledLibs !== undefined) {
    env.PYTHONPATH = env.PYTHONPATH ? [bundledLibs, env.PYTHONPATH].join(path.delimiter) : bundledLibs;
  }
  return env;
}

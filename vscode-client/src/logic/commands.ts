/** The commands the extension contributes and the server commands they call (no `vscode` import). */

/** Commands the server runs via `workspace/executeCommand`. */
export const SERVER_COMMANDS = {
  analyzeFile: "trace-advisor.analyzeFile",
  analyzeWorkspace: "trace-advisor.analyzeWorkspace",
  showReport: "trace-advisor.showReport",
  addSpansInFile: "trace-advisor.addSpansInFile",
  trust: "trace-advisor.trust",
} as const;

/**
 * The code lens command, implemented by the extension (not the server): arguments `[uri, position, direction?]`.
 * The server must not list it in `executeCommandProvider`, or vscode-languageclient would register it twice.
 */
export const SHOW_CALL_HIERARCHY = "trace-advisor.showCallHierarchy";

/** The observed lens's command, run by the server: arguments `[uri, symbol]`. */
export const SHOW_OBSERVED = "trace-advisor.showObserved";

export type CommandId =
  | "traceAdvisor.analyzeFile"
  | "traceAdvisor.analyzeWorkspace"
  | "traceAdvisor.showReport"
  | "traceAdvisor.addSpansInFile"
  | "traceAdvisor.restartServer"
  | "traceAdvisor.showLog"
  | "traceAdvisor.trustProjectConfig"
  | typeof SHOW_CALL_HIERARCHY;

export interface CommandSpec {
  id: CommandId;
  title: string;
  /** When the command makes sense in the command palette (a `when` clause); "false" hides it. */
  palette?: string;
}

export const CATEGORY = "Trace Advisor";

/** Every contributed command; `package.json` is generated from and checked against this list. */
export const COMMANDS: readonly CommandSpec[] = [
  { id: "traceAdvisor.analyzeFile", title: "Analyze Current File with the Model", palette: "editorLangId == python" },
  { id: "traceAdvisor.analyzeWorkspace", title: "Analyze Workspace" },
  { id: "traceAdvisor.showReport", title: "Open Call-Tree Report" },
  {
    id: "traceAdvisor.addSpansInFile",
    title: "Add Spans to All Recommended Functions in This File",
    palette: "editorLangId == python",
  },
  { id: "traceAdvisor.restartServer", title: "Restart Server" },
  { id: "traceAdvisor.showLog", title: "Show Server Log" },
  { id: "traceAdvisor.trustProjectConfig", title: "Trust Project Configuration" },
  { id: SHOW_CALL_HIERARCHY, title: "Show Call Hierarchy", palette: "false" },
];

/** A code lens position argument as it arrives from the server (LSP, 0-based). */
export interface LspPosition {
  line: number;
  character: number;
}

export type CallDirection = "outgoing" | "incoming";

/** Validates the lens arguments `[uri, position, direction?]`; throws a readable error otherwise. */
export function parseCallHierarchyArgs(args: unknown[]): { uri: string; position: LspPosition; direction: CallDirection } {
  const [uri, position, direction] = args;
  const pos = position as Partial<LspPosition> | undefined;
  if (typeof uri !== "string" || typeof pos?.line !== "number" || typeof pos.character !== "number") {
    throw new Error(`${SHOW_CALL_HIERARCHY} expects [uri, {line, character}], got ${JSON.stringify(args).slice(0, 200)}`);
  }
  return { uri, position: { line: pos.line, character: pos.character }, direction: direction === "incoming" ? "incoming" : "outgoing" };
}

/** The report path from `trace-advisor.showReport`'s result: a path string or `{ "path": ... }`. */
export function reportPath(result: unknown): string | undefined {
  if (typeof result === "string" && result !== "") {
    return result;
  }
  if (result !== null && typeof result === "object") {
    const record = result as Record<string, unknown>;
    for (const key of ["path", "uri", "file"]) {
      if (typeof record[key] === "string" && record[key] !== "") {
        return record[key] as string;
      }
    }
  }
  return undefined;
}

/** What a batch of `trace-advisor.analyzeFile` answers add up to, for one summary message. */
export interface AnalysisSummary {
  files: number;
  recommendations: number;
  engines: string[];
  problems: string[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Adds up analyzeFile answers (`{engine, recommendations, problems, usage}`); other values are skipped. */
export function summarizeAnalyses(answers: readonly unknown[]): AnalysisSummary {
  const summary: AnalysisSummary = { files: 0, recommendations: 0, engines: [], problems: [], inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const answer of answers) {
    if (answer === null || typeof answer !== "object") {
      continue;
    }
    const record = answer as Record<string, unknown>;
    summary.files += 1;
    summary.recommendations += Array.isArray(record.recommendations) ? record.recommendations.length : 0;
    if (typeof record.engine === "string" && !summary.engines.includes(record.engine)) {
      summary.engines.push(record.engine);
    }
    if (Array.isArray(record.problems)) {
      summary.problems.push(...record.problems.filter((problem): problem is string => typeof problem === "string"));
    }
    const usage = (record.usage ?? {}) as Record<string, unknown>;
    summary.inputTokens += typeof usage.input_tokens === "number" ? usage.input_tokens : 0;
    summary.outputTokens += typeof usage.output_tokens === "number" ? usage.output_tokens : 0;
    summary.costUsd += typeof usage.cost_usd === "number" ? usage.cost_usd : 0;
  }
  return summary;
}

/** One line for the notification after an analysis. */
export function summaryMessage(summary: AnalysisSummary): string {
  const files = summary.files === 1 ? "1 analysed file" : `${summary.files} analysed files`;
  const recs = summary.recommendations === 1 ? "1 recommendation" : `${summary.recommendations} recommendations`;
  const engine = summary.engines.length > 0 ? ` with ${summary.engines.join(", ")}` : "";
  const tokens = summary.inputTokens + summary.outputTokens;
  const cost = tokens > 0 ? ` (${tokens} tokens, ~$${summary.costUsd.toFixed(4)})` : "";
  const problems = summary.problems.length > 0 ? ` ${summary.problems.length} problem(s): ${summary.problems[0]}` : "";
  return `${recs} across ${files}${engine}${cost}.${problems}`;
}

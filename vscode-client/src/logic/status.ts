/** Reads the server's `trace-advisor/status` notification and turns it into status bar text (no `vscode`). */

export const STATUS_NOTIFICATION = "trace-advisor/status";

export type ServerState = "indexing" | "ready" | "analyzing" | "error";
/** States the extension itself shows while no server is answering. */
export type ClientState = "starting" | "stopped" | "failed";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface ServerStatus {
  state: ServerState;
  indexed: number;
  total: number;
  engine: string;
  usage: Usage;
  message: string | undefined;
}

export const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

const SERVER_STATES: readonly string[] = ["indexing", "ready", "analyzing", "error"];

/** Validates the notification's params; returns undefined for anything malformed (a status bar never throws). */
export function parseStatus(params: unknown): ServerStatus | undefined {
  if (params === null || typeof params !== "object") {
    return undefined;
  }
  const record = params as Record<string, unknown>;
  if (typeof record.state !== "string" || !SERVER_STATES.includes(record.state)) {
    return undefined;
  }
  const usage = (record.usage ?? {}) as Record<string, unknown>;
  return {
    state: record.state as ServerState,
    indexed: count(record.indexed),
    total: count(record.total),
    engine: typeof record.engine === "string" && record.engine !== "" ? record.engine : "local",
    usage: {
      inputTokens: count(usage.input_tokens),
      outputTokens: count(usage.output_tokens),
      costUsd: typeof usage.cost_usd === "number" && Number.isFinite(usage.cost_usd) ? Math.max(usage.cost_usd, 0) : 0,
    },
    message: typeof record.message === "string" ? record.message : undefined,
  };
}

/**
 * The session's model usage: the server reports usage since it started, so usage of earlier server processes
 * (before a restart) is carried over and added.
 */
export class SessionUsage {
  private carried: Usage = NO_USAGE;
  private current: Usage = NO_USAGE;

  update(serverUsage: Usage): void {
    this.current = serverUsage;
  }

  /** A new server process starts counting from zero. */
  serverRestarted(): void {
    this.carried = addUsage(this.carried, this.current);
    this.current = NO_USAGE;
  }

  total(): Usage {
    return addUsage(this.carried, this.current);
  }
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}

export interface StatusView {
  text: string;
  tooltip: string;
  isError: boolean;
}

export function formatTokens(tokens: number): string {
  if (tokens < 1000) {
    return String(tokens);
  }
  if (tokens < 1_000_000) {
    return `${(tokens / 1000).toFixed(tokens < 10_000 ? 1 : 0)}k`;
  }
  return `${(tokens / 1_000_000).toFixed(1)}M`;
}

export function formatCost(costUsd: number): string {
  return costUsd < 0.01 && costUsd > 0 ? `$${costUsd.toFixed(4)}` : `$${costUsd.toFixed(2)}`;
}

/** Status bar text for a server status (with the session's usage) or a client-side state. */
export function statusView(status: ServerStatus | ClientState, usage: Usage, detail?: string): StatusView {
  if (typeof status === "string") {
    const text = { starting: "$(sync~spin) Trace Advisor", stopped: "$(circle-slash) Trace Advisor", failed: "$(error) Trace Advisor" }[status];
    const tooltip = {
      starting: "Trace Advisor: starting the server",
      stopped: "Trace Advisor: the server is stopped",
      failed: "Trace Advisor: the server is not running",
    }[status];
    return { text, tooltip: joinLines([tooltip, detail, "Click to show the server log."]), isError: status === "failed" };
  }
  const used = usage.inputTokens + usage.outputTokens > 0;
  const cost = used ? ` · ${formatCost(usage.costUsd)}` : "";
  const engine = shortEngine(status.engine);
  let text: string;
  switch (status.state) {
    case "indexing":
      text = status.total > 0 ? `$(sync~spin) Trace Advisor: indexing ${status.indexed}/${status.total}` : "$(sync~spin) Trace Advisor: indexing";
      break;
    case "analyzing":
      text = `$(sync~spin) Trace Advisor: analyzing · ${engine}${cost}`;
      break;
    case "error":
      text = `$(warning) Trace Advisor · ${engine}${cost}`;
      break;
    default:
      text = `$(telescope) Trace Advisor · ${engine}${cost}`;
  }
  const tooltip = joinLines([
    `Trace Advisor: ${status.state}${status.message ? ` — ${status.message}` : ""}`,
    status.total > 0 ? `Indexed ${status.indexed} of ${status.total} files` : undefined,
    `Engine: ${status.engine}`,
    used
      ? `Model calls this session: ${formatTokens(usage.inputTokens)} input + ${formatTokens(usage.outputTokens)} output tokens, ${formatCost(usage.costUsd)}`
      : "No model calls this session",
    detail,
    "Click to show the server log.",
  ]);
  return { text, tooltip, isError: status.state === "error" };
}

/** `bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0` → `bedrock:claude-3-5-sonnet`: the bar has little room. */
export function shortEngine(engine: string): string {
  const [provider, ...rest] = engine.split(":");
  if (rest.length === 0) {
    return engine;
  }
  let model = rest.join(":");
  if (provider !== "bedrock") {
    return engine; // OpenAI-compatible model names are short already ("llama3.2", "gpt-4o-mini")
  }
  model = model.replace(/^(?:[a-z]{2}\.)?[a-z0-9-]+\./, ""); // region prefix and vendor: "us.anthropic."
  model = model.replace(/-\d{8}.*$/, "").replace(/-v\d+(?::\d+)?$/, "");
  return `${provider}:${model}`;
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function joinLines(lines: (string | undefined)[]): string {
  return lines.filter((line): line is string => line !== undefined && line !== "").join("\n");
}

/** Test support: the repository's interpreters and a minimal LSP-over-stdio client for the server tests. */

import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const CLIENT_DIR = path.resolve(__dirname, "..", "..");
export const REPO = path.resolve(CLIENT_DIR, "..");
export const BUNDLED_LIBS = path.join(CLIENT_DIR, "bundled", "libs");

/** The repository's virtualenv Python (has trace-advisor installed in development mode). */
export function venvPython(): string {
  const candidate = process.env.TRACE_ADVISOR_VENV_PYTHON ?? path.join(REPO, ".venv", "bin", "python");
  if (!fs.existsSync(candidate)) {
    throw new Error(`${candidate} does not exist: run "make dev" in ${REPO} first (vscode-client's make test does)`);
  }
  return candidate;
}

/** A Python 3.11+ without trace-advisor installed (the system one), to exercise the bundled libraries. */
export function barePython(): string {
  for (const candidate of [process.env.TRACE_ADVISOR_BARE_PYTHON, "/usr/bin/python3", "/usr/local/bin/python3"]) {
    if (candidate && fs.existsSync(candidate)) {
      return candidate;
    }
  }
  throw new Error("no system python3 found (set TRACE_ADVISOR_BARE_PYTHON)");
}

export function run(command: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(command, args, { env, encoding: "utf8", timeout: 30_000 });
}

type Message = { id?: number; method?: string; params?: unknown; result?: unknown; error?: unknown };

/** Speaks JSON-RPC with Content-Length framing to a spawned server. */
export class StdioLspClient {
  readonly process: ChildProcessWithoutNullStreams;
  readonly notifications: Message[] = [];
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (message: Message) => void>();
  stderr = "";

  constructor(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string }) {
    this.process = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: "pipe" });
    this.process.stdout.on("data", (chunk: Buffer) => this.onData(chunk));
    this.process.stderr.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString("utf8");
    });
  }

  request(method: string, params: unknown, timeoutMs = 30_000): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out; server stderr:\n${this.stderr}`));
      }, timeoutMs);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.process.once("exit", (code) => reject(new Error(`server exited (${code}) during ${method}:\n${this.stderr}`)));
      this.send({ jsonrpc: "2.0", id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  async shutdown(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.process.once("exit", (code) => resolve(code)));
    if (this.process.exitCode !== null) {
      return this.process.exitCode;
    }
    await this.request("shutdown", null, 10_000).catch(() => undefined);
    this.notify("exit", null);
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  private send(message: object): void {
    const body = Buffer.from(JSON.stringify(message), "utf8");
    this.process.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.process.stdin.write(body);
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) {
        return;
      }
      const match = /Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString("ascii"));
      if (!match) {
        throw new Error(`bad header from server: ${this.buffer.subarray(0, headerEnd).toString()}`);
      }
      const length = Number(match[1]);
      if (this.buffer.length < headerEnd + 4 + length) {
        return;
      }
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8")) as Message;
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      if (message.id !== undefined && message.method === undefined) {
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      } else if (message.id !== undefined && message.method !== undefined) {
        // a request from the server (workspace/configuration, client/registerCapability, ...): answer neutrally
        const result = message.method === "workspace/configuration" ? ((message.params as { items: unknown[] }).items.map(() => null)) : null;
        this.send({ jsonrpc: "2.0", id: message.id, result });
      } else {
        this.notifications.push(message);
      }
    }
  }
}
